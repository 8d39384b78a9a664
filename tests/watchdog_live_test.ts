/**
 * The watchdog running live against the venue simulator, as an operator leaves it overnight: the
 * engine is killed with SIGKILL while its orders rest and the venue keeps filling them; the
 * restart runs without a terminal, cancels the dead run's orders within 10 s, and appends the
 * fills of the downtime to the fills file once. A halted state is never restarted.
 */
import assert from "node:assert/strict";
import { compareFills, type EngineFill } from "../tools/load_live.ts";
import { startEngine, supervise } from "../tools/watchdog.ts";
import { emptyState, markHalted } from "../engine/state.ts";
import { saveState } from "../engine/state_file.ts";
import { liveEngineEnv, startRealtimeVenue, testDataDir } from "./helpers/live_engine.ts";

const root = new URL("../", import.meta.url);

/** Polls `check` every 50 ms until it returns a value, or fails after `ms`. */
async function until<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The engine's fill records in `<dir>/live` (every day file). */
async function engineFills(dir: string): Promise<EngineFill[]> {
  const fills: EngineFill[] = [];
  for await (const entry of Deno.readDir(new URL(`${dir}/live`, root))) {
    if (!/^\d{4}-\d\d-\d\d\.jsonl$/.test(entry.name)) continue;
    const text = await Deno.readTextFile(new URL(`${dir}/live/${entry.name}`, root));
    for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
      const r = JSON.parse(line);
      fills.push({ orderId: r.orderId, px: r.px, sz: r.sz, timeMs: r.timeMs, tid: r.tid });
    }
  }
  return fills;
}

/** Collects a child's stdout and stderr as text. */
function capture(child: Deno.ChildProcess): { text: () => string; done: Promise<void> } {
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  return { text: () => text, done: Promise.all([pump(child.stdout), pump(child.stderr)]).then() };
}

Deno.test({
  name:
    "watchdog live: kill -9 while orders rest; the restart, without a terminal or a prompt, cancels them within 10 s and files the downtime's fills once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Market time at 10x wall time, so orders fill while the engine is down.
    const venue = await startRealtimeVenue();
    const dir = await testDataDir("watchdog");
    const env = liveEngineEnv(venue, dir);
    const runs: { child: Deno.ChildProcess; out: ReturnType<typeof capture>; startedMs: number }[] =
      [];
    const stopper = new AbortController();
    const lines: string[] = [];
    try {
      const supervised = supervise({
        start: () => {
          const child = startEngine(["live"], { cwd: root, env, stdout: "piped", stderr: "piped" });
          runs.push({ child, out: capture(child), startedMs: performance.now() });
          return child;
        },
        log: (line) => lines.push(line),
        stop: stopper.signal,
        backoff: { initialMs: 200 },
      });
      const first = await until("the first engine", 1_000, () => runs[0]);
      const resting = await until("orders resting at the venue", 60_000, () => {
        const open = venue.state().openOrders;
        return open.length >= 2 ? open.map((o) => o.oid) : undefined;
      });
      // Some fills first, so the fills file has a last record to catch up from.
      await until(
        "a fill booked by the first run",
        60_000,
        () => /\[LIVE FILL\]/.test(first.out.text()) ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      first.child.kill("SIGKILL");
      const fillsAtKill = venue.sim.account.fills.length;
      // The dead run's orders rest and fill on while no engine runs: a crowd taker sweeps one.
      const [order] = venue.state().openOrders;
      for (let sz = Number(order.queueAhead) + Number(order.sz); sz < 1e9; sz *= 2) {
        venue.takerTrade(order.coin, order.side === "B" ? "A" : "B", sz);
        if (venue.sim.account.fills.length > fillsAtKill) break;
      }
      const second = await until("the restart", 30_000, () => runs[1]);
      const cancelledMs = await until("the dead run's orders cancelled", 10_000, () => {
        const open = new Set(venue.state().openOrders.map((o) => o.oid));
        return resting.every((oid) => !open.has(oid)) ? performance.now() : undefined;
      });
      const fillsInDowntime = venue.sim.account.fills.length - fillsAtKill;
      assert.ok(
        cancelledMs - second.startedMs <= 10_000,
        `cancelled ${cancelledMs - second.startedMs} ms after the restart`,
      );
      await until(
        "quoting again",
        60_000,
        () => /\[ENGINE\] live mode/.test(second.out.text()) ? true : undefined,
      );
      stopper.abort();
      const result = await supervised;
      await Promise.all(runs.map((r) => r.out.done));
      const log = second.out.text();
      assert.deepEqual(result, { restarts: 1, exitCode: 0, reason: "stopped" }, log.slice(-3000));
      assert.doesNotMatch(runs.map((r) => r.out.text()).join(""), /CONFIRM LIVE/);
      assert.match(log, /\[LIVE\] start-up: [1-9]\d* open order\(s\)/);
      assert.match(lines.join("\n"), /exited with code 137|exited with code 1 /);
      // Nothing rests after the stop, and every venue fill is in the fills file exactly once.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(venue.state().openOrders, []);
      const check = compareFills(
        venue.sim.account.fills.map((f) => ({ ...f, oid: f.oid })),
        await engineFills(dir),
      );
      assert.ok(fillsInDowntime > 0, "the venue filled while no engine ran");
      assert.deepEqual(
        { missing: check.missing, duplicated: check.duplicated, unknown: check.unknown },
        { missing: 0, duplicated: 0, unknown: 0 },
        `${check.matched} matched; ${fillsInDowntime} venue fills while no engine ran\n${
          log.slice(-3000)
        }`,
      );
    } finally {
      stopper.abort();
      for (const r of runs) {
        try {
          r.child.kill("SIGKILL");
        } catch {
          // Already exited.
        }
      }
      await venue.close();
      await Deno.remove(new URL(dir, root), { recursive: true });
    }
  },
});

Deno.test("watchdog: an engine halted on purpose is not restarted", async () => {
  const dir = await testDataDir("watchdog");
  try {
    const halted = markHalted(emptyState(Date.now()), "[GLOBAL STOP] Daily drawdown", Date.now());
    await saveState(new URL(`${dir}/demo/state/engine_state.json`, root).pathname, halted);
    let starts = 0;
    const lines: string[] = [];
    const result = await supervise({
      start: () => {
        starts++;
        return startEngine(["demo"], {
          cwd: root,
          env: { NO_COLOR: "1", MM_DATA_DIR: dir, MM_HARVEST_TICKS: "false" },
          stdout: "null",
          stderr: "null",
        });
      },
      log: (line) => lines.push(line),
      stop: new AbortController().signal,
      backoff: { initialMs: 10 },
    });
    assert.equal(starts, 1);
    assert.deepEqual(result, { restarts: 0, exitCode: 4, reason: "halted" });
    assert.match(lines.at(-1)!, /halted on purpose \(exit code 4\): not restarting/);
  } finally {
    await Deno.remove(new URL(dir, root), { recursive: true });
  }
});

Deno.test({
  name:
    "deno task watchdog live on a terminal: CONFIRM LIVE once; after kill -9 the restart asks nothing and cancels the dead run's orders within 10 s",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const venue = await startRealtimeVenue();
    const dir = await testDataDir("watchdog");
    // script(1) gives the watchdog a terminal, as an operator's shell does. `exec`: script runs
    // the command under $SHELL, and a non-interactive dash (Debian's /bin/sh) dies of the Ctrl-C
    // itself (exit 130) where an operator's interactive shell would not.
    const term = new Deno.Command("script", {
      args: ["-qefc", "exec ./deno run -P=watchdog tools/watchdog.ts live", "/dev/null"],
      cwd: root,
      env: liveEngineEnv(venue, dir),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = capture(term);
    const keys = term.stdin.getWriter();
    const type = (text: string) => keys.write(new TextEncoder().encode(text));
    const starts = () => [...out.text().matchAll(/engine started \(pid (\d+)\)/g)].map((m) => m[1]);
    try {
      await until(
        "the watchdog's prompt",
        30_000,
        () => /type "CONFIRM LIVE" to start:/.test(out.text()) ? true : undefined,
      );
      await type("CONFIRM LIVE\n");
      const [firstPid] = await until(
        "the engine's start",
        30_000,
        () => starts().length === 1 ? starts() : undefined,
      );
      const resting = await until("orders resting at the venue", 60_000, () => {
        const open = venue.state().openOrders;
        return open.length >= 2 ? open.map((o) => o.oid) : undefined;
      });
      const killed = await new Deno.Command("kill", { args: ["-9", firstPid] }).output();
      assert.equal(killed.code, 0);
      const restartedMs = await until(
        "the restart",
        30_000,
        () => starts().length === 2 ? performance.now() : undefined,
      );
      const cancelledMs = await until("the dead run's orders cancelled", 10_000, () => {
        const open = new Set(venue.state().openOrders.map((o) => o.oid));
        return resting.every((oid) => !open.has(oid)) ? performance.now() : undefined;
      });
      assert.ok(cancelledMs - restartedMs <= 10_000);
      await until(
        "quoting again",
        60_000,
        () => venue.state().openOrders.length >= 2 ? true : undefined,
      );
      // Ctrl-C on the terminal: the watchdog passes one SIGTERM on and ends with the engine's code.
      await type("\x03");
      const status = await term.status;
      await out.done;
      const screen = out.text();
      assert.equal(status.code, 0, screen.slice(-3000));
      assert.equal(screen.match(/type "CONFIRM LIVE" to start:/g)?.length, 1, "asked once");
      assert.doesNotMatch(
        screen,
        /Type "CONFIRM LIVE" to start live trading/,
        "never by the engine",
      );
      assert.match(screen, /the engine exited with code \d+ after [\d.]+s; restarting in 1\.0s/);
      assert.deepEqual(venue.state().openOrders, []);
      assert.match(
        await Deno.readTextFile(new URL(`${dir}/watchdog.log`, root)),
        /stopped by signal; the engine exited with code 0/,
      );
    } finally {
      await keys.close().catch(() => {});
      try {
        term.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      for (const pid of starts()) await new Deno.Command("kill", { args: ["-9", pid] }).output();
      await venue.close();
      await Deno.remove(new URL(dir, root), { recursive: true });
    }
  },
});

import assert from "node:assert/strict";
import { engineCommand, supervise, type Supervised } from "../tools/watchdog.ts";

/** A fake engine that exits with the given codes, one per start, after `runMs` of fake time. */
function fakeEngine(codes: number[], clock: { now: number }, runMs: number) {
  const starts: number[] = [];
  const start = (): Supervised => {
    starts.push(clock.now);
    const code = codes[starts.length - 1] ?? 0;
    clock.now += runMs;
    return { status: Promise.resolve({ code }), kill: () => {} };
  };
  return { start, starts };
}

Deno.test("a crashing engine is restarted with doubling delays until it exits cleanly", async () => {
  const clock = { now: 0 };
  const engine = fakeEngine([1, 1, 1, 0], clock, 10);
  const lines: string[] = [];
  const result = await supervise({
    start: engine.start,
    log: (line) => lines.push(line),
    stop: new AbortController().signal,
    backoff: { initialMs: 100, maxMs: 300 },
    now: () => clock.now,
  });
  assert.deepEqual(result, { restarts: 3, exitCode: 0, reason: "clean-exit" });
  assert.equal(engine.starts.length, 4);
  const delays = lines.filter((l) => l.includes("restarting in")).map((l) => l.split(" in ")[1]);
  assert.deepEqual(delays, ["0.1s", "0.2s", "0.3s"], "doubling, capped at maxMs");
  assert.match(lines[0], /^the engine exited with code 1 after 0\.0s; restarting in/);
  assert.equal(lines.filter((l) => l.startsWith("restarted after a gap of")).length, 3);
  assert.equal(lines.at(-1), "the engine exited cleanly after 0.0s");
});

Deno.test("a crash loop gives up; a healthy run in between resets the count", async () => {
  const clock = { now: 0 };
  const loop = fakeEngine([1, 1, 1, 1], clock, 10);
  const gaveUp = await supervise({
    start: loop.start,
    log: () => {},
    stop: new AbortController().signal,
    backoff: { initialMs: 1 },
    maxRestarts: 2,
    now: () => clock.now,
  });
  assert.deepEqual(gaveUp, { restarts: 2, exitCode: 1, reason: "gave-up" });

  // Each run lasts longer than resetAfterMs: every crash is the first of its kind.
  const healthy = fakeEngine([1, 1, 1, 0], clock, 1_000);
  const result = await supervise({
    start: healthy.start,
    log: () => {},
    stop: new AbortController().signal,
    backoff: { initialMs: 1, resetAfterMs: 500 },
    maxRestarts: 1,
    now: () => clock.now,
  });
  assert.equal(result.reason, "clean-exit");
  assert.equal(result.restarts, 3);
});

Deno.test("stopping passes SIGTERM to the engine and restarts nothing", async () => {
  const stopper = new AbortController();
  const signals: string[] = [];
  let exit!: (status: { code: number }) => void;
  const result = supervise({
    start: () => ({
      status: new Promise((resolve) => (exit = resolve)),
      kill: (signal) => {
        signals.push(signal);
        exit({ code: 0 });
      },
    }),
    log: () => {},
    stop: stopper.signal,
  });
  stopper.abort();
  assert.deepEqual(await result, { restarts: 0, exitCode: 0, reason: "stopped" });
  assert.deepEqual(signals, ["SIGTERM"]);
});

Deno.test("the watchdog runs each mode through tools/engine.sh; live unattended after one confirmation", () => {
  assert.deepEqual(engineCommand("shadow", ["--duration", "1h"]), ["shadow", "--duration", "1h"]);
  assert.deepEqual(engineCommand("live", []), ["live"]);
  assert.throws(
    () => engineCommand("replay", []),
    /mode "replay" is not one of shadow, demo, live/,
  );
});

Deno.test("a bad configuration (exit 2) or a halt (exit 4) is not restarted; an unclean shutdown (3) is", async () => {
  for (
    const [codes, reason, restarts] of [
      [[2], "bad-config", 0],
      [[4], "halted", 0],
      [[3, 0], "clean-exit", 1],
    ] as const
  ) {
    const clock = { now: 0 };
    const engine = fakeEngine([...codes], clock, 10);
    const result = await supervise({
      start: engine.start,
      log: () => {},
      stop: new AbortController().signal,
      backoff: { initialMs: 1 },
      now: () => clock.now,
    });
    assert.deepEqual(result, { restarts, exitCode: codes.at(-1), reason });
  }
});

Deno.test("a real process that crashes twice is restarted twice, then ends the watchdog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_watchdog_" });
  const counter = `${dir}/starts`;
  const lines: string[] = [];
  const result = await supervise({
    start: () =>
      new Deno.Command("./deno", {
        args: [
          "run",
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          "tests/helpers/crash_then_exit.ts",
          counter,
          "2",
        ],
        cwd: new URL("../", import.meta.url),
        stdout: "null",
        stderr: "null",
      }).spawn(),
    log: (line) => lines.push(line),
    stop: new AbortController().signal,
    backoff: { initialMs: 10 },
  });
  assert.deepEqual(result, { restarts: 2, exitCode: 0, reason: "clean-exit" });
  assert.equal(await Deno.readTextFile(counter), "3");
  assert.equal(lines.filter((l) => /exited with code 3/.test(l)).length, 2);
  await Deno.remove(dir, { recursive: true });
});

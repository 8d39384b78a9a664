/**
 * Alerts as the operator's phone receives them: posted as `{"text": …}` to a webhook (a local
 * server here), rate-limited on a fake clock, never blocking or throwing when the webhook is
 * slow or down, never naming the webhook's secret path; and the watch that turns halts, stall
 * panics, reconnect storms and a low request budget into alerts.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { type AlertKind, AlertSender } from "../engine/ops/alerts.ts";
import type { OpsCounters } from "../engine/ops/metrics.ts";
import { startOps } from "../engine/ops/ops.ts";
import { Secret } from "../engine/ops/secret.ts";
import { AlertWatch, type WatchReading } from "../engine/ops/watch.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { followOutput } from "./helpers/child_output.ts";
import { testAsset } from "./helpers/asset.ts";

/** A local webhook: every JSON body posted to it, and how it answers. */
function webhook(
  answer: (request: Request) => Response | Promise<Response> = () => new Response("ok"),
) {
  const received: { path: string; contentType: string | null; body: { text: string } }[] = [];
  const arrived: (() => void)[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      received.push({
        path: new URL(request.url).pathname,
        contentType: request.headers.get("content-type"),
        body: await request.json(),
      });
      for (const wake of arrived.splice(0)) wake();
      return await answer(request);
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/services/T000/B000/secret-path`;
  return {
    url,
    received,
    /** Waits until `n` alerts have arrived. */
    async count(n: number) {
      while (received.length < n) await new Promise<void>((resolve) => arrived.push(resolve));
    },
    close: () => server.shutdown(),
  };
}

function sender(url: string, options: { now?: () => number; timeoutMs?: number } = {}) {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const counters: OpsCounters = {
    alertsSent: 0,
    alertsFailed: 0,
    alertsSuppressed: 0,
    control: {},
  };
  const alerts = new AlertSender({
    url: new Secret(url),
    label: "live",
    log,
    counters,
    ...options,
  });
  const logged = async () => {
    await log.flush();
    return lines.join("");
  };
  return { alerts, counters, logged };
}

Deno.test("an alert reaches the webhook as a JSON {text} POST that Slack-style relays accept", async () => {
  const hook = webhook();
  try {
    const { alerts, counters } = sender(hook.url);
    alerts.send("halt", "🛑 HALT: daily drawdown 5.1% >= cap 5.0%");
    await alerts.flush(5_000);
    assert.deepEqual(hook.received, [{
      path: "/services/T000/B000/secret-path",
      contentType: "application/json",
      body: { text: "[MM live] 🛑 HALT: daily drawdown 5.1% >= cap 5.0%" },
    }]);
    assert.equal(counters.alertsSent, 1);
  } finally {
    await hook.close();
  }
});

Deno.test("one alert of a kind per minute and ten per ten minutes; the next one says what was dropped; crashes always go", async () => {
  const hook = webhook();
  try {
    const clock = { now: 0 };
    const { alerts, counters } = sender(hook.url, { now: () => clock.now });
    alerts.send("stall", "🚨 STALL PANIC 1");
    alerts.send("stall", "🚨 STALL PANIC 2");
    clock.now += 30_000;
    alerts.send("stall", "🚨 STALL PANIC 3");
    clock.now += 31_000;
    alerts.send("stall", "🚨 STALL PANIC 4");
    await alerts.flush(5_000);
    assert.deepEqual(hook.received.map((r) => r.body.text), [
      "[MM live] 🚨 STALL PANIC 1",
      "[MM live] 🚨 STALL PANIC 4 (2 earlier alert(s) not sent: rate limit)",
    ]);
    assert.equal(counters.alertsSuppressed, 2);

    // Five other kinds at once, then four more a minute apart each: 2 + 5 + 3 fill the ten a
    // ten-minute window allows, and the fourth of the minute-apart ones is dropped.
    const kinds: AlertKind[] = ["halt", "reconnects", "budget", "pause", "resume"];
    for (const kind of kinds) alerts.send(kind, kind);
    for (const kind of ["pause", "resume", "budget", "reconnects"] as AlertKind[]) {
      clock.now += 61_000;
      alerts.send(kind, kind);
    }
    alerts.send("crash", "💥 CRASH: out of memory");
    await alerts.flush(5_000);
    const texts = hook.received.map((r) => r.body.text);
    assert.equal(texts.length, 11);
    assert.equal(
      texts.at(-1),
      "[MM live] 💥 CRASH: out of memory (1 earlier alert(s) not sent: rate limit)",
    );
  } finally {
    await hook.close();
  }
});

Deno.test("a webhook that hangs or is down never blocks the sender and never shows its secret path", async () => {
  const held = Promise.withResolvers<Response>();
  const slow = webhook(() => held.promise);
  const { alerts, counters, logged } = sender(slow.url, { timeoutMs: 100 });
  try {
    alerts.send("halt", "🛑 HALT: test");
    // send() returned at once; the webhook has not even answered.
    assert.equal(counters.alertsSent + counters.alertsFailed, 0);
    await alerts.flush(5_000);
    assert.equal(counters.alertsFailed, 1);
    assert.match(
      await logged(),
      /\[ALERT\] not delivered \(no answer within 0\.1s\): \[MM live\] 🛑 HALT: test/,
    );
  } finally {
    held.resolve(new Response("late"));
    await slow.close();
  }

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedUrl = `http://127.0.0.1:${listener.addr.port}/hooks/secret-path`;
  listener.close();
  const down = sender(closedUrl);
  down.alerts.send("crash", "💥 CRASH: test");
  await down.alerts.flush(5_000);
  assert.equal(down.counters.alertsFailed, 1);
  const log = await down.logged();
  assert.match(log, /\[ALERT\] not delivered \(.+\): \[MM live\] 💥 CRASH: test/);
  assert.ok(!log.includes("secret-path"), log);
});

Deno.test("the watch alerts a halt, a stall panic, a reconnect storm and a low request budget, each once", () => {
  const sent: string[] = [];
  const watch = new AlertWatch({ send: (kind, text) => void sent.push(`${kind}: ${text}`) });
  const base: WatchReading = {
    nowMs: 0,
    haltReason: null,
    stallPanics: 0,
    reconnects: 0,
    addressLeft: 9_000,
    ipWeightUsed: 100,
    ipWeightLimit: 1_200,
  };
  const at = (minutes: number, change: Partial<WatchReading>) =>
    watch.check({ ...base, nowMs: minutes * 60_000, ...change });
  at(0, {});
  at(1, { stallPanics: 1 });
  at(2, { stallPanics: 1 });
  // Reconnects two and three minutes apart: three within five minutes is a storm.
  at(3, { stallPanics: 1, reconnects: 1 });
  at(5, { stallPanics: 1, reconnects: 2 });
  assert.equal(sent.length, 1);
  at(7, { stallPanics: 1, reconnects: 3 });
  at(8, { stallPanics: 1, reconnects: 3, addressLeft: 1_900 });
  at(9, { stallPanics: 1, reconnects: 3, addressLeft: 1_500 });
  at(10, { stallPanics: 1, reconnects: 3, addressLeft: 1_500, ipWeightUsed: 1_100 });
  at(11, {
    stallPanics: 1,
    reconnects: 3,
    addressLeft: 1_500,
    haltReason: "[GLOBAL STOP] Daily drawdown",
  });
  at(12, {
    stallPanics: 1,
    reconnects: 3,
    addressLeft: 1_500,
    haltReason: "[GLOBAL STOP] Daily drawdown",
  });
  assert.deepEqual(sent, [
    "stall: 🚨 STALL PANIC: market data went silent; every quote pulled until it is back and reconciled.",
    "reconnects: ⚠️ RECONNECT STORM: market data reconnected 3 times in 5 min.",
    "budget: ⚠️ LOW REQUEST BUDGET: 1900 address requests left; placing stops under 1,000 until volume frees more.",
    "budget: ⚠️ LOW REQUEST BUDGET: IP weight 1100 of 1200 spent in the last minute; requotes are held back.",
    "halt: 🛑 HALT: [GLOBAL STOP] Daily drawdown. Every order cancelled; quoting stops until a restart with --clear-halt.",
  ]);
});

Deno.test("reconnects spread over a quarter of an hour are no storm", () => {
  const sent: string[] = [];
  const watch = new AlertWatch({ send: (_, text) => void sent.push(text) });
  for (let i = 0; i <= 3; i++) {
    watch.check({
      nowMs: i * 300_000,
      haltReason: null,
      stallPanics: 0,
      reconnects: i,
      addressLeft: null,
      ipWeightUsed: 0,
      ipWeightLimit: 1_200,
    });
  }
  assert.deepEqual(sent, []);
});

Deno.test("a running engine alerts its operator's pause, resume and halt through MM_ALERT_WEBHOOK_URL", async () => {
  const hook = webhook();
  const kernel = await loadKernel();
  const config = loadConfig({ MM_HTTP_PORT: "0", MM_ALERT_WEBHOOK_URL: hook.url });
  const asset = testAsset("BTC", 5);
  const log = createLogger({ sink: () => {} });
  const engine = new Engine({
    mode: "live",
    config,
    assets: [asset],
    kernel,
    venue: new SimExchange({ szDecimals: { BTC: 5 } }),
    portfolio: new Portfolio({ startingBalanceUsd: 10_000 }),
    log,
    now: Date.now,
    measureLatency: false,
  });
  const ops = await startOps({
    config: config.ops,
    engine,
    reconnects: () => 0,
    log,
    watchEveryMs: 10,
  });
  try {
    for (const action of ["pause", "resume", "halt"]) {
      const response = await fetch(`${ops.url}control`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action, source: "status page" }),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    await hook.count(3);
    assert.deepEqual(hook.received.map((r) => r.body.text), [
      "[MM live] ⏸ PAUSED by status page (127.0.0.1, loopback): every order cancelled, still harvesting.",
      "[MM live] ▶ RESUMED by status page (127.0.0.1, loopback): quoting again.",
      "[MM live] 🛑 HALT: halted by operator (status page (127.0.0.1, loopback)). Every order cancelled; quoting stops until a restart with --clear-halt.",
    ]);
  } finally {
    engine.stop();
    await ops.close(1_000);
    await hook.close();
  }
});

Deno.test("a crash of the running engine reaches the webhook before it exits 1", async () => {
  const hook = webhook();
  const dir = await Deno.makeTempDir({ prefix: "mm-crash-" });
  try {
    const child = new Deno.Command("./deno", {
      args: [
        "run",
        "-P=demo",
        `--allow-write=${dir}`,
        "--allow-read=data,wasm/build,node_modules," + dir,
        "tests/helpers/crash_on_signal.ts",
      ],
      cwd: new URL("../", import.meta.url),
      clearEnv: true,
      env: {
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        MM_DATA_DIR: dir,
        MM_HARVEST_TICKS: "false",
        MM_ALERT_WEBHOOK_URL: hook.url,
        REDIS_URL: "redis://127.0.0.1:1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = followOutput(child);
    while (!/\[ENGINE\] demo mode/.test(out.stdout())) {
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 50)),
      ]);
      if (exited) throw new Error(`the demo did not start: ${out.stdout()}${await out.stderr}`);
    }
    child.kill("SIGUSR1");
    const status = await child.status;
    await out.ended;
    await out.stderr;
    assert.equal(status.code, 1, out.stdout().slice(-2000));
    assert.match(
      out.stdout(),
      /\[CRASH\] unhandled rejection: injected by the test: shutting down/,
    );
    assert.match(out.stdout(), /\[SHUTDOWN\] save state: done/);
    assert.deepEqual(hook.received.map((r) => r.body.text), [
      "[MM demo] 💥 CRASH: unhandled rejection: injected by the test. Shutting down in order (exit code 1).",
    ]);
  } finally {
    await hook.close();
    await Deno.remove(dir, { recursive: true });
  }
});

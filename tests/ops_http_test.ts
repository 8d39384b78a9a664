/**
 * The operations server as a monitoring system and an operator meet it: `/metrics` scraped and
 * parsed as Prometheus text, `/status.json`, and `POST /control` with and without a token, from
 * loopback and from elsewhere, against an engine on the real kernel and the shadow venue.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { AssetInfo, BookSnapshot } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import type { LedgerRecord } from "../engine/ledger/ledger.ts";
import { LedgerSummary } from "../engine/ledger/ledger_summary.ts";
import { createLogger } from "../engine/log.ts";
import { AlertSender } from "../engine/ops/alerts.ts";
import { Control } from "../engine/ops/control.ts";
import { startOps } from "../engine/ops/ops.ts";
import type { OpsSnapshot } from "../engine/ops/snapshot.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { parsePrometheus } from "./helpers/prometheus.ts";
import { testAsset } from "./helpers/asset.ts";

const kernel = await loadKernel();
const T0 = Date.UTC(2026, 1, 22, 12);
const TOKEN = "0123456789abcdef0123456789abcdef";

function asset(name: string, szDecimals: number): AssetInfo {
  return testAsset(name, szDecimals, { fundingHourly: 0.00001 });
}

function book(coin: string, bid: number, ask: number, timeMs: number): BookSnapshot {
  return {
    coin,
    timeMs,
    bids: [{ px: bid, sz: 5, n: 3 }, { px: bid * 0.999, sz: 5, n: 3 }],
    asks: [{ px: ask, sz: 5, n: 3 }, { px: ask * 1.001, sz: 5, n: 3 }],
  };
}

/** A quoting shadow engine holding 0.002 BTC, with the ops server on a free loopback port. */
async function running(env: Record<string, string> = {}, ledger?: LedgerSummary) {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const config = loadConfig({ MM_HTTP_PORT: "0", ...env });
  const venue = new SimExchange({ szDecimals: { BTC: 5, ETH: 4 } });
  const clock = { now: T0 };
  const engine = new Engine({
    mode: "shadow",
    config,
    assets: [asset("BTC", 5), asset("ETH", 4)],
    kernel,
    venue,
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    log,
    now: () => clock.now,
    measureLatency: false,
  });
  engine.carryPosition("BTC", 0.002, 68_000, T0);
  // One loop tick later each time: the request governor paces batches on the engine's clock.
  const quote = () => {
    clock.now += 1_000;
    engine.onBook(book("BTC", 68_020, 68_021, clock.now));
    engine.onBook(book("ETH", 3000.1, 3000.2, clock.now));
    engine.tick(clock.now);
  };
  quote();
  quote();
  const ops = await startOps({
    config: config.ops,
    engine,
    reconnects: () => 2,
    log,
    ledger: ledger && (() => ({ rows: ledger.rows(), total: ledger.total() })),
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${ops.url}control`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const logged = async () => {
    await log.flush();
    return lines.join("");
  };
  return {
    engine,
    venue,
    ops,
    quote,
    post,
    logged,
    async close() {
      engine.stop();
      await ops.close(0);
    },
  };
}

Deno.test("GET /metrics is Prometheus text with the engine's own numbers", async () => {
  const run = await running();
  try {
    const response = await fetch(`${run.ops.url}metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheus(await response.text());
    const summary = run.engine.summary(Date.now());
    const btc = run.engine.quotesOf("BTC")!;

    assert.equal(samples.get('mm_engine_info{mode="shadow",state="quoting"}'), 1);
    assert.equal(samples.get("mm_paused"), 0);
    assert.equal(samples.get("mm_halted"), 0);
    assert.equal(samples.get("mm_orders_placed_total"), run.venue.stats.placed);
    assert.ok(run.venue.stats.placed >= 12, "both coins quote three levels a side");
    assert.equal(types.get("mm_orders_placed_total"), "counter");
    assert.equal(samples.get("mm_fills_total"), summary.fills);
    assert.equal(samples.get("mm_fees_usd"), summary.feesUsd);
    assert.equal(samples.get("mm_pnl_usd"), summary.pnlUsd);
    assert.ok(summary.pnlUsd > 0, "0.002 BTC bought at 68,000 is worth more at a 68,020.5 mid");
    assert.equal(samples.get('mm_inventory{coin="BTC"}'), 0.002);
    assert.equal(samples.get('mm_inventory_usd{coin="BTC"}'), 136.041);
    assert.equal(samples.get('mm_inventory{coin="ETH"}'), 0);
    assert.equal(samples.get('mm_quote_bid_price{coin="BTC"}'), btc.bidPx[0]);
    assert.equal(samples.get('mm_quote_ask_price{coin="BTC"}'), btc.askPx[0]);
    assert.equal(samples.get('mm_quote_levels{coin="ETH"}'), 6);
    assert.equal(samples.get('mm_regime_multiplier{coin="BTC"}'), 1);
    assert.equal(samples.get('mm_ofi{coin="BTC"}'), 0);
    assert.equal(samples.get("mm_reconnects_total"), 2);
    assert.equal(samples.get("mm_stall_panics_total"), 0);
    // The process's own resident memory, from a few MB up (a soak watches it grow or not).
    assert.ok(samples.get("mm_resident_memory_bytes")! > 10e6, "resident memory in bytes");
    assert.equal(samples.get("mm_requests_total"), run.venue.stats.requests);
    assert.equal(samples.get("mm_ip_weight_limit"), 1200);
    assert.equal(
      samples.get("mm_ip_weight_left"),
      1200 - run.venue.governor.weight.used(),
    );
    const address = run.venue.governor.address.view()!;
    assert.equal(samples.get("mm_address_requests_left"), address.left);
    assert.equal(samples.get("mm_address_requests_cap"), 10_000);
    // No latency samples (measured only on live frames): the percentiles are absent, not 0.
    assert.equal(samples.get('mm_latency_ms{quantile="0.95"}'), undefined);
    assert.equal(types.get("mm_latency_ms"), "gauge");
  } finally {
    await run.close();
  }
});

Deno.test("GET /status.json and GET / show the same snapshot; unknown paths are 404", async () => {
  const run = await running();
  try {
    const status: OpsSnapshot = await (await fetch(`${run.ops.url}status.json`)).json();
    assert.equal(status.state, "quoting");
    assert.deepEqual(status.coins.map((c) => [c.coin, c.position, c.bidLevels, c.askLevels]), [
      ["BTC", 0.002, 3, 3],
      ["ETH", 0, 3, 3],
    ]);
    const page = await fetch(run.ops.url!);
    assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /<title>MM engine status<\/title>/);
    assert.doesNotMatch(html, /src="http|href="http/, "nothing is fetched from elsewhere");
    const missing = await fetch(`${run.ops.url}nothing`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await run.close();
  }
});

Deno.test("pause from loopback cancels every order and quotes nothing until resume", async () => {
  const run = await running();
  try {
    assert.ok(run.venue.openOrders().length > 0);
    const paused = await run.post({ action: "pause", reason: "checking the hedge" });
    assert.deepEqual(await paused.json(), {
      ok: true,
      action: "pause",
      paused: true,
      halted: false,
    });
    assert.equal(run.venue.openOrders().length, 0);
    run.quote();
    assert.equal(run.venue.openOrders().length, 0, "books keep coming; nothing is quoted");
    const status: OpsSnapshot = await (await fetch(`${run.ops.url}status.json`)).json();
    assert.equal(status.state, "paused");
    assert.equal(status.pausedBy, "api (127.0.0.1, loopback)");

    const resumed = await run.post({ action: "resume" }, { "x-mm-source": "runbook script" });
    assert.equal(resumed.status, 200);
    await resumed.body?.cancel();
    const again = await run.post({ action: "resume" });
    assert.deepEqual(await again.json(), {
      ok: true,
      action: "resume",
      paused: false,
      halted: false,
    });
    run.quote();
    assert.ok(run.venue.openOrders().length > 0, "quoting again");

    const log = await run.logged();
    assert.match(
      log,
      /\[CONTROL\] ⏸ pause by api \(127\.0\.0\.1, loopback\): checking the hedge: cancelling every order/,
    );
    assert.match(log, /\[CONTROL\] ▶ resume by runbook script \(127\.0\.0\.1, loopback\)/);
    assert.match(
      log,
      /\[CONTROL\] resume by api \(127\.0\.0\.1, loopback\): not paused, nothing to do/,
    );
    const { samples } = parsePrometheus(await (await fetch(`${run.ops.url}metrics`)).text());
    assert.equal(samples.get('mm_control_actions_total{action="pause"}'), 1);
    assert.equal(samples.get('mm_control_actions_total{action="resume"}'), 1);
  } finally {
    await run.close();
  }
});

Deno.test("halt from control halts for good: resume is refused", async () => {
  const run = await running();
  try {
    const halted = await run.post({ action: "halt", source: "status page" });
    assert.equal(halted.status, 200);
    await halted.body?.cancel();
    assert.equal(
      run.engine.haltReason,
      "halted by operator (status page (127.0.0.1, loopback))",
    );
    assert.equal(run.venue.openOrders().length, 0);
    const resume = await run.post({ action: "resume" });
    assert.equal(resume.status, 409);
    assert.match((await resume.json()).error, /the engine is halted .*--clear-halt/);
  } finally {
    await run.close();
  }
});

Deno.test("control refuses what is not a JSON command, and pages of other sites", async () => {
  const run = await running();
  try {
    const cases: [RequestInit, number, RegExp][] = [
      [{ method: "GET" }, 405, /POST \/control/],
      [{ method: "POST", body: "action=pause" }, 415, /application\/json/],
      [
        { method: "POST", headers: { "content-type": "application/json" }, body: "{" },
        400,
        /bad control request/,
      ],
      [
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"action":"sell everything"}',
        },
        400,
        /action \\"sell everything\\" is not one of pause, resume, halt/,
      ],
      [
        {
          method: "POST",
          headers: { "content-type": "application/json", origin: "https://evil.example" },
          body: '{"action":"halt"}',
        },
        403,
        /cross-origin control request from https:\/\/evil\.example refused/,
      ],
    ];
    for (const [init, status, error] of cases) {
      const response = await fetch(`${run.ops.url}control`, init);
      assert.equal(response.status, status, JSON.stringify(init));
      assert.match(await response.text(), error);
    }
    assert.equal(run.engine.haltReason, null);
    assert.equal(run.engine.pausedBy, null);
  } finally {
    await run.close();
  }
});

Deno.test("with MM_CONTROL_TOKEN, control needs the bearer token, which is never logged", async () => {
  const run = await running({ MM_CONTROL_TOKEN: TOKEN });
  try {
    const none = await run.post({ action: "pause" });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="mm control"');
    assert.match((await none.json()).error, /a bearer token is required/);
    const wrong = await run.post({ action: "pause" }, { authorization: "Bearer not-the-token" });
    assert.equal(wrong.status, 401);
    assert.match((await wrong.json()).error, /wrong bearer token/);
    assert.equal(run.engine.pausedBy, null);

    // The status page asks for the token before its buttons act.
    assert.match(await (await fetch(run.ops.url!)).text(), /"tokenRequired":true/);

    const right = await run.post({ action: "pause" }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(right.status, 200);
    await right.body?.cancel();
    assert.equal(run.engine.pausedBy, "api (127.0.0.1, token)");
    const log = await run.logged();
    assert.match(log, /\[CONTROL\] refused a request from api \(127\.0\.0\.1, unauthorized\)/);
    assert.ok(!log.includes(TOKEN), "the token is not in the log");
  } finally {
    await run.close();
  }
});

Deno.test("control from another machine needs a token set, and works with it", async () => {
  const log = createLogger({ sink: () => {} });
  const counters = { alertsSent: 0, alertsFailed: 0, alertsSuppressed: 0, control: {} };
  const alerts = new AlertSender({ url: null, label: "test", log, counters });
  const calls: string[] = [];
  const target = {
    haltReason: null,
    pausedBy: null,
    pause: (by: string) => Promise.resolve(void calls.push(`pause by ${by}`)),
    resume: () => void calls.push("resume"),
    halt: (reason: string) => Promise.resolve(void calls.push(reason)),
  };
  const request = (headers: Record<string, string> = {}) =>
    new Request("http://10.0.0.2:9464/control", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: '{"action":"pause"}',
    });

  const open = new Control({ target, token: null, log, alerts, counters });
  const refused = await open.handle(request(), "10.0.0.7");
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).error, /needs MM_CONTROL_TOKEN set on the engine/);
  assert.deepEqual(calls, []);

  const { Secret } = await import("../engine/ops/secret.ts");
  const guarded = new Control({ target, token: new Secret(TOKEN), log, alerts, counters });
  const allowed = await guarded.handle(request({ authorization: `Bearer ${TOKEN}` }), "10.0.0.7");
  assert.equal(allowed.status, 200);
  assert.deepEqual(calls, ["pause by api (10.0.0.7, token)"]);
});

Deno.test("GET /metrics and /status.json show the live ledger per coin and level", async () => {
  const ledger = new LedgerSummary();
  const record = (level: number, realSz: number, predictedSz: number): LedgerRecord => ({
    coin: "ETH",
    side: "bid",
    level,
    oid: level,
    px: 3000,
    sz: 0.01,
    sentMs: T0,
    restingMs: T0 + 30,
    cancelSentMs: null,
    endedMs: T0 + 900,
    restingMarketMs: T0,
    endedMarketMs: T0 + 880,
    end: realSz > 0 ? "filled" : "gone",
    realSz,
    realFirstMs: realSz > 0 ? T0 + 500 : null,
    model: "queue",
    predictedSz,
    predictedFirstMs: predictedSz > 0 ? T0 + 700 : null,
    cause: predictedSz > 0 ? "queue" : null,
    candidates: {},
  });
  ledger.add(record(1, 0.01, 0.01));
  ledger.add(record(2, 0.01, 0));
  const run = await running({}, ledger);
  try {
    const { samples } = parsePrometheus(await (await fetch(`${run.ops.url}metrics`)).text());
    assert.equal(samples.get('mm_ledger_real_usd{coin="ETH",level="L1"}'), 30);
    assert.equal(samples.get('mm_ledger_predicted_usd{coin="ETH",level="L2"}'), 0);
    assert.equal(samples.get('mm_ledger_only_real{coin="ETH",level="L2"}'), 1);
    assert.equal(samples.get('mm_ledger_first_fill_lead_seconds{coin="ETH",level="L1"}'), 0.2);
    const status: OpsSnapshot = await (await fetch(`${run.ops.url}status.json`)).json();
    assert.deepEqual(
      [
        status.ledger?.total.orders,
        status.ledger?.total.realUsd,
        status.ledger?.total.predictedUsd,
      ],
      [2, 60, 30],
    );
  } finally {
    await run.close();
  }
  const shadow = await running();
  try {
    const { samples } = parsePrometheus(await (await fetch(`${shadow.ops.url}metrics`)).text());
    assert.equal(samples.get('mm_ledger_real_usd{coin="ETH",level="L1"}'), undefined);
  } finally {
    await shadow.close();
  }
});

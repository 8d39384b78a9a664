/**
 * The live venue against the venue simulator (signed orders, real outcomes): start-up with
 * resting orders, unknown outcomes, a failing cancel-all, fills, a dropped socket, a throw in
 * the loop, shutdown and dark fills. The rule checked throughout: every order the account has
 * resting is tracked or being cancelled until `openOrders` confirms it gone.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import type { Engine } from "../engine/engine.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { floatToWire } from "../engine/hyperliquid/wire.ts";
import { MarketDataFeed } from "../engine/hyperliquid/ws.ts";
import { loadKernel } from "../engine/kernel.ts";
import { DeferredLedger } from "../engine/ledger/deferred_ledger.ts";
import { FillLedger, type LedgerRecord } from "../engine/ledger/ledger.ts";
import { installCrashGuards, readPrivateKey } from "../engine/live_start.ts";
import { recordsDirFor, statePathFor } from "../engine/mode_paths.ts";
import { createLogger } from "../engine/log.ts";
import { Shutdown } from "../engine/shutdown.ts";
import type { LiveExchange } from "../engine/venue/live.ts";
import { createEngineStack } from "../engine/stack.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import type { DesiredQuotes } from "../engine/venue/venue.ts";
import { gridFor } from "./helpers/live_grid.ts";
import { FAST_FEED, liveHarness } from "./helpers/live_harness.ts";
import { TEST_PRIVATE_KEY } from "./helpers/venue.ts";

const kernel = await loadKernel();

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A venue, clients pointed at it, and a log whose lines the test can read. */
/** Hands a grid to the live venue and ends the round, as the engine does each tick. */
function quote(live: LiveExchange, grid: DesiredQuotes): void {
  live.setQuotes(grid);
  live.commit(Date.now());
}

const openCount = (venue: VenueSim) => venue.state().openOrders.length;

Deno.test("live venue: signed Alo grid with cloids, kept within the tolerance, moved beyond it, cancel all", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    quote(live, grid(0));
    await live.settled();
    const first = h.venue.state().openOrders;
    assert.equal(first.length, 6);
    assert.equal(live.stats.placed, 6);
    assert.ok(
      first.every((o) => /^0x[0-9a-f]{32}$/.test(o.cloid ?? "")),
      "every order has a cloid",
    );
    assert.ok(
      first.every((o) => BigInt(o.cloid!) >= 2n ** 127n),
      "no cloid is small enough to pass for an oid (issue 15)",
    );

    quote(live, grid(0.5));
    await live.settled();
    assert.deepEqual(
      h.venue.state().openOrders.map((o) => o.oid).sort(),
      first.map((o) => o.oid).sort(),
      "within the tolerance nothing moves",
    );

    quote(live, grid(3));
    await live.settled();
    const moved = h.venue.state().openOrders;
    assert.equal(moved.length, 6);
    assert.ok(moved.every((o) => !first.some((f) => f.oid === o.oid)), "every order replaced");
    assert.equal(live.stats.placed, 12);
    assert.equal(live.stats.cancels, 6);

    const report = await live.reconcile(new Map());
    assert.equal(report.orphanOrdersCancelled, 0);
    assert.equal(report.darkFills.length, 0);
    await live.cancelAll("test");
    assert.equal(openCount(h.venue), 0);
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: the book the engine prices off is the others' book, its own resting orders taken out", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    const coin = h.selected[1].name;
    // A tick inside the touch: the L1 bid becomes the exchange's best bid (the L1 ask, a tick
    // under the ask, is refused when the spread is two ticks: it would cross our bid).
    quote(live, (await gridFor(h.info, h.selected[1], [-1, 2, 4]))(0));
    await live.settled();
    const frame = h.venue.sim.l2Book(coin);
    const mine = h.venue.sim.openOrders().filter((o) => o.coin === coin);
    const side = (levels: { px: string; sz: string; n: number }[]) =>
      levels.map((l) => ({ px: Number(l.px), sz: Number(l.sz), n: l.n }));
    const raw = {
      coin,
      timeMs: frame.time,
      bids: side(frame.levels[0]),
      asks: side(frame.levels[1]),
    };
    const mineAt = (px: number) => mine.find((o) => Math.abs(o.px - px) < 1e-9 * px);
    assert.ok(mineAt(raw.bids[0].px), "our L1 bid is the exchange's best bid");

    const seen = live.othersBook(raw);
    assert.ok(
      !mineAt(seen.bids[0].px) && !mineAt(seen.asks[0].px),
      "the others' touch is not ours",
    );
    for (const order of mine) {
      const levels = order.isBuy ? [raw.bids, seen.bids] : [raw.asks, seen.asks];
      const [before, after] = levels.map((ls) =>
        ls.find((l) => Math.abs(l.px - order.px) < 1e-9 * order.px)?.sz ?? 0
      );
      assert.ok(
        Math.abs(before - order.sz - after) < 1e-9,
        `${order.px}: ${before} − ${order.sz} = ${after}`,
      );
    }
  } finally {
    await live.cancelAll("test");
    live.close();
    await h.venue.close();
  }
});

Deno.test("live start-up cancels every order the account left resting, on any coin, before quoting", async () => {
  const h = await liveHarness({ coins: 4, topN: 1 });
  let started: LiveExchange | null = null;
  try {
    // Orders left by an earlier run: one on the quoted coin, one on a coin not quoted.
    const other = h.universe.find((a) => a.name !== h.selected[0].name && a.markPx > 0)!;
    for (const asset of [h.selected[0], other]) {
      const book = await h.info.l2Book(asset.name);
      const px = book.bids[book.bids.length - 1].px;
      const step = 10 ** -asset.szDecimals;
      const [outcome] = await h.exchange.placeOrders([{
        asset: asset.assetIndex,
        isBuy: true,
        px: floatToWire(px),
        sz: floatToWire(Math.ceil(15 / px / step) * step),
        tif: "Alo",
      }]);
      assert.equal(outcome.kind, "resting", JSON.stringify(outcome));
    }
    assert.equal(openCount(h.venue), 2);

    const start = await h.startLive({ fillsSinceMs: h.venue.sim.now, ...FAST_FEED });
    started = start.venue;
    assert.equal(openCount(h.venue), 0, "nothing left resting before the first quote");
    assert.equal(start.venue.stats.cancels, 2);
    const text = await h.text();
    assert.match(text, /\[LIVE\] start-up: 2 open order\(s\) on 0x[0-9a-f]{40}; cancelling/);
    assert.match(text, /\[LIVE\] start-up: no open orders remain/);
  } finally {
    started?.close();
    await h.venue.close();
  }
});

Deno.test("live start-up takes the exchange's clock for its fill catch-up: a local clock ahead of it loses no fill", async () => {
  // The venue's clock stands at TEST_START_MS, months behind this machine's.
  const h = await liveHarness();
  let started: LiveExchange | null = null;
  try {
    const start = await h.startLive();
    started = start.venue;
    assert.ok(h.venue.sim.now < Date.now() - 60_000, "the exchange's clock is behind");
    quote(started, (await gridFor(h.info, h.selected[0]))(0));
    await started.settled();
    assert.equal(openCount(h.venue), 6);
    h.venue.inject({ kind: "fillResting" });
    await until("the fills booked", () => started!.stats.fills >= 6);
    assert.equal(started.drainFills().length, 6, "every venue fill reaches the engine");
  } finally {
    started?.close();
    await h.venue.close();
  }
});

Deno.test("live venue: an order whose answer timed out is found resting after its expiry and tracked", async () => {
  const h = await liveHarness({ timeoutMs: 150 });
  const live = h.live();
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    await live.settled(); // started: budget read, fills caught up
    // The venue holds answers 400 ms: the client gives up at 150 ms, the orders still land.
    h.venue.inject({ kind: "delay", ms: 400 });
    quote(live, grid(0));
    await until("the orders to land at the venue", () => openCount(h.venue) === 6);
    h.venue.clear("delay");
    assert.equal(live.stats.placed, 0, "not counted while unknown");
    await live.settled();
    assert.equal(live.stats.placed, 6, "found resting by orderStatus");
    assert.equal(openCount(h.venue), 6, "no duplicates placed");
    await live.cancelAll("test");
    assert.equal(openCount(h.venue), 0, "tracked, so cancelled");
    assert.match(
      await h.text(),
      /outcome unknown .*will check its status once the action has expired/,
    );
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: a lost batch of many orders is resolved by one openOrders, not one orderStatus each", async () => {
  const h = await liveHarness({ timeoutMs: 150 });
  const live = h.live();
  try {
    const grids = [await gridFor(h.info, h.selected[0]), await gridFor(h.info, h.selected[1])];
    await live.settled(); // started: budget read, fills caught up
    h.venue.inject({ kind: "delay", ms: 400 });
    for (const grid of grids) live.setQuotes(grid(0));
    live.commit(Date.now());
    await until("the orders to land at the venue", () => openCount(h.venue) === 12);
    h.venue.clear("delay");
    const asked = h.infoTypes.length;
    await live.settled();
    const resolving = h.infoTypes.slice(asked);
    assert.equal(live.stats.placed, 12, "all twelve found resting");
    assert.equal(resolving.filter((t) => t === "orderStatus").length, 0);
    assert.equal(resolving.filter((t) => t === "openOrders").length, 1, resolving.join(", "));
    await live.cancelAll("test");
    assert.equal(openCount(h.venue), 0, "tracked, so cancelled");
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: an order action refused for a stale expiresAfter is counted at 5x, as the exchange charges it", async () => {
  const h = await liveHarness({ timeoutMs: 2_000 });
  const live = h.live({ orderExpiryMs: 100 });
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    await live.settled(); // started: budget read, fills caught up
    const before = h.venue.state().requestsUsed;
    // The action reaches the exchange 300 ms after it was signed, past its 100 ms validity.
    h.venue.inject({ kind: "delay", ms: 300 });
    quote(live, grid(0));
    await h.logged(/6 order\(s\) refused: Action expired/);
    h.venue.clear("delay");
    assert.equal(openCount(h.venue), 0, "nothing rests");
    assert.equal(h.venue.state().requestsUsed - before, 30, "the venue charged 6 orders 5x");
    assert.equal(live.stats.requests, 30, "and the engine counted the same");
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: an order refused with HTTP 503 is known absent after its expiry and placed again", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    await live.settled(); // started: budget read, fills caught up
    h.venue.inject({ kind: "httpError", status: 503 });
    quote(live, grid(0));
    await h.logged(/outcome unknown \(.*503/);
    h.venue.clear("httpError");
    await live.settled();
    assert.equal(openCount(h.venue), 6);
    assert.equal(live.stats.placed, 6);
    await live.cancelAll("test");
    assert.equal(openCount(h.venue), 0);
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: cancel all retries through exchange errors until openOrders is empty", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    assert.equal(openCount(h.venue), 6);
    h.venue.inject({ kind: "httpError", status: 503 });
    const cancelled = live.cancelAll("test");
    await h.logged(/\[LIVE\] cancel_all \(test\): openOrders failed: .*503.*retrying/);
    assert.equal(openCount(h.venue), 6, "still resting while the exchange fails");
    h.venue.clear("httpError");
    await cancelled;
    assert.equal(openCount(h.venue), 0);
    assert.equal(live.stats.cancels, 6, "only confirmed cancels count");
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: a filled order frees its level, which is placed again; its cancel does not count", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    const first = h.venue.state().openOrders.map((o) => o.oid);
    h.venue.inject({ kind: "fillResting" });
    await until("the fills pushed", () => live.stats.fills >= 6);
    await live.settled();
    const again = h.venue.state().openOrders;
    assert.equal(again.length, 6, "every level placed again");
    assert.ok(again.every((o) => !first.includes(o.oid)));
    assert.equal(live.stats.cancels, 0);
    const fills = live.drainFills();
    assert.deepEqual(fills.map((f) => f.level).sort(), [0, 0, 1, 1, 2, 2]);
  } finally {
    live.close();
    await h.venue.close();
  }
});

/** The venue's info API, except that fills cannot be read while `failing` is set. */
class FlakyFills extends InfoClient {
  failing = false;
  override userFillsByTime(user: string, startMs: number) {
    if (this.failing) return Promise.reject(new Error("userFillsByTime: HTTP 502"));
    return super.userFillsByTime(user, startMs);
  }
}

Deno.test("live venue: a dropped user stream pulls the quotes until it is back and its fills caught up", async () => {
  const h = await liveHarness();
  const info = new FlakyFills({ endpoints: h.endpoints });
  const live = h.live({ info });
  try {
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    assert.equal(openCount(h.venue), 6);
    // The socket drops and the REST catch-up that must follow the reconnect fails for a while.
    info.failing = true;
    h.venue.inject({ kind: "dropWs", scope: "user" });
    await h.logged(
      /account fills cannot be followed \(user stream down \((closed|error)\).*\): quotes pulled/,
    );
    await until("the quotes pulled", () => openCount(h.venue) === 0);
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    assert.equal(openCount(h.venue), 0, "no quotes while fills cannot be followed");
    info.failing = false;
    await h.logged(/account fills followed again/);
    await until("the grid is back", () => openCount(h.venue) === 6);
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("live venue: a silent user stream is caught by its heartbeat and pulls the quotes", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    assert.equal(openCount(h.venue), 6);
    h.venue.inject({ kind: "silence", scope: "user" });
    await h.logged(/account fills cannot be followed \(user stream down \(pong-timeout\)/);
    await until("the quotes pulled", () => openCount(h.venue) === 0);
    h.venue.clear("silence");
    await h.logged(/account fills followed again/);
    await until("the grid is back", () => openCount(h.venue) === 6);
  } finally {
    live.close();
    await h.venue.close();
  }
});

/** A live engine on the venue's market data, as main.ts wires it. */
async function liveEngine(h: Awaited<ReturnType<typeof liveHarness>>, live: LiveExchange) {
  const stack = await createEngineStack({
    mode: "live",
    config: loadConfig({ MM_LOG_LEVEL: "info", MM_SHADOW_MODE: "false" }),
    assets: h.selected,
    log: h.log,
    now: Date.now,
    kernel,
    writeFills: false,
    venue: live,
  });
  const engine: Engine = stack.engine;
  const feed = new MarketDataFeed({
    url: h.venue.wsUrl,
    coins: h.selected.map((a) => a.name),
    stallTimeoutMs: 60_000,
    backoff: { initialMs: 50, maxMs: 200 },
    logger: h.log,
    onDisconnected: (reason) => engine.onConnectionLost(reason),
    onBook: (b, ns, problem) => problem ? engine.onBadBook(b.coin) : engine.onBook(b, ns / 1e6),
    onTrades: (trades) => engine.onTrades(trades),
    onStall: () => engine.onStall(),
    onReconnected: () => void engine.onReconnected(),
  });
  const pump = setInterval(() => h.venue.advance(200), 50);
  feed.start();
  engine.start();
  const close = async () => {
    clearInterval(pump);
    engine.stop();
    await feed.close();
  };
  return { stack, engine, feed, close };
}

Deno.test("live engine: a dropped socket (no stall) pulls every quote at once, the reconnect reconciles", async () => {
  const h = await liveHarness();
  const live = h.live();
  const run = await liveEngine(h, live);
  try {
    await until("quotes", () => openCount(h.venue) > 0);
    h.venue.inject({ kind: "dropWs", closeFrame: false, scope: "market" });
    await until("the quotes pulled", () => run.engine.stall.state !== "quoting");
    await until("recovery", () => run.engine.stall.recoveries === 1);
    assert.equal(run.engine.stall.panics, 1);
    await until("quotes again", () => openCount(h.venue) > 0);
    const text = await h.text();
    assert.match(text, /🚨 WS LOST \((error|closed)\): cancel_all\./);
    assert.match(text, /\[LIVE\] cancel_all \(socket lost\)/);
    assert.match(text, /\[RECONCILE\] ✅ Inventory matches/);
    // Pulled before the reconnect quoted again: the venue saw every order cancelled.
    assert.ok(live.stats.cancels > 0);
  } finally {
    await run.close();
    await live.cancelAll("test end");
    live.close();
    await h.venue.close();
  }
});

Deno.test("live engine: a throw in the loop halts and cancels every order", async () => {
  const h = await liveHarness();
  const live = h.live();
  const run = await liveEngine(h, live);
  try {
    await until("quotes", () => openCount(h.venue) > 0);
    run.engine.drawdown.update = () => {
      throw new Error("drawdown check exploded");
    };
    await until("the halt", () => run.engine.haltReason !== null);
    await live.settled();
    assert.equal(openCount(h.venue), 0, "nothing left resting");
    assert.match(run.engine.haltReason!, /tick failed: drawdown check exploded/);
    assert.match(
      await h.text(),
      /\[ENGINE\] tick failed: drawdown check exploded\. Halting and cancelling/,
    );
  } finally {
    await run.close();
    live.close();
    await h.venue.close();
  }
});

Deno.test("live shutdown leaves zero open orders at the venue, even with a batch in flight", async () => {
  const h = await liveHarness();
  const live = h.live();
  const run = await liveEngine(h, live);
  const shutdown = new Shutdown({ logger: h.log })
    .add("stop quoting", () => run.engine.stop())
    .add("cancel all", () => run.engine.venue.cancelAll("shutdown"), 3_500)
    .add("close market data", () => run.feed.close());
  try {
    await until("quotes", () => openCount(h.venue) >= 6);
    // A slow exchange: the batch the next requote sends is still in flight at the signal.
    h.venue.inject({ kind: "delay", ms: 300 });
    quote(live, (await gridFor(h.info, h.selected[0]))(0));
    const report = await shutdown.run("SIGINT");
    h.venue.clear("delay");
    await live.settled();
    assert.ok(report.clean, JSON.stringify(report.steps));
    assert.equal(openCount(h.venue), 0);
  } finally {
    await run.close();
    live.close();
    await h.venue.close();
  }
});

Deno.test("live reconcile books missed fills as dark fills and adopts the exchange's position", async () => {
  const h = await liveHarness();
  const coin = h.selected[1];
  const take = async () => {
    const book = await h.info.l2Book(coin.name);
    // Through the third level: the order waits for its block while the pump moves the market.
    const px = book.asks[2].px;
    const step = 10 ** -coin.szDecimals;
    const [outcome] = await h.exchange.placeOrders([{
      asset: coin.assetIndex,
      isBuy: true,
      px: floatToWire(px),
      sz: floatToWire(Math.ceil(15 / px / step) * step),
      tif: "Ioc",
    }]);
    assert.equal(outcome.kind, "filled", JSON.stringify(outcome));
    return outcome.kind === "filled" ? outcome.totalSz : 0;
  };
  // Bought before the engine started, and not carried: the engine thinks it is flat.
  const before = await take();
  const live = h.live({ fillsSinceMs: h.venue.sim.now + 1 });
  const run = await liveEngine(h, live);
  try {
    await until("a mid", () => run.engine.market.mid(1) > 0);
    run.engine.onStall();
    await live.settled();
    // Bought while the engine was dark (later in market time, its user stream silent): a fill
    // only reconcile's catch-up finds.
    h.venue.advance(1_000);
    h.venue.inject({ kind: "silence", scope: "user" });
    const during = await take();
    await run.engine.onReconnected();
    h.venue.clear("silence");
    const position = run.stack.portfolio.position(coin.name);
    assert.ok(Math.abs(position - (before + during)) < 1e-9, `${position} vs ${before + during}`);
    const text = await h.text();
    assert.match(
      text,
      new RegExp(`\\[RECONCILE\\] ⚠️ 1 dark fill\\(s\\) detected: ${coin.name}×1`),
    );
    assert.match(text, new RegExp(`${coin.name} position differs: engine ${during} vs venue`));
    assert.match(text, /Adopting the venue's \(a dark fill of \+/);
  } finally {
    await run.close();
    await live.cancelAll("test end");
    live.close();
    await h.venue.close();
  }
});

Deno.test("a second SIGTERM during a stuck shutdown fires one last cancel-all before exiting", async () => {
  const h = await liveHarness();
  const live = h.live();
  let release = () => {};
  const stepStarted = Promise.withResolvers<void>();
  const exited = Promise.withResolvers<number>();
  const shutdown = new Shutdown({ logger: h.log })
    .add("cancel all", () => {
      stepStarted.resolve();
      return new Promise<void>((resolve) => release = resolve);
    }, 5_000)
    .onForcedExit(() => live.cancelOpenOrdersOnce());
  const unlisten = shutdown.listen((code) => exited.resolve(code));
  try {
    quote(live, (await gridFor(h.info, h.selected[1]))(0));
    await live.settled();
    assert.equal(openCount(h.venue), 6);
    Deno.kill(Deno.pid, "SIGTERM");
    await stepStarted.promise;
    Deno.kill(Deno.pid, "SIGTERM");
    assert.equal(await exited.promise, 1, "exits without finishing the steps");
    assert.equal(openCount(h.venue), 0, "the last-resort cancel went out first");
    assert.match(await h.text(), /SIGTERM again: one last cancel-all request/);
  } finally {
    release();
    await shutdown.run("SIGTERM");
    unlisten();
    live.close();
    await h.venue.close();
  }
});

Deno.test("an unhandled rejection reaches the crash guard (live halts and cancels there)", async () => {
  const crashed = Promise.withResolvers<string>();
  const remove = installCrashGuards((reason) => crashed.resolve(reason));
  try {
    Promise.reject(new Error("lost promise"));
    assert.equal(await crashed.promise, "unhandled rejection: lost promise");
  } finally {
    remove();
  }
});

Deno.test("the private key leaves the environment once read", async () => {
  Deno.env.set("HL_PRIVATE_KEY", TEST_PRIVATE_KEY);
  const log = createLogger({ sink: () => {} });
  assert.equal(await readPrivateKey(log), TEST_PRIVATE_KEY);
  assert.equal(Deno.env.get("HL_PRIVATE_KEY"), undefined);
});

Deno.test("live keeps its state, fills and sessions apart from shadow (Gate 5 reads shadow only)", () => {
  assert.equal(statePathFor("live", "data"), "data/state/live_state.json");
  assert.equal(statePathFor("shadow", "data"), "data/state/engine_state.json");
  assert.equal(recordsDirFor("live", "data"), "data/live");
  assert.equal(recordsDirFor("shadow", "data"), "data/shadow");
});

Deno.test("live venue: every order that rested gets one ledger record, requote and cancel-all cancels timed", async () => {
  const h = await liveHarness();
  const records: LedgerRecord[] = [];
  const input = new DeferredLedger((now) =>
    new FillLedger({
      model: { model: "queue", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
      candidates: [],
      now,
      graceMs: 0,
      write: (r) => records.push(r),
    })
  );
  const live = h.live({ ledger: input });
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    quote(live, grid(0));
    await live.settled();
    const first = h.venue.state().openOrders.map((o) => o.oid).sort();
    quote(live, grid(3)); // moved beyond the tolerance: six requote cancels
    await live.settled();
    const second = h.venue.state().openOrders.map((o) => o.oid).sort();
    await live.cancelAll("test"); // six more, cancelled by listing
    input.drain();
    input.ledger.flush();
    assert.deepEqual(records.map((r) => r.oid).sort(), [...first, ...second].sort());
    for (const r of records) {
      assert.equal(r.end, "cancelled", `order ${r.oid}`);
      assert.ok(r.cancelSentMs !== null && r.cancelSentMs <= r.endedMs, `order ${r.oid} timed`);
      assert.ok(r.sentMs <= r.restingMs && r.restingMs <= r.endedMs);
    }
  } finally {
    live.close();
    await h.venue.close();
  }
});

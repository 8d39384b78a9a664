import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { AssetInfo, BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { SIDE_ASK } from "../engine/risk/ofi_gate.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { loadUniverse } from "../engine/hyperliquid/universe.ts";
import { MarketDataFeed } from "../engine/hyperliquid/ws.ts";
import { createEngineStack } from "../engine/stack.ts";
import { startTestVenue, venueEndpoints } from "./helpers/venue.ts";

// Each book is requoted at once, as live: these tests freeze the clock, so the venue does not
// pace its batches (the pace has its own tests in sim_venue_test.ts).
const UNPACED = { minIntervalMs: 0, weightPerMinute: 1e9 };

const kernel = await loadKernel();
const T0 = Date.UTC(2026, 1, 22, 12);

function asset(name: string, szDecimals: number, fundingHourly = 0.00001): AssetInfo {
  return {
    name,
    assetIndex: 0,
    szDecimals,
    maxLeverage: 20,
    fundingHourly,
    markPx: 0,
    midPx: null,
    dayNtlVlm: 0,
    isDelisted: false,
  };
}

function book(coin: string, bid: number, ask: number, timeMs: number, sz = 5): BookSnapshot {
  return {
    coin,
    timeMs,
    bids: [{ px: bid, sz, n: 3 }, { px: bid * 0.999, sz, n: 3 }],
    asks: [{ px: ask, sz, n: 3 }, { px: ask * 1.001, sz, n: 3 }],
  };
}

let tid = 1;
function trade(coin: string, side: "A" | "B", px: number, sz: number, timeMs: number): Trade {
  return { coin, side, px, sz, timeMs, tid: tid++ };
}

/** An engine on the real kernel and shadow venue, its log lines and a settable clock. */
function setup(env: Record<string, string> = {}, options: { drawdownCheckMs?: number } = {}) {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const config = loadConfig({ MM_LOG_LEVEL: "info", ...env });
  const assets = [asset("BTC", 5), asset("ETH", 4), asset("SOL", 2)];
  const venue = new SimExchange({ szDecimals: { BTC: 5, ETH: 4, SOL: 2 }, budget: UNPACED });
  const portfolio = new Portfolio({ startingBalanceUsd: config.startingBalanceUsd });
  const clock = { now: T0 };
  const engine = new Engine({
    mode: "shadow",
    config,
    assets,
    kernel,
    venue,
    portfolio,
    log,
    now: () => clock.now,
    measureLatency: false,
    regime: { barMs: 1_000, bars: 5 },
    drawdownCheckMs: options.drawdownCheckMs,
  });
  const feedCalm = (t: number) => {
    engine.onBook(book("BTC", 68020, 68021, t));
    engine.onBook(book("ETH", 3000.1, 3000.2, t));
    engine.onBook(book("SOL", 150.01, 150.02, t));
  };
  const logged = async () => {
    await log.flush();
    return lines.join("");
  };
  return { engine, venue, portfolio, clock, feedCalm, logged };
}

const sides = (venue: SimExchange, coin: string) => {
  const orders = venue.openOrders(coin);
  return {
    bids: orders.filter((o) => o.side === "bid"),
    asks: orders.filter((o) => o.side === "ask"),
  };
};

Deno.test("a calm market gets three bids and three asks on every coin", () => {
  const { engine, venue, feedCalm } = setup();
  feedCalm(T0);
  engine.tick(T0);
  for (const coin of ["BTC", "ETH", "SOL"]) {
    const { bids, asks } = sides(venue, coin);
    assert.equal(bids.length, 3, `${coin} bids`);
    assert.equal(asks.length, 3, `${coin} asks`);
    assert.ok(bids.every((b) => b.px < 68021 || coin !== "BTC"));
    assert.ok(Math.max(...bids.map((b) => b.px)) < Math.min(...asks.map((a) => a.px)));
  }
  engine.stop();
});

Deno.test("a new engine on the same kernel does not inherit the last engine's order flow", () => {
  const first = setup();
  for (let i = 0; i < 30; i++) first.engine.onTrades([trade("ETH", "A", 3000.1, 1, T0 + i)]);
  assert.equal(kernel.ofi(1), -1, "ETH flow was all selling");
  first.engine.stop();

  const second = setup();
  assert.equal(kernel.ofi(1), 0, "the second engine's ETH window starts empty");
  second.feedCalm(T0);
  second.engine.tick(T0);
  assert.equal(sides(second.venue, "ETH").bids.length, 3, "so its ETH bids are quoted");
  second.engine.stop();
});

Deno.test("a mid move re-places an order only beyond its share of its level's distance, with more room on the side it nears", () => {
  const { engine, venue } = setup({ MM_REQUOTE_SHARE: "0.5", MM_MIN_REST_MS: "0" });
  engine.onBook(book("BTC", 68020, 68021, T0));
  engine.tick(T0);
  const ids = (level: number, side: "bid" | "ask") =>
    venue.openOrders("BTC").filter((o) => o.level === level && o.side === side)[0].id;
  const before = [0, 1, 2].map((l) => [ids(l, "bid"), ids(l, "ask")]);
  const { placed, cancels, requests } = venue.stats;

  // Levels sit 10.2, 25.5 and 51 from a 68,020.5 mid. +10 leaves each bid 10 further out than
  // its target (room: half the distance), and each ask 10 nearer to mid (room: 80% of it).
  engine.onBook(book("BTC", 68030, 68031, T0 + 100));
  engine.tick(T0 + 100);
  const after = [0, 1, 2].map((l) => [ids(l, "bid"), ids(l, "ask")]);
  assert.notEqual(after[0][0], before[0][0], "L1 bid moved (room 5.1)");
  assert.notEqual(after[0][1], before[0][1], "L1 ask moved (room 8.16)");
  assert.equal(after[1][0], before[1][0], "L2 bid kept (room 12.75)");
  assert.equal(after[1][1], before[1][1], "L2 ask kept (room 20.4)");
  assert.deepEqual(after[2], before[2], "L3 kept on both sides (room 25.5 and 40.8)");
  assert.deepEqual(venue.stats, {
    placed: placed + 2,
    cancels: cancels + 2,
    fills: 0,
    requests: requests + 4,
  });
  engine.stop();
});

Deno.test("shadow fills move inventory and the grid shifts down with long inventory", async () => {
  // $72 filled against a $80 cap: a skew of 0.9 × 1.5 bps, more than SOL's 0.01 tick.
  const { engine, venue, portfolio, feedCalm, logged } = setup({ MM_MAX_INV_USD: "80" });
  feedCalm(T0);
  engine.tick(T0);
  const before = sides(venue, "SOL");
  const topBid = Math.max(...before.bids.map((b) => b.px));
  const topAsk = Math.min(...before.asks.map((a) => a.px));
  // Sellers trade through our whole bid ladder.
  engine.onTrades([trade("SOL", "A", 149.5, 50, T0 + 10)]);
  assert.ok(portfolio.position("SOL") > 0, "long after bids filled");
  engine.onBook(book("SOL", 150.01, 150.02, T0 + 20));
  engine.tick(T0 + 100);
  const after = sides(venue, "SOL");
  assert.ok(Math.max(...after.asks.map((a) => a.px)) > 0);
  assert.ok(Math.min(...after.asks.map((a) => a.px)) < topAsk, "asks cheaper to unwind");
  assert.ok(after.bids.length === 0 || Math.max(...after.bids.map((b) => b.px)) < topBid);
  const text = await logged();
  assert.match(text, /\[SHADOW FILL\] SOL bid L1 @ /);
  engine.stop();
});

Deno.test("a one-sided taker burst suppresses the side it would run over, then recovers", async () => {
  const { engine, venue, feedCalm, logged } = setup();
  feedCalm(T0);
  engine.tick(T0);
  // Twenty small taker sells far below our bids: they fill nothing but dominate the flow.
  const burst = Array.from({ length: 20 }, (_, i) => trade("ETH", "A", 3000.1, 0.001, T0 + i));
  engine.onTrades(burst);
  engine.tick(T0 + 100);
  let eth = sides(venue, "ETH");
  assert.equal(eth.bids.length, 0, "bids suppressed");
  assert.equal(eth.asks.length, 3, "asks still quoted");
  assert.equal(sides(venue, "BTC").bids.length, 3, "other coins untouched");
  assert.match(
    await logged(),
    /\[OFI\] Sell dominance 100\.0% > threshold\. Bids suppressed for ETH\./,
  );
  const buys = Array.from({ length: 20 }, (_, i) => trade("ETH", "B", 3000.2, 0.001, T0 + 50 + i));
  engine.onTrades(buys);
  engine.tick(T0 + 200);
  eth = sides(venue, "ETH");
  assert.equal(eth.bids.length, 3, "bids back once the flow balanced");
  engine.stop();
});

Deno.test("rising volatility widens a coin's spread, then halts it", async () => {
  const { engine, venue, feedCalm, logged } = setup();
  feedCalm(T0);
  engine.tick(T0);
  const spread0 = Math.min(...sides(venue, "BTC").asks.map((a) => a.px)) -
    Math.max(...sides(venue, "BTC").bids.map((b) => b.px));
  engine.onBook(book("BTC", 68220, 68221, T0 + 200)); // a 0.29% move inside the bar
  engine.tick(T0 + 300);
  const wide = sides(venue, "BTC");
  const spread1 = Math.min(...wide.asks.map((a) => a.px)) - Math.max(...wide.bids.map((b) => b.px));
  assert.ok(spread1 > spread0 * 1.8, `spread ${spread0} → ${spread1}`);
  assert.ok(engine.regime.decision(0).multiplier > 2);
  engine.onBook(book("BTC", 68500, 68501, T0 + 400)); // 0.7%: halt
  engine.tick(T0 + 500);
  assert.equal(venue.openOrders("BTC").length, 0, "halted coin quotes nothing");
  assert.equal(venue.openOrders("ETH").length, 6, "the others keep quoting");
  const text = await logged();
  assert.match(
    text,
    /\[REGIME\] BTC ATR spike detected \(ATR 0\.\d+%\)\. Multiplier: 1\.0x → 2\.\dx/,
  );
  assert.match(text, /\[REGIME\] BTC ATR 0\.\d+% above halt 0\.50%\. Multiplier: .* → HALT/);
  engine.stop();
});

Deno.test("a funding spike beyond 0.3% per 8 h halts that coin", async () => {
  const { engine, venue, feedCalm, logged } = setup();
  feedCalm(T0);
  engine.tick(T0);
  engine.setFunding("SOL", 0.0005); // 0.05%/h = 0.4%/8h
  engine.tick(T0 + 100);
  assert.equal(venue.openOrders("SOL").length, 0);
  assert.equal(venue.openOrders("BTC").length, 6);
  assert.match(
    await logged(),
    /\[REGIME\] SOL Funding 0\.0500%\/h \(0\.400%\/8h\) beyond 0\.30%\/8h/,
  );
  engine.stop();
});

Deno.test("a daily loss beyond the cap cancels everything and halts the engine", async () => {
  const { engine, venue, portfolio, feedCalm, logged } = setup(
    { MM_STARTING_BALANCE_USD: "20" },
    { drawdownCheckMs: 1_000 },
  );
  feedCalm(T0);
  engine.tick(T0);
  engine.onTrades([trade("SOL", "A", 149.5, 50, T0 + 10)]); // long SOL
  assert.ok(portfolio.position("SOL") > 0);
  engine.onBook(book("SOL", 147.01, 147.02, T0 + 20)); // mid down 2%: a loss over 5% of $20
  engine.tick(T0 + 1_000);
  engine.tick(T0 + 2_000);
  assert.ok(engine.haltReason?.includes("GLOBAL STOP"));
  assert.equal(venue.openOrders().length, 0);
  feedCalm(T0 + 3_000);
  engine.tick(T0 + 3_000);
  assert.equal(venue.openOrders().length, 0, "stays halted until restart");
  assert.match(
    await logged(),
    /🛑 \[GLOBAL STOP\] Daily drawdown \d+\.\d\d% >= cap 5\.00%\. Halting all quoting\./,
  );
  engine.stop();
});

Deno.test("a stall cancels all, and quoting resumes only after the reconcile", async () => {
  const { engine, venue, feedCalm, logged } = setup();
  feedCalm(T0);
  engine.tick(T0);
  assert.equal(venue.openOrders().length, 18);
  engine.onStall();
  assert.equal(venue.openOrders().length, 0);
  feedCalm(T0 + 100);
  engine.tick(T0 + 100);
  assert.equal(venue.openOrders().length, 0, "no quotes while dark");
  await engine.onReconnected();
  engine.tick(T0 + 200);
  assert.equal(venue.openOrders().length, 18);
  assert.equal(engine.stall.recoveries, 1);
  const text = await logged();
  const panic = text.indexOf("🚨 STALL PANIC: cancel_all.");
  const back = text.indexOf("[STALL] WS back. Reconciling.");
  const ok = text.indexOf("[RECONCILE] ✅ Inventory matches. No dark fills detected.");
  assert.ok(panic >= 0 && back > panic && ok > back, text);
  engine.stop();
});

Deno.test("a trade replayed after a reconnect is not counted twice", () => {
  const { engine, portfolio, feedCalm } = setup();
  feedCalm(T0);
  engine.tick(T0);
  const sell = trade("SOL", "A", 149.5, 50, T0 + 10);
  engine.onTrades([sell]);
  const position = portfolio.position("SOL");
  engine.onTrades([sell, { ...sell }]);
  assert.equal(portfolio.position("SOL"), position);
  assert.equal(engine.market.duplicateTrades, 2);
  engine.stop();
});

// ---- against the venue simulator: real sockets, real frames, the feed's stall watcher ------

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("against the venue simulator: two-sided quotes, fills from takers, stall panic and recovery", async () => {
  const venue = await startTestVenue({ coins: 4, seed: 3 });
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const config = loadConfig({ MM_STALL_TIMEOUT_S: "1" });
  const info = new InfoClient({ endpoints: venueEndpoints(venue) });
  const { selected } = await loadUniverse((body) => info.post(body as { type: string }), {
    topN: 4,
  });
  const stack = await createEngineStack({
    mode: "demo",
    config,
    assets: selected,
    log,
    now: Date.now,
    kernel,
    writeFills: false,
  });
  const { engine } = stack;
  const sim = stack.venue as SimExchange;
  const feed = new MarketDataFeed({
    url: venue.wsUrl,
    coins: selected.map((a) => a.name),
    stallTimeoutMs: 1_000,
    backoff: { initialMs: 50, maxMs: 200 },
    logger: log,
    onBook: (b, ns, problem) => problem ? engine.onBadBook(b.coin) : engine.onBook(b, ns / 1e6),
    onTrades: (trades) => engine.onTrades(trades),
    onStall: () => engine.onStall(),
    onReconnected: () => void engine.onReconnected(),
  });
  const coins = selected.map((a) => a.name);
  let pump: ReturnType<typeof setInterval> | undefined;
  try {
    feed.start();
    engine.start();
    pump = setInterval(() => venue.advance(200), 50);
    await until("two-sided quotes on every coin", () =>
      coins.every((coin) => {
        const orders = sim.openOrders(coin);
        return orders.some((o) => o.side === "bid") && orders.some((o) => o.side === "ask");
      }));

    // A crowd seller sweeps the book through our bids: we get filled and go long.
    const coin = coins[1];
    // Our bids rest from the market time they were placed: sweep once the clock has moved on.
    const placedAt = venue.sim.now;
    await until(
      "bids to sweep",
      () => venue.sim.now > placedAt + 400 && sim.openOrders(coin).some((o) => o.side === "bid"),
    );
    const bidsBefore = sim.openOrders(coin).filter((o) => o.side === "bid");
    // One sweep deep enough to reach through the crowd's depth to our bids ($2M of ETH).
    venue.takerTrade(coin, "A", 2_000_000 / selected[1].markPx);
    await until("a shadow fill from the sweep", () => stack.portfolio.position(coin) > 0);
    assert.ok(bidsBefore.length > 0);
    assert.ok(engine.summary(Date.now()).latency!.samples > 0, "frame-to-quote latency measured");

    // The market goes silent: after 1 s the feed raises the stall flag.
    clearInterval(pump);
    await until("the stall panic", () => engine.stall.state !== "quoting", 4_000);
    assert.equal(sim.openOrders().length, 0, "everything cancelled while dark");
    pump = setInterval(() => venue.advance(200), 50);
    await until("recovery", () => engine.stall.recoveries === 1, 8_000);
    await until("quotes again", () => sim.openOrders().length > 0);
    await log.flush();
    const text = lines.join("");
    assert.match(text, /🚨 STALL PANIC: cancel_all\./);
    assert.match(text, /\[STALL\] WS back\. Reconciling\./);
    assert.match(text, /\[RECONCILE\] ✅ Inventory matches\. No dark fills detected\./);
    assert.match(text, new RegExp(`\\[SHADOW FILL\\] ${coins[1]} bid L\\d @ `));
  } finally {
    clearInterval(pump);
    engine.stop();
    await feed.close();
    await venue.close();
    await log.flush();
  }
});

Deno.test("the trade watermark keeps every trade id of a millisecond and survives a restart", () => {
  const { engine } = setup();
  const at = (tid: number, timeMs = T0) => ({
    coin: "BTC",
    side: "B" as const,
    px: 1,
    sz: 1,
    timeMs,
    tid,
  });
  assert.equal(engine.market.acceptTrade(at(7)), 0);
  assert.equal(engine.market.acceptTrade(at(9)), 0, "another trade in the same millisecond");
  assert.equal(engine.market.acceptTrade(at(7)), -1);
  assert.equal(engine.market.acceptTrade(at(9)), -1);
  assert.equal(engine.market.acceptTrade(at(3, T0 - 1)), -1, "older than the watermark");
  const saved = engine.market.watermarks();
  assert.deepEqual(saved.BTC, { timeMs: T0, tids: [7, 9] });
  const { engine: restarted } = setup();
  restarted.market.restoreWatermarks(saved);
  assert.equal(restarted.market.acceptTrade(at(9)), -1, "replayed after the restart");
  assert.equal(restarted.market.acceptTrade(at(11)), 0);
  engine.stop();
  restarted.stop();
});

Deno.test("a position carried over from before the run skews the first quotes", () => {
  const topBid = (s: ReturnType<typeof setup>) =>
    Math.max(...sides(s.venue, "SOL").bids.map((b) => b.px));
  // One after the other: both engines quote through the one kernel of this file.
  const flat = setup({ MM_MAX_INV_USD: "80" });
  flat.feedCalm(T0);
  flat.engine.tick(T0);
  const flatBid = topBid(flat);
  flat.engine.stop();
  const carried = setup({ MM_MAX_INV_USD: "80" });
  carried.engine.carryPosition("SOL", 0.48, 150, T0);
  carried.feedCalm(T0);
  carried.engine.tick(T0);
  assert.equal(carried.portfolio.position("SOL"), 0.48);
  assert.ok(topBid(carried) < flatBid, `${topBid(carried)} vs ${flatBid}`);
  carried.engine.stop();
});

Deno.test("a trades frame interleaving coins thousands of times still re-checks the last coin's flow", async () => {
  const { engine, venue, feedCalm, logged } = setup();
  feedCalm(T0);
  engine.tick(T0);
  // 5,000 alternations of BTC and ETH, each coin's buys and sells balanced, then a SOL sell burst.
  const frame: Trade[] = [];
  for (let k = 0; k < 2_500; k++) {
    const side = k % 2 === 0 ? "B" : "A";
    frame.push(trade("BTC", side, 68020.5, 0.0001, T0 + 1));
    frame.push(trade("ETH", side, 3000.15, 0.001, T0 + 1));
  }
  for (let k = 0; k < 20; k++) frame.push(trade("SOL", "A", 150.01, 0.01, T0 + 1));
  engine.onTrades(frame);
  // Checked as the frame is taken in, not only at the next tick.
  assert.match(
    await logged(),
    /\[OFI\] Sell dominance 100\.0% > threshold\. Bids suppressed for SOL\./,
  );
  const sol = engine.market.index.get("SOL")!;
  assert.equal(engine.ofi.mask(sol), SIDE_ASK, "SOL quotes asks only");
  engine.tick(T0 + 100);
  assert.equal(sides(venue, "SOL").bids.length, 0, "SOL bids suppressed");
  assert.equal(sides(venue, "BTC").bids.length, 3, "balanced flow leaves BTC quoted");
  engine.stop();
});

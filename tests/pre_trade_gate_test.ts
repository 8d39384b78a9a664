/**
 * The pre-trade check where the venues use it: the shadow venue and the live venue (against
 * the venue simulator) never place an order the check refuses, withdraw a refused level's
 * resting order, count every refusal by rule and log it at most once a minute; and an engine
 * quoting through a whole inventory cycle is never refused (the kernel keeps to the rules).
 */
import { btcGrid } from "./helpers/btc_grid.ts";
import { testAsset } from "./helpers/asset.ts";
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { createEngineStack } from "../engine/stack.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import type { DesiredQuotes, QuoteLimits } from "../engine/venue/venue.ts";
import { book, trade } from "./helpers/btc_frames.ts";
import { gridFor } from "./helpers/live_grid.ts";
import { liveHarness } from "./helpers/live_harness.ts";

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const BOOK = book(T0, [[68000, 0.5], [67998, 0.4]], [[68001, 0.7], [68003, 1]]);
/** What the engine hands over with BTC's grid: flat, the spec's limits, this book's touch. */
const LIMITS: QuoteLimits = {
  szDecimals: 5,
  bestBid: 68000,
  bestAsk: 68001,
  inventoryUsd: 0,
  maxInvUsd: 200,
  minOrderUsd: 12,
};

/** A BTC grid of [price, size] bids and asks, carrying the engine's limits. */
function btcQuotes(bids: [number, number][], asks: [number, number][] = []): DesiredQuotes {
  return btcGrid(bids, asks, { limits: LIMITS });
}

/** A shadow venue for BTC whose log lines the test reads. */
function shadow() {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const sim = new SimExchange({
    szDecimals: { BTC: 5 },
    budget: { minIntervalMs: 0, weightPerMinute: 1e9, log },
  });
  sim.onBook(BOOK);
  const text = async () => {
    await log.flush();
    return lines.join("");
  };
  return { sim, text };
}

Deno.test("shadow venue: an order below the minimum is never placed; the refusal is counted and logged once a minute", async () => {
  const { sim, text } = shadow();
  // L1 is worth $6.80, under the exchange's $10; L2 is worth $27.20.
  const grid = btcQuotes([[67999, 0.0001], [67990, 0.0004]]);
  sim.setQuotes(grid);
  sim.commit(T0);
  assert.deepEqual(sim.openOrders("BTC").map((o) => `${o.side} L${o.level + 1}`), ["bid L2"]);
  assert.equal(sim.preTrade.refused, 1);
  assert.equal(sim.preTrade.byRule["min-notional"], 1);
  assert.match(
    await text(),
    /\[SHADOW\] pre-trade check refused BTC bid L1 \(min-notional\): value \$6\.80 is below the minimum \$10\.00/,
  );

  // Within the minute the next refusal is counted, not logged; the next line says so.
  sim.setQuotes(grid);
  sim.commit(T0 + 30_000);
  assert.equal((await text()).match(/pre-trade check refused/g)?.length, 1);
  sim.setQuotes(grid);
  sim.commit(T0 + 61_000);
  sim.setQuotes(grid);
  sim.commit(T0 + 62_000);
  assert.equal(sim.preTrade.refused, 4);
  assert.match(await text(), /2 more refused since the last line; 4 refused since start/);
});

Deno.test("shadow venue: a resting order whose level the check now refuses is cancelled", () => {
  const { sim } = shadow();
  sim.setQuotes(btcQuotes([[67999, 0.0002]]));
  sim.commit(T0);
  assert.equal(sim.openOrders("BTC").length, 1);
  // The grid now wants its bid at the best ask: a post-only order there would match.
  sim.setQuotes(btcQuotes([[68001, 0.0002]]));
  sim.commit(T0 + 100);
  assert.equal(sim.openOrders("BTC").length, 0);
  assert.equal(sim.preTrade.byRule["post-only"], 1);
  assert.equal(sim.stats.cancels, 1);
});

Deno.test("live venue: an order the check refuses never reaches the exchange", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    const asset = h.selected[1];
    const grid = (await gridFor(h.info, asset))(0);
    const tick = grid.tick;
    grid.limits = {
      szDecimals: asset.szDecimals,
      bestBid: grid.bidPx[0] + 2 * tick,
      bestAsk: grid.askPx[0] - 2 * tick,
      inventoryUsd: 0,
      maxInvUsd: 200,
      minOrderUsd: 15,
    };
    // The ask L3 is taken 100 times too far from the mid: beyond the exchange's price band.
    grid.askPx = [grid.askPx[0], grid.askPx[1], Number((grid.mid * 100).toPrecision(5))];
    live.setQuotes(grid);
    live.commit(Date.now());
    await live.settled();
    const open = h.venue.state().openOrders;
    assert.equal(open.length, 5);
    assert.equal(live.stats.placed, 5);
    assert.equal(live.preTrade.byRule["price-band"], 1);
    await h.logged(/\[LIVE\] pre-trade check refused \S+ ask L3 \(price-band\)/);
  } finally {
    await live.close();
    await h.venue.close();
  }
});

Deno.test("an engine quoting through a whole inventory cycle is never refused by the check", async () => {
  const config = loadConfig({ MM_LOG_LEVEL: "error", MM_ENTRY_LATENCY_MS: "0" });
  const asset = testAsset("BTC", 5);
  const clock = { now: T0 };
  const stack = await createEngineStack({
    mode: "shadow",
    config,
    assets: [asset],
    kernel: await loadKernel(),
    log: createLogger({ level: "error" }),
    writeFills: false,
    now: () => clock.now,
  });
  const { engine, venue } = stack;
  // Sellers hit our bids until the long side stops at max_inv_usd, then buyers lift our asks
  // through flat to the short limit: every order of the way passes the check.
  let px = 68000;
  for (let i = 0; i < 400; i++) {
    clock.now += 100;
    const selling = i < 200;
    px += selling ? -1 : 1;
    engine.onBook(book(clock.now, [[px, 2], [px - 2, 2]], [[px + 1, 2], [px + 3, 2]]));
    engine.onTrades([trade(clock.now, selling ? "A" : "B", selling ? px * 0.999 : px * 1.001, 5)]);
    engine.tick(clock.now);
  }
  const position = stack.portfolio.totals();
  assert.ok(stack.venue.stats.fills > 20, `the grid filled (${stack.venue.stats.fills} fills)`);
  assert.ok(position.volumeUsd > 2 * config.asset.maxInvUsd, `volume $${position.volumeUsd}`);
  assert.equal(venue.preTrade?.refused, 0);
});

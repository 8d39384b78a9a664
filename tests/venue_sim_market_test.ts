/**
 * The venue simulator's synthetic market against the real one. The statistics a user of the
 * simulator meets (book cadence, spread, depth per level, holes at levels 2–5, how long the queue
 * at level 3 takes to empty without a trade and how often it does, taker sizes and arrivals, the
 * prints of one taker order: one per maker it fills) are measured on the
 * simulator's own book and trade stream with the same code that measured the Hyperliquid
 * recordings, and must lie within 1.5× of the recorded values committed in
 * tools/venue_sim/market_fit.json (so the test needs no real data). At `--rate 10` the same
 * statistics, counted per unit of market time, hold too.
 */
import assert from "node:assert/strict";
import type { BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import { type MarketStats, marketStats } from "../tools/market_fit/stats.ts";
import { MARKET_FIT } from "../tools/venue_sim/market_profile.ts";
import { Simulator } from "../tools/venue_sim/simulator.ts";
import { TEST_ACCOUNT, TEST_START_MS } from "./helpers/venue.ts";

// BTC, ETH and SOL: the first three coins of the universe, each with a profile of its own.
const COINS = ["BTC", "ETH", "SOL"];
const MARKET_MINUTES = 45;
const TOLERANCE = 1.5;

/**
 * Runs the simulator (its first `active` coins) for `MARKET_MINUTES` of market time and records
 * the public stream of `coins`.
 */
function record(
  rate: number,
  coins = COINS,
  active = COINS.length,
): Map<string, { books: BookSnapshot[]; trades: Trade[] }> {
  const sim = new Simulator({
    account: TEST_ACCOUNT.toLowerCase(),
    seed: 42,
    coins: active,
    rate,
    startTimeMs: TEST_START_MS,
  });
  // Venue time runs `rate` times slower than market time: count it back in market time.
  const market = (venueMs: number) => TEST_START_MS + (venueMs - TEST_START_MS) * rate;
  const streams = new Map(
    coins.map((c) => [c, { books: [] as BookSnapshot[], trades: [] as Trade[] }]),
  );
  sim.setEvents({
    book(coin) {
      const b = sim.l2Book(coin);
      const side = (levels: { px: string; sz: string; n: number }[]) =>
        levels.map((l) => ({ px: Number(l.px), sz: Number(l.sz), n: l.n }));
      streams.get(coin)?.books.push({
        coin,
        timeMs: market(b.time),
        bids: side(b.levels[0]),
        asks: side(b.levels[1]),
      });
    },
    trades(coin, trades) {
      for (const t of trades) {
        streams.get(coin)?.trades.push({
          coin,
          side: t.side,
          px: Number(t.px),
          sz: Number(t.sz),
          timeMs: market(t.time),
          tid: t.tid,
        });
      }
    },
    fills() {},
    orderUpdates() {},
  });
  sim.advance(MARKET_MINUTES * 60_000 / rate);
  return streams;
}

/** The statistics compared, by name, from one coin's measurement. */
function compared(s: MarketStats): Record<string, number> {
  return {
    "book cadence p10 (ms)": s.cadenceMs.p10,
    "book cadence p50 (ms)": s.cadenceMs.p50,
    "book cadence p90 (ms)": s.cadenceMs.p90,
    "spread p10 (ticks)": s.spreadTicks.p10,
    "spread p50 (ticks)": s.spreadTicks.p50,
    "spread p90 (ticks)": s.spreadTicks.p90,
    "depth at level 1 (USD)": s.depthUsd[0],
    "depth at level 2 (USD)": s.depthUsd[1],
    "depth at level 5 (USD)": s.depthUsd[4],
    "depth at level 10 (USD)": s.depthUsd[9],
    "depth at level 20 (USD)": s.depthUsd[19],
    "mean depth of levels 1-10 (USD)": s.depthMeanUsd.slice(0, 10).reduce((a, b) => a + b, 0),
    "holes per snapshot at levels 2-5": s.holesPerSnapshot,
    "level-3 queue empties without a trade, p50 (ms)": s.queueEmptyMs.p50,
    "share of level-3 queues that empty without a trade": s.queueEmptyShare,
    "taker orders per minute": s.takersPerMinute,
    "prints per taker order": s.printsPerTaker,
    "taker size p10 (USD)": s.takerUsd.p10,
    "taker size p50 (USD)": s.takerUsd.p50,
    "taker size p90 (USD)": s.takerUsd.p90,
  };
}

/** The statistics that carry no size, so they hold for a coin drawn from another's profile. */
const UNIT_FREE = [
  "book cadence p10 (ms)",
  "book cadence p50 (ms)",
  "book cadence p90 (ms)",
  "spread p10 (ticks)",
  "spread p50 (ticks)",
  "spread p90 (ticks)",
  "holes per snapshot at levels 2-5",
  "level-3 queue empties without a trade, p50 (ms)",
  "share of level-3 queues that empty without a trade",
  "taker orders per minute",
  "prints per taker order",
];

/**
 * Every compared statistic outside 1.5× of the recording's, as a readable line. `profile` names
 * the fitted coin each recorded coin is held to (its own by default).
 */
function misses(
  streams: Map<string, { books: BookSnapshot[]; trades: Trade[] }>,
  profile: (coin: string) => string = (coin) => coin,
  names?: string[],
): string[] {
  const out: string[] = [];
  for (const [coin, stream] of streams) {
    const real = compared(MARKET_FIT.profiles[profile(coin)].stats);
    const sim = compared(marketStats(coin, stream.books, stream.trades));
    for (const [name, want] of Object.entries(real)) {
      if (names && !names.includes(name)) continue;
      const got = sim[name];
      const ratio = got / want;
      if (!(ratio <= TOLERANCE && ratio >= 1 / TOLERANCE)) {
        out.push(
          `${coin} ${name}: simulated ${got.toPrecision(4)}, recorded ${want.toPrecision(4)}`,
        );
      }
    }
  }
  return out;
}

Deno.test("at the exchange's pace (--rate 1) the simulated market's statistics lie within 1.5x of the Hyperliquid recordings", () => {
  assert.deepEqual(misses(record(1)), []);
});

Deno.test("at --rate 10 the same statistics, counted per unit of market time, lie within 1.5x too", () => {
  assert.deepEqual(misses(record(10)), []);
});

Deno.test("a coin without a profile of its own (DOGE, from WLFI's) keeps that profile's spread, holes, queue times and shares, cadence, taker rate and prints per taker", () => {
  // DOGE is the sixth coin of the universe; the fit has BTC, ETH, SOL and WLFI.
  const streams = record(1, ["DOGE"], 6);
  assert.deepEqual(misses(streams, () => "WLFI", UNIT_FREE), []);
});

Deno.test("the committed fit names the dataset it came from and holds numbers only", () => {
  assert.match(MARKET_FIT.source, /real-data\/.+ \(\d{4}-\d\d-\d\dT.+ to \d{4}-/);
  assert.match(MARKET_FIT.command, /^\.\/deno task fit-market /);
  for (const coin of COINS) {
    const { stats } = MARKET_FIT.profiles[coin];
    assert.ok(stats.books > 1000, `${coin}: fitted on ${stats.books} books`);
    assert.equal(stats.depthUsd.length, 20);
  }
});

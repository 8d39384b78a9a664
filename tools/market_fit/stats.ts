/**
 * The statistics of one coin's recorded (or simulated) market that the venue simulator's
 * generator is fitted to and held to: book cadence, spread, depth per level, holes and vanishing
 * levels at levels 2–5, how long the queue at level 3 takes to empty without a trade, taker
 * arrivals and sizes, and how the mid moves. Pure functions of a book and trade stream, so the
 * same code measures `../shared/real-data/` (through `deno task fit-market`) and the simulator's
 * own stream (tests/venue_sim_market_test.ts).
 */

import type { BookLevel, BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";

/** Three quantiles of a distribution. */
export interface Quantiles {
  p10: number;
  p50: number;
  p90: number;
}

/** One coin's market statistics (times are market time, from the frames' own `time`). */
export interface MarketStats {
  coin: string;
  /** Book snapshots and trade prints measured. */
  books: number;
  prints: number;
  /** Market time covered by snapshots no more than {@link GAP_MS} apart, minutes. */
  minutes: number;
  /** Median mid price, USD. */
  midPx: number;
  /** Price tick inferred from the level grid (a power of ten), USD. */
  tick: number;
  /** Time between consecutive snapshots, ms (gaps beyond {@link GAP_MS} left out). */
  cadenceMs: Quantiles;
  /** Top-of-book spread in ticks. */
  spreadTicks: Quantiles;
  /** Median top-of-book spread, basis points of the mid. */
  spreadBps: number;
  /** Median resting notional at level i (0 = best), both sides pooled, USD. */
  depthUsd: number[];
  /** Mean resting notional at level i, USD (level sizes are heavy-tailed: what a sweep meets). */
  depthMeanUsd: number[];
  /** Mean empty ticks between levels 1 and 5 of one side of one snapshot (levels 2–5's holes). */
  holesPerSnapshot: number;
  /**
   * Mean count, per side and snapshot, of the prices at levels 2–5 that are gone from the next
   * snapshot although it still shows the book on both sides of them (a level that vanished).
   */
  vanishedPerSnapshot: number;
  /**
   * Share of snapshots with a level k ticks from the mid (k = 0 is the nearest price), per side;
   * null where no snapshot showed the book that deep.
   */
  occupancy: (number | null)[];
  /** Median notional of a level k ticks from the mid when there is one, USD (null: none seen). */
  sizeUsdAt: (number | null)[];
  /**
   * Time for the queue at level 3 to empty without a trade at or through its price: an order
   * joining behind level 3's size in a snapshot has nothing ahead once the price is gone from a
   * later snapshot (cancels), ms. Only episodes that emptied count.
   */
  queueEmptyMs: Quantiles;
  /** Share of level-3 episodes that emptied without a trade (the rest traded or left the view). */
  queueEmptyShare: number;
  /** Taker orders (prints of one side at one time) per minute of market time. */
  takersPerMinute: number;
  /** Notional traded per minute of market time, USD. */
  usdPerMinute: number;
  /** Mean prints per taker order. */
  printsPerTaker: number;
  /** Notional of one taker order, USD. */
  takerUsd: Quantiles & { p99: number };
  /** Coefficient of variation of the time between taker orders (1: Poisson; above: clustered). */
  takerGapCv: number;
  /** Share of consecutive snapshots whose mid differs. */
  midMoveShare: number;
  /** Realized volatility of the mid, basis points per √second. */
  sigmaBpsPerSqrtS: number;
  /** Lag-1 autocorrelation of the mid's absolute movement over 10-s bins (volatility clustering). */
  absMoveAutocorr: number;
}

/** Snapshots further apart than this are a gap in the recording, not the book's cadence (ms). */
export const GAP_MS = 15_000;
/** Levels per side measured (Hyperliquid's l2Book has at most 20). */
export const LEVELS = 20;
/** Ticks from the mid measured for occupancy. */
export const OCCUPANCY_TICKS = 30;
// Level-3 episodes longer than this are censored (ms of market time).
const EPISODE_HORIZON_MS = 60_000;
// Bins of the volatility-clustering autocorrelation (ms).
const CLUSTER_BIN_MS = 10_000;

/** The q-quantile (0..1) of sorted numbers, linearly interpolated (NaN when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function quantiles(values: number[]): Quantiles {
  const s = values.slice().sort((a, b) => a - b);
  return { p10: quantile(s, 0.1), p50: quantile(s, 0.5), p90: quantile(s, 0.9) };
}

function median(values: number[]): number {
  return quantile(values.slice().sort((a, b) => a - b), 0.5);
}

/** The price tick of a book stream: the smallest step between adjacent levels, as a power of ten. */
export function inferTick(books: readonly BookSnapshot[]): number {
  let step = Infinity;
  for (const b of books.slice(0, 500)) {
    for (const side of [b.bids, b.asks]) {
      for (let i = 1; i < side.length; i++) {
        const d = Math.abs(side[i].px - side[i - 1].px);
        if (d > 0 && d < step) step = d;
      }
    }
  }
  if (!Number.isFinite(step)) throw new Error("no two levels on one side: the tick is unknown");
  return Math.pow(10, Math.round(Math.log10(step)));
}

function mid(b: BookSnapshot): number {
  return (b.bids[0].px + b.asks[0].px) / 2;
}

function twoSided(b: BookSnapshot): boolean {
  return b.bids.length > 0 && b.asks.length > 0 && b.bids[0].px < b.asks[0].px;
}

function has(levels: readonly BookLevel[], px: number, tol: number): boolean {
  for (const l of levels) if (Math.abs(l.px - px) <= tol) return true;
  return false;
}

/** Taker orders: the prints of one side at one time, summed. */
function takers(trades: readonly Trade[]): { timeMs: number; usd: number; prints: number }[] {
  const out: { timeMs: number; usd: number; prints: number; side: string }[] = [];
  for (const t of trades) {
    const last = out[out.length - 1];
    if (last && last.timeMs === t.timeMs && last.side === t.side) {
      last.usd += t.px * t.sz;
      last.prints++;
    } else out.push({ timeMs: t.timeMs, usd: t.px * t.sz, prints: 1, side: t.side });
  }
  return out;
}

/** Level-3 queue episodes: times to empty without a trade, and how many episodes there were. */
function levelThreeEpisodes(
  books: readonly BookSnapshot[],
  trades: readonly Trade[],
  tick: number,
): { emptied: number[]; episodes: number } {
  // Per snapshot j: the lowest price sellers hit and the highest buyers lifted since snapshot j-1.
  const minSell = new Float64Array(books.length).fill(Infinity);
  const maxBuy = new Float64Array(books.length).fill(-Infinity);
  let k = 0;
  for (let j = 0; j < books.length; j++) {
    while (k < trades.length && trades[k].timeMs <= books[j].timeMs) {
      const t = trades[k++];
      if (j === 0) continue;
      if (t.side === "A") minSell[j] = Math.min(minSell[j], t.px);
      else maxBuy[j] = Math.max(maxBuy[j], t.px);
    }
  }
  const tol = tick / 4;
  const emptied: number[] = [];
  let episodes = 0;
  for (let i = 0; i < books.length; i++) {
    for (const isBid of [true, false]) {
      const side = isBid ? books[i].bids : books[i].asks;
      if (side.length < 3) continue;
      const px = side[2].px;
      episodes++;
      for (let j = i + 1; j < books.length; j++) {
        const elapsed = books[j].timeMs - books[i].timeMs;
        if (elapsed > EPISODE_HORIZON_MS || books[j].timeMs - books[j - 1].timeMs > GAP_MS) break;
        if (isBid ? minSell[j] <= px + tol : maxBuy[j] >= px - tol) break;
        const now = isBid ? books[j].bids : books[j].asks;
        if (now.length === 0) break;
        const deepest = now[now.length - 1].px;
        if (isBid ? px < deepest - tol : px > deepest + tol) break;
        if (!has(now, px, tol)) {
          emptied.push(elapsed);
          break;
        }
      }
    }
  }
  return { emptied, episodes };
}

function autocorrelation(xs: number[]): number {
  if (xs.length < 3) return NaN;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i] - m) ** 2;
    if (i > 0) num += (xs[i] - m) * (xs[i - 1] - m);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Measures one coin's stream. Books must be in time order; trades too (prints before the first
 * book, such as a subscription's snapshot of recent trades, are left out). Throws naming the coin
 * when fewer than two two-sided books remain.
 */
export function marketStats(
  coin: string,
  allBooks: readonly BookSnapshot[],
  allTrades: readonly Trade[],
): MarketStats {
  const books = allBooks.filter(twoSided);
  if (books.length < 2) throw new Error(`${coin}: fewer than two two-sided order books to measure`);
  const t0 = books[0].timeMs;
  const t1 = books[books.length - 1].timeMs;
  const trades = allTrades.filter((t) => t.timeMs > t0 && t.timeMs <= t1);
  const tick = inferTick(books);
  const tol = tick / 4;

  const gaps: number[] = [];
  const spreads: number[] = [];
  const spreadBps: number[] = [];
  const depth: number[][] = Array.from({ length: LEVELS }, () => []);
  const occupied = new Array(OCCUPANCY_TICKS).fill(0);
  const seen = new Array(OCCUPANCY_TICKS).fill(0);
  const sizeAt: number[][] = Array.from({ length: OCCUPANCY_TICKS }, () => []);
  let holes = 0, holeSides = 0, vanished = 0, vanishSides = 0, moved = 0, pairs = 0;
  let variance = 0, seconds = 0;
  const bins = new Map<number, number>();
  for (let j = 0; j < books.length; j++) {
    const b = books[j];
    const m = mid(b);
    spreads.push(Math.round((b.asks[0].px - b.bids[0].px) / tick));
    spreadBps.push((b.asks[0].px - b.bids[0].px) / m * 1e4);
    for (const [side, dir] of [[b.bids, -1], [b.asks, 1]] as const) {
      side.slice(0, LEVELS).forEach((l, i) => depth[i].push(l.px * l.sz));
      if (side.length >= 5) {
        holes += Math.round(Math.abs(side[4].px - side[0].px) / tick) - 4;
        holeSides++;
      }
      const kOf = (px: number) => Math.ceil(dir * (px - m) / tick - 0.5 - 1e-6);
      const kLast = Math.min(OCCUPANCY_TICKS - 1, kOf(side[side.length - 1].px));
      for (let k = 0; k <= kLast; k++) seen[k]++;
      for (const l of side) {
        const k = kOf(l.px);
        if (k < 0 || k > kLast) continue;
        occupied[k]++;
        sizeAt[k].push(l.px * l.sz);
      }
    }
    if (j === 0) continue;
    const a = books[j - 1];
    const dt = b.timeMs - a.timeMs;
    if (dt > GAP_MS) continue;
    gaps.push(dt);
    pairs++;
    const r = Math.log(m / mid(a));
    if (r !== 0) moved++;
    variance += r * r;
    seconds += dt / 1000;
    const bin = Math.floor(b.timeMs / CLUSTER_BIN_MS);
    bins.set(bin, (bins.get(bin) ?? 0) + Math.abs(r));
    for (
      const [before, after, isBid] of [[a.bids, b.bids, true], [a.asks, b.asks, false]] as const
    ) {
      if (after.length === 0) continue;
      const best = after[0].px;
      const deepest = after[after.length - 1].px;
      for (const l of before.slice(1, 5)) {
        const inside = isBid
          ? l.px < best - tol && l.px >= deepest - tol
          : l.px > best + tol && l.px <= deepest + tol;
        if (inside && !has(after, l.px, tol)) vanished++;
      }
      vanishSides++;
    }
  }
  const binKeys = [...bins.keys()].sort((x, y) => x - y);
  const binSeries: number[] = [];
  for (let k = binKeys[0]; k <= binKeys[binKeys.length - 1]; k++) {
    if (bins.has(k)) binSeries.push(bins.get(k)!);
  }

  const orders = takers(trades);
  const takerGaps: number[] = [];
  for (let i = 1; i < orders.length; i++) {
    const g = orders[i].timeMs - orders[i - 1].timeMs;
    if (g <= GAP_MS) takerGaps.push(g);
  }
  const gapMean = takerGaps.reduce((s, g) => s + g, 0) / Math.max(1, takerGaps.length);
  const gapSd = Math.sqrt(
    takerGaps.reduce((s, g) => s + (g - gapMean) ** 2, 0) / Math.max(1, takerGaps.length),
  );
  const usd = orders.map((o) => o.usd).sort((x, y) => x - y);
  const episodes = levelThreeEpisodes(books, trades, tick);
  const minutes = seconds / 60;
  return {
    coin,
    books: books.length,
    prints: trades.length,
    minutes,
    midPx: median(books.map(mid)),
    tick,
    cadenceMs: quantiles(gaps),
    spreadTicks: quantiles(spreads),
    spreadBps: median(spreadBps),
    depthUsd: depth.map((d) => median(d)),
    depthMeanUsd: depth.map((d) => d.reduce((s, x) => s + x, 0) / Math.max(1, d.length)),
    holesPerSnapshot: holes / Math.max(1, holeSides),
    vanishedPerSnapshot: vanished / Math.max(1, vanishSides),
    occupancy: occupied.map((n, k) => (seen[k] > 0 ? n / seen[k] : null)),
    sizeUsdAt: sizeAt.map((s) => (s.length > 0 ? median(s) : null)),
    queueEmptyMs: quantiles(episodes.emptied),
    queueEmptyShare: episodes.emptied.length / Math.max(1, episodes.episodes),
    takersPerMinute: orders.length / Math.max(1e-9, minutes),
    usdPerMinute: usd.reduce((s, x) => s + x, 0) / Math.max(1e-9, minutes),
    printsPerTaker: trades.length / Math.max(1, orders.length),
    takerUsd: {
      p10: quantile(usd, 0.1),
      p50: quantile(usd, 0.5),
      p90: quantile(usd, 0.9),
      p99: quantile(usd, 0.99),
    },
    takerGapCv: gapMean > 0 ? gapSd / gapMean : NaN,
    midMoveShare: moved / Math.max(1, pairs),
    sigmaBpsPerSqrtS: Math.sqrt(variance / Math.max(1e-9, seconds)) * 1e4,
    absMoveAutocorr: autocorrelation(binSeries),
  };
}

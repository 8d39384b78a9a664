/**
 * The keep-or-replace rule every venue applies to a resting order (shadow and live alike), so
 * that both spend the same requests.
 *
 * With d the level's desired distance from mid now and d₀ its desired distance when the order
 * was placed, a level's order stays while (each room at least one tick):
 *
 *     further from mid than desired:   |resting − desired| ≤ share × d
 *     nearer to mid than desired:      d − d₀ ≤ (share / 2) × d          the target moved out
 *                                      and |resting − desired| − max(0, d − d₀) ≤ min(0.8, 2 × share) × d
 *                                                                        the mid came toward it
 *
 * and its size is within {@link SIZE_SHARE} of the desired size (level sizes are fixed USD
 * amounts whose rounded coin size flips by a lot as the price moves). Rooms scale with each
 * level's own distance, so a wider grid does not multiply cancels. An order further from mid
 * than its target only fills less. One nearer to mid has two causes, treated apart:
 *
 * - **The grid moved its target out** (a wider spread from the regime governor or a screener
 *   config, or inventory skew): the order is now tighter than the risk setting wants, so it
 *   follows once the target moved more than half the passive room.
 * - **The mid came toward it**: this order is the one most likely to fill, and cancelling it at
 *   every flicker of the mid costs two requests a flicker for less volume (on the real
 *   recordings a quarter of d spent 0.92 requests per USDC for $6,394, two thirds 0.58 for
 *   $8,858, 0.8 spends 0.43 for $11,677; BENCHMARKS.md, "Request economy"). It is cancelled
 *   once the mid has come more than 80% of the way: nearly at mid, the spread it was placed to
 *   earn is gone.
 *
 * Either inside move is protective (batch_plan.ts): it goes at once, whatever the pace. An order
 * younger than the minimum resting time gets {@link YOUNG_FACTOR} times the share on the passive
 * side only, so a new order keeps the queue priority it just paid two requests for through the
 * noise of the next few books.
 */

/** A resting order's size may differ this much from the desired size and stay, as a share of it. */
export const SIZE_SHARE = 0.25;

/** The room for the mid coming toward an order, in shares of the passive room. */
export const INSIDE_FACTOR = 2;

/** The room for the grid moving an order's target away from mid, in shares of the passive room. */
export const WIDEN_FACTOR = 0.5;

/**
 * However wide the share, the mid never comes more than this share of a level's distance toward
 * its order: past it the order is nearly at mid, where the spread it was placed to earn is gone.
 */
export const MAX_INSIDE_SHARE = 0.8;

/** An order younger than the minimum resting time gets this many times the room. */
export const YOUNG_FACTOR = 2;

/** Float noise allowance of price arithmetic: "exactly at the tolerance" counts as within. */
const EPSILON = 1e-9;

/** What a venue knows of one level's desired quote. */
export interface LevelWant {
  /** Desired price (0 with size 0: no quote). */
  px: number;
  /** Desired size in coin units (0: withdraw). */
  sz: number;
  /** Mid the quote was computed from. */
  mid: number;
  /** Minimum price increment. */
  tick: number;
  /** Share of the level's distance from mid the order may drift, 0..1. */
  share: number;
  /** Orders younger than this (ms) get {@link YOUNG_FACTOR} times the share. */
  minRestMs: number;
}

/** A resting order: price, size (coin units), when it started resting (ms, venue clock). */
export interface RestingQuote {
  px: number;
  sz: number;
  placedMs: number;
  /** Its level's desired distance from mid when it was placed (d₀), price units. */
  placedDistance: number;
}

/** The desired distance from mid of `want`, price units: what a new order would store as d₀. */
export function targetDistance(want: LevelWant): number {
  return Math.abs(want.px - want.mid);
}

/** The price tolerance of a level: max(tick, share × |desired − mid|). */
export function requoteTolerance(want: LevelWant, share = want.share): number {
  return Math.max(want.tick, share * Math.abs(want.px - want.mid));
}

/**
 * Whether a resting order may stay for `want` at `nowMs`: the level is still wanted, its price
 * within the room the module doc gives, and its size within {@link SIZE_SHARE} of the desired
 * size or one `lot`.
 */
export function keepsOrder(
  order: RestingQuote,
  want: LevelWant,
  nowMs: number,
  lot: number,
): boolean {
  if (!(want.sz > 0)) return false;
  const gap = Math.abs(order.px - want.px);
  const inside = Math.abs(order.px - want.mid) < targetDistance(want);
  if (inside) {
    // The young bonus widens only the passive side: an order the market (or a wider spread)
    // brought nearer to mid is held to the inside rooms, however new.
    const widened = Math.max(0, targetDistance(want) - order.placedDistance);
    if (widened > requoteTolerance(want, WIDEN_FACTOR * want.share) * (1 + EPSILON)) return false;
    const approach = requoteTolerance(want, Math.min(MAX_INSIDE_SHARE, INSIDE_FACTOR * want.share));
    if (gap - widened > approach * (1 + EPSILON)) return false;
  } else {
    const young = nowMs - order.placedMs < want.minRestMs;
    const room = requoteTolerance(want, young ? YOUNG_FACTOR * want.share : want.share);
    if (gap > room * (1 + EPSILON)) return false;
  }
  return Math.abs(order.sz - want.sz) <= Math.max(lot, SIZE_SHARE * want.sz) * (1 + EPSILON);
}

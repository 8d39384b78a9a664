/**
 * The keep-or-replace rule every venue applies to a resting order (shadow and live alike), so
 * that both spend the same requests.
 *
 * A level's order stays while its price is within a room around its desired price that is a
 * share of the level's own distance from mid (and at least one tick):
 *
 *     room = max(tick, share × |desired − mid|)                   order further from mid
 *     room = max(tick, min(0.8, 2 × share) × |desired − mid|)     order nearer to mid
 *
 * so widening the spread (regime multiplier, screener spreads) widens the room with it instead
 * of multiplying cancels. An order further from mid than its target only fills less; one nearer
 * to mid (the mid moved toward it, or the spread widened) is the one most likely to fill, and
 * cancelling it at every flicker of the mid costs two requests a flicker: on the real
 * recordings and the demo market, rooms of a quarter and two thirds of the distance spent 0.58–1.85
 * requests per USDC at less volume, against 0.43–0.54 with 0.8 (BENCHMARKS.md, "Request
 * economy"). It is moved, whatever its age, once it has come more than 80% of the way to mid,
 * and always with priority (batch_plan.ts). An order younger than the minimum resting time gets
 * {@link YOUNG_FACTOR} times the share on the passive side only, so a new order keeps the queue
 * priority it just paid two requests for through the noise of the next few books. Sizes are kept
 * while within {@link SIZE_SHARE} of the desired size, since level sizes are fixed USD amounts
 * whose rounded coin size flips by a lot as the price moves.
 */

/** A resting order's size may differ this much from the desired size and stay, as a share of it. */
export const SIZE_SHARE = 0.25;

/** The room of an order nearer to mid than its target, in shares of the passive room. */
export const INSIDE_FACTOR = 2;

/**
 * However wide the share, an order never drifts more than this share of its level's distance
 * toward mid: past it the order is nearly at mid, where the spread it was placed to earn is gone.
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

/** A resting order: price, size (coin units) and when it started resting (ms, venue clock). */
export interface RestingQuote {
  px: number;
  sz: number;
  placedMs: number;
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
  const young = nowMs - order.placedMs < want.minRestMs;
  const inside = Math.abs(order.px - want.mid) < Math.abs(want.px - want.mid);
  // The young bonus widens only the passive side: an order the market (or a wider spread)
  // brought nearer to mid is held to the inside room, however new.
  const tolerance = requoteTolerance(
    want,
    inside
      ? Math.min(MAX_INSIDE_SHARE, want.share * INSIDE_FACTOR)
      : young
      ? YOUNG_FACTOR * want.share
      : want.share,
  );
  if (Math.abs(order.px - want.px) > tolerance * (1 + EPSILON)) return false;
  return Math.abs(order.sz - want.sz) <= Math.max(lot, SIZE_SHARE * want.sz) * (1 + EPSILON);
}

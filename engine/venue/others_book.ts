/**
 * The public book as the rest of the market shows it: our own resting orders taken out.
 *
 * Hyperliquid's `l2Book` aggregates every resting order at a price, ours included (the venue
 * simulator does the same: tools/venue_sim/simulator.ts `l2Book`). A live engine that priced off
 * that book would price off itself: its L1 bid inside the crowd's spread becomes the best bid,
 * the mid moves toward it, the grid follows, and the next requote chases its own order. The
 * shadow venue never shows its orders in the book, so live and shadow would quote different
 * markets. Taking our orders out gives live the book shadow sees, and the one a market maker's
 * fair price is meant to come from: the others' interest.
 */
import type { BookLevel, BookSnapshot } from "../hyperliquid/types.ts";
import type { QuoteSide } from "./venue.ts";

/** One of our orders the exchange may show in its book: its side, price and unfilled size. */
export interface OwnOrder {
  side: QuoteSide;
  px: number;
  /** Unfilled size, coin units. */
  sz: number;
}

/** Prices closer than this share of the price are one price (both are parsed decimal strings). */
const SAME_PRICE = 1e-9;

/**
 * `book` without the first `n` of `own` (default all): at each price one of our orders rests at, its size (at most the level's)
 * and one order of the count are taken away, and a level left empty is dropped. Our order may
 * not be in this frame yet (the frame is older than the exchange's answer) or may be gone
 * already: taking away at most the level's size keeps the error within our own size. Returns
 * `book` itself when nothing of ours is in it.
 */
export function othersBook(
  book: BookSnapshot,
  own: readonly OwnOrder[],
  n = own.length,
): BookSnapshot {
  if (n === 0) return book;
  const bids = withoutOwn(book.bids, own, n, "bid");
  const asks = withoutOwn(book.asks, own, n, "ask");
  return bids === book.bids && asks === book.asks ? book : { ...book, bids, asks };
}

function withoutOwn(
  levels: BookLevel[],
  own: readonly OwnOrder[],
  n: number,
  side: QuoteSide,
): BookLevel[] {
  let out: BookLevel[] | undefined;
  for (let k = 0; k < n; k++) {
    const order = own[k];
    if (order.side !== side || !(order.sz > 0)) continue;
    const current = out ?? levels;
    const at = current.findIndex((l) => Math.abs(l.px - order.px) <= SAME_PRICE * order.px);
    if (at < 0) continue;
    out ??= levels.slice();
    const level = out[at];
    const sz = level.sz - Math.min(level.sz, order.sz);
    // A remainder below a billionth of the level is float noise of the subtraction, not an order.
    if (sz <= level.sz * SAME_PRICE) out.splice(at, 1);
    // One order of another size at our price is someone else's: ours is not in this frame.
    else if (level.n === 1) continue;
    else out[at] = { px: level.px, sz, n: Math.max(level.n - 1, 0) };
  }
  return out ?? levels;
}

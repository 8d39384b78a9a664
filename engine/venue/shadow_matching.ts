/**
 * Where public market data meets shadow orders: which of our orders a print or a book that has
 * moved through them reaches, best price first and oldest first at a price, and how the print's volume or the
 * book's size is shared among them; the queue model (engine/fill_model/) decides how much of
 * what reaches an order fills it. The shadow venue (sim.ts) and the live ledger's twins
 * (ledger/twin_book.ts) both match through here, so a twin predicts exactly what shadow mode
 * would have filled.
 *
 * "Reaches": a taker SELL (`side` "A") reaches our bids priced at or above the trade price; a
 * taker BUY (`side` "B") reaches our asks priced at or below it. "Through": strictly better
 * than the trade price (the taker would have met us before the price it printed).
 *
 * "Picked off": a resting bid at or above the book's mid (an ask at or below it) is a stale
 * quote on the wrong side of the market's fair price, and flow that knows it takes the order
 * whole before its cancel lands. The public data need not show that trade: our order is not in
 * the book the data comes from, and the crowd's quotes may have moved past fair without any of
 * them crossing ours. A book whose opposite side comes down to our price is the same case (its
 * mid is then through our price). The venue simulator fills such orders the same way
 * (tools/venue_sim/simulator.ts `#pickOff`). Before this rule shadow filled a crossed order only
 * up to the opposite size the book showed, and otherwise kept every order the mid ran through
 * until its cancel landed: it filled 0.69× the orders live filled on the same market, and
 * placed 0.86× as many (BENCHMARKS.md, "Request economy").
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import type { QueueFillModel, QueueState, TradeOutcome } from "../fill_model/queue_model.ts";
import type { FillCause, QuoteSide } from "./venue.ts";

/** A shadow order as the matcher sees it. */
export interface MatchOrder extends QueueState {
  /** False once filled or gone. */
  active: boolean;
  /** Registration order, for FIFO among our own orders at one price. */
  seq: number;
  side: QuoteSide;
  px: number;
  /** Size not yet filled, coin units. */
  leaves: number;
  /** Size registered, coin units. */
  sz: number;
  /** Price increment at the order's price. */
  tick: number;
  /** Market time after which the order rests (meets prints and crossing books), ms. */
  liveAfterMs: number;
  /** Market time from which it no longer rests (a cancel applied; Infinity while none), ms. */
  goneAfterMs: number;
}

/** Called for every fill the matcher decides; the owner books it and updates `leaves`. */
export type FillSink<T extends MatchOrder> = (
  order: T,
  size: number,
  cause: FillCause,
  timeMs: number,
) => void;

/**
 * Displayed size at `px` on one side of `book`: the level's size, 0 when the price is inside
 * the visible book but has no level (inside the spread, or emptied), NaN when unknown (no
 * book yet, or the price lies beyond the last visible level).
 */
export function displayedAt(
  book: BookSnapshot | null,
  side: QuoteSide,
  px: number,
  tick: number,
): number {
  if (book === null) return NaN;
  const levels = side === "bid" ? book.bids : book.asks;
  const half = tick / 2;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    const diff = side === "bid" ? level.px - px : px - level.px;
    if (diff < half && diff > -half) return level.sz;
    if (diff < 0) return 0;
  }
  return levels.length === 0 ? 0 : NaN;
}

/**
 * {@link displayedAt} of each of `n` orders of one side, sorted best price first (as
 * {@link ordered} sorts them), into `out[0..n)`: one pass down the book's side when they share a
 * tick, since the first level within half a tick of a worse price is never before that of a
 * better one.
 */
export function displayedAtEach(
  book: BookSnapshot,
  side: QuoteSide,
  orders: readonly MatchOrder[],
  n: number,
  out: number[],
): void {
  if (n === 0) return;
  const tick = orders[0].tick;
  for (let k = 1; k < n; k++) {
    if (orders[k].tick !== tick) {
      for (let m = 0; m < n; m++) out[m] = displayedAt(book, side, orders[m].px, orders[m].tick);
      return;
    }
  }
  const levels = side === "bid" ? book.bids : book.asks;
  const half = tick / 2;
  let i = 0;
  for (let k = 0; k < n; k++) {
    const px = orders[k].px;
    // displayedAt's answer is decided at the first level less than half a tick beyond the price.
    while (
      i < levels.length && !((side === "bid" ? levels[i].px - px : px - levels[i].px) < half)
    ) {
      i++;
    }
    if (i === levels.length) {
      out[k] = levels.length === 0 ? 0 : NaN;
    } else {
      const diff = side === "bid" ? levels[i].px - px : px - levels[i].px;
      out[k] = diff > -half ? levels[i].sz : 0;
    }
  }
}

/**
 * Copies the orders of `a` then `b` resting at `timeMs` into `out`, best price first, then
 * oldest first. Returns the count.
 */
export function ordered<T extends MatchOrder>(a: T[], b: T[], timeMs: number, out: T[]): number {
  let n = 0;
  for (let i = 0; i < a.length + b.length; i++) {
    const order = i < a.length ? a[i] : b[i - a.length];
    if (!order.active || timeMs >= order.goneAfterMs) continue;
    let k = n++;
    while (k > 0 && better(order, out[k - 1])) {
      out[k] = out[k - 1];
      k--;
    }
    out[k] = order;
  }
  return n;
}

function better(a: MatchOrder, b: MatchOrder): boolean {
  if (a.px !== b.px) return a.side === "bid" ? a.px > b.px : a.px < b.px;
  return a.seq < b.seq;
}

// A jump of the touch counts at most this many ticks (a redrawn book is not a thousand requotes).
const MAX_TOUCH_MOVES = 20;

/**
 * How many ticks of `tick` the touch moved between a coin's previous book and `next`: the mid's
 * move rounded, and at least 1 when the best bid or ask changed; 0 without a previous book.
 */
export function touchMoves(prev: BookSnapshot | null, next: BookSnapshot, tick: number): number {
  if (prev === null) return 0;
  const pb = prev.bids[0]?.px, pa = prev.asks[0]?.px, nb = next.bids[0]?.px, na = next.asks[0]?.px;
  if (pb === nb && pa === na) return 0;
  if (pb === undefined || pa === undefined || nb === undefined || na === undefined) return 1;
  const ticks = Math.round(Math.abs((nb + na) / 2 - (pb + pa) / 2) / tick);
  return Math.min(Math.max(ticks, 1), MAX_TOUCH_MOVES);
}

/**
 * {@link touchMoves} of one book against its coin's previous one, reckoned once per tick size:
 * every order of a coin shares the book pair, and nearly always the tick.
 */
export class TouchMoves {
  #prev: BookSnapshot | null = null;
  #next: BookSnapshot | null = null;
  #tick = NaN;
  #moves = 0;

  /** Starts on a new pair of books (`prev`: the coin's book before `next`). */
  reset(prev: BookSnapshot | null, next: BookSnapshot): void {
    this.#prev = prev;
    this.#next = next;
    this.#tick = NaN;
  }

  /** `touchMoves(prev, next, tick)` of the pair given to {@link reset}. */
  at(tick: number): number {
    if (tick !== this.#tick) {
      this.#tick = tick;
      this.#moves = touchMoves(this.#prev, this.#next!, tick);
    }
    return this.#moves;
  }
}

/** Applies prints and books to shadow orders with one queue model (see the module doc). */
export class ShadowMatcher<T extends MatchOrder> {
  /** The queue model deciding fills. */
  readonly model: QueueFillModel;
  readonly #sink: FillSink<T>;
  readonly #outcome: TradeOutcome = { fill: 0, cause: "queue" };

  /** A matcher filling through `sink`. */
  constructor(model: QueueFillModel, sink: FillSink<T>) {
    this.model = model;
    this.#sink = sink;
  }

  /** Places a new order in its queue: behind the size `book` shows at its price. */
  join(order: T, book: BookSnapshot | null): void {
    this.model.join(order, displayedAt(book, order.side, order.px, order.tick));
  }

  /**
   * Shows a print to the `n` orders of the side it reaches, sorted by {@link ordered}; each
   * uses part of its volume.
   */
  trade(orders: T[], n: number, trade: Trade): void {
    const isSell = trade.side === "A";
    const out = this.#outcome;
    let available = trade.sz;
    for (let k = 0; k < n; k++) {
      const order = orders[k];
      const diff = isSell ? order.px - trade.px : trade.px - order.px;
      const half = order.tick / 2;
      if (diff <= -half) break; // best first: no later order reaches the trade either
      const through = diff >= half;
      if (trade.timeMs <= order.liveAfterMs) {
        // Not resting yet: nothing fills, but a print at our price is still noted so the next
        // book's decrease is not taken for cancellations ahead of us.
        if (!through) this.model.onTrade(order, order.sz, order.leaves, false, 0, trade.sz, out);
        continue;
      }
      const used = this.model.onTrade(
        order,
        order.sz,
        order.leaves,
        through,
        available,
        trade.sz,
        out,
      );
      available = Math.max(available - used, 0);
      if (out.fill > 0) this.#sink(order, out.fill, out.cause, trade.timeMs);
    }
  }

  /**
   * Fills whole the `n` orders of one side (sorted by {@link ordered}) that `book` shows the
   * market has moved through: at or through its mid, or, with our side of the book empty, at or
   * through the opposite best (see the module doc). Best first, so it stops at the first order
   * the market has not reached.
   */
  cross(orders: T[], n: number, book: BookSnapshot, timeMs: number): void {
    if (n === 0) return;
    const bid = book.bids[0], ask = book.asks[0];
    const isBid = orders[0].side === "bid";
    const opposite = isBid ? ask : bid;
    if (opposite === undefined) return;
    // The opposite best alone is the reference only when our side of the book is empty.
    const ownSide = isBid ? bid : ask;
    const reference = ownSide === undefined ? opposite.px : (bid!.px + ask!.px) / 2;
    for (let k = 0; k < n; k++) {
      const order = orders[k];
      const half = order.tick / 2;
      const through = isBid
        ? order.px >= reference - (ownSide ? 0 : half)
        : order.px <= reference + (ownSide ? 0 : half);
      if (!through) break;
      if (timeMs <= order.liveAfterMs || order.leaves <= 0) continue;
      this.#sink(order, order.leaves, "picked-off", timeMs);
    }
  }

  /**
   * Moves a resting order's queue estimate to `displayed` at its price (NaN: unknown) at `timeMs`,
   * the touch having moved `moves` ticks since the previous book.
   */
  depthAt(order: T, displayed: number, timeMs: number, moves: number): void {
    if (Number.isNaN(displayed)) return;
    this.model.onDepth(order, displayed, timeMs - order.liveAfterMs, moves);
  }
}

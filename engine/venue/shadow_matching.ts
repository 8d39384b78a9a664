/**
 * Where public market data meets shadow orders: which of our orders a print or a crossing book
 * reaches, best price first and oldest first at a price, and how the print's volume or the
 * book's size is shared among them; the queue model (engine/fill_model/) decides how much of
 * what reaches an order fills it. The shadow venue (sim.ts) and the live ledger's twins
 * (ledger/twin_book.ts) both match through here, so a twin predicts exactly what shadow mode
 * would have filled.
 *
 * "Reaches": a taker SELL (`side` "A") reaches our bids priced at or above the trade price; a
 * taker BUY (`side` "B") reaches our asks priced at or below it. "Through": strictly better
 * than the trade price (the taker would have met us before the price it printed).
 */
import type { BookLevel, BookSnapshot, Trade } from "../hyperliquid/types.ts";
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

/**
 * Opposite-side book liquidity our resting orders already took by crossing, per price: a
 * snapshot repeats the same resting size until it changes, so only the size above what was
 * taken can fill us again. Arrays are reused; `n` entries are in use.
 */
export interface CrossMemory {
  px: number[];
  used: number[];
  n: number;
}

/** An empty {@link CrossMemory}. */
export function newCrossMemory(): CrossMemory {
  return { px: [], used: [], n: 0 };
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

/** Size our orders already took at `px` by crossing (0 when the price is not remembered). */
function usedAt(memory: CrossMemory, px: number, half: number): number {
  for (let i = 0; i < memory.n; i++) {
    const diff = memory.px[i] - px;
    if (diff < half && diff > -half) return memory.used[i];
  }
  return 0;
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

/** Whether an opposite-side book level is at or through our order's price. */
function reaches(order: MatchOrder, level: BookLevel): boolean {
  const half = order.tick / 2;
  return order.side === "bid" ? level.px <= order.px + half : level.px >= order.px - half;
}

/** Applies prints and books to shadow orders with one queue model (see the module doc). */
export class ShadowMatcher<T extends MatchOrder> {
  /** The queue model deciding fills. */
  readonly model: QueueFillModel;
  readonly #sink: FillSink<T>;
  readonly #outcome: TradeOutcome = { fill: 0, cause: "queue" };
  /** Per reaching opposite level during one cross: size taken before this snapshot, and now. */
  readonly #usedBefore: number[] = [];
  readonly #taken: number[] = [];

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
   * Fills the `n` orders of one side (sorted by {@link ordered}) that the opposite side now
   * reaches, best first. Each level's size is used once within the snapshot, and across
   * snapshots only the size above what our orders already took at that price counts
   * (`memory`): a repeated snapshot is the same resting liquidity.
   */
  cross(orders: T[], n: number, opposite: BookLevel[], memory: CrossMemory, timeMs: number): void {
    // Levels reaching our best order: the only ones any of our orders can take.
    let reach = 0;
    if (n > 0) {
      while (reach < opposite.length && reaches(orders[0], opposite[reach])) reach++;
    }
    if (reach === 0) {
      memory.n = 0;
      return;
    }
    const half = orders[0].tick / 2;
    const before = this.#usedBefore;
    const taken = this.#taken;
    for (let j = 0; j < reach; j++) {
      before[j] = usedAt(memory, opposite[j].px, half);
      taken[j] = 0;
    }
    let j = 0;
    let remaining = Math.max(opposite[0].sz - before[0], 0);
    for (let k = 0; k < n; k++) {
      const order = orders[k];
      if (!reaches(order, opposite[0])) break;
      if (timeMs <= order.liveAfterMs) continue;
      let got = 0;
      while (got < order.leaves && j < reach && reaches(order, opposite[j])) {
        const take = Math.min(remaining, order.leaves - got);
        got += take;
        taken[j] += take;
        remaining -= take;
        if (remaining <= 0) {
          j++;
          remaining = j < reach ? Math.max(opposite[j].sz - before[j], 0) : 0;
        }
      }
      if (got > 0) this.#sink(order, got, "bbo-cross", timeMs);
    }
    // Levels no longer reaching us are forgotten: liquidity there later is new.
    for (let i = 0; i < reach; i++) {
      memory.px[i] = opposite[i].px;
      memory.used[i] = before[i] + taken[i];
    }
    memory.n = reach;
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

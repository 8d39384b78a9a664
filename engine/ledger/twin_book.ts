/**
 * Shadow twins of live orders under one queue model: each twin holds its live order's price and
 * size from the moment the exchange confirmed it resting until the order ended, and meets the
 * same public books and prints the engine receives, in the same order, through the shadow
 * venue's own matcher (venue/shadow_matching.ts). What a twin fills is what shadow mode would
 * have predicted for that order.
 *
 * The end is a market time: the exchange's answers (a fill on the user stream, a cancel's
 * answer) can arrive before the public frames of the same block, so an ended twin still meets
 * frames up to the block its order ended in, and leaves the book only when {@link TwinBook.remove}
 * is called (after the ledger's grace).
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { newQueueState, type QueueFillModel } from "../fill_model/queue_model.ts";
import {
  displayedAt,
  type MatchOrder,
  ordered,
  ShadowMatcher,
  touchMoves,
} from "../venue/shadow_matching.ts";
import type { FillCause, QuoteSide } from "../venue/venue.ts";

/** One twin: the matcher's order and what it predicted. */
export interface Twin extends MatchOrder {
  /** The live order's exchange id. */
  oid: number;
  /** 10^szDecimals: fills are whole lots of 1 / this. */
  lotScale: number;
  /** The live order's size still resting, coin units: it is in the public book, a twin is not. */
  ownLeaves: number;
  /** Size the model filled, coin units. */
  filled: number;
  /** Market time of its first predicted fill, ms, or null. */
  firstFillMs: number | null;
  /** Cause of its first predicted fill, or null. */
  cause: FillCause | null;
}

interface CoinTwins {
  book: BookSnapshot | null;
  /**
   * The latest books and their arrival (wall clock, ms), oldest first: a twin joins the queue the
   * book before its order was sent shows (later ones may hold the order itself).
   */
  recent: { book: BookSnapshot; arrivedMs: number }[];
  bids: Twin[];
  asks: Twin[];
}

const NONE: Twin[] = [];
// Books kept per coin for a twin's join: several round trips' worth at the fastest cadence.
const RECENT_BOOKS = 4;

/** The twins of every live order under one queue model. */
export class TwinBook {
  readonly #matcher: ShadowMatcher<Twin>;
  readonly #coins = new Map<string, CoinTwins>();
  readonly #byOid = new Map<number, Twin>();
  readonly #scratch: Twin[] = [];
  #seq = 0;
  /** Latest market time of any book or print seen, ms. */
  #marketMs = -Infinity;

  /** Twins filled by `model`. */
  constructor(model: QueueFillModel) {
    this.#matcher = new ShadowMatcher<Twin>(model, (twin, size, cause, timeMs) => {
      // Whole lots, rounded down as the shadow venue fills (sim.ts).
      const scale = twin.lotScale;
      const take = size >= twin.leaves ? twin.leaves : Math.floor(size * scale + 1e-9) / scale;
      if (take <= 0) return;
      twin.filled = Math.round((twin.filled + take) * scale) / scale;
      twin.leaves = take === twin.leaves ? 0 : Math.round((twin.leaves - take) * scale) / scale;
      if (twin.firstFillMs === null) {
        twin.firstFillMs = timeMs;
        twin.cause = cause;
      }
      if (twin.leaves <= 1e-12) twin.active = false;
    });
  }

  /**
   * Starts a twin of a live order confirmed resting now: it queues behind the size the coin's
   * last book before the order was sent (`sentMs`, wall clock) showed at its price (a later book
   * may already show the order itself), and meets only books and prints later than the latest
   * market time seen (those earlier were made before the order could rest).
   */
  open(
    oid: number,
    coin: string,
    side: QuoteSide,
    px: number,
    sz: number,
    tick: number,
    sentMs: number,
    szDecimals: number,
  ): Twin {
    const c = this.#coin(coin);
    const twin: Twin = {
      ...newQueueState(),
      active: true,
      seq: ++this.#seq,
      side,
      px,
      sz,
      leaves: sz,
      tick,
      liveAfterMs: this.#marketMs,
      goneAfterMs: Infinity,
      oid,
      lotScale: 10 ** szDecimals,
      ownLeaves: sz,
      filled: 0,
      firstFillMs: null,
      cause: null,
    };
    const list = side === "bid" ? c.bids : c.asks;
    const book = bookBefore(c, sentMs);
    const shown = book === null ? NaN : othersAt(book, list, twin);
    this.#matcher.model.join(twin, shown);
    list.push(twin);
    this.#byOid.set(oid, twin);
    return twin;
  }

  /** The live order filled `sz` for real: that much less of its own size stands in the book. */
  realFill(oid: number, sz: number): void {
    const twin = this.#byOid.get(oid);
    if (twin !== undefined) twin.ownLeaves = Math.max(twin.ownLeaves - sz, 0);
  }

  /**
   * Ends a twin at market time `endMs`: frames later than it no longer reach the twin (a later
   * call moves the end later, never earlier).
   */
  end(oid: number, endMs: number): void {
    const twin = this.#byOid.get(oid);
    if (twin === undefined) return;
    const gone = endMs + 1;
    twin.goneAfterMs = Number.isFinite(twin.goneAfterMs) ? Math.max(twin.goneAfterMs, gone) : gone;
  }

  /** Takes a twin out of the book; returns it, or undefined when it was never opened. */
  remove(oid: number, coin: string): Twin | undefined {
    const twin = this.#byOid.get(oid);
    if (twin === undefined) return undefined;
    this.#byOid.delete(oid);
    twin.active = false;
    const c = this.#coins.get(coin);
    if (c !== undefined) {
      const list = twin.side === "bid" ? c.bids : c.asks;
      const at = list.indexOf(twin);
      if (at >= 0) list.splice(at, 1);
    }
    return twin;
  }

  /**
   * Shows a book of the coin, arrived at `arrivedMs` (wall clock), to its twins: crossing fills,
   * then queue positions.
   */
  onBook(book: BookSnapshot, arrivedMs: number): void {
    if (book.timeMs > this.#marketMs) this.#marketMs = book.timeMs;
    const c = this.#coin(book.coin);
    // An older book than the coin's last is dropped, as the shadow venue drops it.
    if (c.book !== null && book.timeMs < c.book.timeMs) return;
    const prev = c.book;
    c.book = book;
    c.recent.push({ book, arrivedMs });
    if (c.recent.length > RECENT_BOOKS) c.recent.shift();
    const matcher = this.#matcher;
    if (matcher.model.fillsOnCross) {
      let n = ordered(c.bids, NONE, book.timeMs, this.#scratch);
      matcher.cross(this.#scratch, n, book, book.timeMs);
      n = ordered(c.asks, NONE, book.timeMs, this.#scratch);
      matcher.cross(this.#scratch, n, book, book.timeMs);
    }
    if (!matcher.model.tracksDepth) return;
    for (const twin of c.bids) this.#depth(c.bids, twin, book, prev);
    for (const twin of c.asks) this.#depth(c.asks, twin, book, prev);
  }

  /**
   * Moves a twin's queue with the size the book shows at its price less the live orders' own
   * size there (in books later than their twins' start: the orders rest by then), since shadow
   * orders are never in the book they are estimated against.
   */
  #depth(side: Twin[], twin: Twin, book: BookSnapshot, prev: BookSnapshot | null): void {
    if (!twin.active || book.timeMs >= twin.goneAfterMs) return;
    const displayed = othersAt(book, side, twin);
    if (Number.isNaN(displayed)) return;
    this.#matcher.depthAt(twin, displayed, book.timeMs, touchMoves(prev, book, twin.tick));
  }

  /** Shows a print of the coin to the twins of the side it reaches. */
  onTrade(trade: Trade): void {
    if (trade.timeMs > this.#marketMs) this.#marketMs = trade.timeMs;
    const c = this.#coins.get(trade.coin);
    if (c === undefined) return;
    const n = ordered(trade.side === "A" ? c.bids : c.asks, NONE, trade.timeMs, this.#scratch);
    this.#matcher.trade(this.#scratch, n, trade);
  }

  /** Keeps the coin's latest book even before its first twin, so a twin joins the right queue. */
  #coin(coin: string): CoinTwins {
    let c = this.#coins.get(coin);
    if (c === undefined) {
      c = {
        book: null,
        recent: [],
        bids: [],
        asks: [],
      };
      this.#coins.set(coin, c);
    }
    return c;
  }
}

/** The coin's last book that arrived at or before `sentMs`, else the oldest kept (or none). */
function bookBefore(c: CoinTwins, sentMs: number): BookSnapshot | null {
  for (let i = c.recent.length - 1; i >= 0; i--) {
    if (c.recent[i].arrivedMs <= sentMs) return c.recent[i].book;
  }
  return c.recent[0]?.book ?? null;
}

/**
 * The size `book` shows at `twin`'s price less our live orders' own there: those of `side`
 * resting at the book's time (their twins started before it and had not ended). Shadow orders
 * are never in the book they are estimated against. NaN when the book does not show the price.
 */
function othersAt(book: BookSnapshot, side: Twin[], twin: Twin): number {
  let displayed = displayedAt(book, twin.side, twin.px, twin.tick);
  if (Number.isNaN(displayed)) return NaN;
  for (const other of side) {
    if (
      other !== twin && other.px === twin.px && book.timeMs > other.liveAfterMs &&
      book.timeMs < other.goneAfterMs
    ) displayed -= other.ownLeaves;
  }
  // Our own order, once its book shows it (its twin started before the book's time).
  if (book.timeMs > twin.liveAfterMs) displayed -= twin.ownLeaves;
  return Math.max(displayed, 0);
}

/**
 * The latest market state per coin (best bid/ask of the newest sane book) and the trade
 * watermark that makes sure no trade is fed twice, including the trades a reconnect replays.
 * Hyperliquid trade ids are unique only together with `(time, coin)`, so the watermark per coin
 * is the newest trade time plus the ids already seen at exactly that time.
 */
import type { BookSnapshot, Trade } from "./hyperliquid/types.ts";

/** Latest book and trade watermark of every active coin (indexed as the kernel indexes them). */
export class MarketState {
  readonly index: ReadonlyMap<string, number>;
  readonly bestBid: Float64Array;
  readonly bestAsk: Float64Array;
  /** Market time of each coin's latest book, ms (0 before the first). */
  readonly bookTimeMs: Float64Array;
  /** Taker trades accepted per coin this session. */
  readonly tradeCount: Float64Array;
  readonly #watermarkMs: Float64Array;
  /** The first trade id seen at each coin's watermark time. */
  readonly #firstTid: Float64Array;
  /** Further trade ids seen at the watermark time (empty in the common one-trade case). */
  readonly #tidsAtWatermark: Set<number>[];
  #duplicates = 0;

  /** Creates the state for `coins`. */
  constructor(readonly coins: readonly string[]) {
    this.index = new Map(coins.map((coin, i) => [coin, i]));
    const n = coins.length;
    this.bestBid = new Float64Array(n);
    this.bestAsk = new Float64Array(n);
    this.bookTimeMs = new Float64Array(n);
    this.tradeCount = new Float64Array(n);
    this.#watermarkMs = new Float64Array(n).fill(-Infinity);
    this.#firstTid = new Float64Array(n).fill(-1);
    this.#tidsAtWatermark = coins.map(() => new Set<number>());
  }

  /** Stores a book's top of book; returns the coin index, or -1 for an unknown coin or an unusable book. */
  applyBook(book: BookSnapshot): number {
    const i = this.index.get(book.coin);
    if (i === undefined) return -1;
    const bid = book.bids[0]?.px ?? 0;
    const ask = book.asks[0]?.px ?? 0;
    // A crossed, empty or non-positive book quotes nothing until a sane one arrives.
    const sane = bid > 0 && ask > bid && Number.isFinite(ask);
    this.bestBid[i] = sane ? bid : 0;
    this.bestAsk[i] = sane ? ask : 0;
    this.bookTimeMs[i] = book.timeMs;
    return i;
  }

  /** Mid of a coin's latest sane book, or 0. */
  mid(i: number): number {
    return this.bestBid[i] > 0 ? (this.bestBid[i] + this.bestAsk[i]) / 2 : 0;
  }

  /** Accepts a trade once: returns its coin index, or -1 if unknown or already seen. */
  acceptTrade(trade: Trade): number {
    const i = this.index.get(trade.coin);
    if (i === undefined) return -1;
    const mark = this.#watermarkMs[i];
    if (trade.timeMs > mark) {
      // The common case: a newer trade. The set is only built when a millisecond has several.
      this.#watermarkMs[i] = trade.timeMs;
      this.#firstTid[i] = trade.tid;
      if (this.#tidsAtWatermark[i].size > 0) this.#tidsAtWatermark[i].clear();
    } else if (
      trade.timeMs < mark || trade.tid === this.#firstTid[i] ||
      this.#tidsAtWatermark[i].has(trade.tid)
    ) {
      this.#duplicates++;
      return -1;
    } else this.#tidsAtWatermark[i].add(trade.tid);
    this.tradeCount[i]++;
    return i;
  }

  /** Trades rejected as already seen (replayed after a reconnect, or out of order). */
  get duplicateTrades(): number {
    return this.#duplicates;
  }

  /** The watermark of every coin, for the saved state. */
  watermarks(): Record<string, { timeMs: number; tids: number[] }> {
    const out: Record<string, { timeMs: number; tids: number[] }> = {};
    this.coins.forEach((coin, i) => {
      if (this.#watermarkMs[i] > -Infinity) {
        out[coin] = {
          timeMs: this.#watermarkMs[i],
          tids: [this.#firstTid[i], ...this.#tidsAtWatermark[i]],
        };
      }
    });
    return out;
  }

  /** Restores watermarks from a saved state (coins no longer active are ignored). */
  restoreWatermarks(saved: Record<string, { timeMs: number; tids: number[] }>): void {
    for (const [coin, mark] of Object.entries(saved)) {
      const i = this.index.get(coin);
      if (i === undefined || mark.tids.length === 0) continue;
      this.#watermarkMs[i] = mark.timeMs;
      this.#firstTid[i] = mark.tids[0];
      this.#tidsAtWatermark[i] = new Set(mark.tids.slice(1));
    }
  }
}

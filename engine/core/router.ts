/**
 * The router: market events in, in market-time order, each handed to the rooms that need it
 * (market state, venue, fill booker, quote models, risk gates, quote pipeline). The order is the
 * caller's (the feed's arrival order live, the files merged by market time in replay, both through
 * engine/core/frames.ts); the router never reorders, and the market state drops what is stale.
 *
 * It owns one rule, named once here ({@link MarketRouter.flushBeforeVenueSees}): **quotes
 * pending for a coin reach the venue before the venue sees that coin's next event.** A fill or
 * an OFI change leaves a coin's new quotes pending (the kernel is called once for every coin
 * that changed, not once per trade); the venue must still judge the next book or trade against
 * the quotes a live run would have had resting by then.
 */
import type { AdverseSelection } from "../adverse.ts";
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import type { Kernel } from "../kernel.ts";
import type { LatencyAuditor } from "../latency.ts";
import type { MarketState } from "../market_state.ts";
import type { QuoteModels } from "../quote_models/models.ts";
import type { MarketDataSink } from "../venue/venue.ts";
import type { FillBooker } from "./fill_booker.ts";
import type { QuotePipeline } from "./quote_pipeline.ts";
import type { RiskSupervisor } from "./risk_supervisor.ts";

/** Coin index meaning "every coin" to {@link MarketRouter.flushBeforeVenueSees}. */
export const ANY_COIN = -1;

/** Everything the router is built from. */
export interface MarketRouterOptions {
  kernel: Kernel;
  market: MarketState;
  venue: MarketDataSink;
  models: QuoteModels;
  pipeline: QuotePipeline;
  booker: FillBooker;
  risk: RiskSupervisor;
  latency: LatencyAuditor;
  adverse?: AdverseSelection;
  /** Whether frame-to-quote latency is measured (false in replay: it is wall time). */
  measureLatency: boolean;
}

/** Routes books and trades through the engine's rooms. */
export class MarketRouter {
  readonly #kernel: Kernel;
  readonly #market: MarketState;
  readonly #venue: MarketDataSink;
  readonly #models: QuoteModels;
  readonly #pipeline: QuotePipeline;
  readonly #booker: FillBooker;
  readonly #risk: RiskSupervisor;
  readonly #latency: LatencyAuditor;
  readonly #adverse: AdverseSelection | undefined;
  readonly #measureLatency: boolean;
  /** Coins seen in the current trade batch, in first-seen order (scratch, one slot per coin). */
  readonly #touched: Int32Array;
  /** 1 for a coin already in {@link #touched} this batch. */
  readonly #seen: Uint8Array;
  /** Books without depth (tick-CSV replays): queue positions are unknown. */
  #depthlessBooks = 0;

  /** Binds the router to the rooms it feeds. */
  constructor(options: MarketRouterOptions) {
    this.#kernel = options.kernel;
    this.#market = options.market;
    this.#venue = options.venue;
    this.#models = options.models;
    this.#pipeline = options.pipeline;
    this.#booker = options.booker;
    this.#risk = options.risk;
    this.#latency = options.latency;
    this.#adverse = options.adverse;
    this.#measureLatency = options.measureLatency;
    this.#touched = new Int32Array(options.market.coins.length);
    this.#seen = new Uint8Array(options.market.coins.length);
  }

  /** Books seen without depth (sizes 0 on both sides): the queue model's positions are guesses. */
  get depthlessBooks(): number {
    return this.#depthlessBooks;
  }

  /**
   * The rule: before the venue sees an event of coin `i` (or of any coin, {@link ANY_COIN}),
   * the quotes pending for it go out, so the venue matches that event against them.
   */
  flushBeforeVenueSees(i: number): void {
    if (i === ANY_COIN ? this.#pipeline.anyDirty : this.#pipeline.isDirty(i)) {
      this.#pipeline.flush();
    }
  }

  /**
   * Feeds a book snapshot; the coin is requoted at once, in every mode (frame-in to quotes-out
   * is what the latency auditor measures). With `arrivalMs` (performance.now() at frame
   * arrival) and latency measured, the time to quotes is recorded.
   */
  onBook(book: BookSnapshot, arrivalMs?: number): void {
    const i = this.#market.applyBook(book);
    if (i < 0) return;
    this.flushBeforeVenueSees(i);
    // Tick CSVs give top-of-book prices with no sizes: nobody knows the queue ahead of us.
    if (book.bids[0]?.sz === 0 && book.asks[0]?.sz === 0) this.#depthlessBooks++;
    this.#venue.onBook(book);
    this.#booker.drain();
    const mid = this.#market.mid(i);
    this.#models.onBook(i, book, mid);
    if (mid > 0) {
      this.#risk.regime.recordMid(i, mid, book.timeMs);
      this.#adverse?.onMid(book.coin, mid, book.timeMs);
    }
    this.#pipeline.markDirty(i);
    this.#pipeline.flush();
    if (arrivalMs !== undefined && this.#measureLatency) {
      this.#latency.record(performance.now() - arrivalMs);
    }
  }

  /** A book arrived that must not be quoted on (empty side, crossed, unsorted): pull the coin's quotes. */
  onBadBook(coin: string): void {
    const i = this.#market.index.get(coin);
    if (i === undefined) return;
    this.#market.bestBid[i] = 0;
    this.#market.bestAsk[i] = 0;
    this.#pipeline.markDirty(i);
    this.#pipeline.flush();
  }

  /**
   * Feeds a batch of public trades (one frame: they happened together, so quotes are not moved
   * between them); each one already seen (time/tid watermark) is skipped.
   */
  onTrades(trades: readonly Trade[]): void {
    this.flushBeforeVenueSees(ANY_COIN);
    const touched = this.#touched;
    let nTouched = 0;
    for (let t = 0; t < trades.length; t++) {
      const trade = trades[t];
      const i = this.#market.acceptTrade(trade);
      if (i < 0) continue;
      this.#kernel.ofiPush(i, trade.side === "B", trade.sz);
      this.#models.onTrade(i, trade, this.#market.mid(i));
      this.#venue.onTrade(trade);
      if (!this.#seen[i]) {
        this.#seen[i] = 1;
        touched[nTouched++] = i;
      }
    }
    this.#booker.drain();
    for (let t = 0; t < nTouched; t++) {
      const i = touched[t];
      this.#seen[i] = 0;
      if (this.#risk.checkOfi(i)) this.#pipeline.markDirty(i);
    }
  }
}

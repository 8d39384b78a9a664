/**
 * The fill booker: every fill the venue reports goes into the portfolio, then out to the fill
 * line, the fills file, the adverse-selection tracker and the Redis bridge, and its new position
 * to the quote pipeline's skew. Reconciliation books here too: dark fills and the adoption of
 * the exchange's position when ours differs.
 */
import type { AdverseSelection } from "../adverse.ts";
import type { Logger } from "../log.ts";
import type { MarketState } from "../market_state.ts";
import type { Portfolio } from "../portfolio.ts";
import { adoptionFill, reconcileInventory } from "../reconcile.ts";
import { formatShadowFill, type ShadowFillLog, shadowFillRecord } from "../shadow_log.ts";
import type { Fill, Venue } from "../venue/venue.ts";
import { errorMessage } from "../util/errors.ts";

/** Everything the booker is built from. */
export interface FillBookerOptions {
  venue: Venue;
  portfolio: Portfolio;
  market: MarketState;
  log: Logger;
  /** Where fill records go (`data/shadow/DATE.jsonl`); none in tests that do not need it. */
  shadowLog?: ShadowFillLog;
  /** Adverse-selection tracker fed with every fill. */
  adverse?: AdverseSelection;
  /** Called for every fill after it is booked (the Redis bridge); must not block. */
  onFill: (fill: Fill) => void;
  /** Coin `i` has a new position, coin units (the skew's input). */
  onPosition: (i: number, position: number) => void;
  /** A fill could not be booked: the books no longer add up (the engine halts). */
  onBookingFailed: (message: string) => void;
  /** The engine's clock, ms (the time of an adoption fill). */
  now: () => number;
}

/** Venue fills into the portfolio and every side stream. */
export class FillBooker {
  readonly #venue: Venue;
  readonly #portfolio: Portfolio;
  readonly #market: MarketState;
  readonly #log: Logger;
  readonly #shadowLog: ShadowFillLog | undefined;
  readonly #adverse: AdverseSelection | undefined;
  readonly #onFill: (fill: Fill) => void;
  readonly #onPosition: (i: number, position: number) => void;
  readonly #onBookingFailed: (message: string) => void;
  readonly #now: () => number;
  /** Notional of the fills booked by this run, USD (what the address budget earns from). */
  #volumeUsd = 0;

  /** Binds the booker to its portfolio and side streams. */
  constructor(options: FillBookerOptions) {
    this.#venue = options.venue;
    this.#portfolio = options.portfolio;
    this.#market = options.market;
    this.#log = options.log;
    this.#shadowLog = options.shadowLog;
    this.#adverse = options.adverse;
    this.#onFill = options.onFill;
    this.#onPosition = options.onPosition;
    this.#onBookingFailed = options.onBookingFailed;
    this.#now = options.now;
  }

  /** Notional of the fills booked by this run, USD. */
  get volumeUsd(): number {
    return this.#volumeUsd;
  }

  /** Books the fills the venue made since the last call. */
  drain(): void {
    const fills = this.#venue.drainFills();
    for (let f = 0; f < fills.length; f++) {
      // One bad fill must not drop the rest of its batch; it halts (the books no longer add up).
      try {
        this.book(fills[f]);
      } catch (error) {
        const message = `fill ${fills[f].orderId} on ${fills[f].coin} not booked: ${
          errorMessage(error)
        }`;
        this.#log.error(`[FILL] ${message}`);
        this.#onBookingFailed(message);
      }
    }
  }

  /** Books one fill: portfolio, skew, fill line, fills file, adverse selection, bridge. */
  book(fill: Fill): void {
    const account = this.#portfolio.applyFill(fill);
    this.#volumeUsd += fill.px * fill.sz;
    const i = this.#market.index.get(fill.coin);
    if (i !== undefined) this.#onPosition(i, account.position);
    const inventoryUsd = this.#portfolio.inventoryUsd(fill.coin);
    if (this.#log.enabled("info")) {
      this.#log.info(formatShadowFill(fill, inventoryUsd, this.#venue.kind));
    }
    this.#shadowLog?.append(shadowFillRecord(fill, account.position, inventoryUsd));
    this.#adverse?.onFill(fill);
    this.#onFill(fill);
  }

  /**
   * Books a position held before this run at its entry price, without a fill, fee or volume, so
   * the skew sees it from the first quote and PnL continues from that entry.
   */
  carry(coin: string, qty: number, entryPx: number, timeMs: number): void {
    const i = this.#market.index.get(coin);
    if (i === undefined || qty === 0) return;
    this.#onPosition(i, this.#portfolio.restore(coin, qty, entryPx, timeMs).position);
  }

  /**
   * Compares the venue's positions with ours after a gap in market data: books the dark fills
   * it reports, then adopts the exchange's position where ours still differs (the exchange is
   * the truth: the skew works from it). Throws when the venue cannot be asked.
   */
  async reconcile(): Promise<void> {
    // Fills already polled (before or during the venue's checks) are ours, not dark: booked
    // before comparing.
    this.drain();
    const report = await this.#venue.reconcile(this.#portfolio.positions());
    this.drain();
    const outcome = reconcileInventory(this.#portfolio.positions(), report);
    for (const fill of outcome.darkFills) this.book(fill);
    for (const line of outcome.lines) {
      if (outcome.clean) this.#log.info(line);
      else this.#log.warn(line);
    }
    for (const m of outcome.mismatches) {
      const i = this.#market.index.get(m.coin);
      const px = i === undefined ? 0 : this.#market.mid(i);
      this.book(adoptionFill(m, px, this.#now()));
    }
  }
}

/**
 * The global drawdown stop (spec 8.3): every `checkEveryMs` (60 s), if the day's PnL is below
 * `-(starting balance × cap)`, the engine cancels everything and halts until a restart. The day
 * is the UTC day; its PnL is measured from the session PnL at the first check of that day.
 * Also tracks drawdown from the session's peak PnL, which the report shows.
 */

/** Options of {@link DrawdownGuard}. */
export interface DrawdownOptions {
  startingBalanceUsd: number;
  /** Daily loss cap as a fraction of the starting balance (spec: 0.05). */
  capPct: number;
  /** Check period, ms (spec: 60 s). */
  checkEveryMs: number;
}

/** The outcome of a check that breached the cap. */
export interface DrawdownBreach {
  dailyPnlUsd: number;
  drawdownPct: number;
  line: string;
}

const DAY_MS = 86_400_000;

/** Daily loss cap and peak-to-trough tracking. */
export class DrawdownGuard {
  readonly options: DrawdownOptions;
  #day = -1;
  #dayAnchorPnl = 0;
  #nextCheckMs = -1;
  #peakPnl = 0;
  #maxDrawdownUsd = 0;
  #lastPnl = 0;

  /** Creates a guard. */
  constructor(options: Partial<DrawdownOptions> & { startingBalanceUsd: number }) {
    this.options = { capPct: 0.05, checkEveryMs: 60_000, ...options };
  }

  /** Feeds the session PnL at `nowMs`; returns a breach when a due check finds the cap crossed. */
  update(pnlUsd: number, nowMs: number): DrawdownBreach | null {
    this.#lastPnl = pnlUsd;
    if (pnlUsd > this.#peakPnl) this.#peakPnl = pnlUsd;
    const fromPeak = this.#peakPnl - pnlUsd;
    if (fromPeak > this.#maxDrawdownUsd) this.#maxDrawdownUsd = fromPeak;

    const day = Math.floor(nowMs / DAY_MS);
    if (day !== this.#day) {
      // The first sample of a UTC day anchors that day's PnL.
      this.#dayAnchorPnl = this.#day === -1 ? 0 : pnlUsd;
      this.#day = day;
    }
    if (this.#nextCheckMs < 0) this.#nextCheckMs = nowMs + this.options.checkEveryMs;
    if (nowMs < this.#nextCheckMs) return null;
    this.#nextCheckMs = nowMs + this.options.checkEveryMs;
    return this.check();
  }

  /**
   * Resumes a UTC day that began before a restart: the day's PnL is measured from
   * `anchorPnlUsd`, the session PnL when the day began, so losses made earlier today still count.
   * The next update checks the cap at once: the day may already be past it.
   */
  resumeDay(anchorPnlUsd: number, nowMs: number): void {
    this.#day = Math.floor(nowMs / DAY_MS);
    this.#dayAnchorPnl = anchorPnlUsd;
    this.#nextCheckMs = nowMs;
  }

  /** Checks the cap now (also used at start and by tests). */
  check(): DrawdownBreach | null {
    const daily = this.dailyPnlUsd;
    const drawdownPct = -daily / this.options.startingBalanceUsd;
    if (drawdownPct < this.options.capPct) return null;
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    return {
      dailyPnlUsd: daily,
      drawdownPct,
      line: `🛑 [GLOBAL STOP] Daily drawdown ${pct(drawdownPct)} >= cap ${
        pct(this.options.capPct)
      }. Halting all quoting.`,
    };
  }

  /** PnL since the start of the current UTC day, USD. */
  get dailyPnlUsd(): number {
    return this.#lastPnl - this.#dayAnchorPnl;
  }

  /** Highest session PnL seen, USD. */
  get peakPnlUsd(): number {
    return this.#peakPnl;
  }

  /** Largest fall from a session peak, USD. */
  get maxDrawdownUsd(): number {
    return this.#maxDrawdownUsd;
  }

  /** Current fall from the session peak, USD. */
  get drawdownFromPeakUsd(): number {
    return this.#peakPnl - this.#lastPnl;
  }
}

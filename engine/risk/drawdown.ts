/**
 * The global drawdown stop (README, "Risk gates"): every `checkEveryMs` (60 s), if the day's PnL is
 * below `-(starting balance × cap)`, the engine cancels everything and halts until a restart. The
 * day's PnL comes from the portfolio, which alone tracks the UTC-day anchor and the session's peak;
 * this guard only decides when to check and whether the cap is crossed.
 */

/** Options of {@link DrawdownGuard}. */
export interface DrawdownOptions {
  startingBalanceUsd: number;
  /** Daily loss cap as a fraction of the starting balance (default 0.05). */
  capPct: number;
  /** Check period, ms (default 60 s). */
  checkEveryMs: number;
}

/** The outcome of a check that breached the cap. */
export interface DrawdownBreach {
  dailyPnlUsd: number;
  drawdownPct: number;
  line: string;
}

/** The daily loss cap, checked periodically. */
export class DrawdownGuard {
  readonly options: DrawdownOptions;
  #nextCheckMs = -1;
  #dailyPnl = 0;

  /** Creates a guard. */
  constructor(options: Partial<DrawdownOptions> & { startingBalanceUsd: number }) {
    this.options = { capPct: 0.05, checkEveryMs: 60_000, ...options };
  }

  /** Feeds the day's PnL at `nowMs`; returns a breach when a due check finds the cap crossed. */
  update(dailyPnlUsd: number, nowMs: number): DrawdownBreach | null {
    this.#dailyPnl = dailyPnlUsd;
    if (this.#nextCheckMs < 0) this.#nextCheckMs = nowMs + this.options.checkEveryMs;
    if (nowMs < this.#nextCheckMs) return null;
    this.#nextCheckMs = nowMs + this.options.checkEveryMs;
    return this.check();
  }

  /**
   * A UTC day resumed after a restart: the next update checks the cap at once, since losses
   * made earlier today may already be past it.
   */
  resumeDay(nowMs: number): void {
    this.#nextCheckMs = nowMs;
  }

  /** Checks the cap against the latest daily PnL now (also used at start and by tests). */
  check(): DrawdownBreach | null {
    const daily = this.#dailyPnl;
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

  /** The day's PnL at the latest update, USD. */
  get dailyPnlUsd(): number {
    return this.#dailyPnl;
  }
}

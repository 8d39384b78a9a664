/**
 * The volatility measure of the Regime Governor (regime.ts), in one place so the calibration
 * gates (tools/analysis/gate2.ts, gate3.ts) suggest thresholds on the scale the governor
 * compares them with. On market time (the mids' own timestamps), so a replay and the analysis of
 * a recording see what the live run saw:
 * - bars of `barMs` (60 s) aligned to the clock; a bar's true range is
 *   `max(high, previous close) - min(low, previous close)`;
 * - ATR = the mean true range of the last `bars` (14) completed bars plus the bar in progress
 *   (so a spike counts at once, before its bar closes);
 * - ATR fraction = ATR / the latest mid.
 */

/** Bar length and window of the ATR. */
export interface AtrOptions {
  /** Bar length on market time, ms. */
  barMs: number;
  /** Completed bars in the window. */
  bars: number;
}

/** The governor's ATR: one-minute bars, the last 14 of them plus the one in progress. */
export const ATR_DEFAULTS: AtrOptions = { barMs: 60_000, bars: 14 };

/** A running ATR over one coin's mids. */
export class AtrWindow {
  readonly #barMs: number;
  readonly #trueRanges: Float64Array;
  #completed = 0;
  #head = 0;
  #barStart = -1;
  #high = 0;
  #low = 0;
  #prevClose = 0;
  #lastMid = 0;
  /** {@link fraction}'s value until the next mid (NaN: to compute); the loop asks every tick. */
  #fraction = NaN;

  /** An empty window (ATR fraction 0 until the first mid). */
  constructor(options: AtrOptions = ATR_DEFAULTS) {
    this.#barMs = options.barMs;
    this.#trueRanges = new Float64Array(options.bars);
  }

  /** Start of the bar in progress, ms (-1 before the first mid). */
  get barStart(): number {
    return this.#barStart;
  }

  /** Adds a mid at market time `timeMs`; the caller passes only positive, finite mids. */
  record(mid: number, timeMs: number): void {
    const barMs = this.#barMs;
    this.#fraction = NaN;
    if (this.#barStart < 0) {
      this.#barStart = timeMs - (timeMs % barMs);
      this.#high = this.#low = this.#prevClose = mid;
    } else if (timeMs >= this.#barStart + barMs) {
      this.#trueRanges[this.#head] = this.#trueRange();
      this.#head = (this.#head + 1) % this.#trueRanges.length;
      if (this.#completed < this.#trueRanges.length) this.#completed++;
      this.#prevClose = this.#lastMid;
      this.#barStart = timeMs - (timeMs % barMs);
      this.#high = this.#low = mid;
    }
    if (mid > this.#high) this.#high = mid;
    if (mid < this.#low) this.#low = mid;
    this.#lastMid = mid;
  }

  /** ATR / latest mid now (0 before the first mid). */
  fraction(): number {
    if (this.#lastMid <= 0) return 0;
    if (!Number.isNaN(this.#fraction)) return this.#fraction;
    let sum = this.#trueRange();
    for (let i = 0; i < this.#completed; i++) sum += this.#trueRanges[i];
    this.#fraction = sum / (this.#completed + 1) / this.#lastMid;
    return this.#fraction;
  }

  #trueRange(): number {
    return Math.max(this.#high, this.#prevClose) - Math.min(this.#low, this.#prevClose);
  }
}

/**
 * The ATR fraction the governor holds at the end of every bar that has a mid: the series a
 * threshold on {@link AtrWindow.fraction} is judged against. Mids that are not positive and
 * finite are skipped, as the governor skips them. `timeMs` must be in time order.
 */
export function atrFractionPerBar(
  timeMs: ArrayLike<number>,
  mid: ArrayLike<number>,
  options: AtrOptions = ATR_DEFAULTS,
): Float64Array {
  const window = new AtrWindow(options);
  const out: number[] = [];
  for (let i = 0; i < timeMs.length; i++) {
    const m = mid[i];
    if (!(m > 0 && m < Infinity)) continue;
    // A mid past the bar in progress closes it: the value before it is that bar's last.
    if (window.barStart >= 0 && timeMs[i] >= window.barStart + options.barMs) {
      out.push(window.fraction());
    }
    window.record(m, timeMs[i]);
  }
  if (window.barStart >= 0) out.push(window.fraction());
  return Float64Array.from(out);
}

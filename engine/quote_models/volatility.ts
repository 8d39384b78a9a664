/**
 * Online volatility of a coin's mid over a rolling window, for the GLFT quote model.
 *
 * The mid is sampled at most once per `stepMs` of market time (the first book at or after each
 * step), and sigma^2 is the realised variance per second: the sum of squared returns over the
 * window divided by the seconds they span. Returns are simple, in basis points of the previous
 * sample, so sigma comes out in bps per square-root second (the unit the kernel's GLFT inputs
 * use). Sampling every second rather than every book keeps the bid-ask bounce of a one-tick
 * spread from inflating sigma. hftbacktest's GLFT tutorial estimates the same quantity from the
 * standard deviation of mid changes on its own step.
 *
 * @module
 */

/** Window and sampling of a {@linkcode VolatilityEstimator}. */
export interface VolatilityOptions {
  /** Rolling window, ms of market time (default 10 minutes, as in hftbacktest's tutorial). */
  windowMs?: number;
  /** Shortest time between two samples of the mid, ms (default 1 s). */
  stepMs?: number;
  /** Returns needed in the window before an estimate is given (default 30). */
  minReturns?: number;
}

/** Realised volatility of one coin's mid, in bps per square-root second. */
export class VolatilityEstimator {
  readonly windowMs: number;
  readonly stepMs: number;
  readonly minReturns: number;
  /** Sample times (ms), squared returns (bps^2) and the seconds each return spans. */
  #timeMs: number[] = [];
  #squared: number[] = [];
  #seconds: number[] = [];
  /** The window is entries #head.. of the columns (compacted when the evicted part is large). */
  #head = 0;
  #lastMid = 0;
  #lastMs = -Infinity;

  /** Creates an empty estimator; throws naming a bad option. */
  constructor(options: VolatilityOptions = {}) {
    this.windowMs = options.windowMs ?? 600_000;
    this.stepMs = options.stepMs ?? 1_000;
    this.minReturns = options.minReturns ?? 30;
    if (!(this.windowMs > 0) || !(this.stepMs > 0) || !(this.stepMs < this.windowMs)) {
      throw new RangeError(
        `volatility: need 0 < stepMs < windowMs, got stepMs ${this.stepMs}, windowMs ${this.windowMs}`,
      );
    }
    if (!Number.isInteger(this.minReturns) || this.minReturns < 2) {
      throw new RangeError(
        `volatility: minReturns must be an integer >= 2, got ${this.minReturns}`,
      );
    }
  }

  /** Feeds a mid at market time `timeMs`; non-positive mids and times going back are ignored. */
  onMid(mid: number, timeMs: number): void {
    if (!(mid > 0) || !Number.isFinite(mid)) return;
    if (this.#lastMid === 0) {
      this.#lastMid = mid;
      this.#lastMs = timeMs;
      return;
    }
    if (!(timeMs - this.#lastMs >= this.stepMs)) return;
    const r = (mid - this.#lastMid) / this.#lastMid * 10_000;
    this.#timeMs.push(timeMs);
    this.#squared.push(r * r);
    this.#seconds.push((timeMs - this.#lastMs) / 1000);
    this.#lastMid = mid;
    this.#lastMs = timeMs;
    this.#evict(timeMs);
  }

  /** Returns held in the window. */
  get returns(): number {
    return this.#timeMs.length - this.#head;
  }

  /** sigma in bps per square-root second over the window, or null before `minReturns` returns. */
  sigma(): number | null {
    this.#evict(this.#lastMs);
    const n = this.#timeMs.length;
    if (n - this.#head < this.minReturns) return null;
    let sum = 0;
    let seconds = 0;
    for (let i = this.#head; i < n; i++) {
      sum += this.#squared[i];
      seconds += this.#seconds[i];
    }
    return Math.sqrt(sum / seconds);
  }

  #evict(nowMs: number): void {
    const from = nowMs - this.windowMs;
    let head = this.#head;
    while (head < this.#timeMs.length && this.#timeMs[head] <= from) head++;
    this.#head = head;
    if (head > 1024 && head * 2 > this.#timeMs.length) {
      this.#timeMs.splice(0, head);
      this.#squared.splice(0, head);
      this.#seconds.splice(0, head);
      this.#head = 0;
    }
  }
}

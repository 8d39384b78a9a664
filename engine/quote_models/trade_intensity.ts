/**
 * Online trade intensity of a coin, lambda(delta) = A * exp(-k * delta), for the GLFT quote model.
 *
 * lambda(delta) is the rate (per second) of market orders that reach at least `delta` basis
 * points from the mid: the rate at which a quote resting at that depth would be hit. Each taker
 * order is one arrival at the depth of its deepest fill (Hyperliquid prints one trade per maker
 * order, so the trades of one side at one timestamp are one sweep); its depth is measured from the
 * mid of the latest book before it. Over a rolling window, the counts of arrivals at or beyond
 * evenly spaced depths, divided by the seconds observed, are fitted by least squares on
 * log(lambda) against depth: the slope is -k (per bps), the intercept log(A) (A per second).
 * The same regression is hftbacktest's tutorial "GLFT market making model and grid trading"
 * (there in ticks of one step); here in bps of the mid and per second, so coins of any price and
 * tick share one unit.
 *
 * @module
 */

import { SortedMultiset } from "./sorted_multiset.ts";

/** Window and fit limits of a {@linkcode TradeIntensityEstimator}. */
export interface TradeIntensityOptions {
  /** Rolling window, ms of market time (default 10 minutes, as in hftbacktest's tutorial). */
  windowMs?: number;
  /** Arrivals needed in the window before a fit is given (default 50). */
  minArrivals?: number;
  /** Market time observed before a fit is given, ms (default 60 s): the rate needs a duration. */
  minSpanMs?: number;
}

/** A fit of lambda(delta) = A * exp(-k * delta). */
export interface TradeIntensity {
  /** Arrivals per second at the mid (delta = 0). */
  a: number;
  /** Decay per basis point of depth. */
  k: number;
  /** Arrivals the fit used. */
  arrivals: number;
}

/** Depth points of the regression, evenly spaced from 0 to the 95th percentile depth. */
const FIT_POINTS = 20;
/** A depth point is used only when this many arrivals reach it (fewer: log-count noise). */
const MIN_POINT_COUNT = 5;
/** The share of arrivals below the deepest fitted point: the sparse tail is left out. */
const FIT_QUANTILE = 0.95;

/** Trade intensity of one coin from its trades and mids. */
export class TradeIntensityEstimator {
  readonly windowMs: number;
  readonly minArrivals: number;
  readonly minSpanMs: number;
  // The window's arrivals are entries #head.. of these columns: eviction moves #head, and the
  // columns are compacted once the evicted part is large (no splice per trade).
  #timeMs: number[] = [];
  #depth: number[] = [];
  #buyer: boolean[] = [];
  #head = 0;
  /** The window's depths in ascending order, brought up to date when a fit reads them. */
  readonly #sorted = new SortedMultiset();
  #firstMs = Infinity;
  #lastMs = -Infinity;

  /** Creates an empty estimator; throws naming a bad option. */
  constructor(options: TradeIntensityOptions = {}) {
    this.windowMs = options.windowMs ?? 600_000;
    this.minArrivals = options.minArrivals ?? 50;
    this.minSpanMs = options.minSpanMs ?? 60_000;
    if (!(this.windowMs > 0) || !(this.minSpanMs >= 0 && this.minSpanMs <= this.windowMs)) {
      throw new RangeError(
        `trade intensity: need windowMs > 0 and 0 <= minSpanMs <= windowMs, got ${this.windowMs} and ${this.minSpanMs}`,
      );
    }
    if (!Number.isInteger(this.minArrivals) || this.minArrivals < 2) {
      throw new RangeError(
        `trade intensity: minArrivals must be an integer >= 2, got ${this.minArrivals}`,
      );
    }
  }

  /** Market time has reached `timeMs` (a book): the observed span grows even without trades. */
  observe(timeMs: number): void {
    if (timeMs < this.#firstMs) this.#firstMs = timeMs;
    if (timeMs > this.#lastMs) this.#lastMs = timeMs;
  }

  /**
   * Feeds one trade: price `px`, taker side (`isBuy`: the buyer took liquidity), market time and
   * the mid of the latest book before it. A trade on the near side of the mid counts at depth 0.
   */
  onTrade(px: number, isBuy: boolean, timeMs: number, mid: number): void {
    if (!(mid > 0) || !(px > 0)) return;
    this.observe(timeMs);
    const raw = (isBuy ? px - mid : mid - px) / mid * 10_000;
    const depth = raw > 0 ? raw : 0;
    const last = this.#timeMs.length - 1;
    if (last >= this.#head && this.#timeMs[last] === timeMs && this.#buyer[last] === isBuy) {
      if (depth > this.#depth[last]) {
        this.#sorted.remove(this.#depth[last]);
        this.#depth[last] = depth;
        this.#sorted.add(depth);
      }
      return;
    }
    this.#timeMs.push(timeMs);
    this.#depth.push(depth);
    this.#buyer.push(isBuy);
    this.#sorted.add(depth);
    this.#evict();
  }

  /** Arrivals held in the window. */
  get arrivals(): number {
    return this.#timeMs.length - this.#head;
  }

  /** The fit over the window, or null while there is too little data or no decay shows. */
  fit(): TradeIntensity | null {
    this.#evict();
    const n = this.#sorted.size;
    const spanMs = Math.min(this.windowMs, this.#lastMs - this.#firstMs);
    if (n < this.minArrivals || !(spanMs >= this.minSpanMs) || !(spanMs > 0)) return null;
    const sorted = this.#sorted.sorted();
    const top = sorted[Math.min(n - 1, Math.floor(FIT_QUANTILE * n))];
    if (!(top > 0)) return null;
    const step = top / FIT_POINTS;
    const seconds = spanMs / 1000;
    // Least squares of y = log(count / seconds) on x = depth, over the points with enough counts.
    let m = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let below = 0; // arrivals shallower than the current point (sorted is ascending)
    for (let j = 0; j <= FIT_POINTS; j++) {
      const x = j * step;
      while (below < n && sorted[below] < x) below++;
      const count = n - below;
      if (count < MIN_POINT_COUNT) break;
      const y = Math.log(count / seconds);
      m++;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    const denominator = m * sxx - sx * sx;
    if (m < 3 || !(denominator > 0)) return null;
    const slope = (m * sxy - sx * sy) / denominator;
    const intercept = (sy - slope * sx) / m;
    if (!(slope < 0)) return null;
    return { a: Math.exp(intercept), k: -slope, arrivals: n };
  }

  #evict(): void {
    const from = this.#lastMs - this.windowMs;
    let head = this.#head;
    while (head < this.#timeMs.length && this.#timeMs[head] <= from) {
      this.#sorted.remove(this.#depth[head]);
      head++;
    }
    this.#head = head;
    if (head > 1024 && head * 2 > this.#timeMs.length) {
      this.#timeMs.splice(0, head);
      this.#depth.splice(0, head);
      this.#buyer.splice(0, head);
      this.#head = 0;
    }
  }
}

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
  /** Scratch of a fit: the window's depths, reordered to find the quantile. */
  #work = new Float64Array(64);
  /** Scratch of a fit: arrivals whose deepest depth point reached is j, per point j. */
  readonly #atPoint = new Float64Array(FIT_POINTS + 1);
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
      if (depth > this.#depth[last]) this.#depth[last] = depth;
      return;
    }
    this.#timeMs.push(timeMs);
    this.#depth.push(depth);
    this.#buyer.push(isBuy);
    this.#evict();
  }

  /** Arrivals held in the window. */
  get arrivals(): number {
    return this.#timeMs.length - this.#head;
  }

  /** The fit over the window, or null while there is too little data or no decay shows. */
  fit(): TradeIntensity | null {
    this.#evict();
    const n = this.#depth.length - this.#head;
    const spanMs = Math.min(this.windowMs, this.#lastMs - this.#firstMs);
    if (n < this.minArrivals || !(spanMs >= this.minSpanMs) || !(spanMs > 0)) return null;
    if (this.#work.length < n) this.#work = new Float64Array(2 * n);
    const work = this.#work;
    for (let i = 0; i < n; i++) work[i] = this.#depth[this.#head + i];
    const top = kthSmallest(work, n, Math.min(n - 1, Math.floor(FIT_QUANTILE * n)));
    if (!(top > 0)) return null;
    const step = top / FIT_POINTS;
    const seconds = spanMs / 1000;
    // Arrivals at or beyond each depth point x_j = j * step: each arrival is counted at the
    // deepest point it reaches (a linear pass, no sort), then the counts are summed from the
    // deepest point up. The comparisons are the exact `depth >= j * step` of the definition.
    const atPoint = this.#atPoint;
    atPoint.fill(0);
    for (let i = 0; i < n; i++) {
      const depth = work[i];
      let j = Math.min(Math.max(Math.floor(depth / step), 0), FIT_POINTS);
      while (j < FIT_POINTS && (j + 1) * step <= depth) j++;
      while (j > 0 && j * step > depth) j--;
      atPoint[j]++;
    }
    for (let j = FIT_POINTS - 1; j >= 0; j--) atPoint[j] += atPoint[j + 1];
    // Least squares of y = log(count / seconds) on x = depth, over the points with enough counts.
    let m = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let j = 0; j <= FIT_POINTS; j++) {
      const x = j * step;
      const count = atPoint[j];
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
    while (head < this.#timeMs.length && this.#timeMs[head] <= from) head++;
    this.#head = head;
    if (head > 1024 && head * 2 > this.#timeMs.length) {
      this.#timeMs.splice(0, head);
      this.#depth.splice(0, head);
      this.#buyer.splice(0, head);
      this.#head = 0;
    }
  }
}

/**
 * The `k`-th smallest (from 0) of `values[0..n)`, which it reorders: Hoare's selection with a
 * median-of-three pivot, expected linear time. The value is the one a sort would put at `k`.
 */
function kthSmallest(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const a = values[lo], b = values[mid], c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    // [lo, j] <= pivot <= [i, hi]; between them, values equal to the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

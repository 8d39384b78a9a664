/**
 * The quote model of every coin (`MM_QUOTE_MODEL`, `quote_model` in `MmAssetConfig`) and the
 * kernel inputs it needs: the top-of-book sizes for `microprice`, and for `glft` the
 * coefficients and volatility re-estimated online from the coin's own trades and books. The
 * engine feeds books and trades in and asks, per coin, whether the inputs changed; the estimates
 * are refreshed on the loop's tick every `refreshMs`, never per book or trade.
 *
 * A `glft` coin quotes the grid until its first estimate (the estimators' minimum data,
 * about a minute of trading), then keeps its last estimate if the window later runs dry.
 *
 * @module
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import type { Kernel } from "../kernel.ts";
import { MODEL_GLFT, MODEL_GRID, MODEL_MICROPRICE } from "../../wasm/layout.ts";
import { type GlftCoefficients, glftCoefficients, glftHalfSpreadBps } from "./glft.ts";
import { type TradeIntensity, TradeIntensityEstimator } from "./trade_intensity.ts";
import { VolatilityEstimator } from "./volatility.ts";
import { QUOTE_MODELS, type QuoteModelName } from "./names.ts";

export { QUOTE_MODELS, type QuoteModelName };

const CODES: Record<QuoteModelName, number> = {
  grid: MODEL_GRID,
  microprice: MODEL_MICROPRICE,
  glft: MODEL_GLFT,
};

/** One coin's latest GLFT estimate. */
export interface GlftEstimate extends GlftCoefficients, TradeIntensity {
  /** Risk aversion the coefficients were computed with, per (bps x order). */
  gamma: number;
  /** Volatility, bps per square-root second. */
  sigma: number;
  /** Level-1 half-spread at regime 1, bps. */
  halfSpreadBps: number;
  /** Skew per order of min_order_usd held, bps. */
  skewBpsPerOrder: number;
}

/** Refresh period and estimator windows of {@linkcode QuoteModels}. */
export interface QuoteModelsOptions {
  /** Market time between GLFT re-estimates, ms (default 5 s). */
  refreshMs?: number;
  /** Rolling window of the GLFT estimators, ms (default 10 minutes). */
  windowMs?: number;
  /** Called with each coin's new GLFT estimate (for the log); `first` for its first one. */
  onEstimate?: (coin: number, estimate: GlftEstimate, first: boolean) => void;
}

/** Per-coin quote models and their kernel inputs, for coins 0..n-1 of one engine. */
export class QuoteModels {
  readonly refreshMs: number;
  readonly windowMs: number;
  readonly #kernel: Kernel;
  readonly #model: Uint8Array;
  readonly #gamma: Float64Array;
  readonly #volatility: (VolatilityEstimator | null)[];
  readonly #intensity: (TradeIntensityEstimator | null)[];
  readonly #estimate: (GlftEstimate | null)[];
  readonly #changed: Uint8Array;
  readonly #onEstimate: (coin: number, estimate: GlftEstimate, first: boolean) => void;
  #anyGlft = false;
  #nextRefreshMs = -Infinity;

  /** Every coin starts on the grid; the kernel's model inputs of coins 0..n-1 are reset. */
  constructor(kernel: Kernel, n: number, options: QuoteModelsOptions = {}) {
    this.refreshMs = options.refreshMs ?? 5_000;
    this.windowMs = options.windowMs ?? 600_000;
    this.#kernel = kernel;
    this.#model = new Uint8Array(n);
    this.#gamma = new Float64Array(n);
    this.#volatility = new Array(n).fill(null);
    this.#intensity = new Array(n).fill(null);
    this.#estimate = new Array(n).fill(null);
    this.#changed = new Uint8Array(n);
    this.#onEstimate = options.onEstimate ?? (() => {});
    for (let i = 0; i < n; i++) {
      kernel.quoteModel[i] = MODEL_GRID;
      kernel.bestBidSz[i] = 0;
      kernel.bestAskSz[i] = 0;
      kernel.glftC1[i] = 0;
      kernel.glftC2[i] = 0;
      kernel.glftSigma[i] = 0;
    }
  }

  /** Sets coin `i`'s model and GLFT risk aversion (per bps x order); a change requotes it. */
  configure(i: number, model: QuoteModelName, gamma: number): void {
    const code = CODES[model];
    if (code === undefined) {
      throw new RangeError(`quote model "${model}" is not one of grid, microprice, glft`);
    }
    if (this.#model[i] === code && this.#gamma[i] === gamma) return;
    const k = this.#kernel;
    if (this.#model[i] !== code) {
      this.#model[i] = code;
      k.bestBidSz[i] = 0;
      k.bestAskSz[i] = 0;
      if (code === MODEL_GLFT) {
        this.#anyGlft = true;
        this.#volatility[i] ??= new VolatilityEstimator({ windowMs: this.windowMs });
        this.#intensity[i] ??= new TradeIntensityEstimator({ windowMs: this.windowMs });
      }
    }
    this.#gamma[i] = gamma;
    const estimate = this.#estimate[i];
    if (code === MODEL_GLFT && estimate !== null) this.#apply(i, estimate.sigma, estimate);
    else k.quoteModel[i] = code === MODEL_GLFT ? MODEL_GRID : code;
    this.#changed[i] = 1;
  }

  /** The model coin `i` is configured with. */
  modelOf(i: number): QuoteModelName {
    return QUOTE_MODELS[this.#model[i]];
  }

  /** Coin `i`'s latest GLFT estimate, or null (not glft, or not enough data yet). */
  estimateOf(i: number): GlftEstimate | null {
    return this.#estimate[i];
  }

  /** A book of coin `i` whose mid is `mid` (0 when unusable). */
  onBook(i: number, book: BookSnapshot, mid: number): void {
    const model = this.#model[i];
    if (model === MODEL_GRID) return;
    if (model === MODEL_MICROPRICE) {
      const k = this.#kernel;
      const bidSz = mid > 0 ? book.bids[0]?.sz ?? 0 : 0;
      const askSz = mid > 0 ? book.asks[0]?.sz ?? 0 : 0;
      if (k.bestBidSz[i] !== bidSz || k.bestAskSz[i] !== askSz) {
        k.bestBidSz[i] = bidSz;
        k.bestAskSz[i] = askSz;
        this.#changed[i] = 1;
      }
      return;
    }
    this.#intensity[i]!.observe(book.timeMs);
    if (mid > 0) this.#volatility[i]!.onMid(mid, book.timeMs);
  }

  /** A public trade of coin `i`, with the mid of the latest book before it. */
  onTrade(i: number, trade: Trade, mid: number): void {
    if (this.#model[i] !== MODEL_GLFT) return;
    this.#intensity[i]!.onTrade(trade.px, trade.side === "B", trade.timeMs, mid);
  }

  /** On the loop's tick: re-estimates every glft coin when `refreshMs` has passed. */
  refresh(nowMs: number): void {
    if (!this.#anyGlft || nowMs < this.#nextRefreshMs) return;
    this.#nextRefreshMs = nowMs + this.refreshMs;
    for (let i = 0; i < this.#model.length; i++) {
      if (this.#model[i] !== MODEL_GLFT) continue;
      const sigma = this.#volatility[i]!.sigma();
      const intensity = this.#intensity[i]!.fit();
      if (sigma === null || intensity === null) continue;
      const first = this.#estimate[i] === null;
      this.#apply(i, sigma, intensity);
      this.#onEstimate(i, this.#estimate[i]!, first);
    }
  }

  /** Whether coin `i`'s model inputs changed since the last call (and clears the flag). */
  takeChanged(i: number): boolean {
    if (this.#changed[i] === 0) return false;
    this.#changed[i] = 0;
    return true;
  }

  #apply(i: number, sigma: number, intensity: TradeIntensity): void {
    const gamma = this.#gamma[i];
    const coefficients = glftCoefficients(gamma, intensity.a, intensity.k);
    this.#estimate[i] = {
      gamma,
      sigma,
      a: intensity.a,
      k: intensity.k,
      arrivals: intensity.arrivals,
      ...coefficients,
      halfSpreadBps: glftHalfSpreadBps(coefficients, sigma),
      skewBpsPerOrder: sigma * coefficients.c2,
    };
    const k = this.#kernel;
    if (
      k.quoteModel[i] === MODEL_GLFT && k.glftC1[i] === coefficients.c1 &&
      k.glftC2[i] === coefficients.c2 && k.glftSigma[i] === sigma
    ) return;
    k.quoteModel[i] = MODEL_GLFT;
    k.glftC1[i] = coefficients.c1;
    k.glftC2[i] = coefficients.c2;
    k.glftSigma[i] = sigma;
    this.#changed[i] = 1;
  }
}

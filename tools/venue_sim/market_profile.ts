/**
 * The parameters the synthetic market draws from, fitted to real Hyperliquid recordings by
 * `deno task fit-market` and committed in `market_fit.json` (numbers only, with the dataset they
 * came from; never the data). Each simulated coin takes the profile of its own name when the
 * fit has one (BTC, ETH, SOL), else the profile of a fitted coin of its kind (see
 * {@link profileFor}), with order and taker sizes scaled by its daily volume.
 */

import FIT from "./market_fit.json" with { type: "json" };
import type { MarketStats, Quantiles } from "../market_fit/stats.ts";
import type { SimCoin } from "./universe.ts";

/** What the generator needs for one coin (times are market time, ms). */
export interface GeneratorParams {
  /** Time between book snapshots, ms (drawn between these quantiles). */
  cadenceMs: Quantiles;
  /** Volatility of the fair price averaged over the regimes, fraction per √ms. */
  sigmaPerSqrtMs: number;
  /**
   * Moves of the fair price per ms: it moves in jumps (the recordings' mid changes in only 18–26 %
   * of the liquid coins' snapshots, by several ticks), each of log-size N(0, σ² / rate).
   */
  movesPerMs: number;
  /** Share of the crowd's orders that follow a move of the fair price (cancel and re-place). */
  followShare: number;
  /** Mean crowd orders resting k ticks behind the fair price (k = 0 nearest), per side. */
  ordersAt: number[];
  /** Median notional of one crowd order k ticks behind the fair price, USD. */
  orderUsdAt: number[];
  /** Log-normal spread of one crowd order's notional (σ of its logarithm). */
  orderUsdSigma: number;
  /** Rate at which each resting crowd order is cancelled, per ms. */
  cancelPerMs: number;
  /**
   * Share of the crowd's new orders that are dust: the exchange's minimum order (about $11),
   * left resting for long (they neither follow the fair price nor cancel at the crowd's rate).
   * The recordings' books hold many (the main dataset's BTC prints are often 0.00011 BTC): they
   * are the makers a taker meets besides the large ones (prints per taker), and they keep a
   * price alive that the large orders left (how often level 3 empties without a trade).
   */
  dustShare: number;
  /** Rate at which each resting dust order is cancelled, per ms. */
  dustCancelPerMs: number;
  /** Taker orders per ms (before turbulence and bursts, which the generator averages out). */
  takersPerMs: number;
  /** Notional of one taker order, USD (drawn between these quantiles). */
  takerUsd: Quantiles & { p99: number };
  /** Notional traded a day at these rates, USD (scales the profile to other coins). */
  dayNtlVlmUsd: number;
}

/** A fitted coin: the real statistics and the generator parameters fitted to them. */
export interface FittedProfile {
  stats: MarketStats;
  params: GeneratorParams;
}

/** The committed fit: where it came from and one profile per fitted coin. */
export interface MarketFit {
  /** The dataset the numbers were fitted to (a path under ../shared/real-data/ and its window). */
  source: string;
  /** The command that recomputes the file. */
  command: string;
  profiles: Record<string, FittedProfile>;
}

/** The committed fit (tools/venue_sim/market_fit.json). */
export const MARKET_FIT = FIT as unknown as MarketFit;

// A coin whose tick is at least this share of its price quotes one tick wide at most (it cannot
// afford the wide-in-ticks shape of a small coin: a tick there is already 10 bps or more).
const COARSE_TICK = 0.001;

/**
 * The profile a simulated coin draws from and the factor its sizes are scaled by: its own, else
 * (a tick of 10 bps or more) the most traded fitted coin's, else the fitted coin nearest to it in
 * daily volume (by ratio).
 */
export function profileFor(
  coin: SimCoin,
  tickFraction: number,
  fit: MarketFit = MARKET_FIT,
): { name: string; params: GeneratorParams; scale: number } {
  const own = fit.profiles[coin.name];
  if (own) return { name: coin.name, params: own.params, scale: 1 };
  const names = Object.keys(fit.profiles);
  if (names.length === 0) throw new Error("market fit: no fitted profile to draw a market from");
  const volume = (n: string) => fit.profiles[n].params.dayNtlVlmUsd;
  const distance = (n: string) => Math.abs(Math.log(volume(n) / coin.dayNtlVlm));
  const name = tickFraction >= COARSE_TICK
    ? names.reduce((a, b) => (volume(b) > volume(a) ? b : a))
    : names.reduce((a, b) => (distance(b) < distance(a) ? b : a));
  const params = fit.profiles[name].params;
  return { name, params, scale: coin.dayNtlVlm / params.dayNtlVlmUsd };
}

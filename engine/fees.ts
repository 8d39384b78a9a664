/**
 * Maker fee models. Hyperliquid charges makers at every tier below the top volume tiers, so
 * shadow PnL subtracts a fee; a rebate is modelled as a negative rate (only real for makers
 * with a large share of exchange volume). Swappable, like hftbacktest's fee models.
 */

import { BASE_MAKER_FEE_RATE } from "./hyperliquid/exchange_facts.ts";

/** Bounds for a configured maker rate: -0.1% (a rebate no venue pays) to 1% (no venue charges). */
const MIN_RATE = -0.001;
const MAX_RATE = 0.01;

/** How much a maker fill costs; negative results are rebates. */
export interface FeeModel {
  /** Maker fee as a fraction of notional (negative = rebate). */
  readonly makerRate: number;
  /**
   * Fee in USD for a maker fill of `notionalUsd` on `coin` (positive = paid); a coin of a
   * builder dex pays its dex's multiple of the rate (see {@link marketMakerFee}).
   */
  makerFeeUsd(notionalUsd: number, coin?: string): number;
}

/** A flat maker rate on notional; throws naming the value when it is not a plausible rate. */
export function flatMakerFee(rate: number = BASE_MAKER_FEE_RATE): FeeModel {
  if (!Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw new Error(
      `maker fee rate ${rate} is not a fraction of notional in [${MIN_RATE}, ${MAX_RATE}] ` +
        `(${BASE_MAKER_FEE_RATE} is Hyperliquid's base tier; a rebate is negative, e.g. -0.00003)`,
    );
  }
  return { makerRate: rate, makerFeeUsd: (notionalUsd) => notionalUsd * rate };
}

/**
 * A maker rate scaled per market: each coin of a builder-deployed dex (HIP-3) pays `rate` times
 * its dex's fee multiplier (perp_dexs.ts `feeMultiplier`: the deployer's fee scale, growth mode);
 * coins not in `multipliers` pay `rate`.
 */
export function marketMakerFee(
  rate: number,
  multipliers: Readonly<Record<string, number>>,
): FeeModel {
  flatMakerFee(rate); // checks the rate, naming it when implausible
  for (const [coin, m] of Object.entries(multipliers)) {
    if (!Number.isFinite(m) || m < 0) {
      throw new Error(`fee multiplier of ${coin} must be a non-negative number, got ${m}`);
    }
  }
  return {
    makerRate: rate,
    makerFeeUsd: (notionalUsd, coin) => notionalUsd * rate * (multipliers[coin ?? ""] ?? 1),
  };
}

/** Hyperliquid: a priority rate counts in 1e-8 of notional (docs "Priority fees"). */
export const PRIORITY_RATE_UNIT = 1e-8;

/** Hyperliquid: the highest priority rate, 1e8 × 1e-8 = the whole notional (TS SDK v0.33). */
export const MAX_PRIORITY_RATE = 100_000_000;

/** The priority fee of placing `notionalUsd` post-only at `rate` (1e-8 units), USD, filled or not. */
export function priorityFeeUsd(notionalUsd: number, rate: number): number {
  return notionalUsd * rate * PRIORITY_RATE_UNIT;
}

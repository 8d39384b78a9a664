/**
 * Per-coin quoting parameters as the screener publishes them (`MmAssetConfig`, README "Redis
 * bridge"), their defaults, and the field-by-field check every entry passes before the engine uses
 * it. Field names are snake_case because this is a wire format shared with screeners written in
 * other languages (the screener's Rust `MmAssetConfig` serialises them this way).
 */
import { MIN_ORDER_VALUE_USD } from "./hyperliquid/exchange_facts.ts";
import { QUOTE_MODELS, type QuoteModelName } from "./quote_models/names.ts";

/** Volatility regime of a coin: quote normally, quote wider, or do not quote. */
export type Regime = "calm" | "uncertain" | "halt";

/** The regimes a config may name. */
export const REGIMES: readonly Regime[] = ["calm", "uncertain", "halt"];

/** One coin's quoting parameters (`MmAssetConfig`, README "Redis bridge"). */
export interface MmAssetConfig {
  /** Coin name as in the Hyperliquid universe (`BTC`, `kPEPE`). */
  coin: string;
  /** Half-spread of the tightest grid level, basis points. */
  base_spread_bps: number;
  /** Inventory at which skewing is full, USD. */
  max_inv_usd: number;
  /** Size of the tightest grid level, USD (levels are ×1, ×2, ×3). */
  min_order_usd: number;
  /** Expected ATR as a fraction of price. */
  atr_fraction: number;
  regime: Regime;
  /** Quote model (engine/quote_models/models.ts); absent: the engine's `MM_QUOTE_MODEL`. */
  quote_model?: QuoteModelName;
  /** GLFT risk aversion, per (bps x order); absent: the engine's `MM_GLFT_GAMMA`. */
  glft_gamma?: number;
}

/** The defaults in camelCase, structurally the same as `AssetDefaults` in engine/config.ts. */
export interface AssetDefaults {
  baseSpreadBps: number;
  maxInvUsd: number;
  minOrderUsd: number;
  atrFraction: number;
  regime: Regime;
}

/** Spec section 5 defaults, used for every coin without a fresh screener config. */
export const DEFAULT_ASSET: AssetDefaults = {
  baseSpreadBps: 1.5,
  maxInvUsd: 200,
  minOrderUsd: 12,
  atrFraction: 0.002,
  regime: "calm",
};

/** An inclusive range a quoting parameter must lie in. */
export interface Bound {
  min: number;
  max: number;
  /** What the number measures, for messages. */
  unit: string;
}

/**
 * The one set of limits for the quoting parameters, whoever sets them: the environment's
 * defaults (engine/config.ts, MM_BASE_SPREAD_BPS and the rest) and every screener config from
 * Redis (checkAssetConfig). Why each bound:
 * - base_spread_bps ≤ 100 (1% per side): far wider than any maker quote worth posting on a
 *   Hyperliquid perp; a larger value is almost certainly a unit slip (percent or a fraction).
 *   ≥ 0.1: below a tenth of a basis point every quote sits inside the tick.
 * - min_order_usd ≥ MIN_ORDER_VALUE_USD ($10): Hyperliquid refuses smaller orders. ≤ 1e6: a million dollars per order
 *   is past any account this engine is meant for; more (1e9) only stops the coin quoting.
 * - max_inv_usd ≤ 1e9: the same reasoning for inventory; it must also reach min_order_usd.
 * - atr_fraction ≤ 0.5: an ATR of half the price per bar means the data or the unit is wrong;
 *   ≥ 1e-6 (a hundredth of a basis point): zero would mean no market at all.
 */
export const ASSET_BOUNDS = {
  base_spread_bps: { min: 0.1, max: 100, unit: "bps" },
  min_order_usd: { min: MIN_ORDER_VALUE_USD, max: 1e6, unit: "USD" },
  max_inv_usd: { min: MIN_ORDER_VALUE_USD, max: 1e9, unit: "USD" },
  atr_fraction: { min: 1e-6, max: 0.5, unit: "a fraction of price" },
} as const satisfies Record<string, Bound>;

/**
 * Largest amount of money the engine accepts anywhere, USD: the largest starting balance the
 * environment takes (MM_STARTING_BALANCE_USD), and the bound of every position's notional and
 * session amount in a state file (engine/state.ts), so a corrupt 1e308 is refused by name
 * instead of reported as PnL $Infinity.
 */
export const MAX_AMOUNT_USD = 1e12;

/** Largest half-spread a config may ask for, basis points. */
export const MAX_BASE_SPREAD_BPS = ASSET_BOUNDS.base_spread_bps.max;

/** Whether `value` is a finite number within `bound`. */
export function withinBound(value: number, bound: Bound): boolean {
  return Number.isFinite(value) && value >= bound.min && value <= bound.max;
}

/** "a number from 10 to 1000000 (USD)": what a bound allows, for error messages. */
export function describeBound(bound: Bound): string {
  return `a number from ${bound.min} to ${bound.max} (${bound.unit})`;
}

// At 100 per bps-order, BTC on the real recording (README, "Quote models": sigma 0.38 bps/√s,
// A 0.45/s, k 2.6/bps) would quote 8 bps from the mid and skew 16 bps per order held, far past any
// useful quote: a larger value is almost certainly a unit slip.
/** Largest GLFT risk aversion a config may ask for, per (bps x order). */
export const MAX_GLFT_GAMMA = 100;

/** The config a coin gets when the screener has nothing fresh for it. */
export function defaultAssetConfig(
  coin: string,
  defaults: AssetDefaults = DEFAULT_ASSET,
): MmAssetConfig {
  return {
    coin,
    base_spread_bps: defaults.baseSpreadBps,
    max_inv_usd: defaults.maxInvUsd,
    min_order_usd: defaults.minOrderUsd,
    atr_fraction: defaults.atrFraction,
    regime: defaults.regime,
  };
}

/** Outcome of {@link checkAssetConfig}: the usable config, or the coin and field that failed. */
export type AssetConfigCheck =
  | { ok: true; config: MmAssetConfig }
  | { ok: false; coin: string | null; field: string; reason: string };

/**
 * Checks one published entry field by field. `coin` is required and must be in the universe;
 * any other field may be omitted (it then takes the engine's default) but, when present, must
 * be valid. Unknown extra fields are ignored so a screener can add fields before the engine
 * knows them. The first failing field is reported.
 */
export function checkAssetConfig(
  entry: unknown,
  isKnownCoin: (coin: string) => boolean,
  defaults: AssetDefaults = DEFAULT_ASSET,
): AssetConfigCheck {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return { ok: false, coin: null, field: "entry", reason: "is not a JSON object" };
  }
  const raw = entry as Record<string, unknown>;
  const coin = raw.coin;
  if (typeof coin !== "string" || coin.length === 0) {
    return { ok: false, coin: null, field: "coin", reason: "is missing or not a non-empty string" };
  }
  const fail = (field: string, reason: string): AssetConfigCheck => ({
    ok: false,
    coin,
    field,
    reason: `${field}=${JSON.stringify(raw[field]) ?? "undefined"} ${reason}`,
  });
  if (!isKnownCoin(coin)) return fail("coin", "is not a coin of the universe");

  const number = (field: string, fallback: number): number | null => {
    const value = raw[field];
    if (value === undefined) return fallback;
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  };

  const bounded = (field: keyof typeof ASSET_BOUNDS, fallback: number): number | null => {
    const value = number(field, fallback);
    return value !== null && withinBound(value, ASSET_BOUNDS[field]) ? value : null;
  };
  const spread = bounded("base_spread_bps", defaults.baseSpreadBps);
  if (spread === null) {
    return fail("base_spread_bps", `must be ${describeBound(ASSET_BOUNDS.base_spread_bps)}`);
  }
  const minOrder = bounded("min_order_usd", defaults.minOrderUsd);
  if (minOrder === null) {
    return fail(
      "min_order_usd",
      `must be ${
        describeBound(ASSET_BOUNDS.min_order_usd)
      }; Hyperliquid's minimum order is $${MIN_ORDER_VALUE_USD}, and no order may exceed $1,000,000`,
    );
  }
  const maxInv = bounded("max_inv_usd", defaults.maxInvUsd);
  if (maxInv === null) {
    return fail("max_inv_usd", `must be ${describeBound(ASSET_BOUNDS.max_inv_usd)}`);
  }
  if (maxInv < minOrder) {
    return fail("max_inv_usd", `must be at least min_order_usd (${minOrder}): one order`);
  }
  const atr = bounded("atr_fraction", defaults.atrFraction);
  if (atr === null) {
    return fail("atr_fraction", `must be ${describeBound(ASSET_BOUNDS.atr_fraction)}`);
  }
  const regime = raw.regime ?? defaults.regime;
  if (typeof regime !== "string" || !REGIMES.includes(regime as Regime)) {
    return fail("regime", `must be one of ${REGIMES.join(", ")}`);
  }
  const config: MmAssetConfig = {
    coin,
    base_spread_bps: spread,
    max_inv_usd: maxInv,
    min_order_usd: minOrder,
    atr_fraction: atr,
    regime: regime as Regime,
  };
  const model = raw.quote_model;
  if (model !== undefined) {
    if (typeof model !== "string" || !QUOTE_MODELS.includes(model as QuoteModelName)) {
      return fail("quote_model", `must be one of ${QUOTE_MODELS.join(", ")}`);
    }
    config.quote_model = model as QuoteModelName;
  }
  const gamma = raw.glft_gamma;
  if (gamma !== undefined) {
    if (typeof gamma !== "number" || !(gamma > 0 && gamma <= MAX_GLFT_GAMMA)) {
      return fail("glft_gamma", `must be a number in (0, ${MAX_GLFT_GAMMA}] per bps-order`);
    }
    config.glft_gamma = gamma;
  }
  return { ok: true, config };
}

/** Whether two configs quote the same way (used to log and notify only real changes). */
export function sameAssetConfig(a: MmAssetConfig, b: MmAssetConfig): boolean {
  return a.coin === b.coin && a.base_spread_bps === b.base_spread_bps &&
    a.max_inv_usd === b.max_inv_usd && a.min_order_usd === b.min_order_usd &&
    a.atr_fraction === b.atr_fraction && a.regime === b.regime &&
    a.quote_model === b.quote_model && a.glft_gamma === b.glft_gamma;
}

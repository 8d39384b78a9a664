/**
 * Per-coin quoting parameters as the screener publishes them (spec section 5, `MmAssetConfig`),
 * their defaults, and the field-by-field check every entry passes before the engine uses it.
 * Field names are snake_case because this is a wire format shared with screeners written in
 * other languages (the spec's Rust struct serialises them this way).
 */
import { QUOTE_MODELS, type QuoteModelName } from "./quote_models/names.ts";

/** Volatility regime of a coin: quote normally, quote wider, or do not quote. */
export type Regime = "calm" | "uncertain" | "halt";

/** The regimes a config may name. */
export const REGIMES: readonly Regime[] = ["calm", "uncertain", "halt"];

/** One coin's quoting parameters (spec `MmAssetConfig`). */
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

// Hyperliquid: an order's notional must be at least $10.
/** The exchange's minimum order notional, USD. */
export const EXCHANGE_MIN_NOTIONAL_USD = 10;

// 100 bps = 1% per side: far wider than any maker quote worth posting on a Hyperliquid perp;
// a larger value is almost certainly a unit slip (percent or a fraction sent as bps).
/** Largest half-spread a config may ask for, basis points. */
export const MAX_BASE_SPREAD_BPS = 100;

// An ATR of half the price per bar means the market data (or the unit) is wrong.
/** Exclusive upper bound of `atr_fraction`. */
export const MAX_ATR_FRACTION = 0.5;

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

  const spread = number("base_spread_bps", defaults.baseSpreadBps);
  if (spread === null || spread <= 0 || spread > MAX_BASE_SPREAD_BPS) {
    return fail("base_spread_bps", `must be a number in (0, ${MAX_BASE_SPREAD_BPS}] bps`);
  }
  const minOrder = number("min_order_usd", defaults.minOrderUsd);
  if (minOrder === null || minOrder < EXCHANGE_MIN_NOTIONAL_USD) {
    return fail(
      "min_order_usd",
      `must be a number >= ${EXCHANGE_MIN_NOTIONAL_USD} (Hyperliquid's minimum order is $10)`,
    );
  }
  const maxInv = number("max_inv_usd", defaults.maxInvUsd);
  if (maxInv === null || maxInv <= 0) return fail("max_inv_usd", "must be a number > 0");
  if (maxInv < minOrder) {
    return fail("max_inv_usd", `must be at least min_order_usd (${minOrder}): one order`);
  }
  const atr = number("atr_fraction", defaults.atrFraction);
  if (atr === null || atr <= 0 || atr >= MAX_ATR_FRACTION) {
    return fail("atr_fraction", `must be a number in (0, ${MAX_ATR_FRACTION})`);
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

// The 3-tier quote grid with inventory skew, for every coin in one call.
//
// For coin c with mid = (bestBid + bestAsk) / 2, h = base_spread_bps, r = clamp(regime, 1, 4),
// q = clamp(inventory_usd / max_inv_usd, -1, 1) and level factors F = 1, 2.5, 5:
//   u     = h * r / 10^4   (the regime-scaled base half-spread as a fraction)
//   bid_L = mid * (1 - (F_L + SKEW_GAIN * q) * u)   rounded down to a valid price
//   ask_L = mid * (1 + (F_L - SKEW_GAIN * q) * u)   rounded up to a valid price
// that is, the whole grid shifts by -SKEW_GAIN * q * h * r bps: down when long, up when short.
// With SKEW_GAIN = 1 the unwinding level-1 quote reaches the mid at full inventory and never
// passes it, so skew alone never crosses the book. When inventory_usd / max_inv_usd >= 1 no
// bid is quoted, when <= -1 no ask (the side that would grow the position).
// Size_L = min_order_usd * (1, 2, 3) / price_L rounded down to szDecimals; a level under the
// $10 exchange minimum is not quoted. Bids may sit inside the spread (above the best bid)
// but always strictly below the best ask; asks strictly above the best bid.

import {
  ASK_PX_OFFSET,
  ASK_SZ_OFFSET,
  BASE_SPREAD_BPS_OFFSET,
  BEST_ASK_OFFSET,
  BEST_BID_OFFSET,
  BID_PX_OFFSET,
  BID_SZ_OFFSET,
  GRID_LEVELS,
  INVENTORY_USD_OFFSET,
  MAX_COINS,
  MAX_INV_USD_OFFSET,
  MIN_ORDER_USD_OFFSET,
  REGIME_MULTIPLIER_OFFSET,
  SIDE_ASK,
  SIDE_BID,
  SIDE_MASK_OFFSET,
  STATUS_BAD_INPUT,
  STATUS_BELOW_MIN_NOTIONAL,
  STATUS_CROSSED_BOOK,
  STATUS_EMPTY_BOOK,
  STATUS_INVENTORY_LIMIT,
  STATUS_OFFSET,
  STATUS_OK,
  STATUS_PRICE_UNREPRESENTABLE,
  SZ_DECIMALS_OFFSET,
  TICK_OFFSET,
} from "../layout";
import { ceilTo, floorTo, pow10, priceDecimals } from "./price";

/** Grid shift per unit of q, in multiples of the regime-scaled base half-spread. */
const SKEW_GAIN: f64 = 1.0;
/** Hyperliquid: minimum order value is $10 (perps). */
const MIN_NOTIONAL_USD: f64 = 10.0;
/** Prices at or above this are bad input: scaled prices then stay exact integers (< 2^53). */
const MAX_PRICE: f64 = 1e12;
/** min_order_usd above this is bad input: scaled sizes then stay exact integers (< 2^53). */
const MAX_ORDER_USD: f64 = 1e6;
/** Largest szDecimals a perp price rule allows (6 - szDecimals decimals must be >= 0). */
const MAX_SZ_DECIMALS: i32 = 6;

/** Quotes coins 0..coinCount-1; returns how many coins were beyond capacity (not quoted). */
export function computeQuotes(coinCount: i32): i32 {
  const n = coinCount < 0 ? 0 : coinCount > MAX_COINS ? MAX_COINS : coinCount;
  for (let c = 0; c < n; c++) quoteCoin(c);
  return coinCount > MAX_COINS ? coinCount - MAX_COINS : 0;
}

function isFiniteNumber(x: f64): bool {
  return x - x == 0.0;
}

function inputStatus(c: i32): i32 {
  const f = c << 3;
  const bid = load<f64>(BEST_BID_OFFSET + f);
  const ask = load<f64>(BEST_ASK_OFFSET + f);
  const maxInv = load<f64>(MAX_INV_USD_OFFSET + f);
  const spread = load<f64>(BASE_SPREAD_BPS_OFFSET + f);
  const minOrder = load<f64>(MIN_ORDER_USD_OFFSET + f);
  if (
    !(bid >= 0.0 && bid < MAX_PRICE) || !(ask >= 0.0 && ask < MAX_PRICE) ||
    <i32>load<u8>(SZ_DECIMALS_OFFSET + c) > MAX_SZ_DECIMALS ||
    !isFiniteNumber(load<f64>(INVENTORY_USD_OFFSET + f)) ||
    !(maxInv > 0.0 && isFiniteNumber(maxInv)) ||
    !(spread >= 0.0 && isFiniteNumber(spread)) ||
    !(minOrder > 0.0 && minOrder <= MAX_ORDER_USD) ||
    !isFiniteNumber(load<f64>(REGIME_MULTIPLIER_OFFSET + f))
  ) return STATUS_BAD_INPUT;
  if (bid == 0.0 || ask == 0.0) return STATUS_EMPTY_BOOK;
  if (bid >= ask) return STATUS_CROSSED_BOOK;
  return STATUS_OK;
}

function clearLevels(c: i32): void {
  for (let l = 0; l < GRID_LEVELS; l++) {
    const o = (c * GRID_LEVELS + l) << 3;
    store<f64>(BID_PX_OFFSET + o, 0.0);
    store<f64>(BID_SZ_OFFSET + o, 0.0);
    store<f64>(ASK_PX_OFFSET + o, 0.0);
    store<f64>(ASK_SZ_OFFSET + o, 0.0);
  }
}

function quoteCoin(c: i32): void {
  clearLevels(c);
  const status = inputStatus(c);
  if (status != STATUS_OK) {
    store<f64>(TICK_OFFSET + (c << 3), 0.0);
    store<u8>(STATUS_OFFSET + c, <u8>status);
    return;
  }
  const f = c << 3;
  const bestBid = load<f64>(BEST_BID_OFFSET + f);
  const bestAsk = load<f64>(BEST_ASK_OFFSET + f);
  const szDecimals = <i32>load<u8>(SZ_DECIMALS_OFFSET + c);
  const mask = <i32>load<u8>(SIDE_MASK_OFFSET + c);
  const regime = load<f64>(REGIME_MULTIPLIER_OFFSET + f);
  const ratio = load<f64>(INVENTORY_USD_OFFSET + f) / load<f64>(MAX_INV_USD_OFFSET + f);
  const minOrder = load<f64>(MIN_ORDER_USD_OFFSET + f);

  const mid = (bestBid + bestAsk) * 0.5;
  const multiplier = regime < 1.0 ? 1.0 : regime > 4.0 ? 4.0 : regime;
  const q = ratio > 1.0 ? 1.0 : ratio < -1.0 ? -1.0 : ratio;
  // The regime-scaled base half-spread as a fraction of the mid (bps / 10^4).
  const unit = load<f64>(BASE_SPREAD_BPS_OFFSET + f) * multiplier / 10000.0;
  const skew = SKEW_GAIN * q;
  const sizeScale = pow10(szDecimals);
  store<f64>(TICK_OFFSET + f, 1.0 / pow10(priceDecimals(mid, szDecimals)));

  let flags = STATUS_OK;
  let bidOn = (mask & SIDE_BID) != 0;
  let askOn = (mask & SIDE_ASK) != 0;
  if (bidOn && ratio >= 1.0) {
    bidOn = false;
    flags |= STATUS_INVENTORY_LIMIT;
  }
  if (askOn && ratio <= -1.0) {
    askOn = false;
    flags |= STATUS_INVENTORY_LIMIT;
  }
  for (let l = 0; l < GRID_LEVELS; l++) {
    const offset = l == 0 ? 1.0 : l == 1 ? 2.5 : 5.0; // spec: 1.5, 3.75, 7.5 bps at h = 1.5
    const usd = minOrder * <f64>(l + 1); // spec: $12, $24, $36 at min_order_usd = 12
    const o = (c * GRID_LEVELS + l) << 3;
    if (bidOn) {
      const raw = mid * (1.0 - (offset + skew) * unit);
      flags |= placeLevel(
        raw, true, bestBid, bestAsk, szDecimals, sizeScale, usd,
        BID_PX_OFFSET + o, BID_SZ_OFFSET + o,
      );
    }
    if (askOn) {
      const raw = mid * (1.0 + (offset - skew) * unit);
      flags |= placeLevel(
        raw, false, bestBid, bestAsk, szDecimals, sizeScale, usd,
        ASK_PX_OFFSET + o, ASK_SZ_OFFSET + o,
      );
    }
  }
  store<u8>(STATUS_OFFSET + c, <u8>flags);
}

@inline function placeLevel(
  raw: f64,
  isBid: bool,
  bestBid: f64,
  bestAsk: f64,
  szDecimals: i32,
  sizeScale: f64,
  usd: f64,
  pxAt: i32,
  szAt: i32,
): i32 {
  if (!(raw > 0.0)) return STATUS_PRICE_UNREPRESENTABLE;
  const scale = pow10(priceDecimals(raw, szDecimals));
  // Rounding never makes a quote more aggressive: bids down, asks up.
  const px = isBid ? floorTo(raw, scale) : ceilTo(raw, scale);
  // Post-only: a bid at or above the best ask (an ask at or below the best bid) would cross.
  if (px <= 0.0 || (isBid ? px >= bestAsk : px <= bestBid)) return STATUS_PRICE_UNREPRESENTABLE;
  const sz = floorTo(usd / px, sizeScale);
  if (px * sz < MIN_NOTIONAL_USD) return STATUS_BELOW_MIN_NOTIONAL;
  store<f64>(pxAt, px);
  store<f64>(szAt, sz);
  return STATUS_OK;
}

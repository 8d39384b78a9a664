// The 3-tier quote grid with inventory skew, for every coin in one call, under one of three
// quote models (the coin's QUOTE_MODEL input).
//
// MODEL_GRID (the default; README, "The grid"). For coin c with mid = (bestBid + bestAsk) / 2,
// h = base_spread_bps, r = clamp(regime, 1, 4), q = clamp(inventory_usd / max_inv_usd, -1, 1) and
// level factors F = 1, 2.5, 5:
//   u     = h * r / 10^4   (the regime-scaled base half-spread as a fraction)
//   bid_L = mid * (1 - (F_L + SKEW_GAIN * q) * u)   rounded down to a valid price
//   ask_L = mid * (1 + (F_L - SKEW_GAIN * q) * u)   rounded up to a valid price
// that is, the whole grid shifts by -SKEW_GAIN * q * h * r bps: down when long, up when short.
// With SKEW_GAIN = 1 the unwinding level-1 quote reaches the mid at full inventory and never
// passes it, so skew alone never crosses the book.
//
// MODEL_MICROPRICE: the same grid around p = (bestBid * askSz + bestAsk * bidSz) / (bidSz + askSz),
// the top of book weighted by the opposite side's size (it leans toward the thinner side, where
// the price is more likely to go next); the mid when either size is unknown (0).
//
// MODEL_GLFT: Gueant, Lehalle and Fernandez-Tapia, "Dealing with the inventory risk: a solution to
// the market making problem" (2013), closed form as in hftbacktest's tutorial "GLFT market making
// model and grid trading", in basis points of the mid, seconds and orders of min_order_usd:
//   half  = c1 + sigma * c2 / 2       (the optimal half-spread, bps)
//   s     = sigma * c2 * Q            (the inventory skew, bps; Q = inventory_usd / min_order_usd)
//   bid_L = mid * (1 - (F_L * half + s) * r / 10^4)
//   ask_L = mid * (1 + (F_L * half - s) * r / 10^4)
// with s clamped to [-half, half] so, as in the grid, the unwinding level-1 quote reaches the mid
// at most. c1 and c2 hold the logarithm and power of gamma, A and k (engine/quote_models/glft.ts
// computes them when the estimates change, off the tick path); sigma is re-estimated online too.
//
// Every model: when inventory_usd / max_inv_usd >= 1 no bid is quoted, when <= -1 no ask (the side
// that would grow the position). Size_L = min_order_usd * (1, 2, 3) / price_L rounded down to
// szDecimals; a level under the $10 exchange minimum is not quoted. Bids may sit inside the spread
// (above the best bid) but always strictly below the best ask; asks strictly above the best bid.

import {
  ASK_PX_OFFSET,
  ASK_SZ_OFFSET,
  BASE_SPREAD_BPS_OFFSET,
  BEST_ASK_OFFSET,
  BEST_ASK_SZ_OFFSET,
  BEST_BID_OFFSET,
  BEST_BID_SZ_OFFSET,
  BID_PX_OFFSET,
  BID_SZ_OFFSET,
  GLFT_C1_OFFSET,
  GLFT_C2_OFFSET,
  GLFT_SIGMA_OFFSET,
  GRID_LEVELS,
  INVENTORY_USD_OFFSET,
  MAX_COINS,
  MAX_INV_USD_OFFSET,
  MIN_ORDER_USD_OFFSET,
  MODEL_GLFT,
  MODEL_GRID,
  MODEL_MICROPRICE,
  QUOTE_MODEL_OFFSET,
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
import { MIN_ORDER_VALUE_USD, PERP_MAX_DECIMALS } from "../../engine/hyperliquid/exchange_facts";
import { ceilTo, floorTo, pow10, priceDecimals } from "./price";

/** Grid shift per unit of q, in multiples of the regime-scaled base half-spread. */
const SKEW_GAIN: f64 = 1.0;
/** Prices at or above this are bad input: scaled prices then stay exact integers (< 2^53). */
const MAX_PRICE: f64 = 1e12;
/** min_order_usd above this is bad input: scaled sizes then stay exact integers (< 2^53). */
const MAX_ORDER_USD: f64 = 1e6;
/** Largest szDecimals a perp price rule allows (6 - szDecimals decimals must be >= 0). */
const MAX_SZ_DECIMALS: i32 = PERP_MAX_DECIMALS;

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
    !isFiniteNumber(load<f64>(REGIME_MULTIPLIER_OFFSET + f)) ||
    !modelInputsValid(c, f)
  ) return STATUS_BAD_INPUT;
  if (bid == 0.0 || ask == 0.0) return STATUS_EMPTY_BOOK;
  if (bid >= ask) return STATUS_CROSSED_BOOK;
  return STATUS_OK;
}

// Only the inputs of the coin's own model are checked: a grid coin ignores the others.
function modelInputsValid(c: i32, f: i32): bool {
  const model = <i32>load<u8>(QUOTE_MODEL_OFFSET + c);
  if (model == MODEL_MICROPRICE) {
    const bidSz = load<f64>(BEST_BID_SZ_OFFSET + f);
    const askSz = load<f64>(BEST_ASK_SZ_OFFSET + f);
    return bidSz >= 0.0 && isFiniteNumber(bidSz) && askSz >= 0.0 && isFiniteNumber(askSz);
  }
  if (model == MODEL_GLFT) {
    const c1 = load<f64>(GLFT_C1_OFFSET + f);
    const c2 = load<f64>(GLFT_C2_OFFSET + f);
    const sigma = load<f64>(GLFT_SIGMA_OFFSET + f);
    return c1 > 0.0 && isFiniteNumber(c1) && c2 >= 0.0 && isFiniteNumber(c2) &&
      sigma >= 0.0 && isFiniteNumber(sigma);
  }
  return model == MODEL_GRID;
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
  const model = <i32>load<u8>(QUOTE_MODEL_OFFSET + c);
  // Grid and microprice: the regime-scaled base half-spread as a fraction (bps / 10^4) and the
  // skew in those units. GLFT: the regime as a fraction per bps, the half-spread and skew in bps.
  let unit = load<f64>(BASE_SPREAD_BPS_OFFSET + f) * multiplier / 10000.0;
  let skew = SKEW_GAIN * q;
  let half = 1.0;
  let center = mid;
  if (model == MODEL_MICROPRICE) {
    const bidSz = load<f64>(BEST_BID_SZ_OFFSET + f);
    const askSz = load<f64>(BEST_ASK_SZ_OFFSET + f);
    if (bidSz > 0.0 && askSz > 0.0) center = (bestBid * askSz + bestAsk * bidSz) / (bidSz + askSz);
  } else if (model == MODEL_GLFT) {
    const sigma = load<f64>(GLFT_SIGMA_OFFSET + f);
    const c2 = load<f64>(GLFT_C2_OFFSET + f);
    half = load<f64>(GLFT_C1_OFFSET + f) + sigma * c2 * 0.5;
    const s = sigma * c2 * (load<f64>(INVENTORY_USD_OFFSET + f) / minOrder);
    skew = s > half ? half : s < -half ? -half : s;
    unit = multiplier / 10000.0;
  }
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
    const factor = l == 0 ? 1.0 : l == 1 ? 2.5 : 5.0; // 1.5, 3.75, 7.5 bps at h = 1.5
    // The level's distance from the centre in units: F_L for the grid, F_L * half for GLFT.
    const offset = factor * half;
    const usd = minOrder * <f64>(l + 1); // $12, $24, $36 at min_order_usd = 12
    const o = (c * GRID_LEVELS + l) << 3;
    if (bidOn) {
      const raw = center * (1.0 - (offset + skew) * unit);
      flags |= placeLevel(
        raw, true, bestBid, bestAsk, szDecimals, sizeScale, usd,
        BID_PX_OFFSET + o, BID_SZ_OFFSET + o,
      );
    }
    if (askOn) {
      const raw = center * (1.0 + (offset - skew) * unit);
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
  if (px * sz < MIN_ORDER_VALUE_USD) return STATUS_BELOW_MIN_NOTIONAL;
  store<f64>(pxAt, px);
  store<f64>(szAt, sz);
  return STATUS_OK;
}

// Hyperliquid price and size rounding, in exact steps (no Math.pow, no Math.log10).
//
// A valid perp price is k / 10^e for an integer k, where e is at most 6 - szDecimals and
// at most the decimals that keep 5 significant figures; integers are always valid.
// Source: engine/hyperliquid/wire_reference.md, "Orders" (numbers from exchange_facts.ts).

import { PERP_MAX_DECIMALS } from "../../engine/hyperliquid/exchange_facts";

/** 10^e for e in 0..6, exact in f64 (the only powers the kernel needs). */
export function pow10(e: i32): f64 {
  if (e <= 0) return 1.0;
  if (e == 1) return 10.0;
  if (e == 2) return 100.0;
  if (e == 3) return 1000.0;
  if (e == 4) return 10000.0;
  if (e == 5) return 100000.0;
  return 1000000.0;
}

/** Decimals allowed for a price near px: 5 significant figures, at most 6 - szDecimals. */
export function priceDecimals(px: f64, szDecimals: i32): i32 {
  // Hyperliquid: 5 significant figures; comparisons replace floor(log10(px)).
  let sig = 6; // every decade below 0.1 allows more than the 6-decimal perp maximum
  if (px >= 10000.0) sig = 0;
  else if (px >= 1000.0) sig = 1;
  else if (px >= 100.0) sig = 2;
  else if (px >= 10.0) sig = 3;
  else if (px >= 1.0) sig = 4;
  else if (px >= 0.1) sig = 5;
  // Hyperliquid perps: at most PERP_MAX_DECIMALS - szDecimals decimals.
  const max = PERP_MAX_DECIMALS - szDecimals;
  return sig < max ? sig : max;
}

// Snap distance, in steps: a value within SNAP + SNAP_RELATIVE * |value| steps of a multiple
// is that multiple. This undoes the f64 error of mid * (1 +- bps / 10^4) (100000 * 1.00015 is
// 100015.00000000001, which must not round up to 100016) and of usd / px * 10^szDecimals
// (36 / 0.00001 is 3599999.9999999995, which must not round down to 3599999.9).
const SNAP: f64 = 1e-9;
const SNAP_RELATIVE: f64 = 1e-12;

/** x rounded down to a multiple of 1 / scale (scale an exact power of ten), snapping float noise. */
export function floorTo(x: f64, scale: f64): f64 {
  const y = x * scale;
  return Math.floor(y + (SNAP + SNAP_RELATIVE * Math.abs(y))) / scale;
}

/** x rounded up to a multiple of 1 / scale (scale an exact power of ten), snapping float noise. */
export function ceilTo(x: f64, scale: f64): f64 {
  const y = x * scale;
  // k / scale with an integer k is the nearest double to the decimal k * 10^-e.
  return Math.ceil(y - (SNAP + SNAP_RELATIVE * Math.abs(y))) / scale;
}

/**
 * Wire numbers (engine/hyperliquid/README.md § Wire numbers): prices and sizes travel as normalized
 * decimal strings, and the exchange hashes exactly those strings, so `"100.0"` instead of `"100"`
 * changes the signature. Perp prices have at most 5 significant figures and `6 - szDecimals`
 * decimals (integers always pass); sizes have at most `szDecimals` decimals.
 */

import { PERP_MAX_DECIMALS, PRICE_SIG_FIGS } from "./exchange_facts.ts";

// Official SDK `float_to_wire`: 8 decimals, and a rounding error of 1e-12 or more is refused.
const WIRE_DECIMALS = 8;
const WIRE_TOLERANCE = 1e-12;
// Relative slack when snapping a float to a decimal grid: float products like 1234.5 * 10 carry
// ~1e-16 relative noise, which must not push an on-grid value to the next step.
const GRID_SLACK = 1e-11;
// From 1e21 on, JavaScript's toFixed writes exponent notation (ECMAScript Number.prototype.toFixed,
// step "if x ≥ 10^21"), which no wire string may carry.
const EXPONENT_FROM = 1e21;

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;
const CLOID_RE = /^0x[0-9a-f]{32}$/;
const CLOID_MAX = 2n ** 128n;

/** Formats a number as the official SDK's `float_to_wire` does; throws when it would round. */
export function floatToWire(x: number): string {
  if (!Number.isFinite(x) || Math.abs(x) >= EXPONENT_FROM) {
    throw new Error(`floatToWire: ${x} is not a finite number a wire string can hold`);
  }
  const fixed = x.toFixed(WIRE_DECIMALS);
  if (Math.abs(Number(fixed) - x) >= WIRE_TOLERANCE) {
    throw new Error(`floatToWire: ${x} has more than ${WIRE_DECIMALS} decimals and would round`);
  }
  const trimmed = fixed.replace(/\.?0+$/, "");
  // Never send negative zero (the Rust SDK maps "-0" to "0").
  return trimmed === "-0" ? "0" : trimmed;
}

function assertSzDecimals(szDecimals: number): void {
  if (!Number.isInteger(szDecimals) || szDecimals < 0 || szDecimals > PERP_MAX_DECIMALS) {
    throw new Error(`szDecimals must be an integer 0..${PERP_MAX_DECIMALS}, got ${szDecimals}`);
  }
}

function assertPositive(x: number, what: string): void {
  if (!Number.isFinite(x) || x <= 0) throw new Error(`${what} must be a positive number, got ${x}`);
}

/** Splits a positive decimal (string as sent, or number via floatToWire) into digit strings. */
function decimalParts(value: string | number): { int: string; frac: string } | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return null;
    try {
      text = floatToWire(value);
    } catch {
      return null;
    }
  } else {
    text = value;
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const int = m[1].replace(/^0+/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (int === "" && frac.replace(/0/g, "") === "") return null;
  return { int, frac };
}

/** Whether a perp price is valid: an integer, or ≤5 significant figures and ≤ 6−szDecimals decimals. */
export function isValidPerpPrice(px: string | number, szDecimals: number): boolean {
  assertSzDecimals(szDecimals);
  // The usual case, a price the kernel rounded, without building its string.
  if (typeof px === "number" && px > 0 && px < 1e21 && onGrid(px, priceDecimals(px, szDecimals))) {
    return true;
  }
  const parts = decimalParts(px);
  if (!parts) return false;
  if (parts.frac === "") return true;
  if (parts.frac.length > PERP_MAX_DECIMALS - szDecimals) return false;
  const digits = (parts.int + parts.frac).replace(/^0+/, "");
  return digits.length <= PRICE_SIG_FIGS;
}

/** 10^n as the double nearest the decimal (`10 ** n` is that double for n in −22 … 22). */
function pow10(n: number): number {
  return n >= -22 && n <= 22 ? 10 ** n : Number(`1e${n}`);
}

/** Decimal exponent of a positive number: floor(log10(x)), exact at powers of ten. */
function decimalExponent(x: number): number {
  let e = Math.floor(Math.log10(x));
  if (pow10(e + 1) <= x) e += 1;
  else if (pow10(e) > x) e -= 1;
  return e;
}

/**
 * Whether a positive number is k / 10^decimals for an integer k ≥ 1 within floatToWire's
 * tolerance: its wire string then has at most `decimals` decimals. False proves nothing (the
 * string test decides).
 */
function onGrid(x: number, decimals: number): boolean {
  const scale = pow10(decimals);
  const k = Math.round(x * scale);
  return k >= 1 && Math.abs(k / scale - x) < WIRE_TOLERANCE;
}

/** Decimals a perp price may carry at this price level (so its tick is 10^-decimals). */
function priceDecimals(px: number, szDecimals: number): number {
  return Math.min(
    PERP_MAX_DECIMALS - szDecimals,
    Math.max(0, PRICE_SIG_FIGS - 1 - decimalExponent(px)),
  );
}

/** The price increment at this price level: 1 from 10,000 up, finer below (changes at each power of ten). */
export function priceTick(px: number, szDecimals: number): number {
  assertSzDecimals(szDecimals);
  assertPositive(px, "price");
  return Number(`1e-${priceDecimals(px, szDecimals)}`);
}

/** Snaps x to the grid of 10^-decimals in the given direction, forgiving float noise. */
function snap(x: number, decimals: number, direction: "down" | "up"): number {
  const scale = Number(`1e${decimals}`);
  const scaled = x * scale;
  const nearest = Math.round(scaled);
  let n: number;
  if (Math.abs(scaled - nearest) <= GRID_SLACK * Math.max(1, Math.abs(scaled))) n = nearest;
  else n = direction === "down" ? Math.floor(scaled) : Math.ceil(scaled);
  return n / scale;
}

/** Rounds a price to the nearest valid perp price below ("down") or above ("up"). */
export function roundPerpPrice(px: number, szDecimals: number, direction: "down" | "up"): number {
  assertSzDecimals(szDecimals);
  assertPositive(px, "price");
  if (direction !== "down" && direction !== "up") {
    throw new Error(`rounding direction must be "down" or "up", got ${String(direction)}`);
  }
  // Rounding up may reach the next power of ten (9.99999 → 10): that is on every coarser grid too.
  const rounded = snap(px, priceDecimals(px, szDecimals), direction);
  if (rounded <= 0) {
    throw new Error(`price ${px} rounds down to zero at szDecimals ${szDecimals}`);
  }
  return rounded;
}

/** Rounds a size down to `szDecimals` decimals (the exchange's lot size). */
export function roundSizeDown(sz: number, szDecimals: number): number {
  assertSzDecimals(szDecimals);
  if (!Number.isFinite(sz) || sz < 0) {
    throw new Error(`size must be a non-negative number, got ${sz}`);
  }
  return snap(sz, szDecimals, "down");
}

/** Whether a size is positive with at most `szDecimals` decimals. */
export function isValidSize(sz: string | number, szDecimals: number): boolean {
  assertSzDecimals(szDecimals);
  if (typeof sz === "number" && sz > 0 && sz < 1e21 && onGrid(sz, szDecimals)) return true;
  const parts = decimalParts(sz);
  return parts !== null && parts.frac.length <= szDecimals;
}

/** Whether a string is a client order id as the exchange takes it: 0x + 32 lowercase hex digits. */
export function isValidCloid(cloid: string): boolean {
  return typeof cloid === "string" && CLOID_RE.test(cloid);
}

/** Builds the cloid for an integer id, as the Python SDK's `Cloid.from_int` (42 → 0x…002a). */
export function cloidFromInt(n: number | bigint): string {
  if (typeof n === "number" && !Number.isSafeInteger(n)) {
    throw new Error(`cloid id must be a safe integer, got ${n}`);
  }
  const big = BigInt(n);
  if (big < 0n || big >= CLOID_MAX) throw new Error(`cloid id must be in [0, 2^128), got ${n}`);
  return `0x${big.toString(16).padStart(32, "0")}`;
}

/** Reads the integer back from a cloid; throws naming the value when it is not a valid cloid. */
export function cloidToBigInt(cloid: string): bigint {
  if (!isValidCloid(cloid)) {
    throw new Error(
      `cloid must be 0x followed by 32 lowercase hex digits, got ${JSON.stringify(cloid)}`,
    );
  }
  return BigInt(cloid);
}

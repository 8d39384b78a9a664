/**
 * Decimal strings for the wire: prices, sizes and USD amounts without trailing zeros, a trailing
 * dot, an exponent or float noise (engine/hyperliquid/README.md § Wire numbers), cheap enough for
 * every level of every book frame.
 */
import { floatToWire } from "../../engine/hyperliquid/wire.ts";

/** Formats a number already on a grid of 10^-decimals: at most `decimals` decimals, zeros stripped. */
export function fixed(x: number, decimals: number): string {
  const scaled = Math.round(x * POW10[decimals]);
  // Integer-to-string is far cheaper than toFixed; fall back when the integer is not exact.
  if (!Number.isSafeInteger(scaled) || decimals > 8) {
    return floatToWire(Number(x.toFixed(decimals)));
  }
  if (scaled === 0) return "0";
  const negative = scaled < 0;
  let digits = String(negative ? -scaled : scaled);
  if (decimals > 0) {
    if (digits.length <= decimals) digits = "0".repeat(decimals - digits.length + 1) + digits;
    const cut = digits.length - decimals;
    let end = digits.length;
    while (end > cut && digits.charCodeAt(end - 1) === 48) end--;
    digits = end === cut
      ? digits.slice(0, cut)
      : digits.slice(0, cut) + "." + digits.slice(cut, end);
  }
  return negative ? "-" + digits : digits;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/** Formats a USD amount: 6 decimals at most, trailing zeros stripped. */
export function usd(x: number): string {
  return floatToWire(Math.round(x * 1e6) / 1e6);
}

/** Formats a price or size of unknown precision (at most 8 decimals). */
export function num(x: number): string {
  return floatToWire(Math.round(x * 1e8) / 1e8);
}

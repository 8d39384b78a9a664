/**
 * The edge of a passive fill, defined once for gates 1 and 3. A maker who rests at the touch
 * earns the half-spread against the mid, loses the adverse selection measured 10 s later
 * (fill_moves.ts), and pays the maker fee: at Hyperliquid's base tier 0.015% of notional
 * (engine/hyperliquid/exchange_facts.ts), 1.5 bps on every fill, which README "Fees" explains is paid, not earned.
 */

import { BASE_MAKER_FEE_RATE } from "../../engine/hyperliquid/exchange_facts.ts";

// Rounded to a millionth of a bp: 0.00015 * 10_000 is 1.4999999999999998 in binary.
/** The base-tier maker fee in bps of notional (0.015% = 1.5 bps). */
export const MAKER_FEE_BPS = Math.round(BASE_MAKER_FEE_RATE * 1e10) / 1e6;

/** Edge of one passive fill, bps: half-spread − adverse selection at 10 s − maker fee. */
export function edgeBps(halfSpreadBps: number, adverse10sBps: number): number {
  return halfSpreadBps - adverse10sBps - MAKER_FEE_BPS;
}

/** The half-spread at which a passive fill breaks even (edge 0), bps. */
export function breakEvenHalfSpreadBps(adverse10sBps: number): number {
  return adverse10sBps + MAKER_FEE_BPS;
}

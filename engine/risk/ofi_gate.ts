/**
 * The OFI halt (README, "Risk gates"): with `OFI = (buy_vol - sell_vol) / total_vol` over the last
 * 200 taker trades, `OFI < -threshold` (sell dominance) suppresses bids and `OFI > +threshold` (buy
 * dominance) suppresses asks. "Dominance" in the log is |OFI|, as the `[OFI]` line shows it (`Sell
 * dominance 78.3% > threshold`).
 *
 * Two guards chosen here: the gate needs at least `minTrades` trades in
 * the window before it may fire (one trade is not a flow), and a suppressed side returns once
 * |OFI| falls `hysteresis` below the threshold (so a value hovering at the threshold does not
 * flap the side on and off every tick).
 */

import { SIDE_ASK, SIDE_BID } from "../kernel.ts";

export { SIDE_ASK, SIDE_BID };
/** Both sides allowed in the kernel's side mask. */
export const SIDE_BOTH = SIDE_BID | SIDE_ASK;

/** Options of {@link OfiGate}. */
export interface OfiGateOptions {
  /** |OFI| beyond which a side is suppressed (`ofi_halt_threshold`, default 0.70). */
  threshold: number;
  /** Trades in the window before the gate may fire. */
  minTrades: number;
  /** How far below the threshold |OFI| must fall to restore a side. */
  hysteresis: number;
}

/** A side suppressed or restored, for the `[OFI]` log line. */
export interface OfiChange {
  coin: string;
  /** The side mask after the change. */
  mask: number;
  line: string;
}

/** Per-coin side suppression from order-flow imbalance. */
export class OfiGate {
  readonly options: OfiGateOptions;
  readonly #masks: Uint8Array;

  /** Creates a gate for `coins`. */
  constructor(readonly coins: readonly string[], options: Partial<OfiGateOptions> = {}) {
    this.options = { threshold: 0.7, minTrades: 10, hysteresis: 0.05, ...options };
    // Non-negative, a second evaluate on the same OFI and trade count never moves the gate again
    // (risk_supervisor.ts skips it); a negative one would flap the side every tick.
    for (const key of ["threshold", "hysteresis"] as const) {
      const value = this.options[key];
      if (!(value >= 0 && value < Infinity)) {
        throw new Error(`OFI gate: ${key} must be a non-negative number, got ${value}`);
      }
    }
    this.#masks = new Uint8Array(coins.length).fill(SIDE_BOTH);
  }

  /** The sides currently allowed for a coin ({@link SIDE_BID} | {@link SIDE_ASK}). */
  mask(coin: number): number {
    return this.#masks[coin];
  }

  /** Re-evaluates a coin from its OFI and trade count; returns a change to log, or null. */
  evaluate(coin: number, ofi: number, trades: number): OfiChange | null {
    const { threshold, minTrades, hysteresis } = this.options;
    const before = this.#masks[coin];
    let mask = before;
    const name = this.coins[coin];
    const pct = (x: number) => `${(Math.abs(x) * 100).toFixed(1)}%`;
    let line = "";
    if (trades >= minTrades && ofi < -threshold && (before & SIDE_BID)) {
      mask = SIDE_ASK;
      line = `[OFI] Sell dominance ${pct(ofi)} > threshold. Bids suppressed for ${name}.`;
    } else if (trades >= minTrades && ofi > threshold && (before & SIDE_ASK)) {
      mask = SIDE_BID;
      line = `[OFI] Buy dominance ${pct(ofi)} > threshold. Asks suppressed for ${name}.`;
    } else if (!(before & SIDE_BID) && ofi >= -(threshold - hysteresis)) {
      mask = SIDE_BOTH;
      line = `[OFI] Sell dominance eased to ${pct(Math.min(ofi, 0))}. Bids restored for ${name}.`;
    } else if (!(before & SIDE_ASK) && ofi <= threshold - hysteresis) {
      mask = SIDE_BOTH;
      line = `[OFI] Buy dominance eased to ${pct(Math.max(ofi, 0))}. Asks restored for ${name}.`;
    }
    if (mask === before) return null;
    this.#masks[coin] = mask;
    return { coin: name, mask, line };
  }
}

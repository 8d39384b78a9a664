/** Hand-made BTC market frames for the shadow venue's and the ledger's tests. */
import type { BookSnapshot, TakerSide, Trade } from "../../engine/hyperliquid/types.ts";

/** A BTC book at `timeMs` with [price, size] levels, best first. */
export function book(
  timeMs: number,
  bids: [number, number][],
  asks: [number, number][],
): BookSnapshot {
  return {
    coin: "BTC",
    timeMs,
    bids: bids.map(([px, sz]) => ({ px, sz, n: 1 })),
    asks: asks.map(([px, sz]) => ({ px, sz, n: 1 })),
  };
}

let tid = 0;

/** A BTC print; `side` is the taker's ("A": a seller hit the bids). Trade ids count up. */
export function trade(timeMs: number, side: TakerSide, px: number, sz: number): Trade {
  return { coin: "BTC", side, px, sz, timeMs, tid: ++tid };
}

/** Starts trade ids from 1 again (a session replayed must see the same ids). */
export function resetTradeIds(): void {
  tid = 0;
}

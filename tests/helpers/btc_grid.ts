/**
 * A BTC grid for venue tests, around the mid of the books in btc_frames.ts.
 *
 * @module
 */
import type { DesiredQuotes } from "../../engine/venue/venue.ts";

/** The mid of the tests' BTC book (68000 bid, 68001 ask). */
export const BTC_MID = 68000.5;

/**
 * Up to three bids and asks as [price, size] (missing levels are not quoted), tick 1, no
 * requote tolerance or minimum rest; `extras` replace any of these.
 */
export function btcGrid(
  bids: [number, number][],
  asks: [number, number][] = [],
  extras: Partial<DesiredQuotes> = {},
): DesiredQuotes {
  const level = (side: [number, number][], i: number) => side[i] ?? [0, 0];
  return {
    coin: "BTC",
    bidPx: [0, 1, 2].map((i) => level(bids, i)[0]),
    bidSz: [0, 1, 2].map((i) => level(bids, i)[1]),
    askPx: [0, 1, 2].map((i) => level(asks, i)[0]),
    askSz: [0, 1, 2].map((i) => level(asks, i)[1]),
    tick: 1,
    mid: BTC_MID,
    requoteShare: 0,
    minRestMs: 0,
    ...extras,
  };
}

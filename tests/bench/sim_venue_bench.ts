/**
 * Cost of the shadow venue on the per-tick path: an unchanged grid for 30 coins (the
 * register-once guard), a 20-level book against 6 resting orders, and a trade that walks them.
 */
import type { BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";
import { SimExchange } from "../../engine/venue/sim.ts";
import type { DesiredQuotes } from "../../engine/venue/venue.ts";

const COINS = Array.from({ length: 30 }, (_, i) => `C${i}`);
const T0 = Date.UTC(2026, 10, 24);

function bookOf(coin: string, timeMs: number): BookSnapshot {
  const levels = (sign: number) =>
    Array.from({ length: 20 }, (_, i) => ({ px: 1000 + sign * (i + 1), sz: 1 + (i % 3), n: 2 }));
  return { coin, timeMs, bids: levels(-1), asks: levels(1) };
}

function gridOf(coin: string): DesiredQuotes {
  return {
    coin,
    bidPx: new Float64Array([999, 997, 994]),
    bidSz: new Float64Array([0.1, 0.2, 0.3]),
    askPx: new Float64Array([1001, 1003, 1006]),
    askSz: new Float64Array([0.1, 0.2, 0.3]),
    tick: 1,
    mid: 1000,
    requoteShare: 0,
    minRestMs: 0,
  };
}

for (const model of ["spec", "queue"] as const) {
  const sim = new SimExchange({ queueModel: model });
  const grids = COINS.map(gridOf);
  for (const coin of COINS) sim.onBook(bookOf(coin, T0));
  for (const grid of grids) sim.setQuotes(grid);

  Deno.bench(`${model}: unchanged grid, 30 coins (one tick)`, { group: `tick-${model}` }, () => {
    for (let i = 0; i < grids.length; i++) sim.setQuotes(grids[i]);
  });

  // One book object with a rising time, so no snapshot is dropped as stale.
  const book = bookOf("C0", T0);
  Deno.bench(`${model}: 20-level book, 6 resting orders`, { group: `book-${model}` }, () => {
    book.timeMs++;
    sim.onBook(book);
  });

  // Small prints above our best bid: they reach no order, the common case.
  let t = 0;
  const trade: Trade = { coin: "C1", side: "A", px: 1000, sz: 0.01, timeMs: T0, tid: 0 };
  Deno.bench(`${model}: trade that reaches no order`, { group: `trade-${model}` }, () => {
    trade.timeMs = T0 + ++t;
    trade.tid = t;
    sim.onTrade(trade);
  });
}

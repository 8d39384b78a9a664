/**
 * Cost of the live ledger on the frame path: every book and print the engine feeds the live
 * venue goes to the twins of every resting order under the configured model and the 33
 * calibration candidates. 30 coins with 6 resting orders each (the grid), 20-level books.
 */
import type { BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";
import { FillLedger } from "../../engine/ledger/ledger.ts";

const COINS = Array.from({ length: 30 }, (_, i) => `C${i}`);
const T0 = Date.UTC(2026, 11, 3);

function bookOf(coin: string, timeMs: number): BookSnapshot {
  const levels = (sign: number) =>
    Array.from({ length: 20 }, (_, i) => ({ px: 1000 + sign * (i + 1), sz: 1 + (i % 3), n: 2 }));
  return { coin, timeMs, bids: levels(-1), asks: levels(1) };
}

const ledger = new FillLedger({
  model: { model: "queue", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
  now: () => T0,
  write: () => {},
});
let oid = 0;
for (const coin of COINS) {
  ledger.onBook(bookOf(coin, T0));
  for (const [side, pxs] of [["bid", [999, 997, 994]], ["ask", [1001, 1003, 1006]]] as const) {
    pxs.forEach((px, level) =>
      ledger.opened({
        oid: ++oid,
        coin,
        side,
        level,
        px,
        sz: 0.1,
        tick: 1,
        sentMs: T0,
        filled: 0,
        szDecimals: 4,
      })
    );
  }
}

// One book object with a rising time, as the feed delivers them.
const book = bookOf("C0", T0);
Deno.bench("20-level book, 6 resting orders × 50 models", { group: "book" }, () => {
  book.timeMs++;
  ledger.onBook(book);
});

// Small prints above our best bid: they reach no order, the common case.
let t = 0;
const trade: Trade = { coin: "C1", side: "A", px: 1000, sz: 0.01, timeMs: T0, tid: 0 };
Deno.bench("trade that reaches no order × 50 models", { group: "trade" }, () => {
  trade.timeMs = T0 + ++t;
  trade.tid = t;
  ledger.onTrade(trade);
});

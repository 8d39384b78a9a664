/**
 * Runs one coin's synthetic market on its own (no venue, no account) and records what a client
 * would see: a book snapshot at every step and every taker's prints. The fit uses it to check
 * and correct its parameters against the recording they came from; takers sweep the book with
 * the venue's own matching (matching.ts), so the stream is the venue's.
 */

import type { BookSnapshot, TakerSide, Trade } from "../../engine/hyperliquid/types.ts";
import { BLOCK_MS, BOOK_DEPTH, CoinMarket } from "../venue_sim/market.ts";
import type { GeneratorParams } from "../venue_sim/market_profile.ts";
import { OrderQueue } from "../venue_sim/matching.ts";
import type { SimCoin } from "../venue_sim/universe.ts";

/** Runs `minutes` of market time of `coin` drawn from `params` and returns its stream. */
export function driveMarket(
  coin: SimCoin,
  params: GeneratorParams,
  seed: number,
  minutes: number,
): { books: BookSnapshot[]; trades: Trade[] } {
  const market = new CoinMarket(coin, 0, seed, params);
  const queue = new OrderQueue();
  const books: BookSnapshot[] = [];
  const trades: Trade[] = [];
  let now = 0;
  let tid = 0;
  const end = minutes * 60_000;
  while (now < end) {
    // Books come at block ends, as the venue's do (simulator.ts): the one nearest the interval.
    const dt = Math.max(1, Math.round(market.nextIntervalMs() / BLOCK_MS)) * BLOCK_MS;
    now += dt;
    const print = (side: TakerSide, prints: { px: number; sz: number }[], timeMs: number) => {
      for (const p of prints) {
        trades.push({ coin: coin.name, side, px: p.px, sz: p.sz, timeMs, tid: ++tid });
      }
    };
    for (const taker of market.step(now, dt)) {
      // Prints carry their block's time, as the venue's do.
      const timeMs = Math.ceil((now - dt * (1 - taker.at)) / BLOCK_MS) * BLOCK_MS;
      if (taker.stale) {
        // Dust the step's move left behind is taken at the step, before its book.
        print(taker.side, taker.stale, now);
        continue;
      }
      const crowd = taker.side === "B" ? market.asks : market.bids;
      const sweep = queue.sweep(taker.side, taker.sz, crowd, null);
      market.settle();
      print(taker.side, sweep.prints, timeMs);
      const usd = sweep.prints.reduce((s, p) => s + p.px * p.sz, 0);
      if (usd > 0) {
        for (const s of market.impact(taker.side, usd)) print(s.side, s.stale ?? [], timeMs);
      }
    }
    const side = (levels: typeof market.bids) =>
      levels.slice(0, BOOK_DEPTH).map((l) => ({ px: l.px, sz: l.sz, n: l.n }));
    books.push({
      coin: coin.name,
      timeMs: Math.floor(now),
      bids: side(market.bids),
      asks: side(market.asks),
    });
  }
  return { books, trades };
}

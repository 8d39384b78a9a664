/**
 * The router's one rule (engine/core/router.ts): quotes pending for a coin reach the venue
 * before the venue sees that coin's next event. A fill leaves the coin's new grid pending (its
 * skew moved); the venue must match the next book or trade against that grid, as live would.
 */
import { testAsset } from "./helpers/asset.ts";
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import type { DesiredQuotes } from "../engine/venue/venue.ts";

const kernel = await loadKernel();
const T0 = Date.UTC(2026, 1, 22, 12);

/** The shadow venue, writing down what it is handed and shown, in order. */
class RecordingVenue extends SimExchange {
  readonly calls: string[] = [];
  override setQuotes(quotes: DesiredQuotes): void {
    this.calls.push(`quotes ${quotes.coin}`);
    super.setQuotes(quotes);
  }
  override onBook(book: BookSnapshot): void {
    this.calls.push(`book ${book.coin}`);
    super.onBook(book);
  }
  override onTrade(trade: Trade): void {
    this.calls.push(`trade ${trade.coin}`);
    super.onTrade(trade);
  }
}

function book(coin: string, bid: number, ask: number, timeMs: number): BookSnapshot {
  return {
    coin,
    timeMs,
    bids: [{ px: bid, sz: 5, n: 3 }],
    asks: [{ px: ask, sz: 5, n: 3 }],
  };
}

function setup() {
  const venue = new RecordingVenue({ szDecimals: { SOL: 2, ETH: 4 } });
  const config = loadConfig({ MM_MIN_REST_MS: "0" });
  const engine = new Engine({
    mode: "shadow",
    config,
    assets: [testAsset("SOL", 2), testAsset("ETH", 4)],
    kernel,
    venue,
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    log: createLogger({ level: "error", sink: () => {} }),
    now: () => T0,
    measureLatency: false,
  });
  engine.onBook(book("SOL", 150.01, 150.02, T0));
  engine.onBook(book("ETH", 3000.1, 3000.2, T0));
  engine.tick(T0);
  return { engine, venue };
}

/** The calls the venue got from `from` on. */
const since = (venue: RecordingVenue, from: number) => venue.calls.slice(from);

Deno.test("a fill's new grid reaches the venue before it sees that coin's next book", () => {
  const { engine, venue } = setup();
  const sold = engine.portfolio.position("SOL");
  let from = venue.calls.length;
  // A seller trades through our SOL bids: we are filled, the skew moves, the grid is pending.
  engine.onTrades([{ coin: "SOL", side: "A", px: 149.5, sz: 50, timeMs: T0 + 10, tid: 1 }]);
  assert.ok(engine.portfolio.position("SOL") > sold, "filled on the bids");
  assert.deepEqual(since(venue, from), ["trade SOL"], "the new grid waits for the next event");

  from = venue.calls.length;
  engine.onBook(book("SOL", 150.01, 150.02, T0 + 20));
  const calls = since(venue, from);
  assert.ok(calls.includes("quotes SOL"), `SOL requoted: ${calls}`);
  assert.ok(calls.indexOf("quotes SOL") < calls.indexOf("book SOL"), `order: ${calls}`);
  engine.stop();
});

Deno.test("a fill's new grid reaches the venue before it sees the next trades frame", () => {
  const { engine, venue } = setup();
  engine.onTrades([{ coin: "SOL", side: "A", px: 149.5, sz: 50, timeMs: T0 + 10, tid: 1 }]);
  const from = venue.calls.length;
  engine.onTrades([{ coin: "SOL", side: "B", px: 150.5, sz: 0.1, timeMs: T0 + 30, tid: 2 }]);
  assert.deepEqual(since(venue, from), ["quotes SOL", "trade SOL"]);
  engine.stop();
});

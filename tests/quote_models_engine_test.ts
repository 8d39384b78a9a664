import assert from "node:assert/strict";
import { defaultAssetConfig, type MmAssetConfig } from "../engine/asset_config.ts";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { BookSnapshot } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import type { QuoteModelName } from "../engine/quote_models/names.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { testAsset } from "./helpers/asset.ts";

const T0 = Date.UTC(2026, 2, 1, 12);

function book(
  coin: string,
  bid: number,
  ask: number,
  timeMs: number,
  bidSz: number,
  askSz: number,
) {
  return {
    coin,
    timeMs,
    bids: [{ px: bid, sz: bidSz, n: 3 }],
    asks: [{ px: ask, sz: askSz, n: 3 }],
  } as BookSnapshot;
}

Deno.test("a coin's quote_model from its MmAssetConfig wins over MM_QUOTE_MODEL, and can change", async () => {
  const config = loadConfig({ MM_QUOTE_MODEL: "grid" });
  const models = new Map<string, QuoteModelName>([["ETH", "microprice"]]);
  const assetConfig = (coin: string): MmAssetConfig => ({
    ...defaultAssetConfig(coin, config.asset),
    ...(models.has(coin) ? { quote_model: models.get(coin) } : {}),
  });
  const clock = { now: T0 };
  const engine = new Engine({
    mode: "shadow",
    config,
    assets: [testAsset("BTC", 5), testAsset("ETH", 4)],
    kernel: await loadKernel(),
    venue: new SimExchange({ szDecimals: { BTC: 5, ETH: 4 } }),
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    log: createLogger({ level: "error", sink: () => {} }),
    now: () => clock.now,
    measureLatency: false,
    assetConfig,
  });
  assert.equal(engine.models.modelOf(0), "grid");
  assert.equal(engine.models.modelOf(1), "microprice");
  // Both books 9 to 1 on the bid: ETH's grid leans up, BTC's stays on the mid.
  engine.onBook(book("BTC", 99999, 100001, T0, 9, 1));
  engine.onBook(book("ETH", 2999.9, 3000.1, T0, 9, 1));
  engine.tick(T0);
  assert.deepEqual(engine.quotesOf("BTC")!.bidPx, [99985, 99962, 99925]);
  const leaning = engine.quotesOf("ETH")!;
  // p = 2999.9 * 0.1 + 3000.1 * 0.9 = 3000.08; 1.5 bps below and above.
  assert.deepEqual([leaning.bidPx[0], leaning.askPx[0]], [2999.6, 3000.6]);
  // Only the sizes change: the microprice coin is requoted, 1 to 9 leans it down.
  engine.onBook(book("ETH", 2999.9, 3000.1, T0 + 500, 1, 9));
  engine.tick(T0 + 500);
  assert.deepEqual([engine.quotesOf("ETH")!.bidPx[0], engine.quotesOf("ETH")!.askPx[0]], [
    2999.4,
    3000.4,
  ]);
  // The screener moves ETH back to the grid: the mid again from the next tick.
  models.delete("ETH");
  engine.tick(T0 + 1000);
  assert.equal(engine.models.modelOf(1), "grid");
  assert.deepEqual([engine.quotesOf("ETH")!.bidPx[0], engine.quotesOf("ETH")!.askPx[0]], [
    2999.5,
    3000.5,
  ]);
  engine.stop();
});

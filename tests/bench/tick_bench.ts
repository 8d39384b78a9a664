/**
 * The loop's periodic tick (marks, drawdown check, Regime Governor, OFI gate, requote of every
 * coin) on 30 coins holding positions, and the heap it leaves behind. The tick is meant to
 * allocate nothing: the printed heap growth per tick shows it.
 * Run: `./deno bench -P tests/bench/tick_bench.ts`.
 */
import { loadConfig } from "../../engine/config.ts";
import type { AssetInfo, BookSnapshot } from "../../engine/hyperliquid/types.ts";
import { loadKernel } from "../../engine/kernel.ts";
import { createLogger } from "../../engine/log.ts";
import { createEngineStack } from "../../engine/stack.ts";

const COINS = 30;
const T0 = Date.UTC(2026, 1, 22, 12);
const prices = Array.from({ length: COINS }, (_, i) => 0.05 * 3.1 ** (i % 12) * (1 + i / 50));
const assets: AssetInfo[] = prices.map((px, i) => ({
  name: `C${i}`,
  assetIndex: i,
  szDecimals: 2,
  maxLeverage: 20,
  fundingHourly: 0,
  markPx: px,
  midPx: px,
  dayNtlVlm: 0,
  isDelisted: false,
}));

const stack = await createEngineStack({
  mode: "replay",
  config: loadConfig({ MM_LOG_LEVEL: "error" }),
  assets,
  log: createLogger({ level: "error", sink: () => {} }),
  now: () => T0,
  kernel: await loadKernel(),
  measureLatency: false,
  writeFills: false,
});
const engine = stack.engine;
for (let i = 0; i < COINS; i++) {
  const px = prices[i];
  const book: BookSnapshot = {
    coin: `C${i}`,
    timeMs: T0,
    bids: [{ px: px * 0.9999, sz: 100, n: 1 }],
    asks: [{ px: px * 1.0001, sz: 100, n: 1 }],
  };
  engine.onBook(book);
  // A position in every coin: the marks move the PnL, so the peak and day anchor are updated.
  engine.carryPosition(`C${i}`, 1, px, T0);
}

let now = T0;
Deno.bench("engine.tick, 30 coins with positions (marks, governor, OFI, requote)", () => {
  now += 100;
  engine.tick(now);
});

Deno.bench("heap growth over 100,000 ticks, 30 coins", { n: 1, warmup: 0 }, () => {
  for (let k = 0; k < 10_000; k++) engine.tick(now += 100);
  const before = Deno.memoryUsage().heapUsed;
  for (let k = 0; k < 100_000; k++) engine.tick(now += 100);
  const grown = Deno.memoryUsage().heapUsed - before;
  console.log(
    `tick: heap ${(grown / 1024).toFixed(0)} KiB after 100,000 ticks (${
      (grown / 100_000).toFixed(1)
    } bytes per tick, garbage not yet collected included)`,
  );
});

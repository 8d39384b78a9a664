/**
 * The engine's defaults (README, "Configuration"): the value of every setting no environment
 * variable overrides, each with why it is what it is. config.ts reads the overrides.
 */
import { DEFAULT_ASSET } from "./asset_config.ts";
import type { LogLevel } from "./log.ts";
import { BASE_MAKER_FEE_RATE, NEW_ADDRESS_REQUESTS } from "./hyperliquid/exchange_facts.ts";
import type { QuoteModelName } from "./quote_models/names.ts";

/** The defaults (README, "Configuration"). */
export const DEFAULTS = {
  shadowMode: true,
  globalHaltDrawdownPct: 0.05,
  maxCancelFillRatio: 50,
  ofiHaltThreshold: 0.70,
  // A round paper balance so the 5% cap is $500 in shadow mode.
  startingBalanceUsd: 10_000,
  tickMs: 100,
  stallTimeoutS: 30,
  // Queue position (hftbacktest's ProbQueue): the threshold rule (`spec`) ignores the size
  // ahead of us and flatters shadow fills (engine/fill_model/README.md).
  // Every new order joins behind ours, and no turnover unseen in the book moves us, until a
  // calibration on the live ledger says otherwise.
  queue: { model: "queue", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
  // Half of each level's own distance from mid: a kept order stays on its side of mid, at a
  // half to one and a half times its level's offset, at any spread (BENCHMARKS.md, "Request
  // economy", has the measured trade-off).
  requoteShare: 0.5,
  // One second: a few book updates (0.5 s apart with MM_L2_FAST) pass before a young order is
  // moved, so it keeps the queue priority it just paid two requests for.
  minRestMs: 1_000,
  // Half the rate at which trading earns requests (1 per USDC,
  // engine/hyperliquid/README.md § Rate limits).
  maxRequestsPerUsdc: 0.5,
  addressRequestsUsed: 0,
  // A new Hyperliquid address (engine/hyperliquid/README.md § Rate limits).
  addressRequestsCap: NEW_ADDRESS_REQUESTS,
  // Hyperliquid blocks are ~70–100 ms apart (engine/hyperliquid/README.md § Update cadence) and the
  // live venue posts a batch per 100 ms tick: an order decided now rests one block later at the
  // earliest.
  entryLatencyMs: 100,
  coinsTopN: 30,
  dexes: [""],
  // Priority fees cost on every placement, filled or not: off unless the operator asks.
  priorityRate: 0,
  // Hyperliquid: a fast cancel has no cost and no drawback for non-trigger orders (docs
  // "Optimizing latency"); the engine only sends post-only limit orders.
  fastCancel: true,
  network: "mainnet" as const,
  dataDir: "data",
  redisUrl: "redis://127.0.0.1:6380",
  logLevel: "info" as LogLevel,
  harvestTicks: true,
  harvestDepth: false,
  l2Fast: true,
  makerFeeRate: BASE_MAKER_FEE_RATE,
  quoteModel: "grid" as QuoteModelName,
  // Per bps of the mid per order of min_order_usd: a starting point, not a fit. On the real
  // recording (README, "Quote models") it gives BTC a 0.43 bps half-spread and 0.09 bps of skew
  // per order held; sweep it before trusting it.
  glftGamma: 0.05,
  asset: DEFAULT_ASSET,
};

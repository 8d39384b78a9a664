/**
 * The composition root: the engine's parts for one run, built the same way in every mode (demo,
 * shadow and live through engine/run.ts, replay and every sweep run through engine/replay_run.ts):
 * kernel, venue (the shadow simulator unless live passes its own), portfolio, adverse-selection
 * tracker and fills file. Market data reaches them through one frame handler
 * (engine/core/frames.ts) in every mode.
 */
import { AdverseSelection } from "./adverse.ts";
import type { EngineConfig } from "./config.ts";
import { Engine, type EngineMode } from "./engine.ts";
import { marketMakerFee } from "./fees.ts";
import { constantLatency } from "./fill_model/latency.ts";
import { createQueueModel } from "./fill_model/model_names.ts";
import type { AssetInfo } from "./hyperliquid/types.ts";
import { type Kernel, loadKernel } from "./kernel.ts";
import { recordsDirFor } from "./mode_paths.ts";
import type { Logger } from "./log.ts";
import { Portfolio } from "./portfolio.ts";
import { ShadowFillLog } from "./shadow_log.ts";
import { SimExchange } from "./venue/sim.ts";
import type { Fill, Venue } from "./venue/venue.ts";

/** The engine's parts, built once per run (every mode: demo, shadow, live, replay, sweep). */
export interface EngineStack {
  engine: Engine;
  venue: Venue;
  portfolio: Portfolio;
  adverse: AdverseSelection;
  shadowLog: ShadowFillLog | null;
}

/** Options of {@link createEngineStack}. */
export interface EngineStackOptions {
  mode: EngineMode;
  config: EngineConfig;
  assets: readonly AssetInfo[];
  log: Logger;
  now: () => number;
  kernel?: Kernel;
  /** Write fills to `<dataDir>/shadow/DATE.jsonl` (live: `<dataDir>/live/`; default true). */
  writeFills?: boolean;
  measureLatency?: boolean;
  onFill?: (fill: Fill) => void;
  onHalt?: (reason: string) => void;
  assetConfig?: ConstructorParameters<typeof Engine>[0]["assetConfig"];
  /** A venue other than the shadow simulator (live mode). */
  venue?: Venue;
}

/** Builds the shadow engine: kernel, SimExchange with the configured queue model, portfolio. */
export async function createEngineStack(options: EngineStackOptions): Promise<EngineStack> {
  const { config, assets, log } = options;
  const kernel = options.kernel ?? await loadKernel();
  const venue = options.venue ?? new SimExchange({
    queueModel: createQueueModel(config.queue),
    fees: marketMakerFee(
      config.makerFeeRate,
      Object.fromEntries(assets.map((a) => [a.name, a.feeMultiplier ?? 1])),
    ),
    szDecimals: Object.fromEntries(assets.map((a) => [a.name, a.szDecimals])),
    requestCredit: Object.fromEntries(assets.map((a) => [a.name, a.requestCredit ?? 1])),
    latency: constantLatency(config.entryLatencyMs, config.cancelLatencyMs),
    budget: {
      requestsUsed: config.addressRequestsUsed,
      requestsCap: config.addressRequestsCap,
      minIntervalMs: config.tickMs,
      log,
    },
  });
  const portfolio = new Portfolio({ startingBalanceUsd: config.startingBalanceUsd });
  const adverse = new AdverseSelection();
  const shadowLog = options.writeFills === false ? null : new ShadowFillLog({
    dir: recordsDirFor(options.mode, config.dataDir),
    onError: (error) => log.error(`[FILLS] fills file write failed: ${error.message}`),
  });
  const engine = new Engine({
    mode: options.mode,
    config,
    assets,
    kernel,
    venue,
    portfolio,
    log,
    now: options.now,
    adverse,
    shadowLog: shadowLog ?? undefined,
    onFill: options.onFill,
    onHalt: options.onHalt,
    measureLatency: options.measureLatency,
    assetConfig: options.assetConfig,
  });
  return { engine, venue, portfolio, adverse, shadowLog };
}

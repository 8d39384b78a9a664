/** What an `Engine` is built from (engine.ts composes the rooms of this folder). */
import type { MmAssetConfig } from "../asset_config.ts";
import type { AdverseSelection } from "../adverse.ts";
import type { EngineConfig } from "../config.ts";
import type { AssetInfo } from "../hyperliquid/types.ts";
import type { Kernel } from "../kernel.ts";
import type { Logger } from "../log.ts";
import type { Portfolio } from "../portfolio.ts";
import type { RegimeOptions } from "../regime.ts";
import type { ShadowFillLog } from "../shadow_log.ts";
import type { Fill, Venue } from "../venue/venue.ts";

/** Which program runs the engine (shown in logs, the report and the status heartbeat). */
export type EngineMode = "shadow" | "live" | "demo" | "replay";

/** Everything the engine is built from. */
export interface EngineOptions {
  mode: EngineMode;
  config: EngineConfig;
  /** Active coins, in kernel order. */
  assets: readonly AssetInfo[];
  kernel: Kernel;
  venue: Venue;
  portfolio: Portfolio;
  log: Logger;
  /** Clock for the periodic jobs, ms since the epoch (wall clock live, virtual in replay). */
  now: () => number;
  /** The config in force for a coin (the Redis bridge); defaults from `config.asset` when absent. */
  assetConfig?: (coin: string) => MmAssetConfig;
  /** Called for every fill after it is booked (Redis); must not block. */
  onFill?: (fill: Fill) => void;
  /** Called once when the engine halts (the state file keeps it halted across restarts). */
  onHalt?: (reason: string) => void;
  /** Where fill records go (`data/shadow/DATE.jsonl`); none in tests that do not need it. */
  shadowLog?: ShadowFillLog;
  /** Adverse-selection tracker fed with every fill and mid. */
  adverse?: AdverseSelection;
  /** Period of the `[SHADOW SESSION]` line, ms (spec: 60 s). */
  sessionLineEveryMs?: number;
  /**
   * Whether frame-to-quote latency is measured (false in replay: it is wall time). Only the
   * measurement: every mode quotes on the same path.
   */
  measureLatency?: boolean;
  regime?: Partial<RegimeOptions>;
  /** Drawdown check period, ms (spec: 60 s). */
  drawdownCheckMs?: number;
  /** Latency report period, ms (spec: 30 s). */
  latencyReportMs?: number;
  /** Delay before a failed reconciliation is retried, ms. */
  reconcileRetryMs?: number;
}

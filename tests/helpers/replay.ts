/**
 * A replay of recorded market data in a folder, for tests: the engine's config from `env`, its
 * fills collected in memory rather than written.
 *
 * @module
 */
import { loadConfig } from "../../engine/config.ts";
import { createLogger } from "../../engine/log.ts";
import { replayFiles } from "../../engine/replay_run.ts";
import type { Fill } from "../../engine/venue/venue.ts";

/** Replays the data in `dir` (also MM_DATA_DIR) once; its fills, outcome and final PnL (USD). */
export async function replayOnce(dir: string, env: Record<string, string> = {}) {
  const fills: Fill[] = [];
  const log = createLogger({ level: "error", sink: () => {} });
  const config = loadConfig({ MM_DATA_DIR: dir, ...env });
  const outcome = await replayFiles([dir], config, log, {
    writeFills: false,
    onFill: (fill) => fills.push({ ...fill }),
  });
  return { fills, outcome, pnl: outcome.stack.portfolio.pnlUsd() };
}

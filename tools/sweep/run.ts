/**
 * Runs a sweep in process: every configuration of the grid over the same parsed data, one after
 * the other, each through the replay path of `deno task replay` (engine/replay_run.ts's
 * `replayData`: the shadow engine on a virtual clock, the queue model, the request economy), and
 * measures each run into one row.
 *
 * @module
 */
import type { Engine } from "../../engine/engine.ts";
import { createLogger } from "../../engine/log.ts";
import type { ReplayData } from "../../engine/replay.ts";
import { replayData } from "../../engine/replay_run.ts";
import { requestsPerUsdc } from "../../engine/request_economy.ts";
import type { Fill } from "../../engine/venue/venue.ts";
import type { SweepRun } from "./grid.ts";

/** One run's results (USD unless named otherwise). */
export interface SweepRow {
  /** Position in the grid, from 1. */
  run: number;
  /** The swept variables and their values. */
  params: Record<string, string>;
  /** Realised + unrealised at the last mids − fees. */
  pnlUsd: number;
  fills: number;
  volumeUsd: number;
  feesUsd: number;
  /** Orders and cancels sent (shadow counts them as live would). */
  requests: number;
  /** Requests per USDC traded (null without volume); Hyperliquid earns 1 per USDC. */
  requestsPerUsdc: number | null;
  /** Fill-weighted mean adverse selection 10 s after a fill, bps (null without a measured fill). */
  adverse10sBps: number | null;
  /** Largest fall of PnL from its peak. */
  maxDrawdownUsd: number;
  /** Largest |position × price| of one coin at any fill. */
  maxInventoryUsd: number;
  /** Σ |inventory| over the coins at the end, at the last mids. */
  endInventoryUsd: number;
  /**
   * Mean over standard deviation of the PnL of each whole UTC hour of market time (not
   * annualised); null with fewer than two whole hours or no variation.
   */
  hourlySharpe: number | null;
}

/** The 10 s horizon of engine/adverse.ts (its second). */
const ADVERSE_HORIZON_MS = 10_000;
const HOUR_MS = 3_600_000;

/** Replays `data` once per run; `onRow` sees each row as it finishes. Rows are in grid order. */
export async function runSweep(
  data: ReplayData,
  runs: readonly SweepRun[],
  onRow: (row: SweepRow) => void = () => {},
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const run of runs) {
    const row = await runOne(data, run);
    rows.push(row);
    onRow(row);
  }
  return rows;
}

/** One run over the data, measured. */
export async function runOne(data: ReplayData, run: SweepRun): Promise<SweepRow> {
  const log = createLogger({ level: "error", sink: () => {} });
  const position = new Map<string, number>();
  let maxInventoryUsd = 0;
  const onFill = (fill: Fill) => {
    const held = (position.get(fill.coin) ?? 0) + (fill.side === "bid" ? fill.sz : -fill.sz);
    position.set(fill.coin, held);
    maxInventoryUsd = Math.max(maxInventoryUsd, Math.abs(held * fill.px));
  };
  // PnL at each UTC hour boundary the virtual clock crosses (ticks run through gaps too).
  const marks: number[] = [];
  let nextHourMs = NaN;
  const onTick = (nowMs: number, engine: Engine) => {
    if (Number.isNaN(nextHourMs)) nextHourMs = (Math.floor(nowMs / HOUR_MS) + 1) * HOUR_MS;
    if (nowMs < nextHourMs) return;
    marks.push(engine.portfolio.pnlUsd());
    nextHourMs = (Math.floor(nowMs / HOUR_MS) + 1) * HOUR_MS;
  };
  const outcome = await replayData(data, run.config, log, {
    writeFills: false,
    onFill,
    onTick,
  });
  const { engine, adverse, portfolio } = outcome.stack;
  const summary = engine.summary(outcome.run.lastMs);
  const horizon = adverse.horizonsMs.indexOf(ADVERSE_HORIZON_MS);
  if (horizon < 0) throw new Error("sweep: the adverse-selection tracker has no 10 s horizon");
  let measured = 0;
  let sum = 0;
  for (const s of adverse.summaries()) {
    if (s.measured[horizon] === 0) continue;
    measured += s.measured[horizon];
    sum += s.meanBps[horizon] * s.measured[horizon];
  }
  await log.flush();
  return {
    run: run.index + 1,
    params: run.params,
    pnlUsd: summary.pnlUsd,
    fills: summary.fills,
    volumeUsd: summary.volumeUsd,
    feesUsd: summary.feesUsd,
    requests: summary.requests,
    requestsPerUsdc: requestsPerUsdc(summary.requests, summary.volumeUsd),
    adverse10sBps: measured > 0 ? sum / measured : null,
    maxDrawdownUsd: summary.maxDrawdownUsd,
    maxInventoryUsd,
    endInventoryUsd: summary.coins.reduce(
      (s, c) => s + Math.abs(portfolio.inventoryUsd(c.coin)),
      0,
    ),
    hourlySharpe: sharpe(marks.slice(1).map((pnl, i) => pnl - marks[i])),
  };
}

/** Mean over sample standard deviation; null for fewer than two values or no variation. */
export function sharpe(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return variance > 0 ? mean / Math.sqrt(variance) : null;
}

/** The rows from best to worst PnL after fees (ties: fewer requests first, then grid order). */
export function ranked(rows: readonly SweepRow[]): SweepRow[] {
  return [...rows].sort((a, b) => b.pnlUsd - a.pnlUsd || a.requests - b.requests || a.run - b.run);
}

/**
 * A sweep's results as files: JSON (the runs with their parameters and every figure, full
 * precision) and CSV (one row per run, one column per swept parameter and per figure), both in
 * grid order, with the rank by PnL after fees.
 *
 * @module
 */
import type { SweepRow } from "./run.ts";

/** The figures of a row, as CSV columns, in order. */
const FIGURES = [
  ["pnl_usd", (r: SweepRow) => r.pnlUsd],
  ["fills", (r: SweepRow) => r.fills],
  ["volume_usd", (r: SweepRow) => r.volumeUsd],
  ["fees_usd", (r: SweepRow) => r.feesUsd],
  ["requests", (r: SweepRow) => r.requests],
  ["requests_per_usdc", (r: SweepRow) => r.requestsPerUsdc],
  ["adverse_10s_bps", (r: SweepRow) => r.adverse10sBps],
  ["max_drawdown_usd", (r: SweepRow) => r.maxDrawdownUsd],
  ["max_inventory_usd", (r: SweepRow) => r.maxInventoryUsd],
  ["end_inventory_usd", (r: SweepRow) => r.endInventoryUsd],
  ["hourly_sharpe", (r: SweepRow) => r.hourlySharpe],
] as const;

/** What a sweep file records besides the rows. */
export interface SweepMeta {
  /** The data replayed (files or folders as given). */
  data: string[];
  /** The `--grid` argument. */
  grid: string;
  /** Events replayed per run, and the market time they span (ms since the epoch). */
  events: number;
  firstMs: number;
  lastMs: number;
}

/** The CSV text: a header, then one line per run in grid order (empty cell = no value). */
export function sweepCsv(rows: readonly SweepRow[], rank: ReadonlyMap<number, number>): string {
  const params = rows.length > 0 ? Object.keys(rows[0].params) : [];
  const header = ["run", "rank", ...params, ...FIGURES.map(([name]) => name)];
  const lines = [header.join(",")];
  for (const row of rows) {
    const cells = [
      String(row.run),
      String(rank.get(row.run)),
      ...params.map((p) => row.params[p]),
      ...FIGURES.map(([, get]) => {
        const value = get(row);
        return value === null ? "" : String(value);
      }),
    ];
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

/** The JSON text: the meta, then the runs in grid order, each with its rank. */
export function sweepJson(
  meta: SweepMeta,
  rows: readonly SweepRow[],
  rank: ReadonlyMap<number, number>,
): string {
  return JSON.stringify(
    { ...meta, runs: rows.map((row) => ({ rank: rank.get(row.run), ...row })) },
    null,
    2,
  ) + "\n";
}

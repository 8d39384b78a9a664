/** What every calibration gate returns: a table for people, JSON for machines, SVG charts. */

import type { Database } from "./duckdb.ts";
import type { LoadFilter } from "./load.ts";

/** Everything a gate may read. */
export interface GateContext {
  db: Database;
  dataDir: string;
  filter: LoadFilter;
  /** The current time in ms (today's files are treated as open). */
  nowMs: number;
}

/** The result of one gate. */
export interface GateReport<T = unknown> {
  gate: number;
  title: string;
  /** Readable table(s) and verdict lines. */
  text: string;
  /** The numbers, as written to `reports/gateN.json`. */
  result: T;
  /** SVG files to write under `reports/`, by file name. */
  charts: Record<string, string>;
  /** Other files to write under `reports/` (gate 3's MmAssetConfig), by file name. */
  files?: Record<string, string>;
}

/** Rounds for JSON output (bps and USD need no more than 6 decimals). */
export function round(value: number | null | undefined, digits = 6): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

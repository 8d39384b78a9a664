/**
 * What every calibration gate is made of. The analysis visits one coin at a time: each gate's
 * `perCoin` step runs that gate's SQL over the coin's ticks (and reads its adverse selection
 * sums), keeping only small partial results; `report` then combines every coin's partials into
 * the gate's table, JSON and charts.
 */

import type { CoinSeries } from "./coin_series.ts";
import type { Database } from "./duckdb.ts";
import { atrFractionPerBar } from "../../engine/atr.ts";
import { type FillMoves, fillMoves } from "./fill_moves.ts";
import type { Gate1Partial } from "./gate1.ts";
import type { Gate2Partial } from "./gate2.ts";
import type { Gate3Partial } from "./gate3.ts";
import type { Gate4Partial } from "./gate4.ts";
import type { BackgroundIntegrity, Gate5Partial } from "./gate5.ts";
import type { LoadFilter } from "./load.ts";

/** One coin as a gate's per-coin step sees it. */
export interface CoinPass {
  /** Table `ticks` holds this coin's ticks only; `shadow_fills` and `sessions` are all loaded. */
  db: Database;
  coin: string;
  series: CoinSeries;
  /** The coin's adverse selection sums (fill_moves.ts), computed on first use. */
  moves(): FillMoves;
  /**
   * The regime governor's ATR fraction at the end of each one-minute bar of the coin
   * (engine/atr.ts), computed on first use.
   */
  atr(): Float64Array;
}

/** The pass over one loaded coin, with its adverse selection and ATR bars computed on first use. */
export function openCoinPass(db: Database, coin: string, series: CoinSeries): CoinPass {
  let moves: FillMoves | undefined;
  let atr: Float64Array | undefined;
  return {
    db,
    coin,
    series,
    moves: () => moves ??= fillMoves(series),
    atr: () => atr ??= atrFractionPerBar(series.tickMs, series.mid),
  };
}

/** Each gate's partial result for one coin (present for the gates being run). */
export interface CoinPartials {
  coin: string;
  gate1?: Gate1Partial;
  gate2?: Gate2Partial;
  gate3?: Gate3Partial;
  gate4?: Gate4Partial;
  gate5?: Gate5Partial;
}

/** Everything a gate's report may read. */
export interface GateContext {
  /** Holds `shadow_fills` and `sessions`. */
  db: Database;
  dataDir: string;
  filter: LoadFilter;
  /** The current time in ms (today's files are treated as open). */
  nowMs: number;
  /** Every coin with ticks, by name, with its partials. */
  coins: CoinPartials[];
  /** Gate 5's integrity check, started before the coin pass (gate 5 starts one when absent). */
  integrity?: BackgroundIntegrity;
  /** Gate 5's ledger check (default {@link DEFAULT_LEDGER_GATE}). */
  ledgerGate?: LedgerGate;
}

/** What Gate 5 asks of the live ledger before shadow's results are trusted. */
export interface LedgerGate {
  /** Ledger orders needed (`--ledger-min-orders`). */
  minOrders: number;
  /** Of them, orders the exchange filled (`--ledger-min-filled`): a ratio needs fills to mean anything. */
  minFilled: number;
  /** Largest |real / predicted − 1| of filled volume (`--ledger-tolerance`). */
  tolerance: number;
}

/**
 * 500 orders, 100 of them filled: at the 30–40 % of live orders that fill against the venue
 * simulator (BENCHMARKS.md, "Shadow honesty"), 500 orders hold 150–200 filled, enough that one
 * order's size does not move the ratio by more than about 1 %; 100 filled is the floor a pilot
 * with wide, seldom-filled quotes must still reach. 10 %: the bound on shadow's volume
 * error.
 */
export const DEFAULT_LEDGER_GATE: LedgerGate = { minOrders: 500, minFilled: 100, tolerance: 0.1 };

/** One gate: its per-coin step and its report over every coin. */
export interface GateDefinition {
  perCoin(pass: CoinPass, into: CoinPartials): void;
  report(ctx: GateContext): GateReport | Promise<GateReport>;
}

type PartialKey = Exclude<keyof CoinPartials, "coin">;

/** One gate's partials for every coin; an error names the gate when they were not computed. */
export function partialsOf<K extends PartialKey>(
  ctx: GateContext,
  key: K,
): { coin: string; partial: NonNullable<CoinPartials[K]> }[] {
  return ctx.coins.map((c) => {
    const partial = c[key];
    if (partial === undefined) throw new Error(`${key} was not computed for ${c.coin}`);
    return { coin: c.coin, partial: partial as NonNullable<CoinPartials[K]> };
  });
}

/**
 * Weekend (Saturday or Sunday, UTC) as SQL over `timestamp_ms`: 1970-01-01 was a Thursday, so
 * (day index + 3) mod 7 is 0 on Monday; plain arithmetic, cheaper than isodow(make_timestamp()).
 */
export const WEEKEND_SQL = "((timestamp_ms // 86400000) + 3) % 7 >= 5";

/** Saturday (UTC) as SQL over `timestamp_ms` (see {@link WEEKEND_SQL}). */
export const SATURDAY_SQL = "((timestamp_ms // 86400000) + 3) % 7 = 5";

/** Whether a ms timestamp falls on a Saturday or Sunday, UTC (as {@link WEEKEND_SQL}). */
export function isWeekend(ms: number): boolean {
  return (Math.floor(ms / 86_400_000) + 3) % 7 >= 5;
}

/** Count, mean and sum of squared deviations of a sample (population statistics combine exactly). */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
}

/** Two samples' moments combined (Chan et al.'s pairwise update: no sums of squares to cancel). */
export function combineMoments(a: Moments, b: Moments): Moments {
  const n = a.n + b.n;
  if (n === 0) return { n: 0, mean: 0, m2: 0 };
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + delta * b.n / n,
    m2: a.m2 + b.m2 + delta * delta * a.n * b.n / n,
  };
}

/** Population standard deviation of combined moments; null when empty. */
export function stdPop(m: Moments): number | null {
  return m.n > 0 ? Math.sqrt(m.m2 / m.n) : null;
}

/**
 * DuckDB's quantile_cont over values sorted ascending (sort once, read several quantiles): linear
 * interpolation between the closest ranks; null when empty.
 */
export function quantileSorted(s: ArrayLike<number>, p: number): number | null {
  if (s.length === 0) return null;
  const at = (s.length - 1) * p;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo] + (at - lo) * (s[hi] - s[lo]);
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

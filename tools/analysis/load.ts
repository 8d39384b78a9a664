/**
 * Loads the harvested data into DuckDB tables:
 * - `ticks(timestamp_ms, coin, bid, ask, mid, spread_bps)` and
 *   `trades(timestamp_ms, coin, side, px, sz, tid)`: Parquet days read by parquet-wasm, plus the
 *   CSV days not yet converted (today's open file) parsed in TypeScript;
 * - `shadow_fills(time_ms, coin, side, level, px, sz, notional, fee_usd, cause)` from
 *   `DATA/shadow/*.jsonl` (one shadow fill per line; `side` is our side, bid = we bought);
 * - `sessions(date_utc, cancels, fills, stall_recoveries, pnl_usd, placed, requests, volume_usd)`
 *   from `DATA/shadow/sessions.jsonl` (one engine session summary per line; `placed`, `requests`
 *   and `volume_usd` are null in records written before the engine counted them).
 * Every table exists after loading, empty when there is no data, so every query runs.
 */

import * as arrow from "apache-arrow";
import { scanTicks, scanTrades } from "../../engine/csv_scan.ts";
import { type DayFile, listReadableDays } from "../data_files.ts";
import type { Database } from "./duckdb.ts";
import { columnsTable, initParquet, parquetRowCount, parquetToIPC } from "./parquet_io.ts";

/** Which slice of the data to load. */
export interface LoadFilter {
  coin?: string;
  /** First UTC day, YYYY-MM-DD (inclusive). */
  from?: string;
  /** Last UTC day, YYYY-MM-DD (inclusive). */
  to?: string;
}

/** Only the columns the calibration gates read (a third less to decode and copy). */
export const GATE_COLUMNS: Record<"ticks" | "trades", string[]> = {
  ticks: ["timestamp_ms", "coin", "mid", "spread_bps"],
  trades: ["timestamp_ms", "coin", "side"],
};

/** What was loaded. */
export interface LoadSummary {
  tickFiles: number;
  tradeFiles: number;
  tickRows: number;
  tradeRows: number;
  shadowFills: number;
  sessions: number;
  /** CSV lines skipped as corrupt while loading (integrity lists them). */
  corruptLines: number;
}

const EMPTY_TABLES: Record<string, string> = {
  ticks:
    "CREATE TABLE ticks (timestamp_ms BIGINT, coin VARCHAR, bid DOUBLE, ask DOUBLE, mid DOUBLE, spread_bps DOUBLE)",
  trades:
    "CREATE TABLE trades (timestamp_ms BIGINT, coin VARCHAR, side VARCHAR, px DOUBLE, sz DOUBLE, tid BIGINT)",
  shadow_fills:
    "CREATE TABLE shadow_fills (time_ms BIGINT, coin VARCHAR, side VARCHAR, level INTEGER, px DOUBLE, sz DOUBLE, notional DOUBLE, fee_usd DOUBLE, cause VARCHAR)",
  sessions:
    "CREATE TABLE sessions (date_utc VARCHAR, cancels DOUBLE, fills DOUBLE, stall_recoveries DOUBLE, pnl_usd DOUBLE, placed DOUBLE, requests DOUBLE, volume_usd DOUBLE)",
};

/** Whether a UTC day (YYYY-MM-DD) is inside the filter's dates. */
export function inRange(day: string, filter: LoadFilter): boolean {
  return (filter.from === undefined || day >= filter.from) &&
    (filter.to === undefined || day <= filter.to);
}

/** Loads ticks, trades, shadow fills and sessions from a data directory. */
export async function loadData(
  db: Database,
  dataDir: string,
  filter: LoadFilter = {},
  columns?: Record<"ticks" | "trades", string[]>,
): Promise<LoadSummary> {
  checkFilter(filter);
  await initParquet();
  const summary = emptySummary();
  for (const kind of ["ticks", "trades"] as const) {
    const files = (await listReadableDays(dataDir, kind)).filter((f) =>
      (filter.coin === undefined || f.coin === filter.coin) && inRange(f.day, filter)
    );
    for (const file of files) {
      const rows = await loadDay(db, file, summary, columns?.[kind]);
      if (kind === "ticks") {
        summary.tickFiles++;
        summary.tickRows += rows;
      } else {
        summary.tradeFiles++;
        summary.tradeRows += rows;
      }
    }
  }
  await loadShadow(db, dataDir, filter, summary);
  for (const [name, ddl] of Object.entries(EMPTY_TABLES)) {
    if (!db.hasTable(name)) db.query(ddl);
  }
  return summary;
}

/** Throws when a filter's dates are not YYYY-MM-DD. */
export function checkFilter(filter: LoadFilter): void {
  for (const day of [filter.from, filter.to]) {
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      throw new Error(`date "${day}" is not YYYY-MM-DD`);
    }
  }
}

/** An empty {@link LoadSummary}. */
export function emptySummary(): LoadSummary {
  return {
    tickFiles: 0,
    tradeFiles: 0,
    tickRows: 0,
    tradeRows: 0,
    shadowFills: 0,
    sessions: 0,
    corruptLines: 0,
  };
}

/**
 * Loads `shadow_fills` and `sessions` (both small: one row per shadow fill and per engine
 * session), each created even when empty, and counts them into the summary.
 */
export async function loadShadow(
  db: Database,
  dataDir: string,
  filter: LoadFilter,
  summary: LoadSummary,
): Promise<void> {
  const fills = await readShadowFills(dataDir, filter);
  if (fills.numRows > 0) db.insertTable("shadow_fills", fills);
  summary.shadowFills = fills.numRows;
  const sessions = await readSessions(dataDir, filter);
  if (sessions.numRows > 0) db.insertTable("sessions", sessions);
  summary.sessions = sessions.numRows;
  for (const name of ["shadow_fills", "sessions"]) {
    if (!db.hasTable(name)) db.query(EMPTY_TABLES[name]);
  }
}

async function loadDay(
  db: Database,
  file: DayFile,
  summary: LoadSummary,
  columns: string[] | undefined,
): Promise<number> {
  const bytes = await Deno.readFile(file.path);
  if (file.path.endsWith(".parquet")) {
    db.insertIPC(file.kind, parquetToIPC(bytes, columns));
    return await parquetRowCount(bytes);
  }
  const text = new TextDecoder().decode(bytes);
  const options = { coin: file.coin, day: file.day };
  const scan = file.kind === "ticks" ? scanTicks(text, options) : scanTrades(text, options);
  summary.corruptLines += scan.bad.length;
  if (scan.rows > 0) {
    const table = columnsTable(file.kind, file.coin, scan.columns);
    db.insertTable(file.kind, columns ? table.select(columns) : table);
  }
  return scan.rows;
}

async function jsonLines(
  path: string,
): Promise<{ value: Record<string, unknown>; line: number }[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const out: { value: Record<string, unknown>; line: number }[] = [];
  const lines = text.split("\n");
  // The last piece is either empty or an unfinished write: never data.
  lines.pop();
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      out.push({ value: JSON.parse(line), line: i + 1 });
    } catch {
      throw new Error(`${path} line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  }
  return out;
}

/** A number, or null when the field is absent (an older record). */
function optionalNum(v: unknown, what: string, where: string): number | null {
  return v === undefined || v === null ? null : num(v, what, where);
}

function num(v: unknown, what: string, where: string): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new Error(`${where}: ${what} ${JSON.stringify(v)} is not a number`);
  }
  return n;
}

/** Our side of a shadow fill, normalised to bid (we bought) or ask (we sold). */
function ourSide(v: unknown, where: string): "bid" | "ask" {
  if (v === "bid" || v === "B" || v === "buy") return "bid";
  if (v === "ask" || v === "A" || v === "sell") return "ask";
  throw new Error(`${where}: side ${JSON.stringify(v)} is not bid/ask`);
}

async function readShadowFills(dataDir: string, filter: LoadFilter): Promise<arrow.Table> {
  const dir = `${dataDir}/shadow`;
  let names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".jsonl") && e.name !== "sessions.jsonl") names.push(e.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  names = names.sort();
  const cols = {
    time_ms: [] as bigint[],
    coin: [] as string[],
    side: [] as string[],
    level: [] as number[],
    px: [] as number[],
    sz: [] as number[],
    notional: [] as number[],
    fee_usd: [] as number[],
    cause: [] as string[],
  };
  for (const name of names) {
    for (const { value: f, line } of await jsonLines(`${dir}/${name}`)) {
      const where = `${dir}/${name} line ${line}`;
      const timeMs = num(f.timeMs, "timeMs", where);
      const day = new Date(timeMs).toISOString().slice(0, 10);
      if (typeof f.coin !== "string") throw new Error(`${where}: coin is missing`);
      if (filter.coin !== undefined && f.coin !== filter.coin) continue;
      if (!inRange(day, filter)) continue;
      const px = num(f.px, "px", where), sz = num(f.sz, "sz", where);
      cols.time_ms.push(BigInt(Math.round(timeMs)));
      cols.coin.push(f.coin);
      cols.side.push(ourSide(f.side, where));
      cols.level.push(f.level === undefined ? -1 : num(f.level, "level", where));
      cols.px.push(px);
      cols.sz.push(sz);
      cols.notional.push(f.notional === undefined ? px * sz : num(f.notional, "notional", where));
      cols.fee_usd.push(f.feeUsd === undefined ? 0 : num(f.feeUsd, "feeUsd", where));
      cols.cause.push(typeof f.cause === "string" ? f.cause : "");
    }
  }
  return arrow.tableFromArrays({
    time_ms: BigInt64Array.from(cols.time_ms),
    coin: cols.coin,
    side: cols.side,
    level: Int32Array.from(cols.level),
    px: Float64Array.from(cols.px),
    sz: Float64Array.from(cols.sz),
    notional: Float64Array.from(cols.notional),
    fee_usd: Float64Array.from(cols.fee_usd),
    cause: cols.cause,
  });
}

async function readSessions(dataDir: string, filter: LoadFilter): Promise<arrow.Table> {
  const path = `${dataDir}/shadow/sessions.jsonl`;
  const cols = {
    date_utc: [] as string[],
    cancels: [] as number[],
    fills: [] as number[],
    stall_recoveries: [] as number[],
    pnl_usd: [] as number[],
    placed: [] as (number | null)[],
    requests: [] as (number | null)[],
    volume_usd: [] as (number | null)[],
  };
  for (const { value: s, line } of await jsonLines(path)) {
    const where = `${path} line ${line}`;
    if (typeof s.dateUtc !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s.dateUtc)) {
      throw new Error(`${where}: dateUtc ${JSON.stringify(s.dateUtc)} is not YYYY-MM-DD`);
    }
    if (!inRange(s.dateUtc, filter)) continue;
    cols.date_utc.push(s.dateUtc);
    cols.cancels.push(num(s.cancels ?? 0, "cancels", where));
    cols.fills.push(num(s.fills ?? 0, "fills", where));
    cols.stall_recoveries.push(num(s.stallRecoveries ?? 0, "stallRecoveries", where));
    cols.pnl_usd.push(num(s.pnlUsd ?? 0, "pnlUsd", where));
    cols.placed.push(optionalNum(s.placed, "placed", where));
    cols.requests.push(optionalNum(s.requests, "requests", where));
    cols.volume_usd.push(optionalNum(s.volumeUsd, "volumeUsd", where));
  }
  // Typed explicitly: a column of nulls only would otherwise become Arrow's Null type.
  const nullable = (values: (number | null)[]) =>
    arrow.vectorFromArray(values, new arrow.Float64());
  return new arrow.Table({
    date_utc: arrow.vectorFromArray(cols.date_utc, new arrow.Utf8()),
    cancels: arrow.makeVector(Float64Array.from(cols.cancels)),
    fills: arrow.makeVector(Float64Array.from(cols.fills)),
    stall_recoveries: arrow.makeVector(Float64Array.from(cols.stall_recoveries)),
    pnl_usd: arrow.makeVector(Float64Array.from(cols.pnl_usd)),
    placed: nullable(cols.placed),
    requests: nullable(cols.requests),
    volume_usd: nullable(cols.volume_usd),
  });
}

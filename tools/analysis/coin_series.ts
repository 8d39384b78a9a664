/**
 * The analysis reads one coin at a time: {@link loadCoin} puts the coin's ticks
 * (`timestamp_ms, mid, spread_bps`) into DuckDB table `ticks`, replacing the previous coin's, and returns its ticks and trades as
 * time-sorted arrays for the adverse selection merge (fill_moves.ts). Memory is bounded by the
 * largest coin, not the whole data set. Trades never enter DuckDB: no gate query reads them.
 */

import * as arrow from "apache-arrow";
import { scanTicks, scanTrades } from "../../engine/csv_scan.ts";
import { type DayFile, listReadableDays } from "../data_files.ts";
import type { Database } from "./duckdb.ts";
import { inRange, type LoadFilter, type LoadSummary } from "./load.ts";
import { columnsTable, initParquet, parquetToIPC, WORD } from "./parquet_io.ts";

/** The columns of the per-coin `ticks` table: one coin at a time needs no coin column. */
export const COIN_TICK_COLUMNS = ["timestamp_ms", "mid", "spread_bps"];

/** One coin's day files, each list sorted by day. */
export interface CoinFiles {
  coin: string;
  ticks: DayFile[];
  trades: DayFile[];
}

/** One coin's ticks and trades in time order (ms timestamps as numbers). */
export interface CoinSeries {
  coin: string;
  tickMs: Float64Array;
  mid: Float64Array;
  tradeMs: Float64Array;
  /** 1 when the taker bought (side B), 0 when it sold (A). */
  buyerTaker: Uint8Array;
}

/** The coins with tick or trade files inside the filter, sorted by name. */
export async function listCoins(dataDir: string, filter: LoadFilter): Promise<CoinFiles[]> {
  const byCoin = new Map<string, CoinFiles>();
  for (const kind of ["ticks", "trades"] as const) {
    for (const file of await listReadableDays(dataDir, kind)) {
      if (filter.coin !== undefined && file.coin !== filter.coin) continue;
      if (!inRange(file.day, filter)) continue;
      let entry = byCoin.get(file.coin);
      if (entry === undefined) {
        entry = { coin: file.coin, ticks: [], trades: [] };
        byCoin.set(file.coin, entry);
      }
      entry[kind].push(file);
    }
  }
  return [...byCoin.values()].sort((a, b) => a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : 0);
}

/**
 * Replaces DuckDB table `ticks` with this coin's ticks (dropped when it has none) and returns its
 * series; counts files, rows and corrupt CSV lines into the summary.
 */
export async function loadCoin(
  db: Database,
  files: CoinFiles,
  summary: LoadSummary,
): Promise<CoinSeries> {
  await initParquet();
  db.dropTable("ticks");
  const tickMs: Float64Array[] = [], mid: Float64Array[] = [];
  for (const file of files.ticks) {
    const bytes = await Deno.readFile(file.path);
    if (file.path.endsWith(".parquet")) {
      const ipc = parquetToIPC(bytes, COIN_TICK_COLUMNS);
      const table = arrow.tableFromIPC(ipc);
      if (table.numRows > 0) db.insertIPC("ticks", ipc);
      tickMs.push(msColumn(table, file));
      mid.push(floatColumn(table, "mid", file));
    } else {
      const scan = scanTicks(new TextDecoder().decode(bytes), { coin: file.coin, day: file.day });
      summary.corruptLines += scan.bad.length;
      if (scan.rows > 0) {
        db.insertTable(
          "ticks",
          columnsTable("ticks", file.coin, scan.columns).select(COIN_TICK_COLUMNS),
        );
      }
      tickMs.push(scan.columns.timestampMs);
      mid.push(scan.columns.mid);
    }
    summary.tickFiles++;
    summary.tickRows += tickMs[tickMs.length - 1].length;
  }
  const tradeMs: Float64Array[] = [], buyer: Uint8Array[] = [];
  for (const file of files.trades) {
    const bytes = await Deno.readFile(file.path);
    if (file.path.endsWith(".parquet")) {
      const table = arrow.tableFromIPC(parquetToIPC(bytes, ["timestamp_ms", "side"]));
      tradeMs.push(msColumn(table, file));
      buyer.push(buyerColumn(table, file));
    } else {
      const scan = scanTrades(new TextDecoder().decode(bytes), { coin: file.coin, day: file.day });
      summary.corruptLines += scan.bad.length;
      tradeMs.push(scan.columns.timestampMs);
      buyer.push(scan.columns.buyerTaker);
    }
    summary.tradeFiles++;
    summary.tradeRows += tradeMs[tradeMs.length - 1].length;
  }
  const ticks = timeOrder(concat(tickMs, Float64Array), concat(mid, Float64Array));
  const trades = timeOrder(concat(tradeMs, Float64Array), concat(buyer, Uint8Array));
  return {
    coin: files.coin,
    tickMs: ticks.ms,
    mid: ticks.values,
    tradeMs: trades.ms,
    buyerTaker: trades.values,
  };
}

function column(table: arrow.Table, name: string, file: DayFile): arrow.Vector {
  const vector = table.getChild(name);
  if (vector === null) throw new Error(`${file.path} has no column ${name}`);
  if (vector.nullCount > 0) throw new Error(`${file.path}: column ${name} has empty values`);
  return vector;
}

/** Int64 ms timestamps as numbers, read from the two 32-bit halves (no BigInt per row). */
function msColumn(table: arrow.Table, file: DayFile): Float64Array {
  const values = column(table, "timestamp_ms", file).toArray();
  if (!(values instanceof BigInt64Array)) {
    return Float64Array.from(values as ArrayLike<number>);
  }
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) {
    // Little-endian halves; the high word is signed.
    out[i] = (words[2 * i + 1] | 0) * WORD + words[2 * i];
  }
  return out;
}

function floatColumn(table: arrow.Table, name: string, file: DayFile): Float64Array {
  const values = column(table, name, file).toArray();
  return values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
}

/** Trade side as 1 (B, buyer took) or 0 (A); anything else is an error naming the file. */
function buyerColumn(table: arrow.Table, file: DayFile): Uint8Array {
  const side = column(table, "side", file);
  const out = new Uint8Array(side.length);
  let at = 0;
  for (const data of side.data) {
    // Dictionary-encoded (as written by the converter): map each dictionary entry once.
    const dictionary = data.dictionary;
    const flags = dictionary === undefined
      ? null
      : Array.from({ length: dictionary.length }, (_, i) => sideFlag(dictionary.get(i), file));
    const indices = data.values as ArrayLike<number>;
    for (let i = 0; i < data.length; i++, at++) {
      out[at] = flags === null ? sideFlag(side.get(at), file) : flags[indices[i]];
    }
  }
  return out;
}

function sideFlag(value: unknown, file: DayFile): number {
  if (value === "B") return 1;
  if (value === "A") return 0;
  throw new Error(`${file.path}: trade side ${JSON.stringify(value)} is not A or B`);
}

function concat<T extends Float64Array | Uint8Array>(
  parts: T[],
  Kind: { new (length: number): T },
): T {
  if (parts.length === 1) return parts[0];
  const out = new Kind(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The rows in time order. The harvester writes each day in time order and days are read in
 * order, so this is one check; otherwise a stable sort keeps equal timestamps in file order.
 */
function timeOrder<T extends Float64Array | Uint8Array>(
  ms: Float64Array,
  values: T,
): { ms: Float64Array; values: T } {
  let sorted = true;
  for (let i = 1; i < ms.length && sorted; i++) sorted = ms[i] >= ms[i - 1];
  if (sorted) return { ms, values };
  const order = Array.from({ length: ms.length }, (_, i) => i).sort((a, b) => ms[a] - ms[b]);
  const outMs = new Float64Array(ms.length);
  const outValues = values.slice() as T;
  order.forEach((from, to) => {
    outMs[to] = ms[from];
    outValues[to] = values[from];
  });
  return { ms: outMs, values: outValues };
}

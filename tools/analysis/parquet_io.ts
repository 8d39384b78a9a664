/**
 * Parquet encoding of the harvested columns with parquet-wasm (zstd) and Apache Arrow, and the
 * Arrow tables the analysis reads back. Column types: int64 ms timestamps, dictionary-encoded
 * coin (and trade side), float64 prices and sizes, int64 trade ids.
 */

import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm/esm";
import type { RowKind } from "../../engine/csv_rows.ts";
import type { TickColumns, TradeColumns } from "../../engine/csv_scan.ts";

/** 2^32: a 64-bit integer is two 32-bit words, `high × WORD + low`. */
export const WORD = 2 ** 32;

let ready: Promise<unknown> | null = null;

/** Loads parquet-wasm's module from node_modules (no network); safe to call repeatedly. */
export function initParquet(): Promise<unknown> {
  ready ??= Deno.readFile(
    new URL("../../node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm", import.meta.url),
  ).then((bytes) => pq.default({ module_or_path: bytes }));
  return ready;
}

function int64(values: Float64Array): BigInt64Array {
  // Writes the two 32-bit halves directly (little-endian, as on every platform Deno ships for):
  // 4 million BigInt() calls would cost more than the rest of the column build.
  const out = new BigInt64Array(values.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    words[2 * i] = v >>> 0;
    words[2 * i + 1] = Math.floor(v / WORD);
  }
  return out;
}

/** A dictionary column with a single value repeated (one coin per day file). */
function constantDictionary(value: string, length: number): arrow.Vector {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const dictionary = arrow.vectorFromArray([value], new arrow.Utf8());
  const data = arrow.makeData({
    type,
    length,
    nullCount: 0,
    data: new Int32Array(length),
    dictionary,
  });
  return arrow.makeVector(data);
}

function sideDictionary(buyerTaker: Uint8Array): arrow.Vector {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  // Index 0 = "A" (seller took), 1 = "B" (buyer took), so the flag is the index.
  const dictionary = arrow.vectorFromArray(["A", "B"], new arrow.Utf8());
  const data = arrow.makeData({
    type,
    length: buyerTaker.length,
    nullCount: 0,
    data: Int32Array.from(buyerTaker),
    dictionary,
  });
  return arrow.makeVector(data);
}

/** Arrow table of one coin's tick columns. */
export function tickTable(coin: string, c: TickColumns): arrow.Table {
  return new arrow.Table({
    timestamp_ms: arrow.makeVector(int64(c.timestampMs)),
    coin: constantDictionary(coin, c.timestampMs.length),
    bid: arrow.makeVector(c.bid),
    ask: arrow.makeVector(c.ask),
    mid: arrow.makeVector(c.mid),
    spread_bps: arrow.makeVector(c.spreadBps),
  });
}

/** Arrow table of one coin's trade columns. */
export function tradeTable(coin: string, c: TradeColumns): arrow.Table {
  return new arrow.Table({
    timestamp_ms: arrow.makeVector(int64(c.timestampMs)),
    coin: constantDictionary(coin, c.timestampMs.length),
    side: sideDictionary(c.buyerTaker),
    px: arrow.makeVector(c.px),
    sz: arrow.makeVector(c.sz),
    tid: arrow.makeVector(int64(c.tid)),
  });
}

/** Parquet bytes (zstd) of an Arrow table. Call {@link initParquet} first. */
export function encodeParquet(table: arrow.Table): Uint8Array {
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
  // Dictionary pages only where values repeat (coin, side): on prices and timestamps they cost
  // time and, on a busy day, fall back to plain encoding anyway.
  let builder = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(false);
  for (const name of ["coin", "side"]) {
    if (table.schema.fields.some((f) => f.name === name)) {
      builder = builder.setColumnDictionaryEnabled(name, true);
    }
  }
  const props = builder.build();
  return pq.writeParquet(wasmTable, props);
}

/**
 * Arrow IPC stream bytes of a Parquet file (what DuckDB ingests), optionally only some columns.
 * Call {@link initParquet} first.
 */
export function parquetToIPC(bytes: Uint8Array, columns?: string[]): Uint8Array {
  return pq.readParquet(bytes, columns ? { columns } : undefined).intoIPCStream();
}

/** Row count from a Parquet file's footer. Call {@link initParquet} first. */
export async function parquetRowCount(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const file = await pq.ParquetFile.fromFile(new Blob([bytes]));
  try {
    return file.metadata().fileMetadata().numRows();
  } finally {
    file.free();
  }
}

/** Arrow table of a Parquet file. Call {@link initParquet} first. */
export function decodeParquet(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(parquetToIPC(bytes));
}

/** Arrow table of a scanned CSV's columns, by kind. */
export function columnsTable(
  kind: RowKind,
  coin: string,
  columns: TickColumns | TradeColumns,
): arrow.Table {
  return kind === "ticks"
    ? tickTable(coin, columns as TickColumns)
    : tradeTable(coin, columns as TradeColumns);
}

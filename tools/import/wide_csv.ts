/**
 * Wide book-snapshot CSVs: one row per `l2Book` push with `bid_price_i, bid_size_i, ask_price_i,
 * ask_size_i` columns (i = 0..N-1), and their trade CSVs (`price, size, side, trade_id`), as
 * several Hyperliquid collectors write them (the main dataset in `../shared/real-data/` is one;
 * see its README). Times are the exchange's (`exchange_timestamp`) when the file has them, the
 * receive time (`timestamp`) otherwise. These files do not record a level's order count, so
 * depth frames carry `n: 0`, the value replay already uses for "unknown"; the engine never
 * reads it.
 */

import type { BookLevel, Trade } from "../../engine/hyperliquid/types.ts";
import { parseDecimal } from "../../engine/csv_rows.ts";
import { type RecordedEvent, takerSide } from "./formats.ts";
import { columnsOf, epochMs, readLines } from "./lines.ts";

/** Column positions of one side's levels, best first. */
interface SideColumns {
  px: number[];
  sz: number[];
}

function timeColumn(columns: Map<string, number>, path: string): number {
  const at = columns.get("exchange_timestamp") ?? columns.get("timestamp");
  if (at === undefined) throw new Error(`${path}: no exchange_timestamp or timestamp column`);
  return at;
}

function sideColumns(columns: Map<string, number>, side: "bid" | "ask"): SideColumns {
  const out: SideColumns = { px: [], sz: [] };
  for (let i = 0;; i++) {
    const px = columns.get(`${side}_price_${i}`) ?? columns.get(`${side}_${i}_price`);
    const sz = columns.get(`${side}_size_${i}`) ?? columns.get(`${side}_${i}_size`);
    if (px === undefined || sz === undefined) return out;
    out.px.push(px);
    out.sz.push(sz);
  }
}

/** A side's levels; an empty or zero price ends the side (fewer levels than columns). */
function levels(fields: string[], side: SideColumns): BookLevel[] {
  const out: BookLevel[] = [];
  for (let i = 0; i < side.px.length; i++) {
    const pxText = fields[side.px[i]];
    if (pxText === "" || parseDecimal(pxText) === 0) break;
    out.push({ px: parseDecimal(pxText), sz: parseDecimal(fields[side.sz[i]]), n: 0 });
  }
  return out;
}

/**
 * The coin of a file without a `coin` or `symbol` column: `coin` when given, else the last
 * `_`-separated part of the file name (`orderbooks_BTC.csv` is BTC).
 */
export function coinFromName(path: string, coin: string | undefined): string {
  if (coin !== undefined) return coin;
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/\.gz$/, "").replace(/\.csv$/, "");
  const guess = name.slice(name.lastIndexOf("_") + 1);
  if (guess === "" || guess === name) {
    throw new Error(`${path}: no coin column and no _COIN in the file name; pass --coin`);
  }
  return guess;
}

/** Reads a wide book-snapshot CSV. */
export async function* readWideBooks(
  path: string,
  coin: string | undefined,
): AsyncGenerator<RecordedEvent> {
  let lineNo = 0, width = 0, time = 0, coinAt: number | undefined;
  let bids: SideColumns = { px: [], sz: [] }, asks = bids;
  let fileCoin = "";
  for await (const line of readLines(path)) {
    lineNo++;
    if (lineNo === 1) {
      const columns = columnsOf(line);
      width = columns.size;
      time = timeColumn(columns, path);
      coinAt = columns.get("coin") ?? columns.get("symbol");
      if (coinAt === undefined) fileCoin = coinFromName(path, coin);
      bids = sideColumns(columns, "bid");
      asks = sideColumns(columns, "ask");
      continue;
    }
    if (line === "") continue;
    const f = line.split(",");
    if (f.length !== width) {
      yield { type: "bad", line: lineNo, reason: `${f.length} columns, the header has ${width}` };
      continue;
    }
    yield {
      type: "book",
      book: {
        coin: coin ?? (coinAt === undefined ? fileCoin : f[coinAt]),
        timeMs: epochMs(f[time]),
        bids: levels(f, bids),
        asks: levels(f, asks),
      },
    };
  }
}

/** Reads a wide trades CSV (`side` is the taker side: `buy` lifted the ask). */
export async function* readWideTrades(
  path: string,
  coin: string | undefined,
): AsyncGenerator<RecordedEvent> {
  let lineNo = 0, width = 0, time = 0, coinAt: number | undefined;
  let px = 0, sz = 0, side = 0, tid = 0;
  let fileCoin = "";
  for await (const line of readLines(path)) {
    lineNo++;
    if (lineNo === 1) {
      const columns = columnsOf(line);
      width = columns.size;
      time = timeColumn(columns, path);
      coinAt = columns.get("coin") ?? columns.get("symbol");
      if (coinAt === undefined) fileCoin = coinFromName(path, coin);
      [px, sz, side, tid] = ["price", "size", "side", "trade_id"].map((c) => columns.get(c)!);
      continue;
    }
    if (line === "") continue;
    const f = line.split(",");
    if (f.length !== width) {
      yield { type: "bad", line: lineNo, reason: `${f.length} columns, the header has ${width}` };
      continue;
    }
    const taker = takerSide(f[side]);
    if (taker === null) {
      yield { type: "bad", line: lineNo, reason: `side "${f[side]}" is not buy or sell` };
      continue;
    }
    const trade: Trade = {
      coin: coin ?? (coinAt === undefined ? fileCoin : f[coinAt]),
      side: taker,
      px: parseDecimal(f[px]),
      sz: parseDecimal(f[sz]),
      timeMs: epochMs(f[time]),
      tid: parseDecimal(f[tid]),
    };
    yield { type: "trade", trade };
  }
}

/**
 * Tardis.dev downloadable CSVs (docs.tardis.dev, "Downloadable CSV files"): `incremental_book_L2`,
 * `book_snapshot_25` (and `_5`) and `trades`, plain or `.csv.gz`. Every file starts with
 * `exchange,symbol,timestamp,local_timestamp`; times are µs since the epoch, `timestamp` being
 * the exchange's. Tardis upper-cases symbols, so Hyperliquid's `kPEPE` arrives as `KPEPE`
 * (`--coin` names the coin of a one-symbol file). Tardis does not keep a level's order count:
 * depth frames carry `n: 0`, replay's "unknown", which the engine never reads.
 */

import type { BookLevel } from "../../engine/hyperliquid/types.ts";
import { parseDecimal } from "../../engine/csv_rows.ts";
import { type RecordedEvent, takerSide } from "./formats.ts";
import { columnsOf, readLines } from "./lines.ts";

// Hyperliquid's l2Book carries 20 levels a side; books rebuilt from updates keep as many.
const FRAME_LEVELS = 20;

/** A Tardis time (µs since the epoch) in whole ms; NaN when it is not a positive number. */
function tardisMs(text: string): number {
  const us = parseDecimal(text);
  return us > 0 ? Math.floor(us / 1000) : NaN;
}

interface RebuiltBook {
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** A snapshot has been seen: updates before the first one have no book to apply to. */
  live: boolean;
  /** The last row was part of a snapshot, so the next non-snapshot row ends it. */
  inSnapshot: boolean;
}

function topLevels(side: Map<number, number>, descending: boolean): BookLevel[] {
  const prices = [...side.keys()].sort((a, b) => descending ? b - a : a - b);
  return prices.slice(0, FRAME_LEVELS).map((px) => ({ px, sz: side.get(px)!, n: 0 }));
}

/**
 * Reads `incremental_book_L2` and yields the rebuilt book after each exchange message (the rows
 * of one message share their `local_timestamp`), as Hyperliquid would have sent it. A snapshot
 * after updates replaces the book; updates before the first snapshot are skipped (Tardis's
 * documented rules); an amount of 0 removes the level.
 */
export async function* readTardisIncremental(
  path: string,
  coin: string | undefined,
): AsyncGenerator<RecordedEvent> {
  const books = new Map<string, RebuiltBook>();
  let open: { symbol: string; local: string; timeMs: number } | null = null;
  const rebuilt = (): RecordedEvent | null => {
    if (open === null) return null;
    const book = books.get(open.symbol)!;
    return {
      type: "book",
      book: {
        coin: coin ?? open.symbol,
        timeMs: open.timeMs,
        bids: topLevels(book.bids, true),
        asks: topLevels(book.asks, false),
      },
    };
  };
  let lineNo = 0;
  for await (const line of readLines(path)) {
    if (++lineNo === 1 || line === "") continue;
    const f = line.split(",");
    if (f.length !== 8) {
      yield { type: "bad", line: lineNo, reason: `${f.length} columns, expected 8` };
      continue;
    }
    const [, symbol, timestamp, local, isSnapshot, side, price, amount] = f;
    if (open !== null && (open.symbol !== symbol || open.local !== local)) {
      yield rebuilt()!;
      open = null;
    }
    let book = books.get(symbol);
    if (book === undefined) {
      book = { bids: new Map(), asks: new Map(), live: false, inSnapshot: false };
      books.set(symbol, book);
    }
    const snapshot = isSnapshot === "true";
    if (snapshot && !book.inSnapshot) {
      book.bids.clear();
      book.asks.clear();
      book.live = true;
    }
    book.inSnapshot = snapshot;
    if (!book.live) {
      yield { type: "bad", line: lineNo, reason: "update before the first snapshot" };
      continue;
    }
    const levels = side === "bid" ? book.bids : side === "ask" ? book.asks : null;
    const px = parseDecimal(price), sz = parseDecimal(amount);
    if (levels === null || !(px > 0) || !(sz >= 0) || !Number.isFinite(px + sz)) {
      yield {
        type: "bad",
        line: lineNo,
        reason: `not a bid or ask level: ${side} ${price} ${amount}`,
      };
      continue;
    }
    if (sz === 0) levels.delete(px);
    else levels.set(px, sz);
    open = { symbol, local, timeMs: tardisMs(timestamp) };
  }
  const last = rebuilt();
  if (last !== null) yield last;
}

/** Reads `book_snapshot_25` / `book_snapshot_5`: one book per row, empty cells past the last level. */
export async function* readTardisSnapshots(
  path: string,
  coin: string | undefined,
): AsyncGenerator<RecordedEvent> {
  let lineNo = 0, width = 0;
  const bidAt: [number, number][] = [], askAt: [number, number][] = [];
  const side = (f: string[], at: [number, number][]): BookLevel[] => {
    const out: BookLevel[] = [];
    for (const [px, sz] of at) {
      if (f[px] === "") break;
      out.push({ px: parseDecimal(f[px]), sz: parseDecimal(f[sz]), n: 0 });
    }
    return out;
  };
  for await (const line of readLines(path)) {
    if (++lineNo === 1) {
      const columns = columnsOf(line);
      width = columns.size;
      for (let i = 0; columns.has(`bids[${i}].price`); i++) {
        bidAt.push([columns.get(`bids[${i}].price`)!, columns.get(`bids[${i}].amount`)!]);
      }
      for (let i = 0; columns.has(`asks[${i}].price`); i++) {
        askAt.push([columns.get(`asks[${i}].price`)!, columns.get(`asks[${i}].amount`)!]);
      }
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
        coin: coin ?? f[1],
        timeMs: tardisMs(f[2]),
        bids: side(f, bidAt),
        asks: side(f, askAt),
      },
    };
  }
}

/** Reads `trades` (`side` is the taker side; `unknown` sides cannot be replayed and are skipped). */
export async function* readTardisTrades(
  path: string,
  coin: string | undefined,
): AsyncGenerator<RecordedEvent> {
  let lineNo = 0;
  for await (const line of readLines(path)) {
    if (++lineNo === 1 || line === "") continue;
    const f = line.split(",");
    if (f.length !== 8) {
      yield { type: "bad", line: lineNo, reason: `${f.length} columns, expected 8` };
      continue;
    }
    const [, symbol, timestamp, , id, sideText, price, amount] = f;
    const side = takerSide(sideText);
    if (side === null) {
      yield { type: "bad", line: lineNo, reason: `side "${sideText}" is not buy or sell` };
      continue;
    }
    yield {
      type: "trade",
      trade: {
        coin: coin ?? symbol,
        side,
        px: parseDecimal(price),
        sz: parseDecimal(amount),
        timeMs: tardisMs(timestamp),
        tid: parseDecimal(id),
      },
    };
  }
}

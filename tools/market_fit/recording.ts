/**
 * A folder of market recordings read into one time-ordered stream of books and trades per coin,
 * for the market fit. It reads what `deno task import` reads (wide book/trade CSVs such as
 * `../shared/real-data/`'s, hftbacktest captures, Tardis CSVs) and what the engine harvests
 * (`depth/COIN/DAY.jsonl` raw `l2Book` frames and `trades/COIN/DAY.csv` rows). Tick CSVs carry
 * no depth and are skipped. Trades are de-duplicated on (coin, time, tid) because collectors
 * repeat some after a reconnect (the real-data README counts 8–17 per coin).
 */

import type { BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";
import { parseFrame } from "../../engine/hyperliquid/parse.ts";
import { isRowError, parseTradeLine, TRADE_HEADER } from "../../engine/csv_rows.ts";
import { detectFormat, type RecordedEvent } from "../import/formats.ts";
import { firstLine, readLines } from "../import/lines.ts";
import { RECORDING_READERS, type RecordingReader } from "../import/readers.ts";
import { errorMessage } from "../../engine/util/errors.ts";

/** One coin's recorded market, books and trades each in time order. */
export interface CoinRecording {
  coin: string;
  books: BookSnapshot[];
  trades: Trade[];
}

/** What a folder held: the coins' recordings and the files read or skipped. */
export interface Recording {
  coins: CoinRecording[];
  /** Files read, with what was found in each. */
  read: string[];
  /** Files skipped, with why. */
  skipped: string[];
}

// Files named in the error for a folder without depth.
const SHOWN_FILES = 3;

async function* readHarvestDepth(path: string): AsyncGenerator<RecordedEvent> {
  let line = 0;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === "") continue;
    const frame = parseFrame(text);
    if (frame.type === "book") yield { type: "book", book: frame.book };
    else yield { type: "bad", line, reason: `not an l2Book frame (${frame.type})` };
  }
}

async function* readHarvestTrades(path: string): AsyncGenerator<RecordedEvent> {
  let line = 0;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === "" || text.startsWith("timestamp_ms")) continue;
    const row = parseTradeLine(text);
    if (isRowError(row)) {
      yield { type: "bad", line, reason: row.error };
      continue;
    }
    const { timestampMs, coin, side, px, sz, tid } = row;
    yield { type: "trade", trade: { coin, side, px, sz, tid, timeMs: timestampMs } };
  }
}

async function listFiles(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return [path];
  const out: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.name.startsWith(".")) continue;
    out.push(...await listFiles(`${path}/${entry.name}`));
  }
  return out.sort();
}

/** Which reader a file needs, or why it has none. */
async function readerFor(path: string): Promise<{ read: RecordingReader; name: string } | string> {
  if (/\.jsonl(\.gz)?$/.test(path)) {
    return { read: (p) => readHarvestDepth(p), name: "harvested l2Book frames" };
  }
  const head = await firstLine(path);
  if (head === TRADE_HEADER || /^\d+,[^,]+,[BA],/.test(head)) {
    return { read: (p) => readHarvestTrades(p), name: "harvested trades" };
  }
  const format = detectFormat(head);
  if (format === null) {
    return `not a recording with depth or trades (first line "${head.slice(0, 60)}")`;
  }
  return { read: RECORDING_READERS[format], name: format };
}

/**
 * Reads every recording under `path` (a file or a folder, searched recursively). Throws naming
 * the path when nothing in it holds a book.
 */
export async function readRecording(path: string): Promise<Recording> {
  let files: string[];
  try {
    files = await listFiles(path.replace(/\/+$/, ""));
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      // The task's permissions (deno.json) keep the repository root, where .env lives, unread.
      throw new Error(
        `cannot read ${path}: fit-market reads only under data/ and ../shared/real-data/; ` +
          `link the folder under data/ (ln -s ${path} data/NAME) and fit data/NAME`,
      );
    }
    throw new Error(`cannot read ${path}: ${errorMessage(e)}`);
  }
  const byCoin = new Map<string, CoinRecording>();
  const coinOf = (coin: string) => {
    let c = byCoin.get(coin);
    if (!c) byCoin.set(coin, c = { coin, books: [], trades: [] });
    return c;
  };
  const read: string[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const reader = await readerFor(file);
    if (typeof reader === "string") {
      skipped.push(`${file}: ${reader}`);
      continue;
    }
    let books = 0, trades = 0, bad = 0;
    for await (const event of reader.read(file, undefined)) {
      if (event.type === "book") {
        coinOf(event.book.coin).books.push(event.book);
        books++;
      } else if (event.type === "trade") {
        coinOf(event.trade.coin).trades.push(event.trade);
        trades++;
      } else bad++;
    }
    read.push(`${file} (${reader.name}): ${books} books, ${trades} trades, ${bad} bad lines`);
  }
  const coins = [...byCoin.values()].filter((c) => c.books.length > 1);
  if (coins.length === 0) {
    // Name what was there, so a user sees why their folder did not qualify.
    const found = [...read, ...skipped.map((s) => `skipped ${s}`)];
    const shown = found.slice(0, SHOWN_FILES).join("; ") +
      (found.length > SHOWN_FILES ? `; and ${found.length - SHOWN_FILES} more` : "");
    throw new Error(
      `no coin under ${path} has two or more order-book snapshots ` +
        `(read: ${read.length} files, skipped: ${skipped.length}${
          found.length ? `: ${shown}` : ""
        }); the fit needs depth (harvested l2Book frames depth/COIN/DAY.jsonl, wide book CSVs ` +
        `orderbooks_COIN.csv, hftbacktest captures or Tardis CSVs) and trades, not only ticks`,
    );
  }
  for (const c of coins) {
    c.books.sort((a, b) => a.timeMs - b.timeMs);
    const seen = new Set<string>();
    c.trades = c.trades
      .filter((t) => {
        const key = `${t.timeMs}:${t.tid}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.timeMs - b.timeMs);
  }
  coins.sort((a, b) => a.coin.localeCompare(b.coin));
  return { coins, read, skipped };
}

/**
 * Writes imported market data in the harvester's layout, so replay, conversion, integrity and the
 * gates read it like harvested data: `ticks/COIN/DAY.csv`, `trades/COIN/DAY.csv` and raw l2Book
 * frames in `depth/COIN/DAY.jsonl`. Every row goes through the same parsers that read harvested
 * files, so a row the import writes is a row they accept.
 */

import {
  formatDecimal,
  formatTickLine,
  formatTradeLine,
  isRowError,
  parseTickLine,
  parseTradeLine,
  TICK_HEADER,
  TRADE_HEADER,
  utcDay,
} from "../../engine/csv_rows.ts";
import { parseFrame } from "../../engine/hyperliquid/parse.ts";
import type { BookLevel, BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";
import { exists } from "../data_files.ts";

/** One file the import wrote, or left alone because it existed. */
export interface WrittenFile {
  path: string;
  rows: number;
  /** `kept`: the file existed before the import and `replace` was off; nothing was written. */
  status: "written" | "kept";
}

/** Options of {@link HarvestSink}. */
export interface SinkOptions {
  /** Root of the harvest layout (`data` or a folder inside it). */
  dataDir: string;
  /** Overwrite day files that exist already (default: keep them and report). */
  replace?: boolean;
}

// Lines held per file before an append: big enough that a write call is rare, small enough that
// a long recording never sits in memory.
const FLUSH_LINES = 8192;
const encoder = new TextEncoder();

/**
 * The raw `l2Book` WebSocket frame of a book, with the exchange's key order
 * (`{"channel":"l2Book","data":{"coin","time","levels":[bids, asks]}}`, prices and sizes as
 * decimal strings), which is what the harvester stores and the engine's frame scanner reads
 * fastest.
 */
export function formatBookFrame(book: BookSnapshot): string {
  const side = (levels: readonly BookLevel[]) =>
    levels.map((l) => `{"px":"${formatDecimal(l.px)}","sz":"${formatDecimal(l.sz)}","n":${l.n}}`)
      .join(",");
  return `{"channel":"l2Book","data":{"coin":"${book.coin}","time":${book.timeMs},` +
    `"levels":[[${side(book.bids)}],[${side(book.asks)}]]}}`;
}

/** One output day file, appended to under a temporary name and renamed when complete. */
class DayWriter {
  readonly path: string;
  readonly #temp: string;
  readonly #header: string | null;
  readonly kept: boolean;
  rows = 0;
  #pending: string[] = [];
  #file: Deno.FsFile | null = null;
  #lastMs = -Infinity;
  #ordered = true;

  constructor(path: string, header: string | null, kept: boolean) {
    this.path = path;
    this.#temp = `${path}.${Deno.pid}.tmp`;
    this.#header = header;
    this.kept = kept;
  }

  push(timeMs: number, line: string): void {
    if (this.kept) return;
    if (timeMs < this.#lastMs) this.#ordered = false;
    else this.#lastMs = timeMs;
    this.#pending.push(line);
    this.rows++;
  }

  get full(): boolean {
    return this.#pending.length >= FLUSH_LINES;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    if (this.#file === null) {
      await Deno.mkdir(this.path.slice(0, this.path.lastIndexOf("/")), { recursive: true });
      this.#file = await Deno.open(this.#temp, { create: true, write: true, truncate: true });
      if (this.#header !== null) this.#pending.unshift(this.#header + "\n");
    }
    const bytes = encoder.encode(this.#pending.join(""));
    this.#pending = [];
    let written = 0;
    while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
  }

  /**
   * Completes the file. Harvested CSVs are in time order and the row checks rely on it, so rows
   * that arrived out of order (a trade snapshot replayed after a reconnect) are sorted, stably;
   * depth frames keep their arrival order, as the harvester's do (replay sorts by time anyway).
   */
  async close(): Promise<void> {
    await this.flush();
    if (this.#file === null) return;
    this.#file.close();
    if (!this.#ordered && this.#header !== null) {
      const lines = (await Deno.readTextFile(this.#temp)).split("\n").slice(1, -1);
      const time = (line: string) => Number(line.slice(0, line.indexOf(",")));
      lines.sort((a, b) => time(a) - time(b));
      await Deno.writeTextFile(this.#temp, [this.#header, ...lines, ""].join("\n"));
    }
    await Deno.rename(this.#temp, this.path);
  }

  /** Removes the unfinished temporary file (after a failure). */
  async discard(): Promise<void> {
    this.#file?.close();
    this.#file = null;
    await Deno.remove(this.#temp).catch(() => {});
  }
}

/** Receives books and trades in any order and writes them as harvested day files. */
export class HarvestSink {
  readonly #dataDir: string;
  readonly #replace: boolean;
  readonly #writers = new Map<string, DayWriter>();
  readonly #tids = new Map<string, Set<number>>();
  /** Trades dropped because their coin and id were seen before. */
  duplicateTrades = 0;

  constructor(options: SinkOptions) {
    this.#dataDir = options.dataDir.replace(/\/+$/, "");
    this.#replace = options.replace ?? false;
  }

  /**
   * Writes a book as a tick row (best bid and ask) and a depth frame; returns why it was not
   * written, or null. A book the engine would refuse (a crossed or one-sided book, an unsorted
   * side, a level that is not a positive size at a positive price) is not written, as the
   * harvester does not record one.
   */
  async book(book: BookSnapshot): Promise<string | null> {
    const bid = book.bids[0]?.px, ask = book.asks[0]?.px;
    if (bid === undefined || ask === undefined) return "one side of the book is empty";
    const tick = formatTickLine(book.timeMs, book.coin, bid, ask);
    const row = parseTickLine(tick.slice(0, -1));
    if (isRowError(row)) return row.error;
    const frame = formatBookFrame(book);
    const parsed = parseFrame(frame);
    if (parsed.type !== "book") return parsed.type === "malformed" ? parsed.detail : parsed.type;
    if (parsed.problem !== null) return `${parsed.problem} book`;
    const day = utcDay(book.timeMs);
    await this.#push("ticks", book.coin, day, book.timeMs, tick);
    await this.#push("depth", book.coin, day, book.timeMs, frame + "\n");
    return null;
  }

  /** Writes a trade row; returns why it was not written (a repeated trade id is one), or null. */
  async trade(trade: Trade): Promise<string | null> {
    const line = formatTradeLine(
      trade.timeMs,
      trade.coin,
      trade.side,
      trade.px,
      trade.sz,
      trade.tid,
    );
    const row = parseTradeLine(line.slice(0, -1));
    if (isRowError(row)) return row.error;
    let seen = this.#tids.get(trade.coin);
    if (seen === undefined) this.#tids.set(trade.coin, seen = new Set());
    if (seen.has(trade.tid)) {
      this.duplicateTrades++;
      return `trade id ${trade.tid} seen before`;
    }
    seen.add(trade.tid);
    await this.#push("trades", trade.coin, utcDay(trade.timeMs), trade.timeMs, line);
    return null;
  }

  /** Completes every file; returns them sorted by path. */
  async close(): Promise<WrittenFile[]> {
    const writers = [...this.#writers.values()].sort((a, b) => a.path < b.path ? -1 : 1);
    try {
      for (const w of writers) await w.close();
    } catch (error) {
      for (const w of writers) await w.discard();
      throw error;
    }
    return writers.map((w) => ({
      path: w.path,
      rows: w.rows,
      status: w.kept ? "kept" : "written",
    }));
  }

  async #push(kind: string, coin: string, day: string, timeMs: number, line: string) {
    const ext = kind === "depth" ? "jsonl" : "csv";
    const path = `${this.#dataDir}/${kind}/${coin}/${day}.${ext}`;
    let writer = this.#writers.get(path);
    if (writer === undefined) {
      const header = kind === "ticks" ? TICK_HEADER : kind === "trades" ? TRADE_HEADER : null;
      writer = new DayWriter(path, header, !this.#replace && await exists(path));
      this.#writers.set(path, writer);
    }
    writer.push(timeMs, line);
    if (writer.full) await writer.flush();
  }
}

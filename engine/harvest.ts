/**
 * Tick and trade harvester (README, "Data pipeline"): every book snapshot becomes a line in
 * `ticks/COIN/YYYY-MM-DD.csv`, every public trade a line in `trades/COIN/YYYY-MM-DD.csv`, and
 * optionally every raw `l2Book` frame a line in `depth/COIN/YYYY-MM-DD.jsonl`, and every book and
 * trades frame, as received and in arrival order, a line in `frames/YYYY-MM-DD.jsonl` (what a
 * replay needs to run exactly the frames a live run quoted on: engine/core/frames.ts).
 *
 * The record calls only format a string and push it on a per-file queue, so the quoting path
 * never waits on the disk. A timer flushes the queues: each file gets its whole batch of complete
 * lines in one append, so a crash loses at most one flush interval and leaves, at worst, one
 * unfinished last line, which readers treat as incomplete and the next harvester trims away.
 * Rows go to the file of their own UTC day, so midnight needs no special handling.
 */

import { type FrameTap, frameTimeMs } from "./core/frames.ts";
import type { BookSnapshot, Trade } from "./hyperliquid/types.ts";
import type { Logger } from "./log.ts";
import {
  formatTickLine,
  formatTradeLine,
  quoteProblem,
  TICK_HEADER,
  TRADE_HEADER,
  utcDay,
} from "./csv_rows.ts";
import { errorMessage } from "./util/errors.ts";

/** Options of {@link Harvester}. */
export interface HarvesterOptions {
  /** Root of the data directory (`data` by default in the engine; MM_DATA_DIR). */
  dataDir: string;
  /** How often queued lines are written, in ms (default 1000: the most a crash may lose). */
  flushIntervalMs?: number;
  /** Also keep raw `l2Book` frames for full-depth replay (MM_HARVEST_DEPTH). */
  depth?: boolean;
  /** Also keep every book and trades frame in arrival order, for an exact replay. */
  frames?: boolean;
  logger?: Logger;
}

/** What the harvester has done so far (for the session report). */
export interface HarvestStats {
  tickRows: number;
  tradeRows: number;
  depthFrames: number;
  /** Market-data frames kept in arrival order (`frames/`). */
  frames: number;
  /** Trades seen twice (a resubscription replays recent trades) and written once. */
  duplicateTrades: number;
  /** Lines lost because a write failed (disk full, permissions); each failure is logged. */
  droppedLines: number;
  bytesWritten: number;
}

interface PendingFile {
  header: string | null;
  lines: string[];
}

interface OpenFile {
  file: Deno.FsFile;
  lastFlush: number;
}

const MS_PER_DAY = 86_400_000;
// Trade ids remembered per coin to drop replays after a resubscribe; Hyperliquid replays at most
// a few hundred recent trades, so 4096 is ample and bounds memory.
const SEEN_TIDS_PER_COIN = 4096;
// A file that got no line for this many flushes (yesterday's, a dropped coin's) is closed.
const IDLE_FLUSHES_BEFORE_CLOSE = 5;
// Bytes read from a file's end to find its last newline: far longer than any line harvest writes
// (a CSV row or one raw book frame), so a whole line always ends inside them.
const TAIL_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** Buffered CSV writer for ticks, trades and (optionally) raw depth frames. */
export class Harvester {
  readonly #dataDir: string;
  readonly #depth: boolean;
  readonly #frames: boolean;
  readonly #logger?: Logger;
  #pending = new Map<string, PendingFile>();
  #open = new Map<string, OpenFile>();
  #days = new Map<number, string>();
  #seenTids = new Map<string, { set: Set<number>; ring: number[]; next: number }>();
  #rawFrames: string[] = [];
  /** Frames queued for `frames/`, and their market times (routed at flush, off the quoting path). */
  #frameTexts: string[] = [];
  #frameTimes: number[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  #flushing: Promise<void> = Promise.resolve();
  #flushCount = 0;
  #closed = false;
  #stats: HarvestStats = {
    tickRows: 0,
    tradeRows: 0,
    depthFrames: 0,
    frames: 0,
    duplicateTrades: 0,
    droppedLines: 0,
    bytesWritten: 0,
  };

  /** Starts the flush timer; files are created on first use. */
  constructor(options: HarvesterOptions) {
    const interval = options.flushIntervalMs ?? 1000;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw new Error(`flushIntervalMs ${interval} must be a positive number of milliseconds`);
    }
    if (options.dataDir === "") throw new Error("dataDir must not be empty");
    this.#dataDir = options.dataDir.replace(/\/+$/, "");
    this.#depth = options.depth ?? false;
    this.#frames = options.frames ?? false;
    this.#logger = options.logger;
    this.#timer = setInterval(() => void this.flush(), interval);
    // The engine decides when to stop (it calls close()); the timer must not keep it alive.
    Deno.unrefTimer(this.#timer);
  }

  /** Counters since construction. */
  get stats(): Readonly<HarvestStats> {
    return this.#stats;
  }

  /**
   * Queues one tick line for a book snapshot. `bid`/`ask` default to the book's best levels;
   * a one-sided, crossed or locked book has no meaningful spread and is not recorded (the
   * readers' own rule, quoteProblem, so nothing written is later found corrupt).
   */
  recordBook(book: BookSnapshot, bid?: number, ask?: number): void {
    const b = bid ?? book.bids[0]?.px;
    const a = ask ?? book.asks[0]?.px;
    if (this.#closed || b === undefined || a === undefined || quoteProblem(b, a) !== null) return;
    const day = this.#day(book.timeMs);
    this.#push(
      "ticks",
      book.coin,
      day,
      "csv",
      TICK_HEADER,
      formatTickLine(book.timeMs, book.coin, b, a),
    );
    this.#stats.tickRows++;
  }

  /** Queues one line per trade not seen before (trade ids are unique per coin). */
  recordTrades(trades: readonly Trade[]): void {
    if (this.#closed) return;
    for (const t of trades) {
      if (this.#seenBefore(t.coin, t.tid)) {
        this.#stats.duplicateTrades++;
        continue;
      }
      const line = formatTradeLine(t.timeMs, t.coin, t.side, t.px, t.sz, t.tid);
      this.#push("trades", t.coin, this.#day(t.timeMs), "csv", TRADE_HEADER, line);
      this.#stats.tradeRows++;
    }
  }

  /**
   * Queues a raw `l2Book` WebSocket frame (only when depth harvesting is on). The coin and time
   * are read from the frame at flush time, off the quoting path.
   */
  recordRawBookFrame(text: string): void {
    if (this.#closed || !this.#depth) return;
    this.#rawFrames.push(text);
  }

  /**
   * Queues a market-data frame as received (only when frame harvesting is on), to the file of
   * its market time's UTC day, `timeMs`; frames keep their arrival order.
   */
  recordFrame(text: string, timeMs: number): void {
    if (this.#closed || !this.#frames) return;
    this.#frameTexts.push(text);
    this.#frameTimes.push(timeMs);
  }

  /** Writes everything queued so far; resolves when it is on disk (in the page cache). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#writeAll());
    return this.#flushing;
  }

  /** Stops the timer, writes what is queued and closes every file. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
    for (const open of this.#open.values()) open.file.close();
    this.#open.clear();
  }

  #day(timeMs: number): string {
    const index = Math.floor(timeMs / MS_PER_DAY);
    let day = this.#days.get(index);
    if (day === undefined) {
      day = utcDay(timeMs);
      this.#days.set(index, day);
    }
    return day;
  }

  #push(kind: string, coin: string, day: string, ext: string, header: string | null, line: string) {
    this.#pushFile(`${kind}/${coin}/${day}.${ext}`, header, line);
  }

  #pushFile(path: string, header: string | null, line: string) {
    let pending = this.#pending.get(path);
    if (pending === undefined) {
      pending = { header, lines: [] };
      this.#pending.set(path, pending);
    }
    pending.lines.push(line);
  }

  #seenBefore(coin: string, tid: number): boolean {
    let seen = this.#seenTids.get(coin);
    if (seen === undefined) {
      seen = { set: new Set(), ring: new Array(SEEN_TIDS_PER_COIN), next: 0 };
      this.#seenTids.set(coin, seen);
    }
    if (seen.set.has(tid)) return true;
    const evicted = seen.ring[seen.next];
    if (evicted !== undefined) seen.set.delete(evicted);
    seen.ring[seen.next] = tid;
    seen.next = (seen.next + 1) % SEEN_TIDS_PER_COIN;
    seen.set.add(tid);
    return false;
  }

  #routeRawFrames(): void {
    const frames = this.#rawFrames;
    this.#rawFrames = [];
    for (const text of frames) {
      let coin: unknown, time: unknown;
      try {
        const data = JSON.parse(text)?.data;
        coin = data?.coin;
        time = data?.time;
      } catch {
        coin = undefined;
      }
      if (typeof coin !== "string" || typeof time !== "number") {
        this.#logger?.warn(`harvest: raw l2Book frame without data.coin/data.time skipped`);
        continue;
      }
      // JSON whitespace outside strings is insignificant and strings cannot hold a raw newline,
      // so removing newlines keeps the frame intact and one frame per line.
      this.#push("depth", coin, this.#day(time), "jsonl", null, text.replace(/[\r\n]/g, "") + "\n");
      this.#stats.depthFrames++;
    }
  }

  #routeFrames(): void {
    const texts = this.#frameTexts;
    const times = this.#frameTimes;
    this.#frameTexts = [];
    this.#frameTimes = [];
    for (let i = 0; i < texts.length; i++) {
      // As for depth frames: newlines outside JSON strings are whitespace; one frame per line.
      const line = texts[i].replace(/[\r\n]/g, "") + "\n";
      this.#pushFile(`frames/${this.#day(times[i])}.jsonl`, null, line);
      this.#stats.frames++;
    }
  }

  async #writeAll(): Promise<void> {
    this.#routeRawFrames();
    this.#routeFrames();
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushCount++;
    for (const [path, pending] of batch) {
      try {
        const open = await this.#openFile(path);
        const body = pending.lines.join("");
        const text = open.isNew && pending.header !== null ? pending.header + "\n" + body : body;
        const bytes = encoder.encode(text);
        let written = 0;
        while (written < bytes.length) written += await open.file.write(bytes.subarray(written));
        this.#stats.bytesWritten += bytes.length;
      } catch (error) {
        this.#stats.droppedLines += pending.lines.length;
        this.#logger?.error(
          `harvest: could not write ${pending.lines.length} lines to ${this.#dataDir}/${path}: ${
            errorMessage(error)
          } (check disk space and permissions on the data directory)`,
        );
      }
    }
    this.#closeIdle();
  }

  async #openFile(path: string): Promise<{ file: Deno.FsFile; isNew: boolean }> {
    const known = this.#open.get(path);
    if (known !== undefined) {
      known.lastFlush = this.#flushCount;
      return { file: known.file, isNew: false };
    }
    const full = `${this.#dataDir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    const file = await Deno.open(full, { create: true, append: true, read: true });
    const size = await trimUnfinishedLine(file);
    this.#open.set(path, { file, lastFlush: this.#flushCount });
    return { file, isNew: size === 0 };
  }

  #closeIdle(): void {
    for (const [path, open] of this.#open) {
      if (this.#flushCount - open.lastFlush >= IDLE_FLUSHES_BEFORE_CLOSE) {
        open.file.close();
        this.#open.delete(path);
      }
    }
  }
}

/**
 * Cuts a file back to its last newline: a previous process killed mid-write may have left half a
 * line, and appending after it would glue a good row onto a broken one. Returns the new size.
 */
async function trimUnfinishedLine(file: Deno.FsFile): Promise<number> {
  const { size } = await file.stat();
  if (size === 0) return 0;
  const tail = new Uint8Array(Math.min(size, TAIL_BYTES));
  await file.seek(size - tail.length, Deno.SeekMode.Start);
  let read = 0;
  while (read < tail.length) {
    const n = await file.read(tail.subarray(read));
    if (n === null) break;
    read += n;
  }
  if (tail[tail.length - 1] === 0x0a) return size;
  const lastNewline = tail.lastIndexOf(0x0a);
  // No newline in the last 64 KiB of a line-oriented file: nothing in it is a whole line.
  const keep = lastNewline < 0
    ? (size > tail.length ? size - tail.length : 0)
    : size - tail.length + lastNewline + 1;
  await file.truncate(keep);
  return keep;
}

/**
 * The harvester as a tap of the frame handler: every book as a tick row and a raw depth frame,
 * every trade as a row, and every frame, in arrival order, into `frames/`.
 */
export function harvestTap(harvester: Harvester): FrameTap {
  return {
    book(book, frameText) {
      harvester.recordBook(book);
      harvester.recordRawBookFrame(frameText);
      harvester.recordFrame(frameText, book.timeMs);
    },
    trades(trades, frameText) {
      harvester.recordTrades(trades);
      harvester.recordFrame(frameText, frameTimeMs(trades));
    },
  };
}

/**
 * Replay: the same engine over harvested data, on a virtual clock. Sources are the harvester's
 * files: tick CSVs (`ticks/COIN/DATE.csv`: top of book), trade CSVs (`trades/COIN/DATE.csv`),
 * or recorded raw frames (`*.jsonl`, one WebSocket text frame per line: full-depth books and
 * trades; `frames/DATE.jsonl` holds every frame of a run in arrival order). Files are merged
 * by market time (at equal times: CSV books before CSV trades, then file order); a frame file
 * keeps its own order (a frame's place is the latest market time of its file so far), and each
 * frame stays whole: a trades frame is one batch, a flagged book pulls the coin's quotes, as
 * live. The loop ticks every `tickMs` of market time between events ({@link MarketClock}), so
 * the same input always gives the same fills and PnL, to the last digit.
 *
 * Tick CSVs carry no depth: their books have one level per side with size 0, so the `queue`
 * model starts at the front of the level (optimistic); the `spec` model needs only trades. CSV
 * trades carry no frame: each is a batch of its own.
 *
 * Just over 400 lines because the loader and the loop share the private event-kind columns
 * encoding above; moving the loader out would make that encoding public for no other user.
 */
import { scanTicks, scanTrades } from "./csv_scan.ts";
import { parseFrame } from "./hyperliquid/parse.ts";
import { type BookProblem } from "./hyperliquid/frame_checks.ts";
import type { BookSnapshot, Trade } from "./hyperliquid/types.ts";
import { errorMessage } from "./util/errors.ts";

// At 1x, the replay compares market time with the wall clock once per this many events: often
// enough to stay within a few ms, rarely enough that the check costs nothing.
const PACE_EVERY = 64;

/** Event kinds. */
const BOOK = 0;
/** A trade starting a batch (a CSV row, or the first trade of a trades frame). */
const TRADE = 1;
const FRAME_BOOK = 2;
/** A recorded book flagged as not to be quoted on; `b` is its problem's index in PROBLEMS. */
const FRAME_BAD_BOOK = 3;
/** A further trade of the trades frame the previous row belongs to. */
const TRADE_MORE = 4;

const PROBLEMS: readonly BookProblem[] = ["empty-side", "crossed-book", "unsorted-side"];

/** The merged, time-ordered events of a replay, as columns. */
export interface ReplayData {
  /** Coins in the data, sorted. */
  coins: string[];
  /** Files read, and rows or frames skipped as bad. */
  files: string[];
  badRows: number;
  length: number;
  kind: Uint8Array;
  timeMs: Float64Array;
  coin: Uint16Array;
  /** Book: best bid; trade: price. */
  a: Float64Array;
  /** Book: best ask; trade: size. */
  b: Float64Array;
  /** Trade: 1 when the buyer took liquidity (side B). */
  buyer: Uint8Array;
  tid: Float64Array;
  /** Full-depth books from frame files, indexed by `tid` of their FRAME_BOOK (or bad) event. */
  books: BookSnapshot[];
}

/** Lists the replayable files under the given files or folders, sorted for a stable order. */
export async function listReplayFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string) => {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(path)) await walk(`${path}/${entry.name}`);
    } else if (/\.(csv|jsonl)$/.test(path)) out.push(path);
  };
  for (const path of paths) {
    try {
      await walk(path.replace(/\/+$/, ""));
    } catch (error) {
      throw new Error(`replay: cannot read ${path}: ${errorMessage(error)}`);
    }
  }
  if (out.length === 0) {
    throw new Error(
      `replay: no .csv or .jsonl files under ${paths.join(", ")} ` +
        "(expected ticks/COIN/DATE.csv, trades/COIN/DATE.csv or recorded frame .jsonl files)",
    );
  }
  return out.sort();
}

interface Row {
  kind: number;
  /** Sort key: the event's market time (frame files: the latest of the file so far). */
  key: number;
  /** CSV trades sort after CSV books at equal times; frame files keep their own order. */
  rank: number;
  timeMs: number;
  coin: string;
  a: number;
  b: number;
  buyer: number;
  tid: number;
  order: number;
}

/** Reads and merges the files into time-ordered events; `coins` limits the coins kept. */
export async function loadReplay(
  paths: readonly string[],
  coins: readonly string[] | null = null,
): Promise<ReplayData> {
  const files = await listReplayFiles(paths);
  const keep = coins ? new Set(coins) : null;
  const rows: Row[] = [];
  const books: BookSnapshot[] = [];
  let badRows = 0;
  const push = (row: Omit<Row, "order" | "key" | "rank">, key: number, rank: number) => {
    if (keep && !keep.has(row.coin)) return;
    rows.push({ ...row, key, rank, order: rows.length });
  };
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    if (file.endsWith(".jsonl")) {
      // A frame file is in arrival order: its frames keep that order among themselves.
      let key = -Infinity;
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const frame = parseFrame(line);
        if (frame.type === "book") {
          const { book } = frame;
          if (keep && !keep.has(book.coin)) continue;
          books.push(book);
          key = Math.max(key, book.timeMs);
          push(
            {
              kind: frame.problem === null ? FRAME_BOOK : FRAME_BAD_BOOK,
              timeMs: book.timeMs,
              coin: book.coin,
              a: 0,
              b: frame.problem === null ? 0 : PROBLEMS.indexOf(frame.problem),
              buyer: 0,
              tid: books.length - 1,
            },
            key,
            0,
          );
        } else if (frame.type === "trades") {
          const trades = keep ? frame.trades.filter((t) => keep.has(t.coin)) : frame.trades;
          if (trades.length === 0) continue;
          key = Math.max(key, trades[0].timeMs);
          trades.forEach((t, k) =>
            push(
              {
                kind: k === 0 ? TRADE : TRADE_MORE,
                timeMs: t.timeMs,
                coin: t.coin,
                a: t.px,
                b: t.sz,
                buyer: t.side === "B" ? 1 : 0,
                tid: t.tid,
              },
              key,
              0,
            )
          );
        } else if (frame.type === "malformed") badRows++;
      }
      continue;
    }
    const parts = file.split("/");
    const day = parts[parts.length - 1].replace(/\.csv$/, "");
    const coin = parts[parts.length - 2] ?? "";
    const header = text.slice(0, text.indexOf("\n"));
    if (header.startsWith("timestamp_ms,coin,bid")) {
      const scan = scanTicks(text, { coin, day });
      badRows += scan.bad.length;
      const c = scan.columns;
      for (let i = 0; i < scan.rows; i++) {
        push(
          {
            kind: BOOK,
            timeMs: c.timestampMs[i],
            coin,
            a: c.bid[i],
            b: c.ask[i],
            buyer: 0,
            tid: 0,
          },
          c.timestampMs[i],
          0,
        );
      }
    } else if (header.startsWith("timestamp_ms,coin,side")) {
      const scan = scanTrades(text, { coin, day });
      badRows += scan.bad.length;
      const c = scan.columns;
      for (let i = 0; i < scan.rows; i++) {
        push(
          {
            kind: TRADE,
            timeMs: c.timestampMs[i],
            coin,
            a: c.px[i],
            b: c.sz[i],
            buyer: c.buyerTaker[i],
            tid: c.tid[i],
          },
          c.timestampMs[i],
          1,
        );
      }
    } else {
      throw new Error(
        `replay: ${file} is neither a tick nor a trade CSV (header "${header.slice(0, 60)}")`,
      );
    }
  }
  rows.sort((x, y) => x.key - y.key || x.rank - y.rank || x.order - y.order);
  const coinList = [...new Set(rows.map((r) => r.coin))].sort();
  const coinIndex = new Map(coinList.map((c, i) => [c, i]));
  const n = rows.length;
  const data: ReplayData = {
    coins: coinList,
    files,
    badRows,
    length: n,
    kind: new Uint8Array(n),
    timeMs: new Float64Array(n),
    coin: new Uint16Array(n),
    a: new Float64Array(n),
    b: new Float64Array(n),
    buyer: new Uint8Array(n),
    tid: new Float64Array(n),
    books,
  };
  rows.forEach((r, i) => {
    data.kind[i] = r.kind;
    data.timeMs[i] = r.timeMs;
    data.coin[i] = coinIndex.get(r.coin)!;
    data.a[i] = r.a;
    data.b[i] = r.b;
    data.buyer[i] = r.buyer;
    data.tid[i] = r.tid;
  });
  return data;
}

/**
 * A size-decimals guess for coins replayed without universe metadata: Hyperliquid sets
 * `szDecimals` so one lot is worth roughly $0.1 to $1 (BTC 5, ETH 4, SOL 2, DOGE 0), which
 * `ceil(log10(price))` clamped to 0..5 reproduces within one decimal.
 */
export function guessSzDecimals(price: number): number {
  if (!(price > 0)) return 0;
  return Math.min(5, Math.max(0, Math.ceil(Math.log10(price))));
}

/**
 * What a replay consumer does with events: the frame handler live uses (engine/core/frames.ts)
 * and the loop's tick.
 */
export interface ReplaySink {
  /** A book; `problem` non-null when it must not be quoted on (the coin's quotes are pulled). */
  onBook(book: BookSnapshot, problem: BookProblem | null): void;
  /** One frame's trades, together. */
  onTrades(trades: readonly Trade[]): void;
  tick(nowMs: number): void;
}

/** Options of {@link runReplay}. */
export interface ReplayRunOptions {
  /** Loop period on the virtual clock, ms. */
  tickMs: number;
  /** "max": as fast as possible; "1x": market time paced to the wall clock. */
  speed: "max" | "1x";
  /** Stops early (Ctrl-C) when it returns true; checked between events. */
  stopped?: () => boolean;
  /** Called after each event is handled (a test compares decisions frame by frame). */
  afterEvent?: () => void;
}

/** Result of a replay run. */
export interface ReplayRunResult {
  events: number;
  ticks: number;
  firstMs: number;
  lastMs: number;
}

/**
 * The virtual clock of a replay: the loop ticks every `tickMs` of market time, from the first
 * event's time, each tick before any event at or after its time. Market data moves it
 * ({@link MarketClock.advanceTo} before each event); its time is the latest tick's.
 */
export class MarketClock {
  readonly #tickMs: number;
  readonly #onTick: (nowMs: number) => void;
  #nextTick = NaN;
  #now = NaN;
  #ticks = 0;

  /** A clock that calls `onTick` with each tick's time, ms. */
  constructor(tickMs: number, onTick: (nowMs: number) => void) {
    if (!(tickMs > 0)) throw new Error(`replay: tickMs ${tickMs} must be a positive number of ms`);
    this.#tickMs = tickMs;
    this.#onTick = onTick;
  }

  /** The latest tick's time, ms (NaN before the first event). */
  get now(): number {
    return this.#now;
  }

  /** Ticks so far. */
  get ticks(): number {
    return this.#ticks;
  }

  /** An event at market time `timeMs` is next: every tick due by then runs first. */
  advanceTo(timeMs: number): void {
    if (Number.isNaN(this.#nextTick)) this.#nextTick = timeMs;
    while (this.#nextTick <= timeMs) this.#tick();
  }

  /** The data ended: one last tick (marks, gates, requote after the last event). */
  finish(): void {
    if (!Number.isNaN(this.#nextTick)) this.#tick();
  }

  #tick(): void {
    this.#now = this.#nextTick;
    this.#nextTick += this.#tickMs;
    this.#ticks++;
    this.#onTick(this.#now);
  }
}

/** Feeds the events to the sink in order, ticking the virtual clock every `tickMs`. */
export async function runReplay(
  data: ReplayData,
  sink: ReplaySink,
  options: ReplayRunOptions,
): Promise<ReplayRunResult> {
  const n = data.length;
  if (n === 0) return { events: 0, ticks: 0, firstMs: 0, lastMs: 0 };
  const { speed } = options;
  const firstMs = data.timeMs[0];
  const clock = new MarketClock(options.tickMs, (nowMs) => sink.tick(nowMs));
  // One reusable book per coin (the venue keeps only the latest book of a coin), and reusable
  // trades for the batches (nothing downstream keeps a trade object).
  const books: BookSnapshot[] = data.coins.map((coin) => ({
    coin,
    timeMs: 0,
    bids: [{ px: 0, sz: 0, n: 0 }],
    asks: [{ px: 0, sz: 0, n: 0 }],
  }));
  const pool: Trade[] = [];
  const batch: Trade[] = [];
  const wallStart = performance.now();
  let events = 0;
  for (let i = 0; i < n; i++) {
    const t = data.timeMs[i];
    clock.advanceTo(t);
    if (speed === "1x" && events % PACE_EVERY === 0) {
      const ahead = t - firstMs - (performance.now() - wallStart);
      if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
      if (options.stopped?.()) break;
    } else if ((events & 0xffff) === 0) {
      // Let signals and timers run during long replays.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.stopped?.()) break;
    }
    const kind = data.kind[i];
    if (kind === TRADE || kind === TRADE_MORE) {
      // One batch: this trade and the further trades of its frame.
      batch.length = 0;
      for (;;) {
        const trade = pool[batch.length] ??= {
          coin: "",
          side: "B",
          px: 0,
          sz: 0,
          timeMs: 0,
          tid: 0,
        };
        trade.coin = data.coins[data.coin[i]];
        trade.side = data.buyer[i] ? "B" : "A";
        trade.px = data.a[i];
        trade.sz = data.b[i];
        trade.timeMs = data.timeMs[i];
        trade.tid = data.tid[i];
        batch.push(trade);
        if (i + 1 < n && data.kind[i + 1] === TRADE_MORE) i++;
        else break;
      }
      sink.onTrades(batch);
    } else if (kind === BOOK) {
      const book = books[data.coin[i]];
      book.timeMs = t;
      book.bids[0].px = data.a[i];
      book.asks[0].px = data.b[i];
      sink.onBook(book, null);
    } else {
      sink.onBook(data.books[data.tid[i]], kind === FRAME_BAD_BOOK ? PROBLEMS[data.b[i]] : null);
    }
    options.afterEvent?.();
    events++;
  }
  clock.finish();
  return { events, ticks: clock.ticks, firstMs, lastMs: data.timeMs[n - 1] };
}

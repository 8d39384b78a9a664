/**
 * Replay: the same engine over harvested data, on a virtual clock. Sources are the harvester's
 * files: tick CSVs (`ticks/COIN/DATE.csv`: top of book), trade CSVs (`trades/COIN/DATE.csv`),
 * or recorded raw frames (`*.jsonl`, one WebSocket text frame per line: full-depth books and
 * trades). Events are merged by market time (at equal times: books before trades, then file
 * order), and the loop ticks every `tickMs` of market time between them, so the same input
 * always gives the same fills and PnL, to the last digit.
 *
 * Tick CSVs carry no depth: their books have one level per side with size 0, so the `queue`
 * model starts at the front of the level (optimistic); the `spec` model needs only trades.
 */
import { scanTicks, scanTrades } from "./csv_scan.ts";
import { parseFrame } from "./hyperliquid/parse.ts";
import type { BookSnapshot, Trade } from "./hyperliquid/types.ts";
import { errorMessage } from "./util/errors.ts";

/** Event kinds, in their order at equal timestamps. */
// At 1x, the replay compares market time with the wall clock once per this many events: often
// enough to stay within a few ms, rarely enough that the check costs nothing.
const PACE_EVERY = 64;
const BOOK = 0;
const TRADE = 1;
const FRAME_BOOK = 2;

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
  /** Full-depth books from frame files, indexed by `tid` of their FRAME_BOOK event. */
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
  const push = (row: Omit<Row, "order">) => {
    if (keep && !keep.has(row.coin)) return;
    rows.push({ ...row, order: rows.length });
  };
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    if (file.endsWith(".jsonl")) {
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const frame = parseFrame(line);
        if (frame.type === "book" && frame.problem === null) {
          const { book } = frame;
          if (keep && !keep.has(book.coin)) continue;
          books.push(book);
          push({
            kind: FRAME_BOOK,
            timeMs: book.timeMs,
            coin: book.coin,
            a: 0,
            b: 0,
            buyer: 0,
            tid: books.length - 1,
          });
        } else if (frame.type === "trades") {
          for (const t of frame.trades) {
            push({
              kind: TRADE,
              timeMs: t.timeMs,
              coin: t.coin,
              a: t.px,
              b: t.sz,
              buyer: t.side === "B" ? 1 : 0,
              tid: t.tid,
            });
          }
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
        push({
          kind: BOOK,
          timeMs: c.timestampMs[i],
          coin,
          a: c.bid[i],
          b: c.ask[i],
          buyer: 0,
          tid: 0,
        });
      }
    } else if (header.startsWith("timestamp_ms,coin,side")) {
      const scan = scanTrades(text, { coin, day });
      badRows += scan.bad.length;
      const c = scan.columns;
      for (let i = 0; i < scan.rows; i++) {
        push({
          kind: TRADE,
          timeMs: c.timestampMs[i],
          coin,
          a: c.px[i],
          b: c.sz[i],
          buyer: c.buyerTaker[i],
          tid: c.tid[i],
        });
      }
    } else {
      throw new Error(
        `replay: ${file} is neither a tick nor a trade CSV (header "${header.slice(0, 60)}")`,
      );
    }
  }
  rows.sort((x, y) =>
    x.timeMs - y.timeMs || (x.kind === TRADE ? 1 : 0) - (y.kind === TRADE ? 1 : 0) ||
    x.order - y.order
  );
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

/** What a replay consumer does with events (the engine implements it). */
export interface ReplaySink {
  onBook(book: BookSnapshot): void;
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
}

/** Result of a replay run. */
export interface ReplayRunResult {
  events: number;
  ticks: number;
  firstMs: number;
  lastMs: number;
}

/** Feeds the events to the sink in order, ticking the virtual clock every `tickMs`. */
export async function runReplay(
  data: ReplayData,
  sink: ReplaySink,
  options: ReplayRunOptions,
): Promise<ReplayRunResult> {
  const n = data.length;
  if (n === 0) return { events: 0, ticks: 0, firstMs: 0, lastMs: 0 };
  const { tickMs, speed } = options;
  const firstMs = data.timeMs[0];
  let nextTick = firstMs;
  let ticks = 0;
  // One reusable book and trade per coin: the venue keeps only the latest book of a coin.
  const books: BookSnapshot[] = data.coins.map((coin) => ({
    coin,
    timeMs: 0,
    bids: [{ px: 0, sz: 0, n: 0 }],
    asks: [{ px: 0, sz: 0, n: 0 }],
  }));
  const trade: Trade = { coin: "", side: "B", px: 0, sz: 0, timeMs: 0, tid: 0 };
  const batch = [trade];
  const wallStart = performance.now();
  let events = 0;
  for (let i = 0; i < n; i++) {
    const t = data.timeMs[i];
    while (nextTick <= t) {
      sink.tick(nextTick);
      ticks++;
      nextTick += tickMs;
    }
    if (speed === "1x" && i % PACE_EVERY === 0) {
      const ahead = t - firstMs - (performance.now() - wallStart);
      if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
      if (options.stopped?.()) break;
    } else if ((i & 0xffff) === 0) {
      // Let signals and timers run during long replays.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.stopped?.()) break;
    }
    const kind = data.kind[i];
    if (kind === TRADE) {
      trade.coin = data.coins[data.coin[i]];
      trade.side = data.buyer[i] ? "B" : "A";
      trade.px = data.a[i];
      trade.sz = data.b[i];
      trade.timeMs = t;
      trade.tid = data.tid[i];
      sink.onTrades(batch);
    } else if (kind === BOOK) {
      const book = books[data.coin[i]];
      book.timeMs = t;
      book.bids[0].px = data.a[i];
      book.asks[0].px = data.b[i];
      sink.onBook(book);
    } else {
      sink.onBook(data.books[data.tid[i]]);
    }
    events++;
  }
  sink.tick(nextTick);
  return { events, ticks: ticks + 1, firstMs, lastMs: data.timeMs[n - 1] };
}

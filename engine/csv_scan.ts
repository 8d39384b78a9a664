/**
 * Reads one harvested day file into columns and lists every line that is not good data, with
 * the reason. Conversion, integrity, analysis and replay all read through here, so they agree
 * on which rows count: a row is judged on its own (csv_rows.ts: columns, numbers, the quote and
 * its mid and spread), against the file (its coin, its UTC day), and its time against its
 * neighbours (time_order.ts), never against the running maximum. A UTF-8 byte order mark
 * before the header is accepted.
 */

import {
  HEADERS,
  isRowError,
  parseDecimal,
  parseTickLine,
  parseTradeLine,
  type RowKind,
  utcDay,
} from "./csv_rows.ts";
import { outOfOrder } from "./time_order.ts";

/** One line that is not good data: its 1-based line number, why, and the text itself. */
export interface BadLine {
  line: number;
  reason: string;
  text: string;
}

/** Tick columns of the good rows, in file order. */
export interface TickColumns {
  timestampMs: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  mid: Float64Array;
  spreadBps: Float64Array;
}

/** Trade columns of the good rows, in file order (`buyerTaker` is 1 for side B, 0 for A). */
export interface TradeColumns {
  timestampMs: Float64Array;
  buyerTaker: Uint8Array;
  px: Float64Array;
  sz: Float64Array;
  tid: Float64Array;
}

/** The result of scanning one day file. */
export interface ScanResult<C> {
  kind: RowKind;
  coin: string;
  day: string;
  /** Good rows. */
  rows: number;
  columns: C;
  /** Lines that are not good data (header problems included). */
  bad: BadLine[];
  /** Whether the first line is the expected header. */
  headerOk: boolean;
  /** Text of an unfinished final line (no newline), or null. */
  incomplete: string | null;
  /** Good data lines in order, for rewriting a file without its bad lines. */
  goodLines?: string[];
}

/** What a scan checks a file against. */
export interface ScanOptions {
  coin: string;
  day: string;
  /** Keep the good lines' text (integrity --fix needs it; conversion does not). */
  keepLines?: boolean;
}

/** Scans a tick file's text. */
export function scanTicks(text: string, options: ScanOptions): ScanResult<TickColumns> {
  text = withoutBom(text);
  const n = countLines(text);
  const cols: TickColumns = {
    timestampMs: new Float64Array(n),
    bid: new Float64Array(n),
    ask: new Float64Array(n),
    mid: new Float64Array(n),
    spreadBps: new Float64Array(n),
  };
  const result = scan("ticks", text, options, (line, at) => {
    if (fastTick(line, options.coin, cols, at)) {
      return { timestampMs: cols.timestampMs[at], coin: options.coin };
    }
    const row = parseTickLine(line);
    if (isRowError(row)) return row;
    cols.timestampMs[at] = row.timestampMs;
    cols.bid[at] = row.bid;
    cols.ask[at] = row.ask;
    cols.mid[at] = row.mid;
    cols.spreadBps[at] = row.spreadBps;
    return row;
  }, [cols.timestampMs, cols.bid, cols.ask, cols.mid, cols.spreadBps]);
  const r = result.rows;
  return {
    ...result,
    columns: {
      timestampMs: cols.timestampMs.subarray(0, r),
      bid: cols.bid.subarray(0, r),
      ask: cols.ask.subarray(0, r),
      mid: cols.mid.subarray(0, r),
      spreadBps: cols.spreadBps.subarray(0, r),
    },
  };
}

/** Scans a trade file's text. */
export function scanTrades(text: string, options: ScanOptions): ScanResult<TradeColumns> {
  text = withoutBom(text);
  const n = countLines(text);
  const cols: TradeColumns = {
    timestampMs: new Float64Array(n),
    buyerTaker: new Uint8Array(n),
    px: new Float64Array(n),
    sz: new Float64Array(n),
    tid: new Float64Array(n),
  };
  const result = scan("trades", text, options, (line, at) => {
    const row = parseTradeLine(line);
    if (isRowError(row)) return row;
    cols.timestampMs[at] = row.timestampMs;
    cols.buyerTaker[at] = row.side === "B" ? 1 : 0;
    cols.px[at] = row.px;
    cols.sz[at] = row.sz;
    cols.tid[at] = row.tid;
    return row;
  }, [cols.timestampMs, cols.buyerTaker, cols.px, cols.sz, cols.tid]);
  const r = result.rows;
  return {
    ...result,
    columns: {
      timestampMs: cols.timestampMs.subarray(0, r),
      buyerTaker: cols.buyerTaker.subarray(0, r),
      px: cols.px.subarray(0, r),
      sz: cols.sz.subarray(0, r),
      tid: cols.tid.subarray(0, r),
    },
  };
}

/** The text without a UTF-8 byte order mark, which some editors and exporters put first. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function countLines(text: string): number {
  let n = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

/**
 * Fast path for the common case, a well-formed tick of the file's own coin: reads the fields
 * with indexOf instead of split. Anything unusual returns false and goes through
 * parseTickLine, which also produces the reason; both accept exactly the same lines.
 */
function fastTick(line: string, coin: string, cols: TickColumns, at: number): boolean {
  const c1 = line.indexOf(","), c2 = line.indexOf(",", c1 + 1), c3 = line.indexOf(",", c2 + 1);
  const c4 = line.indexOf(",", c3 + 1), c5 = line.indexOf(",", c4 + 1);
  if (c5 < 0 || line.indexOf(",", c5 + 1) >= 0) return false;
  if (c2 - c1 - 1 !== coin.length || !line.startsWith(coin, c1 + 1)) return false;
  const ts = parseDecimal(line.slice(0, c1));
  const bid = parseDecimal(line.slice(c2 + 1, c3)), ask = parseDecimal(line.slice(c3 + 1, c4));
  const mid = parseDecimal(line.slice(c4 + 1, c5)), bps = parseDecimal(line.slice(c5 + 1));
  if (!Number.isSafeInteger(ts) || ts < 0 || !(bid > 0) || !(ask > bid) || !Number.isFinite(ask)) {
    return false;
  }
  // The same mid and spread rules as midProblem: in [bid, ask], a finite spread of at least 0.
  if (!(mid >= bid && mid <= ask) || !(bps >= 0 && bps < Infinity)) return false;
  cols.timestampMs[at] = ts;
  cols.bid[at] = bid;
  cols.ask[at] = ask;
  cols.mid[at] = mid;
  cols.spreadBps[at] = bps;
  return true;
}

type Parsed = { timestampMs: number; coin: string } | { error: string };

function scan(
  kind: RowKind,
  text: string,
  options: ScanOptions,
  parse: (line: string, at: number) => Parsed,
  columns: (Float64Array | Uint8Array)[],
): Omit<ScanResult<unknown>, "columns"> {
  const bad: BadLine[] = [];
  let goodLines: string[] | undefined = options.keepLines ? [] : undefined;
  const header = HEADERS[kind];
  // A day file holds exactly the rows whose timestamp falls on its UTC day.
  const dayStart = Date.parse(`${options.day}T00:00:00Z`);
  const dayEnd = dayStart + 86_400_000;
  let rows = 0;
  let headerOk = false;
  let incomplete: string | null = null;
  let lineNo = 0;
  for (let pos = 0; pos < text.length;) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0) {
      // No newline: the harvester had not finished this write. Never data.
      incomplete = text.slice(pos);
      break;
    }
    const line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (lineNo === 1) {
      headerOk = line === header;
      if (!headerOk) bad.push({ line: 1, reason: `header is not "${header}"`, text: line });
      continue;
    }
    const parsed = parse(line, rows);
    let reason: string | null = null;
    if ("error" in parsed) reason = parsed.error;
    else if (parsed.coin !== options.coin) {
      reason = `coin ${parsed.coin} in the file of ${options.coin}`;
    } else if (parsed.timestampMs < dayStart || parsed.timestampMs >= dayEnd) {
      reason = `timestamp ${parsed.timestampMs} is on ${
        utcDay(parsed.timestampMs)
      }, not ${options.day}`;
    }
    if (reason !== null) {
      bad.push({ line: lineNo, reason, text: line });
      continue;
    }
    rows++;
    goodLines?.push(line);
  }
  const time = columns[0].subarray(0, rows) as Float64Array;
  const disorder = outOfOrder(time);
  if (disorder.length > 0) {
    // Rare: find the lines of the rows out of order. Good rows are the complete lines after the
    // header that are not already listed as bad, in order.
    const verdicts = new Map(disorder.map((d) => [d.at, d.verdict]));
    const found: BadLine[] = [];
    let lineNo = 1, row = 0;
    let listed = bad.length > 0 && bad[0].line === 1 ? 1 : 0;
    for (let pos = text.indexOf("\n") + 1; pos > 0 && row < rows; lineNo++) {
      const nl = text.indexOf("\n", pos);
      if (nl < 0) break;
      const line = text.slice(pos, nl);
      pos = nl + 1;
      if (listed < bad.length && bad[listed].line === lineNo + 1) {
        listed++;
        continue;
      }
      const verdict = verdicts.get(row);
      if (verdict !== undefined) {
        const t = time[row];
        const reason = verdict === "spike"
          ? `timestamp ${t} breaks time order with both neighbours (${time[row - 1]} before, ${
            time[row + 1]
          } after)`
          : `timestamp ${t} is out of time order with the rows around it`;
        found.push({ line: lineNo + 1, reason, text: line });
      }
      row++;
    }
    bad.push(...found);
    bad.sort((a, b) => a.line - b.line);
    // Keep the rows in order: move each kept row down over the dropped ones, in every column.
    const dropped = new Uint8Array(rows);
    for (const { at } of disorder) dropped[at] = 1;
    let kept = 0;
    for (let i = 0; i < rows; i++) {
      if (dropped[i]) continue;
      for (const column of columns) column[kept] = column[i];
      kept++;
    }
    goodLines = goodLines?.filter((_, i) => !dropped[i]);
    rows = kept;
  }
  return { kind, coin: options.coin, day: options.day, rows, bad, headerOk, incomplete, goodLines };
}

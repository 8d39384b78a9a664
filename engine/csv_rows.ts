/**
 * The harvested CSV row formats, shared by the harvester that writes them and by every reader
 * (conversion, integrity, analysis, replay). One place decides what a valid row is, so a row the
 * converter accepts is a row the integrity check accepts.
 */

/** Header of a tick file, exactly as README "Data pipeline" shows it, without spaces. */
export const TICK_HEADER = "timestamp_ms,coin,bid,ask,mid,spread_bps";
/** Header of a trade file. */
export const TRADE_HEADER = "timestamp_ms,coin,side,px,sz,tid";

/** Which harvested stream a file holds. */
export type RowKind = "ticks" | "trades";

/** Header line of each stream. */
export const HEADERS: Record<RowKind, string> = { ticks: TICK_HEADER, trades: TRADE_HEADER };

/** One parsed tick row. */
export interface TickRow {
  timestampMs: number;
  coin: string;
  bid: number;
  ask: number;
  mid: number;
  spreadBps: number;
}

/** One parsed trade row (`side` is the taker side: B lifted the ask, A hit the bid). */
export interface TradeRow {
  timestampMs: number;
  coin: string;
  side: "B" | "A";
  px: number;
  sz: number;
  tid: number;
}

/** A row that could not be read, with the reason a person can act on. */
export interface RowError {
  error: string;
}

const MS_PER_DAY = 86_400_000;

/** The UTC calendar day (YYYY-MM-DD) that contains `timestampMs`. */
export function utcDay(timestampMs: number): string {
  return new Date(Math.floor(timestampMs / MS_PER_DAY) * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Shortest decimal that reads back as the same double, never in exponent form
 * (`String(1e-7)` is "1e-7"; a CSV consumer expects "0.0000001").
 */
export function formatDecimal(value: number): string {
  const text = String(value);
  const e = text.indexOf("e");
  if (e < 0) return text;
  const negative = text[0] === "-";
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const pointAt = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (pointAt <= 0) out = "0." + "0".repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + "0".repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + "." + digits.slice(pointAt);
  return negative ? "-" + out : out;
}

function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * One tick line (with newline) for a best bid/ask at a time. The mid is rounded to one decimal
 * more than the prices carry, which is exact for a halfway point of two decimals and avoids
 * binary noise such as 101.25999999999999.
 */
export function formatTickLine(
  timestampMs: number,
  coin: string,
  bid: number,
  ask: number,
): string {
  const b = formatDecimal(bid), a = formatDecimal(ask);
  const places = Math.min(Math.max(decimals(b), decimals(a)) + 1, 100);
  const mid = Number(((bid + ask) / 2).toFixed(places));
  // 4 decimals of a bp = 1e-8 of the price: below any tick size Hyperliquid lists.
  const bps = (((ask - bid) / mid) * 10_000).toFixed(4);
  return `${timestampMs},${coin},${b},${a},${formatDecimal(mid)},${bps}\n`;
}

/** One trade line (with newline). */
export function formatTradeLine(
  timestampMs: number,
  coin: string,
  side: "B" | "A",
  px: number,
  sz: number,
  tid: number,
): string {
  return `${timestampMs},${coin},${side},${formatDecimal(px)},${formatDecimal(sz)},${tid}\n`;
}

const COIN_PATTERN = /^[A-Za-z0-9_:@\-]+$/;

/**
 * A decimal number written as text (`109741.0`, `-.5`, `1e-05`), or NaN for anything else.
 * Number() reads the same decimals but also padded text (" 5"), "" (0), "Infinity" and radix
 * literals ("0x64" is 100), so the text must start with a sign, dot or digit (char codes 43..57),
 * end with a dot or digit (46..57) and carry no 0x/0b/0o prefix; any other text in those ranges
 * ("/", "1,5", "--1") is NaN to Number() as well. A character test, not a regular expression:
 * the CSV readers call it for every field.
 */
export function parseDecimal(text: string): number {
  const n = text.length;
  if (n === 0) return NaN;
  const first = text.charCodeAt(0), last = text.charCodeAt(n - 1);
  if (first < 43 || first > 57 || last < 46 || last > 57) return NaN;
  if (first === 48 && n > 2) {
    const x = text.charCodeAt(1) | 32; // lower case
    if (x === 98 || x === 111 || x === 120) return NaN; // 0b, 0o, 0x
  }
  return +text;
}

/**
 * Why a best bid and ask cannot make a tick row, or null: a tick needs positive, finite prices
 * and a book that is neither crossed nor locked. The harvester asks before it writes a row and
 * every reader after it parses one.
 */
export function quoteProblem(bid: number, ask: number): string | null {
  if (!(bid > 0 && bid < Infinity)) return `bid ${bid} is not a positive number`;
  if (!(ask > 0 && ask < Infinity)) return `ask ${ask} is not a positive number`;
  if (bid >= ask) {
    return `bid ${formatDecimal(bid)} >= ask ${formatDecimal(ask)} (crossed or locked book)`;
  }
  return null;
}

/**
 * Why a tick's mid and spread do not belong to its bid and ask, or null: the mid lies in
 * [bid, ask] (so it is positive) and the spread is a finite, non-negative number of bps.
 * formatTickLine derives both from the quote, so a harvested row always passes; a damaged one
 * does not (one tick with a mid of 0 moved Gate 2's chaotic threshold from 1.32% to 87%).
 */
export function midProblem(
  bid: number,
  ask: number,
  mid: number,
  spreadBps: number,
): string | null {
  if (!(mid > 0)) return `mid ${mid} is not positive`;
  if (mid < bid || mid > ask) {
    return `mid ${formatDecimal(mid)} is outside bid ${formatDecimal(bid)} .. ask ${
      formatDecimal(ask)
    }`;
  }
  if (!(spreadBps >= 0 && spreadBps < Infinity)) {
    return `spread_bps ${spreadBps} is negative or not finite`;
  }
  return null;
}

/** Parses a tick line (no newline); returns the row or why it is bad. */
export function parseTickLine(line: string): TickRow | RowError {
  const f = line.split(",");
  if (f.length !== 6) return { error: `expected 6 columns, found ${f.length}` };
  const timestampMs = parseDecimal(f[0]);
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    return { error: `timestamp_ms "${f[0]}" is not an integer` };
  }
  if (!COIN_PATTERN.test(f[1])) return { error: `coin "${f[1]}" is not a coin name` };
  const bid = parseDecimal(f[2]), ask = parseDecimal(f[3]);
  const mid = parseDecimal(f[4]), bps = parseDecimal(f[5]);
  if (!Number.isFinite(bid) || bid <= 0) return { error: `bid "${f[2]}" is not a positive number` };
  if (!Number.isFinite(ask) || ask <= 0) return { error: `ask "${f[3]}" is not a positive number` };
  if (!Number.isFinite(mid)) return { error: `mid "${f[4]}" is not a number` };
  if (!Number.isFinite(bps)) return { error: `spread_bps "${f[5]}" is not a number` };
  const problem = quoteProblem(bid, ask) ?? midProblem(bid, ask, mid, bps);
  if (problem !== null) return { error: problem };
  return { timestampMs, coin: f[1], bid, ask, mid, spreadBps: bps };
}

/** Parses a trade line (no newline); returns the row or why it is bad. */
export function parseTradeLine(line: string): TradeRow | RowError {
  const f = line.split(",");
  if (f.length !== 6) return { error: `expected 6 columns, found ${f.length}` };
  const timestampMs = parseDecimal(f[0]);
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    return { error: `timestamp_ms "${f[0]}" is not an integer` };
  }
  if (!COIN_PATTERN.test(f[1])) return { error: `coin "${f[1]}" is not a coin name` };
  if (f[2] !== "B" && f[2] !== "A") return { error: `side "${f[2]}" is not B or A` };
  const px = parseDecimal(f[3]), sz = parseDecimal(f[4]), tid = parseDecimal(f[5]);
  if (!Number.isFinite(px) || px <= 0) return { error: `px "${f[3]}" is not a positive number` };
  if (!Number.isFinite(sz) || sz <= 0) return { error: `sz "${f[4]}" is not a positive number` };
  if (!Number.isSafeInteger(tid) || tid < 0) return { error: `tid "${f[5]}" is not an integer` };
  return { timestampMs, coin: f[1], side: f[2], px, sz, tid };
}

/** Whether a parse result is an error. */
export function isRowError(row: TickRow | TradeRow | RowError): row is RowError {
  return "error" in row;
}

/**
 * Turns one Hyperliquid WebSocket text frame into a typed result. Never throws: anything the
 * engine cannot use comes back as `{ type: "malformed", kind, detail }` so the caller counts it
 * and carries on (engine/hyperliquid/README.md § WebSocket).
 *
 * `l2Book` frames go through a hand-written scanner that reads numbers straight from the text
 * instead of building the JSON object tree: about 1.6-1.8× faster than `JSON.parse` plus
 * conversion, and faster than a bare `JSON.parse` (tests/bench/parse_bench.ts, BENCHMARKS.md).
 * Anything the scanner does not fully recognise (escapes, exotic number syntax, bad JSON,
 * another top-level layout) is handed to the `JSON.parse` reader, so the two can only differ
 * in speed: tests/parse_test.ts compares them on every fixture and on randomized frames. A
 * scanner for `trades` frames was measured too and lost to `JSON.parse` (most of a trade is
 * hash and user strings, which V8's native parser skips faster), so trades use the reader.
 */
import type { BookLevel, BookSnapshot, TakerSide, Trade } from "./types.ts";
import { isRecord } from "../util/guards.ts";
import { clip, errorMessage } from "../util/errors.ts";

/** Characters of a bad frame quoted in a log line: its channel and the start of its data. */
const FRAME_EXCERPT_CHARS = 80;

/** Why a frame was not usable. `empty-side`, `crossed-book` and `unsorted-side` come with the book. */
export type FrameErrorKind =
  | "bad-json"
  | "bad-shape"
  | "unknown-channel"
  | "nan-or-negative-size"
  | "bad-price"
  | "empty-side"
  | "crossed-book"
  | "unsorted-side"
  | "binary-frame";

/** A book that parsed but must not be quoted on: the engine pulls that coin's quotes. */
export type BookProblem = "empty-side" | "crossed-book" | "unsorted-side";

/** One parsed frame. */
export type ParsedFrame =
  /** `problem` is null for a sane book; otherwise the book is delivered flagged. */
  | { type: "book"; book: BookSnapshot; problem: BookProblem | null }
  | { type: "trades"; trades: Trade[] }
  | { type: "subscriptionResponse"; method: string; subscription: Record<string, unknown> }
  | { type: "pong" }
  /** `{"channel":"error","data":"<string>"}`, e.g. "Already subscribed: …". */
  | { type: "error"; message: string }
  /** Answer to a WS `post` request; correlate by `id`. */
  | { type: "post"; id: number; response: unknown }
  /** A known channel this module does not interpret (user streams, bbo, allMids, …). */
  | { type: "passthrough"; channel: string; data: unknown }
  /** Text that is not a JSON object, e.g. "Websocket connection established." (ignored). */
  | { type: "greeting"; text: string }
  | { type: "malformed"; kind: FrameErrorKind; detail: string };

/**
 * Known channels handed through untouched (engine/hyperliquid/README.md § WebSocket; `user` carries
 * userEvents).
 */
const PASSTHROUGH_CHANNELS = new Set([
  "orderUpdates",
  "userFills",
  "user",
  "userFundings",
  "userNonFundingLedgerUpdates",
  "notification",
  "bbo",
  "allMids",
  "candle",
  "activeAssetCtx",
  "activeSpotAssetCtx",
  "activeAssetData",
  "clearinghouseState",
  "openOrders",
  "webData3",
]);

/** Parses one text frame (the scanner for `l2Book`, `JSON.parse` for the rest). */
export function parseFrame(text: string): ParsedFrame {
  if (text.startsWith(BOOK_PREFIX)) {
    try {
      return scanner.frame(text);
    } catch {
      // FALLBACK (or any surprise): the JSON.parse reader gives the authoritative answer.
    }
  }
  return parseFrameWithJsonParse(text);
}

/** Parses one text frame with `JSON.parse` only: the reference the scanner is tested against. */
export function parseFrameWithJsonParse(text: string): ParsedFrame {
  const first = firstNonSpace(text);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return { type: "greeting", text };
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (error) {
    return malformed("bad-json", `${errorMessage(error)}; frame starts ${excerpt(text)}`);
  }
  if (!isRecord(frame) || typeof frame.channel !== "string") {
    return malformed("bad-shape", `no "channel" string in ${excerpt(text)}`);
  }
  const data = frame.data;
  switch (frame.channel) {
    case "l2Book":
      return bookFromJson(data);
    case "trades":
      return tradesFromJson(data);
    case "subscriptionResponse":
      if (!isRecord(data) || typeof data.method !== "string" || !isRecord(data.subscription)) {
        return malformed("bad-shape", `subscriptionResponse without method/subscription`);
      }
      return { type: "subscriptionResponse", method: data.method, subscription: data.subscription };
    case "pong":
      return { type: "pong" };
    case "error":
      return { type: "error", message: typeof data === "string" ? data : JSON.stringify(data) };
    case "post":
      if (!isRecord(data) || typeof data.id !== "number" || !isRecord(data.response)) {
        return malformed("bad-shape", `post response without numeric id/response object`);
      }
      return { type: "post", id: data.id, response: data.response };
    default:
      if (PASSTHROUGH_CHANNELS.has(frame.channel)) {
        return { type: "passthrough", channel: frame.channel, data };
      }
      return malformed("unknown-channel", `channel "${frame.channel.slice(0, 40)}"`);
  }
}

// ---- JSON.parse reader ------------------------------------------------------------------

function bookFromJson(data: unknown): ParsedFrame {
  if (!isRecord(data) || typeof data.coin !== "string" || typeof data.time !== "number") {
    return malformed("bad-shape", "l2Book data needs coin (string) and time (number)");
  }
  const levels = data.levels;
  if (!Array.isArray(levels) || levels.length !== 2) {
    return malformed("bad-shape", `${data.coin}: l2Book levels is not [bids, asks]`);
  }
  const bids = levelsFromJson(levels[0]);
  const asks = levelsFromJson(levels[1]);
  if (bids === null || asks === null) {
    return malformed("bad-shape", `${data.coin}: an l2Book level is not {px, sz, n}`);
  }
  return checkBook({ coin: data.coin, timeMs: data.time, bids, asks });
}

function levelsFromJson(side: unknown): BookLevel[] | null {
  if (!Array.isArray(side)) return null;
  const out: BookLevel[] = [];
  for (const level of side) {
    if (
      !isRecord(level) || typeof level.px !== "string" || typeof level.sz !== "string" ||
      typeof level.n !== "number"
    ) return null;
    out.push({ px: Number(level.px), sz: Number(level.sz), n: level.n });
  }
  return out;
}

function tradesFromJson(data: unknown): ParsedFrame {
  if (!Array.isArray(data)) return malformed("bad-shape", "trades data is not an array");
  const trades: Trade[] = [];
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (
      !isRecord(t) || typeof t.coin !== "string" || (t.side !== "B" && t.side !== "A") ||
      typeof t.px !== "string" || typeof t.sz !== "string" || typeof t.time !== "number" ||
      typeof t.tid !== "number"
    ) {
      return malformed("bad-shape", `trades[${i}] is not {coin, side B|A, px, sz, time, tid}`);
    }
    const side: TakerSide = t.side;
    trades.push({
      coin: t.coin,
      side,
      px: Number(t.px),
      sz: Number(t.sz),
      timeMs: t.time,
      tid: t.tid,
    });
  }
  return checkTrades(trades);
}

// ---- checks shared by both readers (so both report the same kind for the same frame) -----

function checkBook(book: BookSnapshot): ParsedFrame {
  const levelError = checkLevels(book, book.bids, "bids") ?? checkLevels(book, book.asks, "asks");
  if (levelError !== null) return levelError;
  if (!isTimestamp(book.timeMs)) {
    return malformed("bad-shape", `${book.coin}: l2Book time ${book.timeMs} is not a timestamp`);
  }
  const { bids, asks } = book;
  let problem: BookProblem | null = null;
  if (bids.length === 0 || asks.length === 0) problem = "empty-side";
  else if (!isStrictlyOrdered(bids, -1) || !isStrictlyOrdered(asks, 1)) problem = "unsorted-side";
  else if (bids[0].px >= asks[0].px) problem = "crossed-book";
  return { type: "book", book, problem };
}

function checkLevels(book: BookSnapshot, side: BookLevel[], name: string): ParsedFrame | null {
  for (let i = 0; i < side.length; i++) {
    const { px, sz, n } = side[i];
    if (!(px > 0 && px < Infinity)) {
      return malformed("bad-price", `${book.coin}: ${name}[${i}].px is ${px}`);
    }
    if (!(sz > 0 && sz < Infinity)) {
      return malformed("nan-or-negative-size", `${book.coin}: ${name}[${i}].sz is ${sz}`);
    }
    if (!Number.isSafeInteger(n) || n < 0) {
      return malformed("bad-shape", `${book.coin}: ${name}[${i}].n is ${n}`);
    }
  }
  return null;
}

/** direction -1: prices must fall (bids); +1: prices must rise (asks). */
function isStrictlyOrdered(side: BookLevel[], direction: number): boolean {
  for (let i = 1; i < side.length; i++) {
    if ((side[i].px - side[i - 1].px) * direction <= 0) return false;
  }
  return true;
}

function checkTrades(trades: Trade[]): ParsedFrame {
  for (let i = 0; i < trades.length; i++) {
    const { coin, px, sz, timeMs, tid } = trades[i];
    if (!(px > 0 && px < Infinity)) {
      return malformed("bad-price", `${coin}: trades[${i}].px is ${px}`);
    }
    if (!(sz > 0 && sz < Infinity)) {
      return malformed("nan-or-negative-size", `${coin}: trades[${i}].sz is ${sz}`);
    }
    if (!isTimestamp(timeMs) || !Number.isSafeInteger(tid) || tid < 0) {
      return malformed("bad-shape", `${coin}: trades[${i}] time ${timeMs} / tid ${tid} invalid`);
    }
  }
  return { type: "trades", trades };
}

function isTimestamp(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0;
}

function malformed(kind: FrameErrorKind, detail: string): ParsedFrame {
  return { type: "malformed", kind, detail };
}

function excerpt(text: string): string {
  return JSON.stringify(clip(text, FRAME_EXCERPT_CHARS));
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isSpace(c)) return c;
  }
  return -1;
}

// ---- scanner ---------------------------------------------------------------------------
// Reads `{"channel":"l2Book","data":…}` in one pass over the string. It accepts only
// what it fully understands and throws FALLBACK otherwise; the JSON.parse reader then decides.

const BOOK_PREFIX = '{"channel":"l2Book","data":';
/** Thrown (never escapes this module) when the scanner leaves a frame to JSON.parse. */
const FALLBACK = new Error("scanner fallback");

const QUOTE = 34, COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, COLON = 58;
const OPEN_BRACKET = 91, BACKSLASH = 92, CLOSE_BRACKET = 93, OPEN_BRACE = 123, CLOSE_BRACE = 125;
const LOWER_E = 101, UPPER_E = 69, PLUS = 43;
/** Largest m for which m * 10 + 9 stays below 2^53, so digit accumulation is exact. */
const MANTISSA_LIMIT = 900719925474099;
/** Powers of ten exactly representable as doubles (10^0..10^22, Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_DEPTH = 32;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** One-pass reader; a single instance is reused (fields, not closures, keep V8's accesses fast). */
class Scanner {
  s = "";
  p = 0;
  /** Bounds of the last string read: s.slice(strStart, strEnd) is its value. */
  strStart = 0;
  strEnd = 0;

  frame(text: string): ParsedFrame {
    this.s = text;
    this.p = BOOK_PREFIX.length;
    try {
      const result = this.book();
      this.space();
      this.expect(CLOSE_BRACE);
      this.space();
      if (this.p !== text.length) throw FALLBACK;
      return result;
    } finally {
      this.s = "";
    }
  }

  book(): ParsedFrame {
    this.space();
    this.expect(OPEN_BRACE);
    let coin: string | null = null;
    let time = -1;
    let bids: BookLevel[] | null = null;
    let asks: BookLevel[] | null = null;
    this.space();
    if (this.peek() !== CLOSE_BRACE) {
      for (;;) {
        this.key();
        if (this.isKey("coin")) {
          if (coin !== null) throw FALLBACK;
          coin = this.stringValue();
        } else if (this.isKey("time")) {
          if (time !== -1) throw FALLBACK;
          time = this.uint();
        } else if (this.isKey("levels")) {
          if (bids !== null) throw FALLBACK;
          this.expect(OPEN_BRACKET);
          bids = this.levels();
          this.space();
          this.expect(COMMA);
          asks = this.levels();
          this.space();
          this.expect(CLOSE_BRACKET);
        } else {
          this.skipValue(0);
        }
        if (!this.comma()) break;
      }
    }
    this.expect(CLOSE_BRACE);
    if (coin === null || time === -1 || bids === null || asks === null) throw FALLBACK;
    return checkBook({ coin, timeMs: time, bids, asks });
  }

  levels(): BookLevel[] {
    this.space();
    this.expect(OPEN_BRACKET);
    const out: BookLevel[] = [];
    this.space();
    if (this.peek() === CLOSE_BRACKET) {
      this.p++;
      return out;
    }
    for (;;) {
      this.space();
      this.expect(OPEN_BRACE);
      let px = NaN, sz = NaN, n = -1;
      let seen = 0;
      for (;;) {
        this.key();
        if (this.isKey("px")) {
          if (seen & 1) throw FALLBACK;
          seen |= 1;
          px = this.decimalString();
        } else if (this.isKey("sz")) {
          if (seen & 2) throw FALLBACK;
          seen |= 2;
          sz = this.decimalString();
        } else if (this.isKey("n")) {
          if (seen & 4) throw FALLBACK;
          seen |= 4;
          n = this.uint();
        } else {
          this.skipValue(0);
        }
        if (!this.comma()) break;
      }
      this.expect(CLOSE_BRACE);
      if (seen !== 7) throw FALLBACK;
      out.push({ px, sz, n });
      if (!this.comma()) break;
    }
    this.expect(CLOSE_BRACKET);
    return out;
  }

  peek(): number {
    return this.s.charCodeAt(this.p);
  }

  expect(c: number): void {
    if (this.s.charCodeAt(this.p) !== c) throw FALLBACK;
    this.p++;
  }

  space(): void {
    const s = this.s;
    let p = this.p;
    while (isSpace(s.charCodeAt(p))) p++;
    this.p = p;
  }

  /** Skips spaces; consumes a comma and returns true, or returns false before anything else. */
  comma(): boolean {
    this.space();
    if (this.s.charCodeAt(this.p) !== COMMA) return false;
    this.p++;
    return true;
  }

  /** Reads `"key":` and the spaces after it, leaving the key's bounds in strStart/strEnd. */
  key(): void {
    this.space();
    this.string();
    this.space();
    this.expect(COLON);
    this.space();
  }

  isKey(key: string): boolean {
    const s = this.s;
    const start = this.strStart;
    const length = this.strEnd - start;
    if (length !== key.length) return false;
    for (let i = 0; i < length; i++) {
      if (s.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
    }
    return true;
  }

  /** Reads a string without escapes (escapes and control characters fall back). */
  string(): void {
    const s = this.s;
    let p = this.p;
    if (s.charCodeAt(p) !== QUOTE) throw FALLBACK;
    const start = ++p;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === QUOTE) break;
      // c !== c is NaN, i.e. the text ended inside the string.
      if (c === BACKSLASH || c < 32 || c !== c) throw FALLBACK;
      p++;
    }
    this.strStart = start;
    this.strEnd = p;
    this.p = p + 1;
  }

  stringValue(): string {
    this.string();
    return this.s.slice(this.strStart, this.strEnd);
  }

  /**
   * Reads a string holding a decimal ("84143.0", "0.00036") as the number `Number()` gives:
   * digits accumulate exactly below 2^53 and one division by an exact power of ten rounds
   * once, correctly. Any other spelling takes `Number()` itself, so both readers agree.
   */
  decimalString(): number {
    this.string();
    const s = this.s;
    const end = this.strEnd;
    let i = this.strStart;
    let negative = false;
    if (s.charCodeAt(i) === MINUS) {
      negative = true;
      i++;
    }
    let m = 0;
    let intDigits = 0;
    let fracDigits = 0;
    let exact = true;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      if (m >= MANTISSA_LIMIT) exact = false;
      m = m * 10 + d;
      intDigits++;
    }
    if (i < end && s.charCodeAt(i) === DOT) {
      i++;
      for (; i < end; i++) {
        const d = s.charCodeAt(i) - ZERO;
        if (d < 0 || d > 9) break;
        if (m >= MANTISSA_LIMIT) exact = false;
        m = m * 10 + d;
        fracDigits++;
      }
      if (fracDigits === 0) exact = false;
    }
    if (!exact || i !== end || intDigits === 0 || fracDigits > 22) {
      return Number(s.slice(this.strStart, end));
    }
    const value = fracDigits === 0 ? m : m / POW10[fracDigits];
    return negative ? -value : value;
  }

  /** Reads a JSON integer of plain digits that is a safe integer; anything else falls back. */
  uint(): number {
    const s = this.s;
    let p = this.p;
    let c = s.charCodeAt(p);
    let m = 0;
    if (c === ZERO) {
      c = s.charCodeAt(++p);
      if (c >= ZERO && c <= NINE) throw FALLBACK;
    } else {
      if (!(c >= ZERO && c <= NINE)) throw FALLBACK;
      while (c >= ZERO && c <= NINE) {
        if (m >= MANTISSA_LIMIT) throw FALLBACK;
        m = m * 10 + (c - ZERO);
        c = s.charCodeAt(++p);
      }
    }
    if (c === DOT || c === LOWER_E || c === UPPER_E) throw FALLBACK;
    this.p = p;
    return m;
  }

  /** Skips any JSON value, checking its syntax as strictly as JSON.parse would. */
  skipValue(depth: number): void {
    if (depth > MAX_DEPTH) throw FALLBACK;
    this.space();
    const c = this.peek();
    if (c === QUOTE) {
      this.string();
    } else if (c === OPEN_BRACE) {
      this.p++;
      this.space();
      if (this.peek() === CLOSE_BRACE) {
        this.p++;
        return;
      }
      do {
        this.key();
        this.skipValue(depth + 1);
      } while (this.comma());
      this.expect(CLOSE_BRACE);
    } else if (c === OPEN_BRACKET) {
      this.p++;
      this.space();
      if (this.peek() === CLOSE_BRACKET) {
        this.p++;
        return;
      }
      do this.skipValue(depth + 1); while (this.comma());
      this.expect(CLOSE_BRACKET);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      this.skipNumber();
    } else if (this.s.startsWith("true", this.p)) {
      this.p += 4;
    } else if (this.s.startsWith("false", this.p)) {
      this.p += 5;
    } else if (this.s.startsWith("null", this.p)) {
      this.p += 4;
    } else {
      throw FALLBACK;
    }
  }

  /** Skips a number token of the JSON grammar -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
  skipNumber(): void {
    if (this.peek() === MINUS) this.p++;
    if (this.peek() === ZERO) this.p++;
    else if (!this.digits()) throw FALLBACK;
    if (this.peek() === DOT) {
      this.p++;
      if (!this.digits()) throw FALLBACK;
    }
    const e = this.peek();
    if (e === LOWER_E || e === UPPER_E) {
      this.p++;
      const sign = this.peek();
      if (sign === PLUS || sign === MINUS) this.p++;
      if (!this.digits()) throw FALLBACK;
    }
  }

  digits(): boolean {
    const s = this.s;
    const start = this.p;
    let p = start;
    for (let c = s.charCodeAt(p); c >= ZERO && c <= NINE; c = s.charCodeAt(++p));
    this.p = p;
    return p > start;
  }
}

const scanner = new Scanner();

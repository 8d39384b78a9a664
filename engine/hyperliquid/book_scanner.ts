/**
 * The hand-written reader of `l2Book` frames (parse.ts says why): reads
 * `{"channel":"l2Book","data":…}` in one pass over the string, numbers straight from the text.
 * It accepts only what it fully understands and throws otherwise; parse.ts then hands the frame
 * to the `JSON.parse` reader, which decides.
 */
import { checkBook, type ParsedFrame } from "./frame_checks.ts";
import type { BookLevel } from "./types.ts";

/** How every `l2Book` frame the exchange sends begins. */
export const BOOK_PREFIX = '{"channel":"l2Book","data":';
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
/** JSON whitespace: space, line feed, carriage return, tab. */
export function isSpace(c: number): boolean {
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

/** Reads an `l2Book` frame that starts with {@link BOOK_PREFIX}; throws when it leaves the frame to `JSON.parse`. */
export function scanBookFrame(text: string): ParsedFrame {
  return scanner.frame(text);
}

/**
 * What one parsed WebSocket frame is ({@link ParsedFrame}), and the checks both frame readers of
 * parse.ts share (the scanner in book_scanner.ts and the `JSON.parse` reader), so both report the
 * same kind for the same frame (engine/hyperliquid/README.md § WebSocket).
 */
import type { BookLevel, BookSnapshot, Trade } from "./types.ts";

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

/** A parsed book with its levels checked, flagged with its {@link BookProblem} if any. */
export function checkBook(book: BookSnapshot): ParsedFrame {
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

/** Parsed trades with every field checked, or the first field out of range. */
export function checkTrades(trades: Trade[]): ParsedFrame {
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

/** A frame the engine cannot use, with why. */
export function malformed(kind: FrameErrorKind, detail: string): ParsedFrame {
  return { type: "malformed", kind, detail };
}

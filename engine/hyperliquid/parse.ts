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
 * The scanner is book_scanner.ts; the frame types and the checks both readers share are
 * frame_checks.ts.
 */
import { BOOK_PREFIX, isSpace, scanBookFrame } from "./book_scanner.ts";
import { checkBook, checkTrades, malformed, type ParsedFrame } from "./frame_checks.ts";
import type { BookLevel, TakerSide, Trade } from "./types.ts";
import { isRecord } from "../util/guards.ts";
import { clip, errorMessage } from "../util/errors.ts";

/** Characters of a bad frame quoted in a log line: its channel and the start of its data. */
const FRAME_EXCERPT_CHARS = 80;
/** Char codes of `{` and `[`: a JSON frame starts with one of them. */
const OPEN_BRACE = 123, OPEN_BRACKET = 91;

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
      return scanBookFrame(text);
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

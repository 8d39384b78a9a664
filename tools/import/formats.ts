/**
 * The recordings `deno task import` reads, told apart by their first line, and what a reader
 * yields from them.
 */

import type { BookSnapshot, Trade } from "../../engine/hyperliquid/types.ts";
import { columnsOf } from "./lines.ts";

/** What a reader finds in a recording: a book, a trade, or a line it cannot use and why. */
export type RecordedEvent =
  | { type: "book"; book: BookSnapshot }
  | { type: "trade"; trade: Trade }
  | { type: "bad"; line: number; reason: string };

/** A recording format, with the name the import report uses. */
export type FormatName =
  | "wide book snapshots"
  | "wide trades"
  | "hftbacktest capture"
  | "Tardis incremental_book_L2"
  | "Tardis book_snapshot"
  | "Tardis trades";

const TARDIS_PREFIX = "exchange,symbol,timestamp,local_timestamp,";

/** The format whose first line this is, or null when import does not read it. */
export function detectFormat(firstLine: string): FormatName | null {
  // hftbacktest's collector writes `<local time, ns> <raw WebSocket text>` per message.
  if (/^\d+ \{/.test(firstLine)) return "hftbacktest capture";
  if (firstLine.startsWith(TARDIS_PREFIX)) {
    const next = firstLine.slice(TARDIS_PREFIX.length).split(",")[0];
    if (next === "is_snapshot") return "Tardis incremental_book_L2";
    if (next === "asks[0].price") return "Tardis book_snapshot";
    if (next === "id") return "Tardis trades";
    return null;
  }
  const columns = columnsOf(firstLine);
  if (
    (columns.has("bid_price_0") || columns.has("bid_0_price")) &&
    (columns.has("ask_price_0") || columns.has("ask_0_price"))
  ) return "wide book snapshots";
  if (["price", "size", "side", "trade_id"].every((c) => columns.has(c))) return "wide trades";
  return null;
}

/** The taker side of a trade from the words collectors use (`buy`/`sell`, Hyperliquid's B/A). */
export function takerSide(text: string): "B" | "A" | null {
  const word = text.toLowerCase();
  if (word === "buy" || word === "b") return "B";
  if (word === "sell" || word === "a") return "A";
  return null;
}

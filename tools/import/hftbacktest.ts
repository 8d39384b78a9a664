/**
 * hftbacktest's raw Hyperliquid captures: one WebSocket text message a line, written as
 * `<local receive time, ns> <message>`, usually gzip (hftbacktest's
 * `examples/hyperliquid` collector). The messages are the exchange's own frames (the collector
 * sorts their keys), so they go through the engine's frame parser unchanged: `l2Book` frames
 * become books, `trades` frames trades, and subscription replies and other channels are skipped.
 */

import { parseFrame } from "../../engine/hyperliquid/parse.ts";
import type { RecordedEvent } from "./formats.ts";
import { readLines } from "./lines.ts";

/** Reads an hftbacktest capture (plain or `.gz`). */
export async function* readCapture(path: string): AsyncGenerator<RecordedEvent> {
  let lineNo = 0;
  for await (const line of readLines(path)) {
    lineNo++;
    if (line === "") continue;
    const space = line.indexOf(" ");
    if (space < 0 || !/^\d+$/.test(line.slice(0, space))) {
      yield { type: "bad", line: lineNo, reason: "not `<timestamp ns> <message>`" };
      continue;
    }
    const frame = parseFrame(line.slice(space + 1));
    if (frame.type === "book") {
      // A flagged book (crossed, one side empty) still goes to the sink, which says why it skips it.
      yield { type: "book", book: frame.book };
    } else if (frame.type === "trades") {
      for (const trade of frame.trades) yield { type: "trade", trade };
    } else if (frame.type === "malformed") {
      yield { type: "bad", line: lineNo, reason: `${frame.kind}: ${frame.detail}` };
    }
  }
}

/**
 * Frame parse cost per message (issue 3; target: an l2Book frame to a book record under 10 µs).
 * l2Book: the scanner `parseFrame` uses against the `JSON.parse` reader it falls back to.
 * trades: `parseFrame` (the `JSON.parse` reader; a trades scanner lost, see parse.ts). Bare
 * `JSON.parse` without conversion or checks is the floor of the reader.
 */
import { parseFrame, parseFrameWithJsonParse } from "../../engine/hyperliquid/parse.ts";

const frames = new URL("../fixtures/hyperliquid/frames/", import.meta.url);
// Each frame is decoded from bytes on its own, as a WebSocket message would be: a flat string,
// not a slice of the whole fixture file.
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const lines = (name: string) =>
  Deno.readTextFileSync(new URL(name, frames)).split("\n").filter((line) => line !== "")
    .map((line) => decoder.decode(encoder.encode(line)));

// The first BTC frame: 20 bids and 20 asks, about 1.4 kB.
const book = lines("generated_l2book.jsonl")[0];
// A 20-trade batch, the size a busy coin sends per push.
const trades = lines("generated_trades.jsonl").find((line) =>
  (JSON.parse(line).data as unknown[]).length === 20
);
if (trades === undefined) throw new Error("no 20-trade batch in generated_trades.jsonl");

let sink = 0;
const use = (result: ReturnType<typeof parseFrame>) => {
  sink += result.type === "book" ? result.book.bids.length : result.type === "trades" ? 1 : 0;
};

// Warm every path up first: otherwise whichever bench runs first also pays for V8's tier-up
// and start-up garbage collection, which showed as a 2-4x worse average for that bench alone.
for (let i = 0; i < 20_000; i++) {
  use(parseFrame(book));
  use(parseFrameWithJsonParse(book));
  use(parseFrame(trades));
}

Deno.bench("l2Book 20x2 levels: scanner (parseFrame)", { group: "l2Book", baseline: true }, () => {
  use(parseFrame(book));
});
Deno.bench("l2Book 20x2 levels: JSON.parse reader", { group: "l2Book" }, () => {
  use(parseFrameWithJsonParse(book));
});
Deno.bench("l2Book 20x2 levels: bare JSON.parse, no conversion", { group: "l2Book" }, () => {
  sink += JSON.parse(book).data.levels.length;
});
Deno.bench("trades batch of 20: JSON.parse reader (parseFrame)", {
  group: "trades",
  baseline: true,
}, () => {
  use(parseFrame(trades));
});
Deno.bench("trades batch of 20: bare JSON.parse, no conversion", { group: "trades" }, () => {
  sink += JSON.parse(trades).data.length;
});

addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});

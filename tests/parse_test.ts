/**
 * Frame parsing: real Hyperliquid frames become exact records, bad frames become counted
 * malformed results (never exceptions), and the l2Book scanner agrees with the JSON.parse
 * reader on every fixture and on randomized frames.
 */
import assert from "node:assert/strict";
import { parseFrame, parseFrameWithJsonParse } from "../engine/hyperliquid/parse.ts";
import { type FrameErrorKind, type ParsedFrame } from "../engine/hyperliquid/frame_checks.ts";
import { FrameErrorLog } from "../engine/hyperliquid/frame_errors.ts";
import { collectingLogger } from "./helpers/log.ts";

const frames = new URL("fixtures/hyperliquid/frames/", import.meta.url);
const lines = (name: string) =>
  Deno.readTextFileSync(new URL(name, frames)).split("\n").filter((line) => line !== "");
const reference = lines("reference.jsonl");
const generatedBooks = lines("generated_l2book.jsonl");
const generatedTrades = lines("generated_trades.jsonl");
const malformedCases = lines("malformed.jsonl").map((line) =>
  JSON.parse(line) as { expect: FrameErrorKind; frame: string }
);

function expectType<T extends ParsedFrame["type"]>(
  frame: ParsedFrame,
  type: T,
): Extract<ParsedFrame, { type: T }> {
  assert.equal(frame.type, type, `expected ${type}, got ${JSON.stringify(frame)}`);
  return frame as Extract<ParsedFrame, { type: T }>;
}

Deno.test("the documented l2Book frame becomes a book with exact levels, bids and asks best first", () => {
  const { book, problem } = expectType(parseFrame(reference[0]), "book");
  assert.equal(problem, null);
  assert.deepEqual(book, {
    coin: "BTC",
    timeMs: 1790232236546,
    bids: [{ px: 84143, sz: 10.25923, n: 36 }, { px: 84142, sz: 1.65875, n: 7 }],
    asks: [{ px: 84144, sz: 50.66449, n: 18 }, { px: 84150, sz: 0.00711, n: 2 }],
  });
});

Deno.test("the documented trades frame becomes trades with taker side, price, size, time and tid", () => {
  const { trades } = expectType(parseFrame(reference[1]), "trades");
  assert.deepEqual(trades, [{
    coin: "BTC",
    side: "A",
    px: 84143,
    sz: 0.00036,
    timeMs: 1790232216193,
    tid: 1045359869404765,
  }]);
});

Deno.test("acks, pong, errors, post responses, other channels and the greeting are recognised", () => {
  const trades = expectType(parseFrame(reference[2]), "subscriptionResponse");
  assert.equal(trades.method, "subscribe");
  assert.deepEqual(trades.subscription, { type: "trades", coin: "SOL" });
  const book = expectType(parseFrame(reference[3]), "subscriptionResponse");
  assert.deepEqual(book.subscription, {
    type: "l2Book",
    coin: "BTC",
    nSigFigs: null,
    mantissa: null,
    fast: false,
  });
  expectType(parseFrame(reference[4]), "pong");
  assert.equal(
    expectType(parseFrame(reference[5]), "error").message,
    'Already subscribed: {"type":"trades","coin":"SOL"}',
  );
  assert.match(expectType(parseFrame(reference[6]), "error").message, /^Error parsing JSON/);
  const info = expectType(parseFrame(reference[7]), "post");
  assert.equal(info.id, 123);
  assert.equal((info.response as { type: string }).type, "info");
  const action = expectType(parseFrame(reference[8]), "post");
  assert.equal(action.id, 256);
  assert.deepEqual(action.response, {
    type: "action",
    payload: {
      status: "ok",
      response: { type: "order", data: { statuses: [{ resting: { oid: 88383 } }] } },
    },
  });
  const bbo = expectType(parseFrame(reference[9]), "passthrough");
  assert.equal(bbo.channel, "bbo");
  assert.equal(expectType(parseFrame(reference[10]), "passthrough").channel, "allMids");
  assert.deepEqual(parseFrame(reference[11]), {
    type: "greeting",
    text: "Websocket connection established.",
  });
});

Deno.test("user streams are handed through with their channel", () => {
  const fills = '{"channel":"userFills","data":{"isSnapshot":true,"user":"0x01","fills":[]}}';
  assert.deepEqual(parseFrame(fills), {
    type: "passthrough",
    channel: "userFills",
    data: { isSnapshot: true, user: "0x01", fills: [] },
  });
  assert.equal(
    expectType(parseFrame('{"channel":"orderUpdates","data":[]}'), "passthrough").channel,
    "orderUpdates",
  );
  assert.equal(
    expectType(parseFrame('{"channel":"user","data":{"fills":[]}}'), "passthrough").channel,
    "user",
  );
});

Deno.test("generated 20-level books (prices 0.000001 to 100000) parse to the exact decimal values", () => {
  let levels = 0;
  for (const line of generatedBooks) {
    const raw = JSON.parse(line).data;
    const { book, problem } = expectType(parseFrame(line), "book");
    assert.equal(problem, null, `${raw.coin} should be a sane book`);
    assert.equal(book.coin, raw.coin);
    assert.equal(book.timeMs, raw.time);
    const expected = (side: { px: string; sz: string; n: number }[]) =>
      side.map((l) => ({ px: parseFloat(l.px), sz: parseFloat(l.sz), n: l.n }));
    assert.deepEqual(book.bids, expected(raw.levels[0]));
    assert.deepEqual(book.asks, expected(raw.levels[1]));
    levels += book.bids.length + book.asks.length;
  }
  assert.ok(levels > 1000, `only ${levels} levels checked`);
  const coins = new Set(
    generatedBooks.map((line) => expectType(parseFrame(line), "book").book.coin),
  );
  assert.deepEqual([...coins].sort(), ["BIG", "BTC", "ETH", "MICRO", "SOL", "kPEPE"]);
});

Deno.test("generated trade batches parse trade by trade", () => {
  for (const line of generatedTrades) {
    const raw = JSON.parse(line).data as Record<string, string | number>[];
    const { trades } = expectType(parseFrame(line), "trades");
    assert.deepEqual(
      trades,
      raw.map((t) => ({
        coin: t.coin,
        side: t.side,
        px: parseFloat(t.px as string),
        sz: parseFloat(t.sz as string),
        timeMs: t.time,
        tid: t.tid,
      })),
    );
  }
});

Deno.test("malformed frames come back with their kind, never as an exception", () => {
  for (const { expect, frame } of malformedCases) {
    const result = parseFrame(frame);
    if (expect === "empty-side" || expect === "crossed-book" || expect === "unsorted-side") {
      // Unusable books are still delivered, flagged, so the engine can pull that coin's quotes.
      assert.equal(expectType(result, "book").problem, expect, frame);
    } else {
      assert.equal(expectType(result, "malformed").kind, expect, frame);
    }
  }
});

Deno.test("malformed frame details name what was wrong", () => {
  const negative = malformedCases.find((c) => c.frame.includes('"-1.5"'));
  assert.ok(negative);
  const result = expectType(parseFrame(negative.frame), "malformed");
  assert.equal(result.detail, "BTC: bids[0].sz is -1.5");
  const crossed = expectType(parseFrame(malformedCases[10].frame), "book");
  assert.equal(crossed.book.bids[0].px, 84145);
  assert.equal(crossed.book.asks[0].px, 84144);
});

Deno.test("frame problems are counted by kind", () => {
  const log = new FrameErrorLog({ logger: collectingLogger(), label: "malformed frame" });
  for (const { frame } of malformedCases) {
    const result = parseFrame(frame);
    if (result.type === "malformed") log.record(result.kind, result.detail);
    else if (result.type === "book" && result.problem !== null) log.record(result.problem, "");
  }
  const expected: Record<string, number> = {};
  for (const { expect } of malformedCases) expected[expect] = (expected[expect] ?? 0) + 1;
  assert.deepEqual(log.counts(), expected);
  assert.equal(log.total, malformedCases.length);
  assert.equal(log.count("bad-json"), 3);
});

Deno.test("each kind is logged at most once per minute, then with the number held back", () => {
  const logger = collectingLogger();
  let nowMs = 0;
  const log = new FrameErrorLog({ logger, label: "malformed frame", now: () => nowMs });
  log.record("bad-json", "first");
  nowMs = 1_000;
  log.record("bad-json", "second");
  log.record("crossed-book", "BTC: best bid 2 >= best ask 1");
  nowMs = 59_999;
  log.record("bad-json", "third");
  assert.deepEqual(logger.lines, [
    "WARN malformed frame (bad-json): first",
    "WARN malformed frame (crossed-book): BTC: best bid 2 >= best ask 1",
  ]);
  nowMs = 60_000;
  log.record("bad-json", "fourth");
  assert.equal(logger.lines.length, 3);
  assert.equal(
    logger.lines[2],
    "WARN malformed frame (bad-json): fourth (2 more since the last report)",
  );
  assert.equal(log.count("bad-json"), 4);
});

Deno.test("the scanner and the JSON.parse reader agree on every fixture frame", () => {
  const all = [
    ...reference,
    ...generatedBooks,
    ...generatedTrades,
    ...malformedCases.map((c) => c.frame),
  ];
  for (const frame of all) {
    assert.deepStrictEqual(parseFrame(frame), parseFrameWithJsonParse(frame), frame);
  }
});

/** Deterministic PRNG (mulberry32) so a failing randomized case can be reproduced. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_DECIMALS = [
  "1e5",
  ".5",
  "5.",
  "-0.0",
  "0",
  "",
  "NaN",
  "Infinity",
  " 12",
  "+3",
  "0x1A",
  "1_000",
  "123456789012345678",
  "0.1234567890123456789012345",
  "9007199254740993",
  "00.001",
  "1.5e-7",
  "-",
];
const ODD_NUMBERS = ["1.5", "-1", "1e3", "01", "-0", "1E2", "9007199254740993", '"3"', "null"];

/** A random l2Book frame: mostly well-formed, with the spellings a scanner could get wrong. */
function randomBookFrame(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  // Half the frames are clean apart from number spellings, so most of them stay on the
  // scanner's path instead of falling back to JSON.parse at the first oddity.
  const oddity = rand() < 0.5 ? 1 : 0.02;
  const chance = (p: number) => rand() < p * oddity;
  const space = () => (chance(0.05) ? pick([" ", "\n", "\t ", "\r\n"]) : "");
  const decimal = () => {
    if (rand() < 0.08) return pick(ODD_DECIMALS);
    const digits = Math.floor(rand() * 17) + 1;
    const text = String(Math.floor(rand() * 10 ** Math.min(digits, 15)));
    const sign = chance(0.03) ? "-" : "";
    const point = Math.floor(rand() * (text.length + 8));
    if (point >= text.length) return sign + text;
    const padded = text.padStart(point + 1, "0");
    return `${sign}${padded.slice(0, padded.length - point)}.${
      padded.slice(padded.length - point)
    }`;
  };
  const integer = () => (chance(0.05) ? pick(ODD_NUMBERS) : String(Math.floor(rand() * 100)));
  const str = (
    s: string,
  ) => (chance(0.02) ? `"${s}\\u0041"` : chance(0.01) ? `"${s}\t"` : `"${s}"`);
  const field = (key: string, value: string) => `${space()}"${key}"${space()}:${space()}${value}`;
  const object = (fields: string[]) => {
    if (chance(0.1)) fields.sort(() => rand() - 0.5);
    if (chance(0.03)) fields.pop();
    if (chance(0.03)) fields.push(fields[0]);
    if (chance(0.05)) fields.push(field("fast", pick(["true", "false", "null", "[1,{}]", '"x"'])));
    return `{${fields.join(",")}${space()}}`;
  };
  const level = () =>
    object([field("px", str(decimal())), field("sz", str(decimal())), field("n", integer())]);
  const side = () => {
    const n = chance(0.05) ? 0 : Math.floor(rand() * 21);
    return `[${space()}${Array.from({ length: n }, level).join(",")}]`;
  };
  const levels = chance(0.02)
    ? `[${side()},${side()},${side()}]`
    : `[${side()},${space()}${side()}]`;
  const data = object([
    field("coin", str(pick(["BTC", "ETH", "kPEPE", "@107"]))),
    field(
      "time",
      chance(0.05) ? pick(ODD_NUMBERS) : String(1790232236546 + Math.floor(rand() * 1e6)),
    ),
    field("levels", levels),
  ]);
  const frame = `{"channel":"l2Book","data":${data}${space()}}${chance(0.02) ? "x" : ""}`;
  return chance(0.03) ? frame.slice(0, Math.floor(rand() * frame.length)) : frame;
}

Deno.test("the scanner and the JSON.parse reader agree on 20,000 randomized l2Book frames", () => {
  const rand = prng(20261125);
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const frame = randomBookFrame(rand);
    const fast = parseFrame(frame);
    assert.deepStrictEqual(fast, parseFrameWithJsonParse(frame), `case ${i}: ${frame}`);
    seen.add(
      fast.type === "malformed"
        ? fast.kind
        : fast.type === "book"
        ? `book:${fast.problem}`
        : fast.type,
    );
  }
  // The generator reaches sane books, flagged books and each kind of malformed frame.
  for (
    const outcome of ["book:null", "book:empty-side", "book:crossed-book", "bad-json", "bad-shape"]
  ) {
    assert.ok(seen.has(outcome), `no randomized frame gave ${outcome}: ${[...seen]}`);
  }
});

Deno.test("arbitrary text never throws out of the parser", () => {
  const rand = prng(7);
  const sample = reference[0] + generatedTrades[0];
  for (let i = 0; i < 2_000; i++) {
    const start = Math.floor(rand() * sample.length);
    const text = sample.slice(start, start + Math.floor(rand() * 300));
    const result = parseFrame(text);
    assert.ok(
      ["malformed", "greeting", "book", "trades", "pong", "passthrough"].includes(result.type),
      `${result.type} from ${text}`,
    );
  }
});

/**
 * A synthetic market with known GLFT parameters, for tests: the mid is a driftless random walk
 * with volatility `sigmaBps` per square-root second, and market orders arrive as a Poisson process
 * of rate `a` per second, each reaching a depth from the mid drawn from an exponential law of rate
 * `k` per bps, so the rate of orders reaching depth delta is exactly a * exp(-k * delta).
 * Seeded: the same options give the same market.
 *
 * @module
 */
import { prng } from "./prng.ts";

/** What the market is generated from. */
export interface GlftMarketOptions {
  seed: number;
  /** First mid price. */
  startPx: number;
  /** Volatility of the mid, bps per square-root second. */
  sigmaBps: number;
  /** Market orders per second (at depth 0). */
  a: number;
  /** Decay of the arrival rate per bps of depth. */
  k: number;
  /** Length, seconds. */
  seconds: number;
  /** First market time, ms. */
  startMs: number;
  /** Time between books, ms (default 100). */
  bookEveryMs?: number;
}

/** One book: the exact mid and top-of-book sizes (coin units). */
export interface SyntheticBook {
  timeMs: number;
  mid: number;
  bidSz: number;
  askSz: number;
}

/** One market order: its price (mid +- depth), taker side and market time. */
export interface SyntheticTrade {
  timeMs: number;
  px: number;
  isBuy: boolean;
}

/** The books and trades of a synthetic market, each in time order (trades at distinct ms). */
export function glftMarket(options: GlftMarketOptions): {
  books: SyntheticBook[];
  trades: SyntheticTrade[];
} {
  const rand = prng(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const stepMs = options.bookEveryMs ?? 100;
  const endMs = options.startMs + options.seconds * 1000;
  const books: SyntheticBook[] = [];
  const trades: SyntheticTrade[] = [];
  const scale = options.sigmaBps * Math.sqrt(stepMs / 1000) / 10_000;
  let mid = options.startPx;
  let nextTradeMs = options.startMs + -Math.log(1 - rand()) / options.a * 1000;
  for (let t = options.startMs; t < endMs; t += stepMs) {
    if (t > options.startMs) mid *= 1 + scale * normal();
    books.push({ timeMs: t, mid, bidSz: 1 + rand() * 9, askSz: 1 + rand() * 9 });
    // Orders arriving before the next book trade against this one's mid.
    while (nextTradeMs < t + stepMs && nextTradeMs < endMs) {
      const last = trades.length > 0 ? trades[trades.length - 1].timeMs : -Infinity;
      const timeMs = Math.max(Math.ceil(nextTradeMs), last + 1);
      const depthBps = -Math.log(1 - rand()) / options.k;
      const isBuy = rand() < 0.5;
      const px = mid * (1 + (isBuy ? depthBps : -depthBps) / 10_000);
      if (timeMs < t + stepMs) trades.push({ timeMs, px, isBuy });
      nextTradeMs += -Math.log(1 - rand()) / options.a * 1000;
    }
  }
  return { books, trades };
}

/**
 * Writes a synthetic SOL market (1.5 bps/√s, 2 orders/s, k 0.8/bps) as recorded WebSocket frames
 * with 5 levels a side, into a new temporary folder; returns the folder.
 */
export async function writeGlftFrames(startMs: number, seconds = 600): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mm-models-" });
  const rand = prng(77);
  const { books, trades } = glftMarket({
    seed: 21,
    startPx: 150,
    sigmaBps: 1.5,
    a: 2,
    k: 0.8,
    seconds,
    startMs,
    bookEveryMs: 500,
  });
  const events: { timeMs: number; line: string }[] = [];
  for (const book of books) {
    // A one-cent book around the mid, 5 levels a side, uneven sizes (the microprice's input).
    const bid = Math.floor(book.mid * 100) / 100;
    const level = (px: number, sz: number) => ({ px: px.toFixed(2), sz: sz.toFixed(2), n: 3 });
    const side = (from: number, dir: number, top: number) =>
      [0, 1, 2, 3, 4].map((i) => level(from + dir * i * 0.01, i === 0 ? top : 20 + rand() * 80));
    events.push({
      timeMs: book.timeMs,
      line: JSON.stringify({
        channel: "l2Book",
        data: {
          coin: "SOL",
          time: book.timeMs,
          levels: [side(bid, -1, book.bidSz * 10), side(bid + 0.01, 1, book.askSz * 10)],
        },
      }),
    });
  }
  trades.forEach((trade, tid) => {
    events.push({
      timeMs: trade.timeMs,
      line: JSON.stringify({
        channel: "trades",
        data: [{
          coin: "SOL",
          side: trade.isBuy ? "B" : "A",
          px: trade.px.toFixed(2),
          sz: (1 + rand() * 30).toFixed(2),
          time: trade.timeMs,
          hash: "0x0",
          tid: tid + 1,
        }],
      }),
    });
  });
  events.sort((x, y) => x.timeMs - y.timeMs);
  await Deno.writeTextFile(`${dir}/frames.jsonl`, events.map((e) => e.line).join("\n") + "\n");
  return dir;
}

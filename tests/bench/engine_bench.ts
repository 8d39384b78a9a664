/**
 * Engine speed: frame arrival to quotes computed (30 coins, every frame parsed and requoted),
 * replay throughput through the whole engine (book, trades, queue model, kernel, portfolio),
 * and memory over a long replay. Run: `./deno bench -P tests/bench/engine_bench.ts`.
 * Percentiles the bench table does not show (p50/p99/p99.9, events/s, RSS) are printed.
 */
import { loadConfig } from "../../engine/config.ts";
import { parseFrame } from "../../engine/hyperliquid/parse.ts";
import type { AssetInfo } from "../../engine/hyperliquid/types.ts";
import { loadKernel } from "../../engine/kernel.ts";
import { createLogger } from "../../engine/log.ts";
import {
  guessSzDecimals,
  type ReplayData,
  type ReplaySink,
  runReplay,
} from "../../engine/replay.ts";
import { FrameHandler } from "../../engine/core/frames.ts";
import { InfoClient } from "../../engine/hyperliquid/info.ts";
import { loadUniverse } from "../../engine/hyperliquid/universe.ts";
import { MarketDataFeed } from "../../engine/hyperliquid/ws.ts";
import { startVenueProcess } from "../helpers/venue.ts";
import { createEngineStack } from "../../engine/stack.ts";

const COINS = 30;
const kernel = await loadKernel();
const log = createLogger({ level: "error", sink: () => {} });
const config = loadConfig({ MM_LOG_LEVEL: "error" });
const prices = Array.from({ length: COINS }, (_, i) => 0.05 * 3.1 ** (i % 12) * (1 + i / 50));
const names = prices.map((_, i) => `C${i}`);
const assets: AssetInfo[] = names.map((name, i) => ({
  name,
  assetIndex: i,
  szDecimals: guessSzDecimals(prices[i]),
  maxLeverage: 20,
  fundingHourly: 0,
  markPx: prices[i],
  midPx: prices[i],
  dayNtlVlm: 0,
  isDelisted: false,
}));

/**
 * Top-of-book and trade events of a seeded walk: `seconds` of market time, 10x the venue
 * simulator's base rate.
 */
function syntheticReplay(seconds: number): ReplayData {
  // Spec rate: a book every ~650 ms per coin; 10x = every 65 ms; plus one trade per book.
  const perCoin = Math.floor((seconds * 1000) / 65);
  const n = perCoin * COINS * 2;
  const data: ReplayData = {
    coins: names,
    files: [],
    badRows: 0,
    length: n,
    kind: new Uint8Array(n),
    timeMs: new Float64Array(n),
    coin: new Uint16Array(n),
    a: new Float64Array(n),
    b: new Float64Array(n),
    buyer: new Uint8Array(n),
    tid: new Float64Array(n),
    books: [],
  };
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const mids = prices.slice();
  const t0 = Date.UTC(2026, 1, 22);
  let k = 0;
  for (let step = 0; step < perCoin; step++) {
    for (let c = 0; c < COINS; c++) {
      const t = t0 + step * 65 + c;
      mids[c] *= 1 + (rand() - 0.5) * 0.0004;
      const half = mids[c] * 0.00005;
      data.kind[k] = 0;
      data.timeMs[k] = t;
      data.coin[k] = c;
      data.a[k] = mids[c] - half;
      data.b[k] = mids[c] + half;
      k++;
      const buyer = rand() < 0.5 ? 1 : 0;
      data.kind[k] = 1;
      data.timeMs[k] = t;
      data.coin[k] = c;
      data.a[k] = buyer ? mids[c] * (1 + rand() * 0.0005) : mids[c] * (1 - rand() * 0.0005);
      data.b[k] = (20 + rand() * 200) / mids[c];
      data.buyer[k] = buyer;
      data.tid[k] = k;
      k++;
    }
  }
  return data;
}

async function replayEngine(data: ReplayData) {
  let now = data.timeMs[0];
  const stack = await createEngineStack({
    mode: "replay",
    config,
    assets,
    log,
    now: () => now,
    kernel,
    writeFills: false,
    measureLatency: false,
  });
  const frames = new FrameHandler(stack.engine);
  const sink: ReplaySink = {
    onBook: (book, problem) => frames.onBook(book, undefined, problem),
    onTrades: (trades) => frames.onTrades(trades),
    tick: (t: number) => {
      now = t;
      stack.engine.tick(t);
    },
  };
  return { stack, sink };
}

// --- frame arrival to quotes computed -------------------------------------------------------
const frameStack = await createEngineStack({
  mode: "shadow",
  config,
  assets,
  log,
  now: Date.now,
  kernel,
  writeFills: false,
});
const frames = names.map((coin, i) => {
  const mid = prices[i];
  const levels = (sign: number) =>
    Array.from(
      { length: 20 },
      (_, l) =>
        `{"px":"${(mid * (1 + sign * (0.0001 + l * 0.0002))).toPrecision(5)}","sz":"${
          (100 / mid).toFixed(2)
        }","n":${l + 1}}`,
    ).join(",");
  return `{"channel":"l2Book","data":{"coin":"${coin}","time":${Date.UTC(2026, 1, 22)},"levels":[[${
    levels(-1)
  }],[${levels(1)}]]}}`;
});
let frameIndex = 0;
const frameSamples: number[] = [];
Deno.bench("frame arrival → quotes computed (l2Book parse + requote, 30 coins)", () => {
  const text = frames[frameIndex++ % COINS];
  const arrival = performance.now();
  const frame = parseFrame(text);
  if (frame.type === "book") frameStack.engine.onBook(frame.book, arrival);
  if (frameSamples.length < 200_000) frameSamples.push(performance.now() - arrival);
});

// --- the same, end to end: venue simulator (another process) → WebSocket → feed → engine ----
Deno.bench(
  "frame arrival → quotes computed, live socket: venue simulator process, 30 coins at 10x the spec rate, 10 s",
  { n: 1, warmup: 0 },
  async () => {
    // The simulator runs in its own process, as the exchange does in production: its frame
    // building and garbage collection must not land inside the engine's measurements.
    const venue = await startVenueProcess([
      "--account",
      "0x00000000000000000000000000000000000000be",
      "--coins",
      String(COINS),
      "--rate",
      "10",
      "--seed",
      "11",
    ]);
    const info = new InfoClient({
      endpoints: { network: "mainnet", apiUrl: venue.apiUrl, wsUrl: venue.wsUrl, isMainnet: true },
    });
    const { selected } = await loadUniverse((body) => info.post(body as { type: string }), {
      topN: COINS,
    });
    const liveKernel = await loadKernel();
    const stack = await createEngineStack({
      mode: "demo",
      config,
      assets: selected,
      log,
      now: Date.now,
      kernel: liveKernel,
      writeFills: false,
    });
    const feed = new MarketDataFeed({
      url: venue.wsUrl,
      coins: selected.map((a) => a.name),
      logger: log,
      onBook: (book, ns, problem) =>
        problem ? stack.engine.onBadBook(book.coin) : stack.engine.onBook(book, ns / 1e6),
      onTrades: (trades) => stack.engine.onTrades(trades),
    });
    feed.start();
    stack.engine.start();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    stack.engine.stop();
    await feed.close();
    await venue.close();
    const us = (p: number) => `${(liveKernel.latencyPercentile(p) * 1000).toFixed(1)} µs`;
    console.log(
      `live socket: ${feed.stats.books} books, ${feed.stats.tradeFrames} trade frames in 10 s | p50 ${
        us(50)
      } | p99 ${us(99)} | ` +
        `p99.9 ${us(99.9)} | samples ${liveKernel.latencyCount()} (ring of the last 10,000)`,
    );
  },
);

// --- replay throughput ----------------------------------------------------------------------
const throughputData = syntheticReplay(600);
Deno.bench(
  `replay throughput: ${throughputData.length} events (30 coins, 10 min at 10x the spec rate)`,
  { n: 3, warmup: 1 },
  async () => {
    const { stack, sink } = await replayEngine(throughputData);
    const start = performance.now();
    await runReplay(throughputData, sink, { tickMs: 100, speed: "max" });
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `replay: ${Math.round(throughputData.length / seconds).toLocaleString("en")} events/s, ` +
        `fills ${stack.portfolio.totals().fills}`,
    );
  },
);

// --- memory over a long replay --------------------------------------------------------------
Deno.bench(
  "RSS over a one-hour replay (30 coins at 10x the spec rate)",
  { n: 1, warmup: 0 },
  async () => {
    const data = syntheticReplay(3600);
    const { sink } = await replayEngine(data);
    const half = Math.floor(data.length / 2);
    const first: ReplayData = { ...data, length: half };
    const rssStart = Deno.memoryUsage().rss;
    await runReplay(first, sink, { tickMs: 100, speed: "max" });
    const rssMid = Deno.memoryUsage().rss;
    // The second half continues the same market on the same engine.
    const second: ReplayData = {
      ...data,
      length: data.length - half,
      kind: data.kind.subarray(half),
      timeMs: data.timeMs.subarray(half),
      coin: data.coin.subarray(half),
      a: data.a.subarray(half),
      b: data.b.subarray(half),
      buyer: data.buyer.subarray(half),
      tid: data.tid.subarray(half),
    };
    await runReplay(second, sink, { tickMs: 100, speed: "max" });
    const rssEnd = Deno.memoryUsage().rss;
    const mb = (x: number) => `${(x / 1048576).toFixed(1)} MB`;
    console.log(
      `RSS: start ${mb(rssStart)} | after 30 min ${mb(rssMid)} | after 60 min ${mb(rssEnd)} ` +
        `(${data.length.toLocaleString("en")} events)`,
    );
  },
);

globalThis.addEventListener("unload", () => {
  if (frameSamples.length === 0) return;
  const sorted = Float64Array.from(frameSamples).sort();
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
  console.log(
    `frame → quotes over ${sorted.length} frames: p50 ${us(at(50))} | p99 ${us(at(99))} | ` +
      `p99.9 ${us(at(99.9))}`,
  );
});

/**
 * The `replay` mode: the shadow engine over harvested files on a virtual clock, the exact
 * quoting code of a live run: {@link loadReplay} reads the frames, {@link runReplay} paces
 * them, and the frame handler live uses (engine/core/frames.ts) hands them to the engine.
 */
import type { Cli } from "./cli.ts";
import type { EngineConfig } from "./config.ts";
import type { Engine } from "./engine.ts";
import type { AssetInfo } from "./hyperliquid/types.ts";
import type { Logger } from "./log.ts";
import {
  guessSzDecimals,
  loadReplay,
  type ReplayData,
  type ReplayRunResult,
  runReplay,
} from "./replay.ts";
import { finish } from "./session_end.ts";
import { createEngineStack, type EngineStack } from "./stack.ts";
import type { Fill } from "./venue/venue.ts";
import { FrameHandler } from "./core/frames.ts";

/** Result of {@link replayFiles}. */
export interface ReplayOutcome {
  stack: EngineStack;
  run: ReplayRunResult;
  coins: string[];
  badRows: number;
}

/** Options of {@link replayFiles} and {@link replayData}. */
export interface ReplayFilesOptions {
  speed?: "max" | "1x";
  writeFills?: boolean;
  onFill?: (fill: Fill) => void;
  stopped?: () => boolean;
  /** Called after each tick of the virtual clock (a sweep samples PnL here). */
  onTick?: (nowMs: number, engine: Engine) => void;
  /** Called after each event is handled (a test compares decisions frame by frame). */
  afterEvent?: (engine: Engine) => void;
  /**
   * The coins as the recorded run knew them (size decimals, funding), in its kernel order;
   * default: the data's coins, sorted, with size decimals guessed from their first price.
   */
  assets?: readonly AssetInfo[];
}

/** Runs the shadow engine over harvested files on a virtual clock. */
export async function replayFiles(
  paths: readonly string[],
  config: EngineConfig,
  log: Logger,
  options: ReplayFilesOptions = {},
): Promise<ReplayOutcome> {
  const data = await loadReplay(paths, config.coins);
  if (data.coins.length === 0) throw new Error(`replay: no events in ${paths.join(", ")}`);
  return await replayData(data, config, log, options);
}

/**
 * Runs the shadow engine over data already loaded by {@link loadReplay} (a sweep parses once and
 * replays many times); the data is only read, so every run over it gives what
 * {@link replayFiles} would.
 */
export async function replayData(
  data: ReplayData,
  config: EngineConfig,
  log: Logger,
  options: ReplayFilesOptions = {},
): Promise<ReplayOutcome> {
  if (data.coins.length === 0) throw new Error("replay: the data has no events");
  if (data.coins.length > 64) {
    throw new Error(
      `replay: ${data.coins.length} coins in the data; the kernel quotes 64 at most (set MM_COINS)`,
    );
  }
  const assets = options.assets ?? guessAssets(data);
  const missing = data.coins.filter((coin) => !assets.some((a) => a.name === coin));
  if (missing.length > 0) {
    throw new Error(`replay: the data's coins ${missing.join(", ")} are not in the assets given`);
  }
  let virtualNow = data.timeMs[0] ?? 0;
  const stack = await createEngineStack({
    mode: "replay",
    config,
    assets,
    log,
    now: () => virtualNow,
    measureLatency: false,
    writeFills: options.writeFills,
    onFill: options.onFill,
  });
  const engine = stack.engine;
  const frames = new FrameHandler(engine);
  const afterEvent = options.afterEvent;
  const run = await runReplay(data, {
    onBook: (book, problem) => frames.onBook(book, undefined, problem),
    onTrades: (trades) => frames.onTrades(trades),
    tick: (nowMs) => {
      virtualNow = nowMs;
      engine.tick(nowMs);
      options.onTick?.(nowMs, engine);
    },
  }, {
    tickMs: config.tickMs,
    speed: options.speed ?? "max",
    stopped: options.stopped,
    afterEvent: afterEvent && (() => afterEvent(engine)),
  });
  engine.stop();
  return { stack, run, coins: data.coins, badRows: data.badRows };
}

/** The data's coins, sorted, with size decimals guessed from each coin's first price. */
function guessAssets(data: ReplayData): AssetInfo[] {
  const firstPx = new Float64Array(data.coins.length);
  for (let i = 0; i < data.length; i++) {
    const c = data.coin[i];
    if (firstPx[c] === 0) {
      firstPx[c] = data.a[i] > 0 ? data.a[i] : data.books[data.tid[i]]?.bids[0]?.px ?? 0;
    }
  }
  return data.coins.map((name, i) => ({
    name,
    assetIndex: i,
    szDecimals: guessSzDecimals(firstPx[i]),
    maxLeverage: 1,
    fundingHourly: 0,
    markPx: firstPx[i],
    midPx: null,
    dayNtlVlm: 0,
    isDelisted: false,
  }));
}

/** `replay` from the command line: Ctrl-C stops early; logs the pace, then the session report. */
export async function runReplayMode(cli: Cli, config: EngineConfig, log: Logger): Promise<void> {
  let stop = false;
  const onSignal = () => (stop = true);
  Deno.addSignalListener("SIGINT", onSignal);
  const started = performance.now();
  try {
    const outcome = await replayFiles(cli.paths, config, log, {
      speed: cli.speed,
      writeFills: false,
      stopped: () => stop,
    });
    const seconds = (performance.now() - started) / 1000;
    log.info(
      `[REPLAY] ${outcome.run.events} events over ${outcome.coins.length} coins, ${
        ((outcome.run.lastMs - outcome.run.firstMs) / 1000).toFixed(0)
      }s of market time in ${seconds.toFixed(2)}s (${
        Math.round(outcome.run.events / Math.max(seconds, 1e-9))
      } events/s); bad rows skipped: ${outcome.badRows}`,
    );
    // A replay re-runs old data: it writes neither fills nor session records into the Gate 5 files.
    await finish(outcome.stack, log, config, outcome.run.lastMs, null);
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

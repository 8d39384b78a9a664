/**
 * The engine's command line: `shadow | live | demo | replay <files or folder>`.
 *
 *   deno task demo   [--duration 60s]          shadow engine against the local venue simulator
 *   deno task shadow [--duration 1h]           live Hyperliquid data, simulated fills, no orders
 *   deno task live   [--duration ...]          signed post-only orders (asks "CONFIRM LIVE")
 *   deno task replay <paths> [--speed max|1x]  the engine over harvested data, virtual clock
 *
 * Common flags: `--clear-halt` (start although the saved state says halted).
 */
import { ConfigError, type EngineConfig, loadConfig, readEnv } from "./engine/config.ts";
import { AdverseSelection } from "./engine/adverse.ts";
import { Engine, type EngineMode } from "./engine/engine.ts";
import { flatMakerFee } from "./engine/fees.ts";
import type { AssetInfo } from "./engine/hyperliquid/types.ts";
import { type Kernel, loadKernel } from "./engine/kernel.ts";
import { createLogger, type Logger } from "./engine/log.ts";
import { Portfolio } from "./engine/portfolio.ts";
import { guessSzDecimals, loadReplay, type ReplayRunResult, runReplay } from "./engine/replay.ts";
import { appendSessionRecord, formatSessionReport, sessionRecord } from "./engine/report.ts";
import { formatShadowReport, ShadowFillLog } from "./engine/shadow_log.ts";
import type { Fill, Venue } from "./engine/venue/venue.ts";
import { SimExchange } from "./engine/venue/sim.ts";

/** The parsed command line. */
export interface Cli {
  mode: EngineMode;
  /** Replay inputs. */
  paths: string[];
  speed: "max" | "1x";
  /** Stop after this long (ms), or run until Ctrl-C. */
  durationMs: number | null;
  clearHalt: boolean;
  /** Live mode without a terminal: the confirmation phrase comes from this flag. */
  confirmLive: boolean;
}

const USAGE = `usage: main.ts <shadow | live | demo | replay <files or folder>...>
  --duration 60s|5m|1h   stop after this long (default: until Ctrl-C)
  --speed max|1x         replay pace (default max)
  --clear-halt           start although the saved state is halted
  --confirm-live         live mode without a terminal (instead of typing CONFIRM LIVE)`;

/** Parses `--duration` values such as `30s`, `5m`, `1h`, `500ms`; throws naming the value. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`--duration "${text}" is invalid: expected e.g. 30s, 5m, 1h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

/** Parses the command line; throws with the usage on a mistake. */
export function parseCli(args: readonly string[]): Cli {
  const [mode, ...rest] = args;
  if (!["shadow", "live", "demo", "replay"].includes(mode)) {
    throw new Error(`unknown mode "${mode ?? ""}"\n${USAGE}`);
  }
  const cli: Cli = {
    mode: mode as EngineMode,
    paths: [],
    speed: "max",
    durationMs: null,
    clearHalt: false,
    confirmLive: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === "--duration") cli.durationMs = parseDuration(value());
    else if (arg.startsWith("--duration=")) cli.durationMs = parseDuration(arg.slice(11));
    else if (arg === "--speed" || arg.startsWith("--speed=")) {
      const speed = arg === "--speed" ? value() : arg.slice(8);
      if (speed !== "max" && speed !== "1x") {
        throw new Error(`--speed "${speed}" is invalid: expected max or 1x`);
      }
      cli.speed = speed;
    } else if (arg === "--clear-halt") cli.clearHalt = true;
    else if (arg === "--confirm-live") cli.confirmLive = true;
    else if (arg.startsWith("--")) throw new Error(`unknown flag ${arg}\n${USAGE}`);
    else if (cli.mode === "replay") cli.paths.push(arg);
    else throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
  }
  if (cli.mode === "replay" && cli.paths.length === 0) {
    throw new Error(`replay needs files or a folder of harvested data\n${USAGE}`);
  }
  return cli;
}

/** The shadow engine's parts, built once per run. */
export interface ShadowStack {
  engine: Engine;
  venue: Venue;
  portfolio: Portfolio;
  adverse: AdverseSelection;
  shadowLog: ShadowFillLog | null;
}

/** Options of {@link createShadowStack}. */
export interface ShadowStackOptions {
  mode: EngineMode;
  config: EngineConfig;
  assets: readonly AssetInfo[];
  log: Logger;
  now: () => number;
  kernel?: Kernel;
  /** Write fills to `<dataDir>/shadow/DATE.jsonl` (default true). */
  writeFills?: boolean;
  measureLatency?: boolean;
  onFill?: (fill: Fill) => void;
  assetConfig?: ConstructorParameters<typeof Engine>[0]["assetConfig"];
}

/** Builds the shadow engine: kernel, SimExchange with the configured queue model, portfolio. */
export async function createShadowStack(options: ShadowStackOptions): Promise<ShadowStack> {
  const { config, assets, log } = options;
  const kernel = options.kernel ?? await loadKernel();
  const venue = new SimExchange({
    queueModel: config.queueModel,
    fees: flatMakerFee(config.makerFeeRate),
    szDecimals: Object.fromEntries(assets.map((a) => [a.name, a.szDecimals])),
  });
  const portfolio = new Portfolio({ startingBalanceUsd: config.startingBalanceUsd });
  const adverse = new AdverseSelection();
  const shadowLog = options.writeFills === false ? null : new ShadowFillLog({
    dir: `${config.dataDir}/shadow`,
    onError: (error) => log.error(`[SHADOW] fills file write failed: ${error.message}`),
  });
  const engine = new Engine({
    mode: options.mode,
    config,
    assets,
    kernel,
    venue,
    portfolio,
    log,
    now: options.now,
    adverse,
    shadowLog: shadowLog ?? undefined,
    onFill: options.onFill,
    measureLatency: options.measureLatency,
    assetConfig: options.assetConfig,
  });
  return { engine, venue, portfolio, adverse, shadowLog };
}

/** Result of {@link replayFiles}. */
export interface ReplayOutcome {
  stack: ShadowStack;
  run: ReplayRunResult;
  coins: string[];
  badRows: number;
}

/** Runs the shadow engine over harvested files on a virtual clock. */
export async function replayFiles(
  paths: readonly string[],
  config: EngineConfig,
  log: Logger,
  options: {
    speed?: "max" | "1x";
    writeFills?: boolean;
    onFill?: (fill: Fill) => void;
    stopped?: () => boolean;
  } = {},
): Promise<ReplayOutcome> {
  const data = await loadReplay(paths, config.coins);
  if (data.coins.length === 0) throw new Error(`replay: no events in ${paths.join(", ")}`);
  if (data.coins.length > 64) {
    throw new Error(
      `replay: ${data.coins.length} coins in the data; the kernel quotes 64 at most (set MM_COINS)`,
    );
  }
  const firstPx = new Float64Array(data.coins.length);
  for (let i = 0; i < data.length; i++) {
    const c = data.coin[i];
    if (firstPx[c] === 0) {
      firstPx[c] = data.a[i] > 0 ? data.a[i] : data.books[data.tid[i]]?.bids[0]?.px ?? 0;
    }
  }
  const assets: AssetInfo[] = data.coins.map((name, i) => ({
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
  let virtualNow = data.timeMs[0] ?? 0;
  const stack = await createShadowStack({
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
  const run = await runReplay(data, {
    onBook: (book) => engine.onBook(book),
    onTrades: (trades) => engine.onTrades(trades),
    tick: (nowMs) => {
      virtualNow = nowMs;
      engine.tick(nowMs);
    },
  }, { tickMs: config.tickMs, speed: options.speed ?? "max", stopped: options.stopped });
  engine.stop();
  return { stack, run, coins: data.coins, badRows: data.badRows };
}

/** Prints the session report and appends the Gate 5 session record. */
async function finish(stack: ShadowStack, log: Logger, config: EngineConfig, endMs: number) {
  const summary = stack.engine.summary(endMs);
  log.info(formatSessionReport(summary));
  log.info(formatShadowReport(stack.portfolio, stack.adverse));
  await stack.shadowLog?.close();
  try {
    await appendSessionRecord(config.dataDir, sessionRecord(summary));
  } catch (error) {
    log.error(`[REPORT] could not append the session record: ${(error as Error).message}`);
  }
  await log.flush();
}

async function runReplayMode(cli: Cli, config: EngineConfig, log: Logger): Promise<void> {
  let stop = false;
  const onSignal = () => (stop = true);
  Deno.addSignalListener("SIGINT", onSignal);
  const started = performance.now();
  try {
    const outcome = await replayFiles(cli.paths, config, log, {
      speed: cli.speed,
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
    await finish(outcome.stack, log, config, outcome.run.lastMs);
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

async function main(args: string[]): Promise<number> {
  let cli: Cli;
  let config: EngineConfig;
  try {
    cli = parseCli(args);
    config = loadConfig(readEnv());
  } catch (error) {
    console.error(
      error instanceof ConfigError ? `config: ${error.message}` : (error as Error).message,
    );
    return 2;
  }
  const log = createLogger({ level: config.logLevel });
  try {
    if (cli.mode === "replay") await runReplayMode(cli, config, log);
    else throw new Error(`mode ${cli.mode} is not available in this build`);
    return 0;
  } catch (error) {
    log.error((error as Error).message);
    await log.flush();
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

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
import { Harvester } from "./engine/harvest.ts";
import { InfoClient } from "./engine/hyperliquid/info.ts";
import { resolveNetwork } from "./engine/hyperliquid/network.ts";
import { loadUniverse } from "./engine/hyperliquid/universe.ts";
import { MarketDataFeed } from "./engine/hyperliquid/ws.ts";
import { RedisBridge } from "./engine/bridge.ts";
import { Shutdown } from "./engine/shutdown.ts";
import {
  clearHalt,
  emptyState,
  type EngineState,
  loadState,
  markHalted,
  mayStartLive,
  saveState,
} from "./engine/state.ts";
import type { LiveExchange } from "./engine/venue/live.ts";
import {
  confirmLive,
  installCrashGuards,
  readPrivateKey,
  recordsDirFor,
  startLiveVenue,
  statePathFor,
} from "./engine/live_start.ts";
import { startVenueSim, type VenueSim } from "./tools/venue_sim/mod.ts";
import { Engine, type EngineMode } from "./engine/engine.ts";
import { flatMakerFee } from "./engine/fees.ts";
import { FUNDING_REFRESH_MS, refreshFunding } from "./engine/funding.ts";
import type { AssetInfo } from "./engine/hyperliquid/types.ts";
import { type Kernel, loadKernel } from "./engine/kernel.ts";
import { createLogger, type Logger } from "./engine/log.ts";
import { Portfolio } from "./engine/portfolio.ts";
import { guessSzDecimals, loadReplay, type ReplayRunResult, runReplay } from "./engine/replay.ts";
import {
  appendSessionRecord,
  formatSessionReport,
  type SessionCounters,
  SessionDays,
  type SessionRecord,
  type SessionSummary,
} from "./engine/report.ts";
import { formatQuantity, formatShadowReport, ShadowFillLog } from "./engine/shadow_log.ts";
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
  /** Write fills to `<dataDir>/shadow/DATE.jsonl` (live: `<dataDir>/live/`; default true). */
  writeFills?: boolean;
  measureLatency?: boolean;
  onFill?: (fill: Fill) => void;
  onHalt?: (reason: string) => void;
  assetConfig?: ConstructorParameters<typeof Engine>[0]["assetConfig"];
  /** A venue other than the shadow simulator (live mode). */
  venue?: Venue;
}

/** Builds the shadow engine: kernel, SimExchange with the configured queue model, portfolio. */
export async function createShadowStack(options: ShadowStackOptions): Promise<ShadowStack> {
  const { config, assets, log } = options;
  const kernel = options.kernel ?? await loadKernel();
  const venue = options.venue ?? new SimExchange({
    queueModel: config.queueModel,
    fees: flatMakerFee(config.makerFeeRate),
    szDecimals: Object.fromEntries(assets.map((a) => [a.name, a.szDecimals])),
    entryLatencyMs: config.entryLatencyMs,
  });
  const portfolio = new Portfolio({ startingBalanceUsd: config.startingBalanceUsd });
  const adverse = new AdverseSelection();
  const shadowLog = options.writeFills === false ? null : new ShadowFillLog({
    dir: recordsDirFor(options.mode, config.dataDir),
    onError: (error) => log.error(`[FILLS] fills file write failed: ${error.message}`),
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
    onHalt: options.onHalt,
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

/** The counters a session record is made of. */
function countersOf(summary: SessionSummary): SessionCounters {
  return {
    cancels: summary.cancels,
    fills: summary.fills,
    stallRecoveries: summary.stallRecoveries,
    pnlUsd: summary.pnlUsd,
  };
}

/** Prints the session report and appends the last Gate 5 session record. */
async function finish(
  stack: ShadowStack,
  log: Logger,
  config: EngineConfig,
  endMs: number,
  days: SessionDays | null,
) {
  const summary = stack.engine.summary(endMs);
  log.info(stack.engine.sessionLine());
  log.info(formatSessionReport(summary));
  log.info(formatShadowReport(stack.portfolio, stack.adverse));
  await stack.shadowLog?.close();
  if (days) {
    try {
      await appendRecord(stack.engine.mode, config.dataDir, days.final(endMs, countersOf(summary)));
    } catch (error) {
      log.error(`[REPORT] could not append the session record: ${(error as Error).message}`);
    }
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

// The demo's simulated account (shadow mode never trades it) and market: enough coins and
// flow that shadow fills appear within seconds.
const DEMO_ACCOUNT = "0x00000000000000000000000000000000000000de";
const DEMO_COINS = 12;
const DEMO_RATE = 2;
// How often the saved state is refreshed, ms.
const STATE_SAVE_MS = 5_000;

/** Builds the saved state from the engine (inventory, stats, halt, watermarks, shadow orders). */
function snapshotState(
  base: EngineState,
  stack: ShadowStack,
  haltReason: string | null,
): EngineState {
  const totals = stack.portfolio.totals();
  const inventory: EngineState["inventory"] = {};
  for (const a of stack.portfolio.accounts()) {
    if (a.position !== 0) inventory[a.coin] = { qty: a.position, avgEntryPx: a.avgEntry };
  }
  const venue = stack.venue;
  const nowMs = Date.now();
  return {
    ...base,
    inventory,
    // The balance when the UTC day began: a restart later that day continues from it.
    dailyAnchor: {
      utcDay: utcDay(nowMs),
      startingBalanceUsd: stack.portfolio.startingBalanceUsd +
        stack.portfolio.dayAnchorPnlUsd(nowMs),
    },
    session: {
      ...base.session,
      placed: venue.stats.placed,
      cancels: venue.stats.cancels,
      fills: totals.fills,
      volumeUsd: totals.volumeUsd,
      feesUsd: totals.feesUsd,
      realizedPnlUsd: totals.realizedUsd,
    },
    halt: haltReason && !base.halt.halted
      ? { halted: true, reason: haltReason, sinceMs: nowMs }
      : base.halt,
    watermarks: stack.engine.market.watermarks(),
    openShadowOrders: venue instanceof SimExchange
      ? venue.openOrders().map((o) => ({
        coin: o.coin,
        side: o.side,
        level: o.level,
        px: o.px,
        sz: o.leaves,
        queueAhead: Number.isFinite(o.queueAhead) ? o.queueAhead : 0,
      }))
      : [],
  };
}

/** `YYYY-MM-DD` of a time in ms, UTC. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Shadow restart: books the saved inventory at its entry prices, and when the state was saved
 * the same UTC day continues that day's session (counters, realized PnL, the daily drawdown
 * anchor). Returns the state to save from now on: a new UTC day starts a new session.
 */
function restoreShadowState(
  state: EngineState,
  stack: ShadowStack,
  log: Logger,
  nowMs: number,
): EngineState {
  const { engine, venue, portfolio } = stack;
  const held = Object.entries(state.inventory).filter(([, entry]) => entry.qty !== 0);
  // A coin not quoted this run keeps its position in the books (and the next save) unmarked.
  const unquoted = held.filter(([coin]) => !engine.market.index.has(coin)).map(([coin]) => coin);
  for (const [coin, entry] of held) {
    if (unquoted.includes(coin)) portfolio.restore(coin, entry.qty, entry.avgEntryPx, nowMs);
    else engine.carryPosition(coin, entry.qty, entry.avgEntryPx, nowMs);
  }
  const sameDay = state.dailyAnchor?.utcDay === utcDay(nowMs);
  const session = sameDay ? state.session : emptyState(nowMs).session;
  if (sameDay) {
    engine.resumeDay({
      realizedUsd: session.realizedPnlUsd,
      feesUsd: session.feesUsd,
      volumeUsd: session.volumeUsd,
      fills: session.fills,
      dayAnchorPnlUsd: state.dailyAnchor!.startingBalanceUsd - portfolio.startingBalanceUsd,
    }, nowMs);
  }
  if (venue instanceof SimExchange) {
    venue.restore(
      Object.fromEntries(held.map(([coin, entry]) => [coin, entry.qty])),
      { placed: session.placed, cancels: session.cancels, fills: session.fills },
    );
  }
  if (held.length > 0) {
    const list = held.map(([coin, e]) =>
      `${coin} ${formatQuantity(e.qty)} @ ${formatQuantity(e.avgEntryPx)}`
    );
    const note = unquoted.length > 0 ? ` (not quoted this run: ${unquoted.join(", ")})` : "";
    log.info(`[STATE] restored inventory: ${list.join(", ")}${note}`);
  }
  const marks = Object.entries(state.watermarks);
  if (marks.length > 0) {
    log.info(
      `[STATE] restored trade watermarks: ${
        marks.map(([coin, mark]) => `${coin} ${new Date(mark.timeMs).toISOString()}`).join(", ")
      }`,
    );
  }
  if (sameDay) {
    log.info(
      `[STATE] resumed today's session (${utcDay(nowMs)}): ${session.fills} fills, realized ` +
        `$${session.realizedPnlUsd.toFixed(4)}, fees $${session.feesUsd.toFixed(4)}, ` +
        `day's PnL so far $${
          (Math.round(portfolio.totals().dailyPnlUsd * 1e4) / 1e4 || 0).toFixed(4)
        }`,
    );
  } else if (state.dailyAnchor !== null) {
    log.info(
      `[STATE] saved session is from ${state.dailyAnchor.utcDay}: a new day's session starts`,
    );
  }
  return { ...state, session };
}

/** Appends a session record: live ones to `data/live/`, apart from the Gate 5 shadow records. */
function appendRecord(mode: EngineMode, dataDir: string, record: SessionRecord): Promise<void> {
  return appendSessionRecord(recordsDirFor(mode, dataDir), record);
}

// The share of the 5 s shutdown budget the live cancel-all gets, ms: the later steps are local.
const SHUTDOWN_CANCEL_MS = 3_500;

/** demo, shadow and live: market data from a WebSocket (the venue simulator or Hyperliquid). */
async function runMarketMode(cli: Cli, baseConfig: EngineConfig, log: Logger): Promise<void> {
  let config = baseConfig;
  const live = cli.mode === "live";
  if (live && config.shadowMode) {
    throw new Error(
      "MM_SHADOW_MODE is true (the default): live mode needs MM_SHADOW_MODE=false as well",
    );
  }
  if (!live && !config.shadowMode) {
    throw new Error(
      `MM_SHADOW_MODE=false asks for live trading: run \`deno task live\` (this is ${cli.mode})`,
    );
  }
  let privateKey = "";
  if (live) {
    if (!config.address) throw new Error("HL_ADDRESS must be set for live mode");
    privateKey = await readPrivateKey(log);
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
      throw new Error("HL_PRIVATE_KEY must be set for live mode (0x followed by 64 hex digits)");
    }
  }

  const shutdown = new Shutdown({ logger: log });
  let sim: VenueSim | null = null;
  if (cli.mode === "demo") {
    sim = await startVenueSim({
      account: DEMO_ACCOUNT,
      seed: 1,
      coins: config.coins?.length ?? DEMO_COINS,
      rate: DEMO_RATE,
      logger: createLogger({ level: "warn" }),
    });
    config = {
      ...config,
      apiUrl: sim.apiUrl,
      wsUrl: sim.wsUrl,
      coinsTopN: config.coins ? config.coinsTopN : DEMO_COINS,
      // The synthetic market's ticks, fills and state stay apart from real shadow data (Gate 5).
      dataDir: `${config.dataDir}/demo`,
    };
    log.info(`[DEMO] Venue simulator on ${sim.apiUrl} (seeded synthetic market, no network)`);
  }
  try {
    const endpoints = resolveNetwork({
      network: config.network,
      apiUrl: config.apiUrl ?? undefined,
      wsUrl: config.wsUrl ?? undefined,
    });
    const info = new InfoClient({ endpoints });
    const postInfo = (body: object) => info.post(body as { type: string });
    const { selected: assets, assets: universe } = await loadUniverse(postInfo, {
      coins: config.coins ?? undefined,
      topN: config.coinsTopN,
    });
    log.info(
      `[UNIVERSE] ${assets.length} coins: ${
        assets.map((a) => a.name).join(", ")
      } (${endpoints.apiUrl})`,
    );

    const statePath = statePathFor(cli.mode, config.dataDir);
    const loaded = await loadState(statePath);
    if (loaded.kind === "corrupt") {
      log.warn(`[STATE] State file was corrupt (${loaded.error}); kept aside as ${loaded.movedTo}`);
    } else if (loaded.kind === "unreadable") {
      log.warn(`[STATE] State file unreadable: ${loaded.error}`);
    }
    if (live) {
      const verdict = mayStartLive(loaded);
      if (!verdict.ok) throw new Error(`refusing to trade live: ${verdict.reason}`);
    }
    let state = loaded.state;
    if (state.halt.halted) {
      if (!cli.clearHalt) {
        throw new Error(
          `the engine is halted since ${new Date(state.halt.sinceMs ?? 0).toISOString()}: ` +
            `${state.halt.reason}. Check the cause, then start with --clear-halt`,
        );
      }
      log.warn(`[STATE] Halt cleared by the operator (was: ${state.halt.reason})`);
      state = clearHalt(state);
    }

    let venue: Venue | undefined;
    let liveVenue: LiveExchange | null = null;
    let carried: { coin: string; szi: number; entryPx: number }[] = [];
    if (live) {
      await confirmLive(cli.confirmLive, log);
      const user = config.vaultAddress ?? config.address!;
      const started = await startLiveVenue({
        endpoints,
        info,
        privateKey,
        user,
        accountAddress: config.address!,
        vaultAddress: config.vaultAddress,
        assets,
        universe,
        log,
      });
      privateKey = "";
      config = {
        ...config,
        startingBalanceUsd: started.accountValueUsd > 0
          ? started.accountValueUsd
          : config.startingBalanceUsd,
      };
      liveVenue = started.venue;
      venue = liveVenue;
      carried = started.positions;
      log.warn(`⚠️ LIVE! Account ${user} value $${started.accountValueUsd.toFixed(2)}`);
    }

    const bridge = new RedisBridge({
      url: config.redisUrl,
      isKnownCoin: (coin) => assets.some((a) => a.name === coin),
      defaults: config.asset,
      logger: log,
      status: () => stack.engine.status(Date.now()),
    });
    const harvester = config.harvestTicks
      ? new Harvester({ dataDir: config.dataDir, depth: config.harvestDepth, logger: log })
      : null;
    let haltToSave: string | null = null;
    const stack: ShadowStack = await createShadowStack({
      mode: cli.mode,
      config,
      assets,
      log,
      now: Date.now,
      venue,
      assetConfig: (coin) => bridge.configFor(coin),
      onFill: (fill) => bridge.publishFill(fill),
      onHalt: (reason) => {
        haltToSave = reason;
        state = markHalted(state, reason, Date.now());
        void saveState(statePath, snapshotState(state, stack, haltToSave)).catch((error) =>
          log.error(`[STATE] saving the halt failed: ${(error as Error).message}`)
        );
      },
    });
    const engine = stack.engine;
    engine.market.restoreWatermarks(state.watermarks);
    if (!live) state = restoreShadowState(state, stack, log, Date.now());
    else {
      // Positions carried over from before this run: booked at their entry so the skew sees them.
      for (const p of carried) engine.carryPosition(p.coin, p.szi, p.entryPx, Date.now());
    }

    const feed = new MarketDataFeed({
      url: endpoints.wsUrl,
      coins: assets.map((a) => a.name),
      stallTimeoutMs: config.stallTimeoutS * 1000,
      fastBook: config.l2Fast,
      logger: log,
      // Live, a lost socket pulls the quotes at once (not only after the stall timeout).
      onDisconnected: live ? (reason) => engine.onConnectionLost(reason) : undefined,
      onBook: (book, receivedAtNs, problem, frameText) => {
        harvester?.recordBook(book);
        harvester?.recordRawBookFrame(frameText);
        if (problem === null) engine.onBook(book, receivedAtNs / 1e6);
        else engine.onBadBook(book.coin);
      },
      onTrades: (trades) => {
        harvester?.recordTrades(trades);
        engine.onTrades(trades);
      },
      onStall: () => engine.onStall(),
      onReconnected: (report) => {
        log.info(
          `[WS] Reconnected after ${
            (report.downtimeMs / 1000).toFixed(1)
          }s (${report.reason}, attempt ${report.attempt})`,
        );
        void engine.onReconnected();
      },
    });

    const timers: ReturnType<typeof setInterval>[] = [];
    timers.push(setInterval(() => {
      void saveState(statePath, snapshotState(state, stack, haltToSave)).catch((error) =>
        log.warn(`[STATE] save failed: ${(error as Error).message}`)
      );
    }, STATE_SAVE_MS));
    timers.push(setInterval(() => {
      refreshFunding(engine, postInfo, assets.map((a) => a.name)).catch((error) =>
        log.debug(`[UNIVERSE] funding refresh failed: ${(error as Error).message}`)
      );
    }, FUNDING_REFRESH_MS));

    const startedMs = Date.now();
    const days = new SessionDays(cli.mode, startedMs, countersOf(engine.summary(startedMs)));
    timers.push(setInterval(() => {
      const record = days.roll(Date.now(), countersOf(engine.summary(Date.now())));
      if (record) {
        appendRecord(cli.mode, config.dataDir, record).catch((error) =>
          log.error(`[REPORT] could not append the session record: ${(error as Error).message}`)
        );
      }
    }, 60_000));
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    shutdown
      .add("stop quoting", () => {
        engine.stop();
        for (const t of timers) clearInterval(t);
      })
      .add("cancel all", async () => {
        // Cancels by the openOrders listing, not behind an order batch still in flight.
        await engine.venue.cancelAll("shutdown");
        engine.syncFills();
      }, SHUTDOWN_CANCEL_MS)
      // What the cancel leaves of the budget goes first to the state and the report.
      .add("save state", () => saveState(statePath, snapshotState(state, stack, haltToSave)))
      .add("session report", () => finish(stack, log, config, Date.now(), days))
      .add("close market data", () => feed.close())
      .add("flush harvest", () => harvester?.close())
      .add("close redis", () => bridge.close())
      .add("close venue", () => {
        liveVenue?.close();
        return sim?.close();
      });
    if (liveVenue) {
      const venueToCancel = liveVenue;
      shutdown.onForcedExit(() => venueToCancel.cancelOpenOrdersOnce());
    }
    const unlisten = shutdown.listen((code) => code === 0 ? done() : Deno.exit(code));
    // Live, a crash halts and cancels every order before the process exits.
    const removeGuards = live
      ? installCrashGuards((reason) => {
        log.error(`[CRASH] ${reason}: halting, cancelling every order, shutting down`);
        void engine.halt(reason);
        shutdown.run("crash").then(() => Deno.exit(1));
      })
      : () => {};

    bridge.start();
    feed.start();
    engine.start();
    log.info(
      `[ENGINE] ${cli.mode} mode | ${assets.length} coins | tick ${config.tickMs}ms | queue model ${config.queueModel} | started ${
        new Date(startedMs).toISOString()
      }`,
    );
    let durationTimer: ReturnType<typeof setTimeout> | undefined;
    if (cli.durationMs !== null) {
      durationTimer = setTimeout(() => {
        log.info(`[ENGINE] --duration ${cli.durationMs! / 1000}s reached: shutting down`);
        shutdown.run("duration").then(() => done());
      }, cli.durationMs);
    }
    await finished;
    clearTimeout(durationTimer);
    unlisten();
    removeGuards();
    await log.flush();
  } catch (error) {
    await sim?.close();
    throw error;
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
    else await runMarketMode(cli, config, log);
    return 0;
  } catch (error) {
    log.error((error as Error).message);
    await log.flush();
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * The `demo`, `shadow` and `live` modes: market data from a WebSocket (the venue simulator or
 * Hyperliquid), the engine quoting on it, and the side streams (state saves, funding, Redis
 * bridge, tick harvest, session records) wired to one ordered shutdown.
 *
 * Above 400 lines on purpose: this is the one place where a market mode's parts meet, in the
 * order they start and stop; split, the start-up and shutdown order would be read across files.
 */
import type { Cli } from "./cli.ts";
import type { EngineConfig } from "./config.ts";
import { candidateKey } from "./fill_model/model_names.ts";
import { RedisBridge } from "./bridge.ts";
import { ledgerStatusMessage } from "./bridge_messages.ts";
import { CADENCE_EVERY_MS, CADENCE_STARTUP_MS, CadenceWatch } from "./cadence_watch.ts";
import { HaltedError } from "./exit_codes.ts";
import { appendDowntimeFills } from "./live_fill_backfill.ts";
import { restoreFromFillLog } from "./fill_log_restore.ts";
import { startDemoVenue } from "./demo.ts";
import { FUNDING_REFRESH_MS, refreshFunding } from "./funding.ts";
import { Harvester, harvestTap } from "./harvest.ts";
import { FrameHandler } from "./core/frames.ts";
import { InfoClient } from "./hyperliquid/info.ts";
import { createLiveLedger } from "./ledger/live_ledger.ts";
import { resolveNetwork } from "./hyperliquid/network.ts";
import { loadUniverse } from "./hyperliquid/universe.ts";
import { MarketDataFeed } from "./hyperliquid/ws.ts";
import {
  cancelLeftOrders,
  confirmLive,
  installCrashGuards,
  readPrivateKey,
  startLiveVenue,
} from "./live_start.ts";
import { recordsDirFor, statePathFor } from "./mode_paths.ts";
import type { Logger } from "./log.ts";
import { SessionDays } from "./report.ts";
import { appendRecord, countersOf, finish } from "./session_end.ts";
import { Shutdown } from "./shutdown.ts";
import { createEngineStack, type EngineStack } from "./stack.ts";
import { clearHalt, markHalted } from "./state.ts";
import { loadState, mayStartLive, saveState } from "./state_file.ts";
import { restoreShadowState, snapshotState } from "./state_snapshot.ts";
import { startOps } from "./ops/ops.ts";
import type { LiveExchange } from "./venue/live.ts";
import type { Venue } from "./venue/venue.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { errorMessage } from "./util/errors.ts";

// How often the saved state is refreshed, ms.
const STATE_SAVE_MS = 5_000;

// The share of the 5 s shutdown budget the live cancel-all gets, ms: the later steps are local.
const SHUTDOWN_CANCEL_MS = 3_500;

// How long the shutdown waits for alerts still queued (a crash alert), ms: within the step's 1 s.
const SHUTDOWN_ALERTS_MS = 750;

// What a live shutdown that could not finish a step leaves, for the exit code and its log line.
const ORDERS_MAY_REST = "orders may still rest at the venue";
const STATE_NOT_SAVED = "the state file was not saved (a restart restores an older one)";

/**
 * demo, shadow and live: market data from a WebSocket (the venue simulator or Hyperliquid).
 * Resolves with the exit code: 0, or EXIT_UNCLEAN_SHUTDOWN when the shutdown left orders resting
 * or the state unsaved. Throws {@link HaltedError} when the saved state is halted.
 */
export async function runMarketMode(
  cli: Cli,
  baseConfig: EngineConfig,
  log: Logger,
): Promise<number> {
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

  // The account (or vault) traded live.
  const user = config.vaultAddress ?? config.address ?? "";
  const shutdown = new Shutdown({ logger: log });
  let sim: VenueSim | null = null;
  if (cli.mode === "demo") {
    const demo = await startDemoVenue(config, log, cli.seed);
    sim = demo.sim;
    config = demo.config;
  }
  try {
    const endpoints = resolveNetwork({
      network: config.network,
      apiUrl: config.apiUrl ?? undefined,
      wsUrl: config.wsUrl ?? undefined,
    });
    const probe = new InfoClient({ endpoints });
    const { selected: assets, assets: universe } = await loadUniverse(
      (body: object) => probe.post(body as { type: string }),
      { coins: config.coins ?? undefined, topN: config.coinsTopN, dexes: config.dexes },
    );
    // Orders and positions are read on every dex of the universe (each answers for its own).
    const info = new InfoClient({
      endpoints,
      budget: probe.budget,
      dexes: [...new Set(universe.map((a) => a.dex ?? ""))],
    });
    const postInfo = (body: object) => info.post(body as { type: string });
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
    // A refused live start quotes nothing, so nothing of the account's may rest untracked: what
    // an earlier run left (it crashed, or its halt's cancel failed) is cancelled first.
    // What a live venue is built from: the account, its key while it is still held, the coins.
    const liveAccess = () => ({
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
    const refuse = async (error: Error): Promise<never> => {
      if (live) {
        await cancelLeftOrders(liveAccess()).catch((cancelError) =>
          log.error(
            `[LIVE] refused start: the orders an earlier run left may still rest: ${
              errorMessage(cancelError)
            }`,
          )
        );
        privateKey = "";
      }
      throw error;
    };
    if (live) {
      const verdict = mayStartLive(loaded);
      if (!verdict.ok) await refuse(new Error(`refusing to trade live: ${verdict.reason}`));
    }
    let state = loaded.state;
    if (state.halt.halted) {
      if (!cli.clearHalt) {
        await refuse(
          new HaltedError(
            `the engine is halted since ${new Date(state.halt.sinceMs ?? 0).toISOString()}: ` +
              `${state.halt.reason}. Check the cause, then start with --clear-halt`,
          ),
        );
      }
      log.warn(`[STATE] Halt cleared by the operator (was: ${state.halt.reason})`);
      state = clearHalt(state);
    }

    let venue: Venue | undefined;
    let liveVenue: LiveExchange | null = null;
    // Live: every order's shadow twins, and the record of real against predicted fills.
    const liveLedger = live
      ? createLiveLedger({
        dataDir: config.dataDir,
        model: config.queue,
        log,
      })
      : null;
    let carried: { coin: string; szi: number; entryPx: number }[] = [];
    if (live) {
      await confirmLive(cli.confirmLive, log);
      const started = await startLiveVenue({
        ...liveAccess(),
        venue: {
          ledger: liveLedger!.input,
          priorityRate: config.priorityRate,
          fastCancel: config.fastCancel,
        },
      });
      privateKey = "";
      // The drawdown stop counts from the account's real equity (startLiveVenue refuses to
      // start when it cannot be told).
      config = { ...config, startingBalanceUsd: started.accountValueUsd };
      liveVenue = started.venue;
      venue = liveVenue;
      carried = started.positions;
      // The fills file, unlike the position, missed what the exchange filled while no engine ran.
      await appendDowntimeFills({
        info: info.withPriority("safety"),
        user,
        dir: recordsDirFor("live", config.dataDir),
        untilMs: started.accountTimeMs,
        log,
      }).catch((error) =>
        log.error(
          `[LIVE] start-up: the fills made while no engine ran could not be fetched: ${
            errorMessage(error)
          }`,
        )
      );
      log.warn(`⚠️ LIVE! Account ${user} value $${started.accountValueUsd.toFixed(2)}`);
    }

    const bridge = new RedisBridge({
      url: config.redisUrl,
      isKnownCoin: (coin) => assets.some((a) => a.name === coin),
      defaults: config.asset,
      logger: log,
      status: () => {
        const status = stack.engine.status(Date.now());
        if (liveLedger) status.ledger = ledgerStatusMessage(liveLedger.summary.total());
        return status;
      },
    });
    // Depth harvesting also keeps every frame in arrival order, for a replay of exactly this run.
    const harvester = config.harvestTicks
      ? new Harvester({
        dataDir: config.dataDir,
        depth: config.harvestDepth,
        frames: config.harvestDepth,
        logger: log,
      })
      : null;
    let haltToSave: string | null = null;
    const stack: EngineStack = await createEngineStack({
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
        void saveNow().catch((error) =>
          log.error(`[STATE] saving the halt failed: ${errorMessage(error)}`)
        );
      },
    });
    // The state is written only once the fills it holds are in the fills file, so a restart can
    // book whatever the file holds beyond it (engine/fill_log_restore.ts).
    const saveNow = async (): Promise<void> => {
      const snapshot = snapshotState(state, stack, haltToSave);
      await stack.shadowLog?.flush();
      await saveState(statePath, snapshot);
    };
    const engine = stack.engine;
    engine.market.restoreWatermarks(state.watermarks);
    if (!live) {
      if (stack.shadowLog) {
        const restored = await restoreFromFillLog(state, stack.shadowLog.dir, log);
        state = restored.state;
        stack.shadowLog.resume(restored.end);
      }
      state = restoreShadowState(state, stack, log, Date.now());
      // Saved at once with the fills file's mark, so a kill before the first periodic save
      // restarts from here rather than from a state that never saw this file.
      await saveNow().catch((error) => log.warn(`[STATE] save failed: ${errorMessage(error)}`));
    } else {
      // Positions carried over from before this run: booked at their entry so the skew sees them.
      for (const p of carried) engine.carryPosition(p.coin, p.szi, p.entryPx, Date.now());
    }

    const cadence = new CadenceWatch({
      fast: config.l2Fast,
      configuredStallMs: config.stallTimeoutS * 1000,
      setStallTimeoutMs: (ms) => feed.setStallTimeoutMs(ms),
      log,
    });
    // The frame handler replay uses too: the taps first, then the engine.
    const frames = new FrameHandler(engine, [
      { book: (book) => cadence.onBook(book.coin, book.timeMs) },
      ...(harvester ? [harvestTap(harvester)] : []),
    ], (book) => liveVenue ? liveVenue.othersBook(book) : book);
    const feed = new MarketDataFeed({
      url: endpoints.wsUrl,
      coins: assets.map((a) => a.name),
      stallTimeoutMs: config.stallTimeoutS * 1000,
      fastBook: config.l2Fast,
      logger: log,
      // Live, a lost socket pulls the quotes at once (not only after the stall timeout).
      onDisconnected: live ? (reason) => engine.onConnectionLost(reason) : undefined,
      onBook: (book, receivedAtNs, problem, frameText) =>
        frames.onBook(book, receivedAtNs, problem, frameText),
      onTrades: (trades, _receivedAtNs, frameText) => frames.onTrades(trades, frameText),
      onStall: () => engine.onStall(),
      onReconnected: (report) => {
        cadence.onReconnected();
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
      void saveNow().catch((error) => log.warn(`[STATE] save failed: ${errorMessage(error)}`));
    }, STATE_SAVE_MS));
    // The book cadence: measured a minute after start, then every hour (cadence_watch.ts).
    const cadenceFirst = setTimeout(() => {
      cadence.measure();
      timers.push(setInterval(() => cadence.measure(), CADENCE_EVERY_MS));
    }, CADENCE_STARTUP_MS);
    timers.push(setInterval(() => {
      refreshFunding(engine, postInfo, assets.map((a) => a.name)).catch((error) =>
        log.debug(`[UNIVERSE] funding refresh failed: ${errorMessage(error)}`)
      );
    }, FUNDING_REFRESH_MS));

    const ops = await startOps({
      config: config.ops,
      engine,
      reconnects: () => feed.stats.reconnects,
      log,
      ledger: liveLedger
        ? () => ({ rows: liveLedger.summary.rows(), total: liveLedger.summary.total() })
        : undefined,
    });

    const startedMs = Date.now();
    const days = new SessionDays(cli.mode, startedMs, countersOf(engine.summary(startedMs)));
    timers.push(setInterval(() => {
      const record = days.roll(Date.now(), countersOf(engine.summary(Date.now())));
      if (record) {
        appendRecord(cli.mode, config.dataDir, record).catch((error) =>
          log.error(`[REPORT] could not append the session record: ${errorMessage(error)}`)
        );
      }
    }, 60_000));
    let done!: (exitCode: number) => void;
    const finished = new Promise<number>((resolve) => (done = resolve));
    shutdown
      .add("stop quoting", () => {
        engine.stop();
        clearTimeout(cadenceFirst);
        for (const t of timers) clearInterval(t);
      })
      .add(
        "cancel all",
        async () => {
          // Cancels by the openOrders listing, not behind an order batch still in flight.
          await engine.venue.cancelAll("shutdown");
          engine.syncFills();
        },
        SHUTDOWN_CANCEL_MS,
        live ? ORDERS_MAY_REST : undefined,
      )
      // What the cancel leaves of the budget goes first to the state and the report.
      .add(
        "save state",
        saveNow,
        undefined,
        STATE_NOT_SAVED,
      );
    // The exit code rests on the venue's own listing, not on the cancel's report of itself.
    if (live) {
      shutdown.add(
        "check the venue",
        async () => {
          const open = await info.withPriority("safety").openOrders(user);
          if (open.length > 0) {
            throw new Error(
              `${open.length} order(s) still resting: ${
                open.map((o) => `${o.coin} ${o.side} ${o.sz}@${o.limitPx} (oid ${o.oid})`).join(
                  ", ",
                )
              }`,
            );
          }
        },
        undefined,
        "orders still rest at the venue, or the venue could not be asked",
      );
    }
    shutdown
      .add("session report", () => finish(stack, log, config, Date.now(), days, liveLedger))
      .add("close market data", () => feed.close())
      .add("flush harvest", () => harvester?.close())
      .add("close redis", () => bridge.close())
      .add("close status server, send alerts", () => ops.close(SHUTDOWN_ALERTS_MS))
      .add("close venue", () => {
        liveVenue?.close();
        return sim?.close();
      });
    if (liveVenue) {
      const venueToCancel = liveVenue;
      shutdown.onForcedExit(() => venueToCancel.cancelOpenOrdersOnce());
    }
    const unlisten = shutdown.listen((code) => done(code));
    // A crash is alerted and shut down in order; live, it also halts and cancels every order.
    const removeGuards = installCrashGuards((reason) => {
      log.error(
        `[CRASH] ${reason}: ${live ? "halting, cancelling every order, " : ""}shutting down`,
      );
      ops.alerts.send("crash", `💥 CRASH: ${reason}. Shutting down in order (exit code 1).`);
      if (live) void engine.halt(reason);
      shutdown.run("crash").then(() => Deno.exit(1));
    });

    bridge.start();
    feed.start();
    engine.start();
    log.info(
      `[ENGINE] ${cli.mode} mode | ${assets.length} coins | tick ${config.tickMs}ms | queue model ${
        candidateKey(config.queue)
      } | started ${new Date(startedMs).toISOString()}`,
    );
    let durationTimer: ReturnType<typeof setTimeout> | undefined;
    if (cli.durationMs !== null) {
      durationTimer = setTimeout(() => {
        log.info(`[ENGINE] --duration ${cli.durationMs! / 1000}s reached: shutting down`);
        shutdown.run("duration").then((report) => done(report.exitCode));
      }, cli.durationMs);
    }
    const exitCode = await finished;
    clearTimeout(durationTimer);
    unlisten();
    removeGuards();
    await log.flush();
    return exitCode;
  } catch (error) {
    await sim?.close();
    throw error;
  }
}

/**
 * The quoting engine (spec `main.rs` loop): market data in, one kernel call for every coin that
 * changed, desired quotes out to a venue, with the risk gates in between. `Engine` composes the
 * rooms of engine/core/ and keeps one public face for the run wiring, the ops server and tests:
 *
 * - router.ts: market events in, in market-time order; owns the rule "pending quotes reach the
 *   venue before it sees the coin's next event".
 * - quote_pipeline.ts: the only code that fills kernel inputs, calls the kernel and hands quotes on.
 * - risk_supervisor.ts: every gate (drawdown, regime, OFI, stall) and the halt.
 * - fill_booker.ts: venue fills to the portfolio, the fill line and file, the Redis bridge.
 * - reporting.ts: the status heartbeat, the session summary and line.
 *
 * Every `tickMs` (100 ms) the loop here re-evaluates the gates and the screener configs, marks
 * the portfolio, and requotes every coin. Logging, disk and Redis are side streams: hooks that
 * queue, never awaited here. The engine never reads the wall clock for market decisions: `now`
 * is injected (the wall clock live, a virtual clock in replay), and regime bars use the books'
 * own timestamps.
 */
import { defaultAssetConfig, type MmAssetConfig } from "./asset_config.ts";
import type { EngineConfig } from "./config.ts";
import type { BookSnapshot, Trade } from "./hyperliquid/types.ts";
import type { Logger } from "./log.ts";
import type { EngineStatusMessage } from "./bridge_messages.ts";
import type { Kernel } from "./kernel.ts";
import { LatencyAuditor } from "./latency.ts";
import { MarketState } from "./market_state.ts";
import type { CarriedSession, Portfolio } from "./portfolio.ts";
import { RegimeGovernor } from "./regime.ts";
import type { SessionSummary } from "./report.ts";
import { DrawdownGuard } from "./risk/drawdown.ts";
import { OfiGate } from "./risk/ofi_gate.ts";
import type { QuoteModels } from "./quote_models/models.ts";
import type { StallMachine } from "./risk/stall.ts";
import type { Venue } from "./venue/venue.ts";
import { RequestEconomy } from "./request_economy.ts";
import { FillBooker } from "./core/fill_booker.ts";
import { type QuotedGrid, QuotePipeline } from "./core/quote_pipeline.ts";
import { engineStatus, engineSummary, type ReportSource, sessionLine } from "./core/reporting.ts";
import { RiskSupervisor } from "./core/risk_supervisor.ts";
import { MarketRouter } from "./core/router.ts";

import type { EngineMode, EngineOptions } from "./core/engine_options.ts";
import { errorMessage } from "./util/errors.ts";
export type { EngineMode, EngineOptions };

/** The market-making engine: the rooms of engine/core/, composed. */
export class Engine {
  readonly mode: EngineMode;
  readonly config: EngineConfig;
  readonly coins: readonly string[];
  readonly market: MarketState;
  readonly regime: RegimeGovernor;
  readonly ofi: OfiGate;
  readonly drawdown: DrawdownGuard;
  readonly stall: StallMachine;
  readonly latency: LatencyAuditor;
  /** Each coin's quote model and its kernel inputs (microprice sizes, GLFT estimates). */
  readonly models: QuoteModels;
  readonly venue: Venue;
  readonly portfolio: Portfolio;
  /** Requests per USDC traded, kept under `MM_MAX_REQUESTS_PER_USDC`. */
  readonly economy: RequestEconomy;
  readonly #kernel: Kernel;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #assetConfig: (coin: string) => MmAssetConfig;
  readonly #measureLatency: boolean;
  readonly #sessionLineEveryMs: number;
  readonly #pipeline: QuotePipeline;
  readonly #risk: RiskSupervisor;
  readonly #booker: FillBooker;
  readonly #router: MarketRouter;
  readonly #report: ReportSource;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedMs = -1;
  #nextSessionLine = -1;

  /** Builds an engine; throws naming the problem when the coin set does not fit the kernel. */
  constructor(options: EngineOptions) {
    const n = options.assets.length;
    if (n === 0 || n > options.kernel.MAX_COINS) {
      throw new Error(`${n} coins selected; the kernel quotes 1 to ${options.kernel.MAX_COINS}`);
    }
    const k = options.kernel;
    const log = options.log;
    this.mode = options.mode;
    this.config = options.config;
    this.coins = options.assets.map((a) => a.name);
    this.venue = options.venue;
    this.portfolio = options.portfolio;
    this.#kernel = k;
    this.#log = log;
    this.#now = options.now;
    this.#measureLatency = options.measureLatency ?? true;
    this.#sessionLineEveryMs = options.sessionLineEveryMs ?? 60_000;
    this.economy = new RequestEconomy(options.config.maxRequestsPerUsdc);
    const defaults = options.config.asset;
    // One default config object per coin, made once: the loop reads it every tick.
    const fallback = new Map(
      options.assets.map((a) => [a.name, defaultAssetConfig(a.name, defaults)]),
    );
    this.#assetConfig = options.assetConfig ??
      ((coin) => fallback.get(coin) ?? defaultAssetConfig(coin, defaults));
    this.market = new MarketState(this.coins);
    this.regime = new RegimeGovernor(this.coins, {
      maxCancelFillRatio: options.config.maxCancelFillRatio,
      ...options.regime,
    });
    this.ofi = new OfiGate(this.coins, { threshold: options.config.ofiHaltThreshold });
    this.drawdown = new DrawdownGuard({
      startingBalanceUsd: options.config.startingBalanceUsd,
      capPct: options.config.globalHaltDrawdownPct,
      checkEveryMs: options.drawdownCheckMs ?? 60_000,
    });
    this.latency = new LatencyAuditor(k, { reportEveryMs: options.latencyReportMs ?? 30_000 });
    const risk: RiskSupervisor = new RiskSupervisor({
      coins: this.coins,
      kernel: k,
      venue: this.venue,
      regime: this.regime,
      ofi: this.ofi,
      drawdown: this.drawdown,
      log,
      live: options.mode === "live",
      withdraw: () => pipeline.clearAll(),
      requote: () => pipeline.requoteAll(),
      reconcile: () => booker.reconcile(),
      onHalt: options.onHalt ?? (() => {}),
      reconcileRetryMs: options.reconcileRetryMs ?? 5_000,
    });
    const pipeline = new QuotePipeline({
      kernel: k,
      assets: options.assets,
      market: this.market,
      venue: this.venue,
      economy: this.economy,
      config: options.config,
      gate: risk,
      log,
      now: options.now,
    });
    const booker = new FillBooker({
      venue: this.venue,
      portfolio: this.portfolio,
      market: this.market,
      log,
      shadowLog: options.shadowLog,
      adverse: options.adverse,
      onFill: options.onFill ?? (() => {}),
      onPosition: (i, position) => pipeline.setPosition(i, position),
      onBookingFailed: (message) => void risk.halt(message),
      now: options.now,
    });
    this.models = pipeline.models;
    this.#risk = risk;
    this.#pipeline = pipeline;
    this.#booker = booker;
    this.stall = risk.stall;
    this.#router = new MarketRouter({
      kernel: k,
      market: this.market,
      venue: this.venue,
      models: this.models,
      pipeline,
      booker,
      risk,
      latency: this.latency,
      adverse: options.adverse,
      measureLatency: this.#measureLatency,
    });
    this.#report = {
      mode: this.mode,
      config: this.config,
      coins: this.coins,
      kernel: k,
      market: this.market,
      regime: this.regime,
      stall: this.stall,
      latency: this.latency,
      venue: this.venue,
      portfolio: this.portfolio,
      economy: this.economy,
      measureLatency: this.#measureLatency,
      haltReason: () => risk.haltReason,
      position: (i) => pipeline.position(i),
      depthlessBooks: () => this.#router.depthlessBooks,
      startedMs: () => this.#startedMs,
    };
    options.assets.forEach((asset, i) => this.regime.setFunding(i, asset.fundingHourly));
    this.#applyAssetConfigs();
  }

  /** Why the engine is halted, or null while it quotes. */
  get haltReason(): string | null {
    return this.#risk.haltReason;
  }

  /** Who paused quoting, or null while not paused. */
  get pausedBy(): string | null {
    return this.#risk.pausedBy;
  }

  /**
   * Pauses quoting on the operator's word: withdraws every quote and cancels everything at the
   * venue, while market data, harvesting, marks, fills already in flight and the risk checks go
   * on. Resolves when the venue's cancel-all has finished.
   */
  pause(by: string): Promise<void> {
    return this.#risk.pause(by);
  }

  /** Ends a pause: every coin is quoted again on the next book or tick (not while halted). */
  resume(): void {
    this.#risk.resume();
  }

  /**
   * The grid a coin is quoting now (prices and sizes per level, 0 for a level not quoted), or
   * null when the coin has no quotes. A copy: for the status page, not the loop.
   */
  quotesOf(coin: string): QuotedGrid | null {
    const i = this.market.index.get(coin);
    return i === undefined ? null : this.#pipeline.quotesOf(i);
  }

  /** A coin's order-flow imbalance over the kernel's trade window, in [-1, 1] (0 without trades). */
  ofiOf(coin: string): number {
    const i = this.market.index.get(coin);
    return i === undefined || this.#kernel.ofiCount(i) === 0 ? 0 : this.#kernel.ofi(i);
  }

  /** Starts the periodic loop (live data); replay calls {@link tick} itself instead. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#safeTick();
    this.#timer = setInterval(() => this.#safeTick(), this.config.tickMs);
  }

  /** One loop iteration from the timer: a throw halts the engine (and cancels) instead of killing it. */
  #safeTick(): void {
    try {
      this.tick(this.#now());
    } catch (error) {
      const message = `tick failed: ${errorMessage(error)}`;
      this.#log.error(`[ENGINE] ${message}. Halting and cancelling every order.`);
      void this.halt(message);
    }
  }

  /** Stops quoting (withdraws every quote), the loop and every timer; the caller cancels orders at the venue and prints the report. */
  stop(): void {
    this.#risk.stop();
    // Stopping is the shutdown's "stop quoting": withdraw every quote now; the market-data feed
    // may deliver more books before it is closed, and a stopped engine must not quote on them.
    this.#pipeline.clearAll();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Feeds a book snapshot; the coin is requoted at once. With `arrivalMs` (performance.now() at
   * frame arrival) the time to quotes is recorded, unless latency is not measured (replay).
   */
  onBook(book: BookSnapshot, arrivalMs?: number): void {
    this.#router.onBook(book, arrivalMs);
  }

  /** A book arrived that must not be quoted on (empty side, crossed, unsorted): pull the coin's quotes. */
  onBadBook(coin: string): void {
    this.#router.onBadBook(coin);
  }

  /**
   * Feeds a batch of public trades (one frame: they happened together, so quotes are not moved
   * between them); each one already seen (time/tid watermark) is skipped.
   */
  onTrades(trades: readonly Trade[]): void {
    this.#router.onTrades(trades);
  }

  /**
   * Books a position held before this run (live: read from the exchange at start; shadow: the
   * saved state) at its entry price, without a fill, fee or volume, so the skew sees it from
   * the first quote and PnL continues from that entry.
   */
  carryPosition(coin: string, qty: number, entryPx: number, timeMs: number): void {
    this.#booker.carry(coin, qty, entryPx, timeMs);
  }

  /**
   * Continues a shadow session saved earlier this UTC day: the portfolio's totals and the
   * daily drawdown stop both count the day's PnL from the saved anchor.
   */
  resumeDay(carried: CarriedSession, nowMs: number): void {
    this.portfolio.resumeDay(carried, nowMs);
    this.drawdown.resumeDay(nowMs);
  }

  /** Books the fills the venue holds now (after a final cancel, before the report). */
  syncFills(): void {
    this.#booker.drain();
  }

  /** Sets a coin's funding rate per hour (from a refreshed universe). */
  setFunding(coin: string, hourly: number): void {
    const i = this.market.index.get(coin);
    if (i !== undefined) this.regime.setFunding(i, hourly);
  }

  /** The feed's stall flag rose: cancel everything before we are dark, and wait. */
  onStall(): void {
    this.#risk.onStall();
  }

  /**
   * The market-data socket was lost (closed, errored, or dropped for a stall). Live, quotes are
   * pulled at once, as for a stall, and the reconnect reconciles before quoting again.
   */
  onConnectionLost(reason: string): void {
    this.#risk.onConnectionLost(reason);
  }

  /** The feed is back: reconcile, then quote again. Resolves when quoting resumed. */
  onReconnected(): Promise<void> {
    return this.#risk.onReconnected();
  }

  /** Halts quoting until restart: clears every quote and cancels everything at the venue. */
  halt(reason: string): Promise<void> {
    return this.#risk.halt(reason);
  }

  /** One loop iteration at clock time `nowMs`: gates, periodic checks, requote every coin. */
  tick(nowMs: number): void {
    if (this.#startedMs < 0) {
      this.#startedMs = nowMs;
      this.#nextSessionLine = nowMs + this.#sessionLineEveryMs;
    }
    const latencyLine = this.#measureLatency ? this.latency.tick(nowMs) : null;
    if (latencyLine) this.#log.info(latencyLine);

    // Every mid first, then one PnL sum for the peak and the day anchor (not one per coin).
    let moved = false;
    let markMs = -Infinity;
    for (let i = 0; i < this.coins.length; i++) {
      const mid = this.market.mid(i);
      if (mid > 0 && this.portfolio.setMid(this.coins[i], mid)) {
        moved = true;
        if (this.market.bookTimeMs[i] > markMs) markMs = this.market.bookTimeMs[i];
      }
    }
    if (moved) this.portfolio.observe(markMs);
    this.#risk.checkDrawdown(this.portfolio.dailyPnlUsd(nowMs), nowMs);
    if (nowMs >= this.#nextSessionLine) {
      this.#nextSessionLine = nowMs + this.#sessionLineEveryMs;
      // Built only to be written: at log level warn or error it would be thrown away.
      if (this.#log.enabled("info")) this.#log.info(this.sessionLine());
    }
    if (this.#risk.haltReason) return;

    this.#applyAssetConfigs();
    this.#risk.evaluate(this.#measureLatency ? this.latency.p95Ms : 0);
    this.models.refresh(nowMs);
    this.economy.update(nowMs, this.venue.stats.requests, this.#booker.volumeUsd);
    this.venue.governor.setSlowdown(this.economy.slowdown());
    this.#pipeline.requoteAll();
    // A batch the request governor held back goes out on a later tick even when no quote moved.
    this.venue.commit(nowMs);
  }

  /** The spec's `[SHADOW SESSION]` line. */
  sessionLine(): string {
    return sessionLine(this);
  }

  /** The `mm:engine_status` heartbeat (spec section 9, Redis bridge). */
  status(nowMs: number): EngineStatusMessage {
    return engineStatus(this.#report, nowMs);
  }

  /** Everything the session report shows, as of `nowMs`. */
  summary(nowMs: number): SessionSummary {
    return engineSummary(this.#report, nowMs);
  }

  /** Copies the configs in force into the kernel inputs and the governor. */
  #applyAssetConfigs(): void {
    this.#pipeline.applyConfigs(this.#assetConfig);
    this.#risk.applyConfigs(this.#assetConfig);
  }
}

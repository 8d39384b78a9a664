/**
 * The quoting engine (spec `main.rs` loop): market data in, one kernel call for every coin,
 * desired quotes out to a venue, with the risk gates in between.
 *
 * - A book frame updates that coin's kernel inputs; live, the coin is requoted at once (frame-in
 *   to quotes-out is what the latency auditor measures). A trade frame feeds the OFI window and
 *   the venue as one batch; fills move inventory, which changes the coin's inputs (the skew).
 * - Coins whose inputs changed are requoted together by one kernel call, at the latest just
 *   before the venue sees that coin's next event, so replay (which does not requote per frame)
 *   hands the venue exactly the quotes a live run would have.
 * - Every `tickMs` (100 ms) the loop re-evaluates the Regime Governor, the OFI gate, the
 *   screener configs and the drawdown stop, and requotes every coin.
 * - Logging, disk and Redis are side streams: hooks that queue, never awaited here.
 *
 * The engine never reads the wall clock for market decisions: `now` is injected (the wall
 * clock live, a virtual clock in replay), and regime bars use the books' own timestamps.
 */
import { defaultAssetConfig, type MmAssetConfig } from "./asset_config.ts";
import type { EngineConfig } from "./config.ts";
import { priorityFeeUsd } from "./fees.ts";
import { candidateKey } from "./fill_model/model_names.ts";
import type { AssetInfo, BookSnapshot, Trade } from "./hyperliquid/types.ts";
import type { Logger } from "./log.ts";
import type { AdverseSelection } from "./adverse.ts";
import type { EngineStatusMessage } from "./bridge.ts";
import { type Kernel, STATUS_NO_QUOTE } from "./kernel.ts";
import { LatencyAuditor } from "./latency.ts";
import { MarketState } from "./market_state.ts";
import type { CarriedSession, Portfolio } from "./portfolio.ts";
import { adoptionFill, reconcileInventory } from "./reconcile.ts";
import {
  formatRegimeChange,
  RegimeGovernor,
  type RegimeInputs,
  type RegimeOptions,
} from "./regime.ts";
import { cancelFillRatio, type CoinSummary, type SessionSummary } from "./report.ts";
import {
  formatShadowFill,
  formatShadowSession,
  type ShadowFillLog,
  shadowFillRecord,
} from "./shadow_log.ts";
import { DrawdownGuard } from "./risk/drawdown.ts";
import { OfiGate } from "./risk/ofi_gate.ts";
import { QuoteModels } from "./quote_models/models.ts";
import { StallMachine } from "./risk/stall.ts";
import { kernelLimits } from "./venue/pre_trade_gate.ts";
import { type DesiredQuotes, type Fill, GRID_LEVELS, type Venue } from "./venue/venue.ts";
import { RequestEconomy, requestsPerUsdc } from "./request_economy.ts";

/** The `requests` part of the status heartbeat: both budgets and the request economy. */
function requestsStatus(
  venue: Venue,
  volumeUsd: number,
  economy: RequestEconomy,
): EngineStatusMessage["requests"] {
  const address = venue.governor.address.view();
  return {
    sent: venue.stats.requests,
    volume_usd: volumeUsd,
    per_usdc: requestsPerUsdc(venue.stats.requests, volumeUsd),
    target_per_usdc: economy.target,
    economy_scale: economy.scale,
    address_used: address?.used ?? null,
    address_cap: address?.cap ?? null,
    address_left: address?.left ?? null,
    address_paused: address?.paused ?? true,
    ip_weight_last_minute: venue.governor.weight.used(),
    ip_weight_peak: venue.governor.weight.peak,
  };
}

/** Which program runs the engine (shown in logs, the report and the status heartbeat). */
export type EngineMode = "shadow" | "live" | "demo" | "replay";

/** Everything the engine is built from. */
export interface EngineOptions {
  mode: EngineMode;
  config: EngineConfig;
  /** Active coins, in kernel order. */
  assets: readonly AssetInfo[];
  kernel: Kernel;
  venue: Venue;
  portfolio: Portfolio;
  log: Logger;
  /** Clock for the periodic jobs, ms since the epoch (wall clock live, virtual in replay). */
  now: () => number;
  /** The config in force for a coin (the Redis bridge); defaults from `config.asset` when absent. */
  assetConfig?: (coin: string) => MmAssetConfig;
  /** Called for every fill after it is booked (Redis); must not block. */
  onFill?: (fill: Fill) => void;
  /** Called once when the engine halts (the state file keeps it halted across restarts). */
  onHalt?: (reason: string) => void;
  /** Where fill records go (`data/shadow/DATE.jsonl`); none in tests that do not need it. */
  shadowLog?: ShadowFillLog;
  /** Adverse-selection tracker fed with every fill and mid. */
  adverse?: AdverseSelection;
  /** Period of the `[SHADOW SESSION]` line, ms (spec: 60 s). */
  sessionLineEveryMs?: number;
  /** Whether frame-to-quote latency is measured (false in replay: it is wall time). */
  measureLatency?: boolean;
  regime?: Partial<RegimeOptions>;
  /** Drawdown check period, ms (spec: 60 s). */
  drawdownCheckMs?: number;
  /** Latency report period, ms (spec: 30 s). */
  latencyReportMs?: number;
  /** Delay before a failed reconciliation is retried, ms. */
  reconcileRetryMs?: number;
}

/** The market-making engine. */
export class Engine {
  readonly mode: EngineMode;
  readonly config: EngineConfig;
  readonly coins: readonly string[];
  readonly market: MarketState;
  readonly regime: RegimeGovernor;
  readonly ofi: OfiGate;
  readonly drawdown: DrawdownGuard;
  readonly stall = new StallMachine();
  readonly latency: LatencyAuditor;
  /** Each coin's quote model and its kernel inputs (microprice sizes, GLFT estimates). */
  readonly models: QuoteModels;
  readonly venue: Venue;
  readonly portfolio: Portfolio;
  readonly #kernel: Kernel;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #assetConfig: (coin: string) => MmAssetConfig;
  readonly #onFill: (fill: Fill) => void;
  readonly #onHalt: (reason: string) => void;
  readonly #shadowLog: ShadowFillLog | undefined;
  readonly #adverse: AdverseSelection | undefined;
  readonly #measureLatency: boolean;
  /** Each coin's quotes: views on the kernel's outputs plus the requote rule's inputs. */
  readonly #quotes: DesiredQuotes[];
  readonly #quoting: Uint8Array;
  /** Coins whose kernel inputs changed since the last kernel call. */
  readonly #dirty: Uint8Array;
  /** Position per coin, coin units (cached from the portfolio at each fill). */
  readonly #position: Float64Array;
  #anyDirty = false;
  /** One past the highest dirty coin: the kernel call covers coins [0, dirtyEnd). */
  #dirtyEnd = 0;
  /** Coins seen in the current trade batch (scratch, no allocation per batch). */
  readonly #touched = new Int32Array(4096);
  /** Set when a screener config changed the kernel inputs: every coin is requoted. */
  #configChanged = true;
  #forceAll = false;
  readonly #lastStatus: Uint8Array;
  readonly #reconcileRetryMs: number;
  readonly #sessionLineEveryMs: number;
  /** Requests per USDC traded, kept under `MM_MAX_REQUESTS_PER_USDC`. */
  readonly economy: RequestEconomy;
  /** Notional of the fills booked by this run, USD (what the address budget earns from). */
  #volumeUsd = 0;
  /** The governor's engine-wide inputs, rewritten each tick (no allocation per tick). */
  readonly #regimeInputs: RegimeInputs = { cancelFillRatio: 0, fills: 0, latencyP95Ms: 0 };
  /** Books without depth (tick-CSV replays): queue positions are unknown. */
  #depthlessBooks = 0;
  #halted: string | null = null;
  /** Who paused quoting (the operator, through engine/ops/control.ts), or null. */
  #paused: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedMs = -1;
  #nextSessionLine = -1;
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** Builds an engine; throws naming the problem when the coin set does not fit the kernel. */
  constructor(options: EngineOptions) {
    const n = options.assets.length;
    if (n === 0 || n > options.kernel.MAX_COINS) {
      throw new Error(`${n} coins selected; the kernel quotes 1 to ${options.kernel.MAX_COINS}`);
    }
    this.mode = options.mode;
    this.config = options.config;
    this.coins = options.assets.map((a) => a.name);
    this.venue = options.venue;
    this.portfolio = options.portfolio;
    this.#kernel = options.kernel;
    this.#log = options.log;
    this.#now = options.now;
    this.#onFill = options.onFill ?? (() => {});
    this.#onHalt = options.onHalt ?? (() => {});
    this.#shadowLog = options.shadowLog;
    this.#adverse = options.adverse;
    this.#measureLatency = options.measureLatency ?? true;
    this.#reconcileRetryMs = options.reconcileRetryMs ?? 5_000;
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
    this.latency = new LatencyAuditor(options.kernel, {
      reportEveryMs: options.latencyReportMs ?? 30_000,
    });
    const k = options.kernel;
    // The kernel's OFI windows belong to coin slots, not to an engine: a new engine starts them
    // empty rather than inheriting another engine's trades.
    for (let i = 0; i < n; i++) k.ofiReset(i);
    this.models = new QuoteModels(k, n, {
      // The first estimate (the coin leaves the grid for GLFT) at info, the refreshes at debug.
      onEstimate: (i, e, first) =>
        this.#log[first ? "info" : "debug"](
          `[MODEL] ${this.coins[i]} glft: sigma ${e.sigma.toFixed(3)} bps/√s, A ${
            e.a.toFixed(3)
          }/s, k ${e.k.toFixed(3)}/bps, half-spread ${e.halfSpreadBps.toFixed(2)} bps, skew ${
            e.skewBpsPerOrder.toFixed(3)
          } bps per order`,
        ),
    });
    this.#quotes = this.coins.map((coin, i) => ({
      coin,
      bidPx: k.bidPx.subarray(i * GRID_LEVELS, (i + 1) * GRID_LEVELS),
      bidSz: k.bidSz.subarray(i * GRID_LEVELS, (i + 1) * GRID_LEVELS),
      askPx: k.askPx.subarray(i * GRID_LEVELS, (i + 1) * GRID_LEVELS),
      askSz: k.askSz.subarray(i * GRID_LEVELS, (i + 1) * GRID_LEVELS),
      tick: 0,
      mid: 0,
      requoteShare: options.config.requoteShare,
      minRestMs: options.config.minRestMs,
      limits: kernelLimits(k, i),
    }));
    this.#quoting = new Uint8Array(n);
    this.#dirty = new Uint8Array(n);
    this.#position = new Float64Array(n);
    this.#lastStatus = new Uint8Array(n);
    options.assets.forEach((asset, i) => {
      k.szDecimals[i] = asset.szDecimals;
      k.bestBid[i] = 0;
      k.bestAsk[i] = 0;
      this.regime.setFunding(i, asset.fundingHourly);
    });
    this.#applyAssetConfigs();
  }

  /** Why the engine is halted, or null while it quotes. */
  get haltReason(): string | null {
    return this.#halted;
  }

  /** Who paused quoting, or null while not paused. */
  get pausedBy(): string | null {
    return this.#paused;
  }

  /**
   * Pauses quoting on the operator's word: withdraws every quote and cancels everything at the
   * venue, while market data, harvesting, marks, fills already in flight and the risk checks go
   * on. Resolves when the venue's cancel-all has finished.
   */
  pause(by: string): Promise<void> {
    this.#paused = by;
    this.#clearAll();
    return this.venue.cancelAll(`paused by ${by}`).catch((error) =>
      this.#log.error(`[CONTROL] cancel_all on pause failed: ${(error as Error).message}`)
    );
  }

  /** Ends a pause: every coin is quoted again on the next book or tick (not while halted). */
  resume(): void {
    if (this.#paused === null) return;
    this.#paused = null;
    if (!this.#halted && !this.#stopped) this.#requoteAll();
  }

  /**
   * The grid a coin is quoting now (prices and sizes per level, 0 for a level not quoted), or
   * null when the coin has no quotes. A copy: for the status page, not the loop.
   */
  quotesOf(
    coin: string,
  ): { bidPx: number[]; bidSz: number[]; askPx: number[]; askSz: number[] } | null {
    const i = this.market.index.get(coin);
    if (i === undefined || !this.#quoting[i]) return null;
    const q = this.#quotes[i];
    return {
      bidPx: Array.from(q.bidPx),
      bidSz: Array.from(q.bidSz),
      askPx: Array.from(q.askPx),
      askSz: Array.from(q.askSz),
    };
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
      const message = `tick failed: ${(error as Error).message}`;
      this.#log.error(`[ENGINE] ${message}. Halting and cancelling every order.`);
      void this.halt(message);
    }
  }

  /** Stops quoting (withdraws every quote), the loop and every timer; the caller cancels orders at the venue and prints the report. */
  stop(): void {
    this.#stopped = true;
    // Stopping is the shutdown's "stop quoting": withdraw every quote now; the market-data feed
    // may deliver more books before it is closed, and a stopped engine must not quote on them.
    this.#clearAll();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#reconcileTimer !== undefined) clearTimeout(this.#reconcileTimer);
    this.#timer = undefined;
    this.#reconcileTimer = undefined;
  }

  /**
   * Feeds a book snapshot. With `arrivalMs` (performance.now() at frame arrival) the coin is
   * requoted at once and the time to quotes is recorded; without it (replay) the requote waits
   * for the coin's next event or the next tick: the venue sees the same quotes either way.
   */
  onBook(book: BookSnapshot, arrivalMs?: number): void {
    const i = this.market.applyBook(book);
    if (i < 0) return;
    if (this.#dirty[i]) this.#flush();
    // Tick CSVs give top-of-book prices with no sizes: nobody knows the queue ahead of us.
    if (book.bids[0]?.sz === 0 && book.asks[0]?.sz === 0) this.#depthlessBooks++;
    this.venue.onBook(book);
    this.#drainFills();
    const mid = this.market.mid(i);
    this.models.onBook(i, book, mid);
    if (mid > 0) {
      this.regime.recordMid(i, mid, book.timeMs);
      this.#adverse?.onMid(book.coin, mid, book.timeMs);
    }
    this.#markDirty(i);
    if (arrivalMs !== undefined && this.#measureLatency) {
      this.#flush();
      this.latency.record(performance.now() - arrivalMs);
    }
  }

  /** A book arrived that must not be quoted on (empty side, crossed, unsorted): pull the coin's quotes. */
  onBadBook(coin: string): void {
    const i = this.market.index.get(coin);
    if (i === undefined) return;
    this.market.bestBid[i] = 0;
    this.market.bestAsk[i] = 0;
    this.#markDirty(i);
    this.#flush();
  }

  /**
   * Feeds a batch of public trades (one frame: they happened together, so quotes are not moved
   * between them); each one already seen (time/tid watermark) is skipped.
   */
  onTrades(trades: readonly Trade[]): void {
    if (this.#anyDirty) this.#flush();
    const touched = this.#touched;
    let nTouched = 0;
    for (let t = 0; t < trades.length; t++) {
      const trade = trades[t];
      const i = this.market.acceptTrade(trade);
      if (i < 0) continue;
      this.#kernel.ofiPush(i, trade.side === "B", trade.sz);
      this.models.onTrade(i, trade, this.market.mid(i));
      this.venue.onTrade(trade);
      if ((nTouched === 0 || touched[nTouched - 1] !== i) && nTouched < touched.length) {
        touched[nTouched++] = i;
      }
    }
    this.#drainFills();
    for (let t = 0; t < nTouched; t++) {
      const i = touched[t];
      const change = this.ofi.evaluate(i, this.#kernel.ofi(i), this.#kernel.ofiCount(i));
      if (change) {
        this.#log.warn(change.line);
        this.#markDirty(i);
      }
    }
  }

  /**
   * Books a position held before this run (live: read from the exchange at start; shadow: the
   * saved state) at its entry price, without a fill, fee or volume, so the skew sees it from
   * the first quote and PnL continues from that entry.
   */
  carryPosition(coin: string, qty: number, entryPx: number, timeMs: number): void {
    const i = this.market.index.get(coin);
    if (i === undefined || qty === 0) return;
    this.#position[i] = this.portfolio.restore(coin, qty, entryPx, timeMs).position;
    this.#markDirty(i);
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
    this.#drainFills();
  }

  /** Sets a coin's funding rate per hour (from a refreshed universe). */
  setFunding(coin: string, hourly: number): void {
    const i = this.market.index.get(coin);
    if (i !== undefined) this.regime.setFunding(i, hourly);
  }

  /** The feed's stall flag rose: cancel everything before we are dark, and wait. */
  onStall(): void {
    if (!this.stall.stall()) return;
    this.#log.error("🚨 STALL PANIC: cancel_all.");
    this.#clearAll();
    this.venue.cancelAll("stall panic").catch((error) =>
      this.#log.error(`[STALL] cancel_all failed: ${(error as Error).message}. Will reconcile.`)
    );
  }

  /**
   * The market-data socket was lost (closed, errored, or dropped for a stall). Live, quotes are
   * pulled at once, as for a stall, and the reconnect reconciles before quoting again.
   */
  onConnectionLost(reason: string): void {
    if (this.mode !== "live" || this.#stopped || !this.stall.stall()) return;
    this.#log.error(`🚨 WS LOST (${reason}): cancel_all.`);
    this.#clearAll();
    this.venue.cancelAll("socket lost").catch((error) =>
      this.#log.error(`[WS] cancel_all failed: ${(error as Error).message}. Will reconcile.`)
    );
  }

  /** The feed is back: reconcile, then quote again. Resolves when quoting resumed. */
  async onReconnected(): Promise<void> {
    if (!this.stall.reconnected()) return;
    this.#log.warn("[STALL] WS back. Reconciling.");
    await this.#reconcile();
  }

  async #reconcile(): Promise<void> {
    try {
      // Fills already polled (before or during the venue's checks) are ours, not dark: booked
      // before comparing.
      this.#drainFills();
      const report = await this.venue.reconcile(this.portfolio.positions());
      this.#drainFills();
      const ours = this.portfolio.positions();
      const outcome = reconcileInventory(ours, report);
      for (const fill of outcome.darkFills) this.#book(fill);
      for (const line of outcome.lines) {
        if (outcome.clean) this.#log.info(line);
        else this.#log.warn(line);
      }
      // The exchange's position is the truth: the skew works from it.
      for (const m of outcome.mismatches) {
        const i = this.market.index.get(m.coin);
        const px = i === undefined ? 0 : this.market.mid(i);
        this.#book(adoptionFill(m, px, this.#now()));
      }
      this.stall.reconciled(true);
      if (!this.#halted) this.#requoteAll();
    } catch (error) {
      this.stall.reconciled(false);
      this.#log.error(
        `[RECONCILE] Failed: ${(error as Error).message}. Quoting stays off; retrying in ${
          this.#reconcileRetryMs / 1000
        }s.`,
      );
      if (this.#stopped) return;
      this.#reconcileTimer = setTimeout(() => {
        this.#reconcileTimer = undefined;
        void this.#reconcile();
      }, this.#reconcileRetryMs);
    }
  }

  /** Halts quoting until restart: clears every quote and cancels everything at the venue. */
  halt(reason: string): Promise<void> {
    if (this.#halted) return Promise.resolve();
    this.#halted = reason;
    try {
      this.#onHalt(reason);
    } catch (error) {
      this.#log.error(`[HALT] saving the halt failed: ${(error as Error).message}`);
    }
    this.#clearAll();
    return this.venue.cancelAll(reason).catch((error) =>
      this.#log.error(`[HALT] cancel_all failed: ${(error as Error).message}`)
    );
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
    const breach = this.drawdown.update(this.portfolio.dailyPnlUsd(nowMs), nowMs);
    if (breach && !this.#halted) {
      this.#log.error(breach.line);
      void this.halt(breach.line);
    }
    if (nowMs >= this.#nextSessionLine) {
      this.#nextSessionLine = nowMs + this.#sessionLineEveryMs;
      this.#log.info(this.sessionLine());
    }
    if (this.#halted) return;

    this.#applyAssetConfigs();
    const inputs = this.#regimeInputs;
    inputs.cancelFillRatio = cancelFillRatio(this.venue.stats.cancels, this.venue.stats.fills);
    inputs.fills = this.venue.stats.fills;
    inputs.latencyP95Ms = this.#measureLatency ? this.latency.p95Ms : 0;
    // Changes with the same cause and step (an engine-wide factor) make one line, not one per
    // coin; the map exists only on a tick that has a change.
    let changes: Map<string, { coins: string[]; halted: boolean }> | null = null;
    for (let i = 0; i < this.coins.length; i++) {
      const change = this.regime.evaluate(i, inputs);
      if (change) {
        const line = formatRegimeChange(change).replace(` ${change.coin} `, " {coins} ");
        changes ??= new Map();
        const group = changes.get(line) ?? { coins: [], halted: change.to.halted };
        group.coins.push(change.coin);
        changes.set(line, group);
      }
      const ofiChange = this.ofi.evaluate(i, this.#kernel.ofi(i), this.#kernel.ofiCount(i));
      if (ofiChange) this.#log.warn(ofiChange.line);
    }
    if (changes !== null) this.#logRegimeChanges(changes);
    this.models.refresh(nowMs);
    this.economy.update(nowMs, this.venue.stats.requests, this.#volumeUsd);
    this.venue.governor.setSlowdown(this.economy.slowdown());
    this.#requoteAll();
    // A batch the request governor held back goes out on a later tick even when no quote moved.
    this.venue.commit(nowMs);
  }

  /** One `[REGIME]` line per cause and step, naming the coins it applies to. */
  #logRegimeChanges(changes: Map<string, { coins: string[]; halted: boolean }>): void {
    for (const [line, group] of changes) {
      const who = group.coins.length === 1
        ? group.coins[0]
        : `${group.coins.length} coins (${group.coins.join(", ")})`;
      const text = line.replace("{coins}", who);
      if (group.halted) this.#log.warn(text);
      else this.#log.info(text);
    }
  }

  /** The spec's `[SHADOW SESSION]` line. */
  sessionLine(): string {
    return formatShadowSession(this.portfolio.totals(), this.venue.stats, this.venue.kind);
  }

  /** The `mm:engine_status` heartbeat (spec section 9, Redis bridge). */
  status(nowMs: number): EngineStatusMessage {
    const coins: EngineStatusMessage["coins"] = {};
    this.coins.forEach((coin, i) => {
      const d = this.regime.decision(i);
      coins[coin] = {
        regime: d.halted ? "halt" : d.multiplier > 1 ? "uncertain" : "calm",
        multiplier: d.halted ? 0 : d.multiplier,
        inventory: this.#position[i],
        inventory_usd: this.portfolio.inventoryUsd(coin),
      };
    });
    const samples = this.#measureLatency ? this.#kernel.latencyCount() : 0;
    return {
      ts_ms: nowMs,
      mode: this.mode,
      halted: this.#halted !== null,
      halt_reason: this.#halted,
      session_pnl_usd: this.portfolio.pnlUsd(),
      latency_p95_us: samples > 0 ? this.latency.p95Ms * 1000 : null,
      // The day's volume, as the report shows it: requests restored after a restart are the day's.
      requests: requestsStatus(this.venue, this.portfolio.totals().volumeUsd, this.economy),
      coins,
    };
  }

  /** Everything the session report shows, as of `nowMs`. */
  summary(nowMs: number): SessionSummary {
    const t = this.portfolio.totals();
    const accounts = new Map(this.portfolio.accounts().map((a) => [a.coin, a]));
    const coins: CoinSummary[] = this.coins.map((coin, i) => {
      const a = accounts.get(coin);
      const d = this.regime.decision(i);
      return {
        coin,
        fills: a?.fills ?? 0,
        volumeUsd: a?.volumeUsd ?? 0,
        feesUsd: a?.feesUsd ?? 0,
        position: a?.position ?? 0,
        inventoryUsd: this.portfolio.inventoryUsd(coin),
        pnlUsd: a ? a.realizedUsd + this.portfolio.unrealizedUsd(coin) - a.feesUsd : 0,
        regime: d.halted ? "HALT" : `${d.multiplier.toFixed(1)}x`,
      };
    });
    const samples = this.#measureLatency ? this.#kernel.latencyCount() : 0;
    return {
      mode: this.mode,
      startedMs: this.#startedMs < 0 ? nowMs : this.#startedMs,
      endedMs: nowMs,
      carried: this.portfolio.carried.fills > 0 ? { ...this.portfolio.carried } : null,
      queueModel: candidateKey(this.config.queue),
      depthlessBooks: this.#depthlessBooks,
      fills: t.fills,
      volumeUsd: t.volumeUsd,
      feesUsd: t.feesUsd,
      realizedUsd: t.realizedUsd,
      unrealizedUsd: t.unrealizedUsd,
      pnlUsd: t.pnlUsd,
      peakPnlUsd: t.peakPnlUsd,
      maxDrawdownUsd: t.maxDrawdownUsd,
      placed: this.venue.stats.placed,
      priorityFeesUsd: priorityFeeUsd(this.venue.placedUsd ?? 0, this.config.priorityRate),
      cancels: this.venue.stats.cancels,
      requests: this.venue.stats.requests,
      addressBudget: this.venue.governor.address.view(),
      ipWeightPeak: this.venue.governor.weight.peak,
      preTradeRefused: this.venue.preTrade?.refused ?? 0,
      stallPanics: this.stall.panics,
      stallRecoveries: this.stall.recoveries,
      haltReason: this.#halted,
      latency: samples > 0
        ? {
          p50Ms: this.#kernel.latencyPercentile(50),
          p95Ms: this.#kernel.latencyPercentile(95),
          p99Ms: this.#kernel.latencyPercentile(99),
          samples,
        }
        : null,
      duplicateTradesSkipped: this.market.duplicateTrades,
      coins,
    };
  }

  /** Copies the configs in force into the kernel inputs and the governor. */
  #applyAssetConfigs(): void {
    const k = this.#kernel;
    for (let i = 0; i < this.coins.length; i++) {
      const c = this.#assetConfig(this.coins[i]);
      this.models.configure(
        i,
        c.quote_model ?? this.config.quoteModel,
        c.glft_gamma ?? this.config.glftGamma,
      );
      if (
        k.baseSpreadBps[i] !== c.base_spread_bps || k.maxInvUsd[i] !== c.max_inv_usd ||
        k.minOrderUsd[i] !== c.min_order_usd
      ) {
        k.baseSpreadBps[i] = c.base_spread_bps;
        k.maxInvUsd[i] = c.max_inv_usd;
        k.minOrderUsd[i] = c.min_order_usd;
        this.#configChanged = true;
      }
      this.regime.setScreenerRegime(i, c.regime);
    }
  }

  /** Books the fills the venue made since the last call. */
  #drainFills(): void {
    const fills = this.venue.drainFills();
    for (let f = 0; f < fills.length; f++) {
      // One bad fill must not drop the rest of its batch; it halts (the books no longer add up).
      try {
        this.#book(fills[f]);
      } catch (error) {
        const message = `fill ${fills[f].orderId} on ${fills[f].coin} not booked: ${
          (error as Error).message
        }`;
        this.#log.error(`[FILL] ${message}`);
        void this.halt(message);
      }
    }
  }

  #book(fill: Fill): void {
    const account = this.portfolio.applyFill(fill);
    this.#volumeUsd += fill.px * fill.sz;
    const i = this.market.index.get(fill.coin);
    if (i !== undefined) {
      this.#position[i] = account.position;
      this.#markDirty(i);
    }
    const inventoryUsd = this.portfolio.inventoryUsd(fill.coin);
    if (this.#log.enabled("info")) {
      this.#log.info(formatShadowFill(fill, inventoryUsd, this.venue.kind));
    }
    this.#shadowLog?.append(shadowFillRecord(fill, account.position, inventoryUsd));
    this.#adverse?.onFill(fill);
    this.#onFill(fill);
  }

  /** Writes a coin's kernel inputs from the current state; marks it for the next kernel call if they changed. */
  #markDirty(i: number): void {
    const k = this.#kernel;
    const bid = this.market.bestBid[i];
    const ask = this.market.bestAsk[i];
    const inventoryUsd = this.#position[i] * this.market.mid(i);
    const d = this.regime.decision(i);
    const modelChanged = this.models.takeChanged(i);
    const mask = !this.#stopped && !this.#halted && this.#paused === null && this.stall.quoting &&
        !d.halted
      ? this.ofi.mask(i)
      : 0;
    if (
      k.bestBid[i] === bid && k.bestAsk[i] === ask && k.inventoryUsd[i] === inventoryUsd &&
      k.regimeMultiplier[i] === d.multiplier && k.sideMask[i] === mask && !this.#forceAll &&
      !modelChanged
    ) return;
    k.bestBid[i] = bid;
    k.bestAsk[i] = ask;
    k.inventoryUsd[i] = inventoryUsd;
    k.regimeMultiplier[i] = d.multiplier;
    k.sideMask[i] = mask;
    this.#dirty[i] = 1;
    this.#anyDirty = true;
    if (i >= this.#dirtyEnd) this.#dirtyEnd = i + 1;
  }

  /** Requotes every coin (after a config change, a reconcile, or on the loop's tick). */
  #requoteAll(): void {
    this.#forceAll = this.#configChanged;
    this.#configChanged = false;
    for (let i = 0; i < this.coins.length; i++) this.#markDirty(i);
    this.#forceAll = false;
    this.#flush();
  }

  /**
   * One kernel call for the coins up to the highest changed one (recomputing an unchanged coin
   * rewrites the same quotes); hands the coins whose inputs changed to the venue.
   */
  #flush(): void {
    if (!this.#anyDirty) return;
    this.#anyDirty = false;
    const k = this.#kernel;
    const n = this.#dirtyEnd;
    this.#dirtyEnd = 0;
    k.computeQuotes(n);
    for (let i = 0; i < n; i++) {
      if (!this.#dirty[i]) continue;
      this.#dirty[i] = 0;
      const status = k.status[i];
      if (status !== this.#lastStatus[i]) {
        this.#lastStatus[i] = status;
        if (status & STATUS_NO_QUOTE) {
          this.#log.debug(`[QUOTE] ${this.coins[i]}: no quote (kernel status ${status})`);
        }
      }
      if (k.sideMask[i] === 0 || (status & STATUS_NO_QUOTE) !== 0 || !(k.tick[i] > 0)) {
        if (this.#quoting[i]) {
          this.venue.clearQuotes(this.coins[i]);
          this.#quoting[i] = 0;
        }
        continue;
      }
      const q = this.#quotes[i];
      q.tick = k.tick[i];
      q.mid = this.market.mid(i);
      q.requoteShare = this.economy.share(this.config.requoteShare);
      q.minRestMs = this.economy.minRestMs(this.config.minRestMs);
      this.venue.setQuotes(q);
      this.#quoting[i] = 1;
    }
    this.venue.commit(this.#now());
  }

  #clearAll(): void {
    for (let i = 0; i < this.coins.length; i++) {
      if (this.#quoting[i]) this.venue.clearQuotes(this.coins[i]);
      this.#quoting[i] = 0;
      this.#dirty[i] = 0;
      this.#kernel.sideMask[i] = 0;
    }
    this.#anyDirty = false;
    this.#dirtyEnd = 0;
    this.venue.commit(this.#now());
  }
}

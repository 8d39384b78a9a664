/**
 * The risk supervisor: owns every gate between the market and our quotes, and the halt.
 *
 * - **Drawdown**: the day's loss beyond `MM_GLOBAL_HALT_DRAWDOWN_PCT` halts the engine.
 * - **Regime**: the Regime Governor widens or halts a coin (volatility, funding, cancel-to-fill
 *   ratio, latency, the screener's regime).
 * - **OFI**: a one-sided taker burst suppresses the side it would run over.
 * - **Stall**: market data lost means cancel all, reconcile, then quote again.
 * - **Halt and pause**: a halt (until restart) or the operator's pause withdraws every quote.
 *
 * It answers the quote pipeline's two questions per coin ({@link RiskSupervisor.multiplier} and
 * {@link RiskSupervisor.sideMask}) and performs the withdrawals its gates call for.
 */
import type { MmAssetConfig } from "../asset_config.ts";
import type { Kernel } from "../kernel.ts";
import type { Logger } from "../log.ts";
import { formatRegimeChange, type RegimeGovernor, type RegimeInputs } from "../regime.ts";
import type { DrawdownGuard } from "../risk/drawdown.ts";
import { cancelFillRatio } from "../report.ts";
import type { OfiChange, OfiGate } from "../risk/ofi_gate.ts";
import { StallMachine } from "../risk/stall.ts";
import type { QuotingVenue } from "../venue/venue.ts";
import type { QuoteGate } from "./quote_pipeline.ts";
import { errorMessage } from "../util/errors.ts";

/** Everything the supervisor is built from. */
export interface RiskSupervisorOptions {
  coins: readonly string[];
  kernel: Kernel;
  venue: QuotingVenue;
  regime: RegimeGovernor;
  ofi: OfiGate;
  drawdown: DrawdownGuard;
  log: Logger;
  /** Live trading: a lost socket pulls the quotes at once, not only after the stall timeout. */
  live: boolean;
  /** Withdraws every quote now (the quote pipeline's clearAll). */
  withdraw: () => void;
  /** Requotes every coin (the quote pipeline's requoteAll). */
  requote: () => void;
  /** Compares the venue's positions with ours and books the difference; throws when it cannot. */
  reconcile: () => Promise<void>;
  /** Called once when the engine halts (the state file keeps it halted across restarts). */
  onHalt: (reason: string) => void;
  /** Delay before a failed reconciliation is retried, ms. */
  reconcileRetryMs: number;
}

/** The gates, the halt and the pause. */
export class RiskSupervisor implements QuoteGate {
  readonly regime: RegimeGovernor;
  readonly ofi: OfiGate;
  readonly drawdown: DrawdownGuard;
  readonly stall = new StallMachine();
  readonly #coins: readonly string[];
  readonly #kernel: Kernel;
  readonly #venue: QuotingVenue;
  readonly #log: Logger;
  readonly #live: boolean;
  readonly #withdraw: () => void;
  readonly #requote: () => void;
  readonly #reconcileVenue: () => Promise<void>;
  readonly #onHalt: (reason: string) => void;
  readonly #reconcileRetryMs: number;
  #halted: string | null = null;
  /** Who paused quoting (the operator, through engine/ops/control.ts), or null. */
  #paused: string | null = null;
  #stopped = false;
  /** The governor's engine-wide inputs, rewritten each tick (no allocation per tick). */
  readonly #regimeInputs: RegimeInputs = { cancelFillRatio: 0, fills: 0, latencyP95Ms: 0 };
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  /** Per coin, the kernel's OFI window changes the gate last saw (-1: none yet). */
  readonly #ofiSeen: Float64Array;

  /** Binds the gates; none is tripped yet. */
  constructor(options: RiskSupervisorOptions) {
    this.#coins = options.coins;
    this.#ofiSeen = new Float64Array(options.coins.length).fill(-1);
    this.#kernel = options.kernel;
    this.#venue = options.venue;
    this.regime = options.regime;
    this.ofi = options.ofi;
    this.drawdown = options.drawdown;
    this.#log = options.log;
    this.#live = options.live;
    this.#withdraw = options.withdraw;
    this.#requote = options.requote;
    this.#reconcileVenue = options.reconcile;
    this.#onHalt = options.onHalt;
    this.#reconcileRetryMs = options.reconcileRetryMs;
  }

  /** Why the engine is halted, or null while it quotes. */
  get haltReason(): string | null {
    return this.#halted;
  }

  /** Who paused quoting, or null while not paused. */
  get pausedBy(): string | null {
    return this.#paused;
  }

  /** Whether the engine has been stopped (shutdown): it never quotes again. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The regime's spread multiplier for coin `i`. */
  multiplier(i: number): number {
    return this.regime.decision(i).multiplier;
  }

  /** The sides coin `i` may quote: none while stopped, halted, paused, stalled or regime-halted. */
  sideMask(i: number): number {
    return !this.#stopped && !this.#halted && this.#paused === null && this.stall.quoting &&
        !this.regime.decision(i).halted
      ? this.ofi.mask(i)
      : 0;
  }

  /** Hands each coin's screener regime (the Redis bridge) to the governor. */
  applyConfigs(configOf: (coin: string) => MmAssetConfig): void {
    for (let i = 0; i < this.#coins.length; i++) {
      this.regime.setScreenerRegime(i, configOf(this.#coins[i]).regime);
    }
  }

  /** Halts quoting until restart: clears every quote and cancels everything at the venue. */
  halt(reason: string): Promise<void> {
    if (this.#halted) return Promise.resolve();
    this.#halted = reason;
    try {
      this.#onHalt(reason);
    } catch (error) {
      this.#log.error(`[HALT] saving the halt failed: ${errorMessage(error)}`);
    }
    this.#withdraw();
    return this.#venue.cancelAll(reason).catch((error) =>
      this.#log.error(`[HALT] cancel_all failed: ${errorMessage(error)}`)
    );
  }

  /**
   * Pauses quoting on the operator's word: withdraws every quote and cancels everything at the
   * venue. Resolves when the venue's cancel-all has finished.
   */
  pause(by: string): Promise<void> {
    this.#paused = by;
    this.#withdraw();
    return this.#venue.cancelAll(`paused by ${by}`).catch((error) =>
      this.#log.error(`[CONTROL] cancel_all on pause failed: ${errorMessage(error)}`)
    );
  }

  /** Ends a pause: every coin is quoted again at once (not while halted or stopped). */
  resume(): void {
    if (this.#paused === null) return;
    this.#paused = null;
    if (!this.#halted && !this.#stopped) this.#requote();
  }

  /** Stops for good: no quote passes the gates again, and no reconcile is retried. */
  stop(): void {
    this.#stopped = true;
    if (this.#reconcileTimer !== undefined) clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = undefined;
  }

  /** The drawdown check at clock time `nowMs`: a breach halts. */
  checkDrawdown(dailyPnlUsd: number, nowMs: number): void {
    const breach = this.drawdown.update(dailyPnlUsd, nowMs);
    if (breach && !this.#halted) {
      this.#log.error(breach.line);
      void this.halt(breach.line);
    }
  }

  /**
   * Re-evaluates every coin's regime and OFI gate (the loop's tick), with the venue's
   * cancel-to-fill ratio and the engine's P95 frame-to-quote latency (0 when not measured), ms.
   */
  evaluate(latencyP95Ms: number): void {
    const inputs = this.#regimeInputs;
    inputs.cancelFillRatio = cancelFillRatio(this.#venue.stats.cancels, this.#venue.stats.fills);
    inputs.fills = this.#venue.stats.fills;
    inputs.latencyP95Ms = latencyP95Ms;
    // Changes with the same cause and step (an engine-wide factor) make one line, not one per
    // coin; the map exists only on a tick that has a change.
    let changes: Map<string, { coins: string[]; halted: boolean }> | null = null;
    for (let i = 0; i < this.#coins.length; i++) {
      const change = this.regime.evaluate(i, inputs);
      if (change) {
        const line = formatRegimeChange(change).replace(` ${change.coin} `, " {coins} ");
        changes ??= new Map();
        const group = changes.get(line) ?? { coins: [], halted: change.to.halted };
        group.coins.push(change.coin);
        changes.set(line, group);
      }
      const ofiChange = this.#evaluateOfi(i);
      if (ofiChange) this.#log.warn(ofiChange.line);
    }
    if (changes !== null) this.#logRegimeChanges(changes);
  }

  /** Re-evaluates coin `i`'s OFI gate after a trade batch; true when the gate moved. */
  checkOfi(i: number): boolean {
    const change = this.#evaluateOfi(i);
    if (!change) return false;
    this.#log.warn(change.line);
    return true;
  }

  /**
   * Coin `i`'s OFI gate on the kernel's window; skipped while the window is the one the gate last
   * saw, since the gate moves at most once on the same OFI and trade count (ofi_gate.ts).
   */
  #evaluateOfi(i: number): OfiChange | null {
    const changes = this.#kernel.ofiChanges(i);
    if (changes === this.#ofiSeen[i]) return null;
    this.#ofiSeen[i] = changes;
    return this.ofi.evaluate(i, this.#kernel.ofi(i), this.#kernel.ofiCount(i));
  }

  /** The feed's stall flag rose: cancel everything before we are dark, and wait. */
  onStall(): void {
    if (!this.stall.stall()) return;
    this.#log.error("🚨 STALL PANIC: cancel_all.");
    this.#withdraw();
    this.#venue.cancelAll("stall panic").catch((error) =>
      this.#log.error(`[STALL] cancel_all failed: ${errorMessage(error)}. Will reconcile.`)
    );
  }

  /**
   * The market-data socket was lost (closed, errored, or dropped for a stall). Live, quotes are
   * pulled at once, as for a stall, and the reconnect reconciles before quoting again.
   */
  onConnectionLost(reason: string): void {
    if (!this.#live || this.#stopped || !this.stall.stall()) return;
    this.#log.error(`🚨 WS LOST (${reason}): cancel_all.`);
    this.#withdraw();
    this.#venue.cancelAll("socket lost").catch((error) =>
      this.#log.error(`[WS] cancel_all failed: ${errorMessage(error)}. Will reconcile.`)
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
      await this.#reconcileVenue();
      this.stall.reconciled(true);
      if (!this.#halted) this.#requote();
    } catch (error) {
      this.stall.reconciled(false);
      this.#log.error(
        `[RECONCILE] Failed: ${errorMessage(error)}. Quoting stays off; retrying in ${
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
}

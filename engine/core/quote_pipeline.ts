/**
 * The quote pipeline: the only code that writes the kernel's inputs, calls the kernel and hands
 * its quotes on to the venue.
 *
 * A coin whose inputs changed (book, inventory, regime, side mask, quote model) is marked dirty;
 * {@link QuotePipeline.flush} then makes one kernel call for every coin up to the highest dirty
 * one and hands the dirty coins' grids (or a withdrawal) to the venue in one batch. When a flush
 * happens is not decided here: the router (router.ts) and the loop's tick (engine.ts) call it.
 */
import type { MmAssetConfig } from "../asset_config.ts";
import type { EngineConfig } from "../config.ts";
import { type Kernel, STATUS_NO_QUOTE } from "../kernel.ts";
import type { Logger } from "../log.ts";
import type { MarketState } from "../market_state.ts";
import { QuoteModels } from "../quote_models/models.ts";
import type { AssetInfo } from "../hyperliquid/types.ts";
import type { RequestEconomy } from "../request_economy.ts";
import { kernelLimits } from "../venue/pre_trade_gate.ts";
import { type DesiredQuotes, GRID_LEVELS, type QuotingVenue } from "../venue/venue.ts";

/** What the risk supervisor lets a coin quote: its spread multiplier and its side mask. */
export interface QuoteGate {
  /** The regime's spread multiplier for coin `i`. */
  multiplier(i: number): number;
  /** The sides coin `i` may quote (the kernel's side mask; 0: none). */
  sideMask(i: number): number;
}

/** Everything the pipeline is built from. */
export interface QuotePipelineOptions {
  kernel: Kernel;
  /** Active coins, in kernel order (their size decimals go into the kernel). */
  assets: readonly AssetInfo[];
  market: MarketState;
  venue: QuotingVenue;
  economy: RequestEconomy;
  config: Pick<EngineConfig, "requoteShare" | "minRestMs" | "quoteModel" | "glftGamma">;
  gate: QuoteGate;
  log: Logger;
  /** The engine's clock, ms (each batch is committed at it). */
  now: () => number;
}

/** A coin's grid as the status page shows it: prices and sizes per level (0: not quoted). */
export interface QuotedGrid {
  bidPx: number[];
  bidSz: number[];
  askPx: number[];
  askSz: number[];
}

/** Kernel inputs in, one kernel call, quotes out to the venue. */
export class QuotePipeline {
  /** Each coin's quote model and its kernel inputs (microprice sizes, GLFT estimates). */
  readonly models: QuoteModels;
  readonly #kernel: Kernel;
  readonly #coins: readonly string[];
  readonly #market: MarketState;
  readonly #venue: QuotingVenue;
  readonly #economy: RequestEconomy;
  readonly #config: QuotePipelineOptions["config"];
  readonly #gate: QuoteGate;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Each coin's quotes: views on the kernel's outputs plus the requote rule's inputs. */
  readonly #quotes: DesiredQuotes[];
  /** Coins with quotes at the venue. */
  readonly #quoting: Uint8Array;
  /** Coins whose kernel inputs changed since the last kernel call. */
  readonly #dirty: Uint8Array;
  /** Position per coin, coin units (the fill booker's, cached at each fill). */
  readonly #position: Float64Array;
  readonly #lastStatus: Uint8Array;
  #anyDirty = false;
  /** One past the highest dirty coin: the kernel call covers coins [0, dirtyEnd). */
  #dirtyEnd = 0;
  /** Set when a screener config changed the kernel inputs: every coin is requoted. */
  #configChanged = true;
  #forceAll = false;

  /** Binds the pipeline to the kernel's per-coin inputs and outputs, every coin unquoted. */
  constructor(options: QuotePipelineOptions) {
    const k = options.kernel;
    const n = options.assets.length;
    const coins = options.assets.map((a) => a.name);
    this.#kernel = k;
    this.#coins = coins;
    this.#market = options.market;
    // The kernel's OFI windows belong to coin slots, not to an engine: a new engine starts them
    // empty rather than inheriting another engine's trades.
    for (let i = 0; i < n; i++) k.ofiReset(i);
    const log = options.log;
    this.models = new QuoteModels(k, n, {
      // The first estimate (the coin leaves the grid for GLFT) at info, the refreshes at debug.
      onEstimate: (i, e, first) =>
        log[first ? "info" : "debug"](
          `[MODEL] ${coins[i]} glft: sigma ${e.sigma.toFixed(3)} bps/√s, A ${e.a.toFixed(3)}/s, k ${
            e.k.toFixed(3)
          }/bps, half-spread ${e.halfSpreadBps.toFixed(2)} bps, skew ${
            e.skewBpsPerOrder.toFixed(3)
          } bps per order`,
        ),
    });
    this.#venue = options.venue;
    this.#economy = options.economy;
    this.#config = options.config;
    this.#gate = options.gate;
    this.#log = options.log;
    this.#now = options.now;
    this.#quotes = coins.map((coin, i) => ({
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
    });
  }

  /** Whether any coin waits for the next kernel call. */
  get anyDirty(): boolean {
    return this.#anyDirty;
  }

  /** Whether coin `i` waits for the next kernel call. */
  isDirty(i: number): boolean {
    return this.#dirty[i] === 1;
  }

  /** Coin `i`'s position as the skew sees it, coin units. */
  position(i: number): number {
    return this.#position[i];
  }

  /** A new position for coin `i` (after a fill or a carried position): the skew moves. */
  setPosition(i: number, position: number): void {
    this.#position[i] = position;
    this.markDirty(i);
  }

  /** The grid coin `i` quotes now, or null when it has none (a copy: for the status page). */
  quotesOf(i: number): QuotedGrid | null {
    if (!this.#quoting[i]) return null;
    const q = this.#quotes[i];
    return {
      bidPx: Array.from(q.bidPx),
      bidSz: Array.from(q.bidSz),
      askPx: Array.from(q.askPx),
      askSz: Array.from(q.askSz),
    };
  }

  /** Copies each coin's config in force (the Redis bridge) into its quote model and kernel inputs. */
  applyConfigs(configOf: (coin: string) => MmAssetConfig): void {
    const k = this.#kernel;
    for (let i = 0; i < this.#coins.length; i++) {
      const c = configOf(this.#coins[i]);
      this.models.configure(
        i,
        c.quote_model ?? this.#config.quoteModel,
        c.glft_gamma ?? this.#config.glftGamma,
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
    }
  }

  /** Writes a coin's kernel inputs from the current state; marks it for the next kernel call if they changed. */
  markDirty(i: number): void {
    const k = this.#kernel;
    const bid = this.#market.bestBid[i];
    const ask = this.#market.bestAsk[i];
    const inventoryUsd = this.#position[i] * this.#market.mid(i);
    const multiplier = this.#gate.multiplier(i);
    const modelChanged = this.models.takeChanged(i);
    const mask = this.#gate.sideMask(i);
    if (
      k.bestBid[i] === bid && k.bestAsk[i] === ask && k.inventoryUsd[i] === inventoryUsd &&
      k.regimeMultiplier[i] === multiplier && k.sideMask[i] === mask && !this.#forceAll &&
      !modelChanged
    ) return;
    k.bestBid[i] = bid;
    k.bestAsk[i] = ask;
    k.inventoryUsd[i] = inventoryUsd;
    k.regimeMultiplier[i] = multiplier;
    k.sideMask[i] = mask;
    this.#dirty[i] = 1;
    this.#anyDirty = true;
    if (i >= this.#dirtyEnd) this.#dirtyEnd = i + 1;
  }

  /** Requotes every coin (after a config change, a reconcile, or on the loop's tick). */
  requoteAll(): void {
    this.#forceAll = this.#configChanged;
    this.#configChanged = false;
    for (let i = 0; i < this.#coins.length; i++) this.markDirty(i);
    this.#forceAll = false;
    this.flush();
  }

  /**
   * One kernel call for the coins up to the highest changed one (recomputing an unchanged coin
   * rewrites the same quotes); hands the coins whose inputs changed to the venue.
   */
  flush(): void {
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
          this.#log.debug(`[QUOTE] ${this.#coins[i]}: no quote (kernel status ${status})`);
        }
      }
      if (k.sideMask[i] === 0 || (status & STATUS_NO_QUOTE) !== 0 || !(k.tick[i] > 0)) {
        if (this.#quoting[i]) {
          this.#venue.clearQuotes(this.#coins[i]);
          this.#quoting[i] = 0;
        }
        continue;
      }
      const q = this.#quotes[i];
      q.tick = k.tick[i];
      q.mid = this.#market.mid(i);
      q.requoteShare = this.#economy.share(this.#config.requoteShare);
      q.minRestMs = this.#economy.minRestMs(this.#config.minRestMs);
      this.#venue.setQuotes(q);
      this.#quoting[i] = 1;
    }
    this.#venue.commit(this.#now());
  }

  /** Withdraws every quote at once (halt, pause, stall, stop); nothing stays pending. */
  clearAll(): void {
    for (let i = 0; i < this.#coins.length; i++) {
      if (this.#quoting[i]) this.#venue.clearQuotes(this.#coins[i]);
      this.#quoting[i] = 0;
      this.#dirty[i] = 0;
      this.#kernel.sideMask[i] = 0;
    }
    this.#anyDirty = false;
    this.#dirtyEnd = 0;
    this.#venue.commit(this.#now());
  }
}

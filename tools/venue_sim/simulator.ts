/**
 * The venue's core, free of any network code: the per-coin markets (synthetic or replayed),
 * the account's resting orders and their matching, the account itself, and a virtual clock
 * that moves all of it forward. The server drives the clock from wall time, and tests step it
 * directly, so a test never waits for the market. Everything observable leaves through
 * {@link VenueEvents}; order entry comes in through the methods the exchange handler calls.
 */
import { floatToWire, isValidPerpPrice, isValidSize } from "../../engine/hyperliquid/wire.ts";
import {
  BASE_MAKER_FEE_RATE,
  BASE_TAKER_FEE_RATE,
  MIN_ORDER_VALUE_USD,
  PRICE_BAND_FRACTION,
  SCHEDULE_CANCEL_MIN_VOLUME_USD,
} from "../../engine/hyperliquid/exchange_facts.ts";
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { Account, type OrderRecord, type WsFill } from "./account.ts";
import { aggregateSide, type Aggregation } from "./aggregation.ts";
import { fixed, num } from "./format.ts";
import {
  BLOCK_MS,
  BOOK_DEPTH,
  CoinMarket,
  type Level,
  type MarketSteer,
  type TakerOrder,
} from "./market.ts";
import {
  cleanSize,
  type MakerFill,
  OrderQueue,
  type Print,
  reduceOnlyRoom,
  type RestingOrder,
  type TradeThrough,
} from "./matching.ts";
import { type ReplayEvent, szDecimalsFor } from "./replay.ts";
import { deriveSeed, Rng } from "./rng.ts";
import { type SimCoin, UNIVERSE } from "./universe.ts";
import { builderCoins, feeScaleOf } from "./dexes.ts";
import { dexOfCoin } from "../../engine/hyperliquid/perp_dexs.ts";

/**
 * A public trade as the `trades` channel sends it
 * (engine/hyperliquid/README.md § Books and trades).
 */
export interface WsTrade {
  coin: string;
  side: TakerSide;
  px: string;
  sz: string;
  time: number;
  hash: string;
  tid: number;
  users: [string, string];
}

/**
 * An order update as the `orderUpdates` channel sends it
 * (engine/hyperliquid/README.md § User streams).
 */
export interface WsOrder {
  order: {
    coin: string;
    side: "B" | "A";
    limitPx: string;
    sz: string;
    oid: number;
    timestamp: number;
    origSz: string;
    cloid?: string;
  };
  status: string;
  statusTimestamp: number;
}

/** Where the simulator reports what happened (the WebSocket layer implements it). */
export interface VenueEvents {
  /** A coin's book changed; read it with {@link Simulator.l2Book}. */
  book(coin: string): void;
  trades(coin: string, trades: WsTrade[]): void;
  fills(fills: WsFill[]): void;
  orderUpdates(updates: WsOrder[]): void;
}

/**
 * An order as it arrives in an `order` action (engine/hyperliquid/README.md § Exchange actions).
 */
export interface WireOrder {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit?: { tif?: string }; trigger?: unknown };
  c?: string;
}

/** One entry of `data.statuses` in an order response. */
export type OrderStatus =
  | { resting: { oid: number; cloid?: string } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: string } }
  | { error: string };

/** One of the account's exchange actions, as it waits for the end of its block. */
export type BlockAction =
  | {
    kind: "order";
    order: WireOrder;
    /** Placed with a priority fee: once resting, the crowd's payers go behind it. */
    priority?: boolean;
  }
  | { kind: "cancel"; asset: number; oid: number }
  | { kind: "cancelByCloid"; asset: number; cloid: string }
  | { kind: "modify"; oid: number | string; order: WireOrder };

/** What an action's block answered for it: an order status, or a cancel's. */
export type BlockResult = OrderStatus | "success" | { error: string };

interface PendingAction {
  action: BlockAction;
  arrivedMs: number;
  resolve: (result: BlockResult) => void;
}

/** Options of the simulator core. */
export interface SimulatorOptions {
  /** Seed of the synthetic market (default 1). */
  seed?: number;
  /** How many coins (from the top of the universe) trade; the rest stay quiet (default all). */
  coins?: number;
  /** How many coins of each builder dex (dexes.ts) trade, from its top; the rest stay quiet (default 0). */
  dexCoins?: number;
  /**
   * How much faster than the venue's clock market time runs: 1 = the exchange's own pace (a book
   * about every 540 ms per coin, as recorded), 10 = ten times as much market in the same time.
   * The market's shape per unit of market time never changes with it.
   */
  rate?: number;
  /** Virtual clock start, ms since the epoch (default now). */
  startTimeMs?: number;
  /** The account the venue trades for (lowercased). */
  account: string;
  /** Starting USDC balance (default 100,000). */
  balanceUsd?: number;
  /**
   * The account's mode as `userAbstraction` answers it (default `default`: collateral in the
   * perp state); `unifiedAccount` or `portfolioMargin` keep it in the spot state.
   */
  abstraction?: string;
  /** Maker fee rate (default Hyperliquid tier 0's, paid by the maker). */
  makerFeeRate?: number;
  /** Taker fee rate (default Hyperliquid tier 0's). */
  takerFeeRate?: number;
  /** Traded volume needed before scheduleCancel is accepted (default $1,000,000, as live). */
  scheduleCancelMinVolumeUsd?: number;
  /** Address-based requests the account has already spent at start (default 0; cap 10,000 + volume). */
  requestsUsed?: number;
  /** Recorded market events to replay instead of the synthetic market. */
  replay?: ReplayEvent[];
  /**
   * Share of the crowd's orders joining a price within 400 ms of the account's post-only order
   * there that pay a priority fee and go ahead of it (default 0.2; the public feed never shows
   * them, so this is a setting, not a fit).
   */
  priorityShare?: number;
}

/** Hyperliquid: post-only orders placed within this window at a price are re-sorted by priority. */
export const PRIORITY_WINDOW_MS = 400;
const DEFAULT_PRIORITY_SHARE = 0.2;

/** Checks a request count given to the venue (start option or control); returns it. */
export function checkRequestsUsed(n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`requestsUsed must be a non-negative integer, got ${JSON.stringify(n)}`);
  }
  return n;
}

/**
 * Nominal book cadence at rate 1, ms: the fitted median of the recordings (market_fit.json);
 * each coin draws its own intervals from its fitted distribution.
 */
export const BASE_BOOK_INTERVAL_MS = 540;
const HOUR_MS = 3_600_000;
// Hyperliquid: a scheduled cancel must be at least 5 s in the future.
const SCHEDULE_CANCEL_MIN_LEAD_MS = 5_000;
// The exchange's words (engine/hyperliquid/wire_reference.md, "Orders").
const PRICE_BAND_ERROR = `Order price cannot be more than ${
  PRICE_BAND_FRACTION * 100
}% away from the reference price`;
// Hyperliquid trade ids are 50-bit hashes (WsTrade in the GitBook's "Subscriptions" page): 32
// random high bits and 18 random low bits, exact in a double (below 2^53).
const TID_LOW_SPAN = 2 ** 18;

/** A random 50-bit trade id, as the exchange's `tid`. */
function randomTid(rng: Rng): number {
  return rng.uint32() * TID_LOW_SPAN + rng.int(TID_LOW_SPAN);
}

interface VirtualTimer {
  at: number;
  every: number;
  run: () => void;
}

interface CoinState {
  asset: number;
  info: SimCoin;
  market: CoinMarket;
  queue: OrderQueue;
  active: boolean;
  nextAt: number;
  /** Venue time of this coin's last market step. */
  steppedAt: number;
  /**
   * Crowd takers drawn at the last step, each due at the end of its block (`atMs`, venue time)
   * and ordered within it by when it arrived (`arrivedMs`), in time order.
   */
  takers: (TakerOrder & { atMs: number; arrivedMs: number })[];
  bookTime: number;
}

/** The simulated venue: markets, matching, account, clock. */
export class Simulator {
  readonly account: Account;
  readonly coins: CoinState[] = [];
  readonly byName = new Map<string, CoinState>();
  readonly #byAsset = new Map<number, CoinState>();
  /** The account's resting orders placed with a priority fee: the crowd's payers go behind them. */
  readonly #prioritized = new Set<number>();
  /** Trade id and hash of each of the account's maker fills of one sweep, by oid, for its print. */
  readonly #ownFillIds = new Map<number, { tid: number; hash: string }[]>();
  readonly intervalMs: number;
  readonly makerFeeRate: number;
  readonly takerFeeRate: number;
  /** Fill the account's resting orders whenever nobody watches its user streams. */
  darkFills = false;
  /** Whether a client currently watches the account's user streams (set by the server). */
  isAccountWatched: () => boolean = () => false;
  #now: number;
  #events: VenueEvents | null = null;
  #nextFundingAt: number;
  #scheduledCancelAt: number | null = null;
  #minScheduleVolume: number;
  #userPool: string[];
  #replay: ReplayEvent[];
  #replayIndex = 0;
  #timers: VirtualTimer[] = [];
  /** The account's actions waiting for the end of the open block, in arrival order. */
  #pending: PendingAction[] = [];
  /** Venue time the open block ends at, or null when no action waits. */
  #blockEndsAt: number | null = null;
  /**
   * Called when an action opens a block. A venue whose clock does not run by itself (manual,
   * or a replay as fast as possible) closes it with {@link closeBlock}.
   */
  onBlockOpened: (() => void) | null = null;
  readonly #rate: number;
  readonly #startMs: number;

  /** Builds the universe, the markets and the account. */
  constructor(options: SimulatorOptions) {
    const seed = options.seed ?? 1;
    const rate = options.rate ?? 1;
    const priorityShare = options.priorityShare ?? DEFAULT_PRIORITY_SHARE;
    if (!(priorityShare >= 0 && priorityShare <= 1)) {
      throw new Error(`priorityShare must be a fraction from 0 to 1, got ${options.priorityShare}`);
    }
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new Error(`rate must be a positive number, got ${rate}`);
    }
    this.#now = options.startTimeMs ?? Date.now();
    this.#startMs = this.#now;
    this.#rate = rate;
    this.intervalMs = BASE_BOOK_INTERVAL_MS / rate;
    this.makerFeeRate = options.makerFeeRate ?? BASE_MAKER_FEE_RATE;
    this.takerFeeRate = options.takerFeeRate ?? BASE_TAKER_FEE_RATE;
    this.#minScheduleVolume = options.scheduleCancelMinVolumeUsd ?? SCHEDULE_CANCEL_MIN_VOLUME_USD;
    this.account = new Account(options.account, options.balanceUsd ?? 100_000);
    this.account.abstraction = options.abstraction ?? "default";
    this.account.requestsUsed = checkRequestsUsed(options.requestsUsed ?? 0);
    this.#replay = options.replay ?? [];
    const universe = [...UNIVERSE];
    const replayCoins = new Map<string, number>();
    for (const e of this.#replay) if (!replayCoins.has(e.coin)) replayCoins.set(e.coin, e.refPx);
    for (const [name, px] of replayCoins) {
      if (universe.some((c) => c.name === name)) continue;
      universe.push(inferCoin(name, px));
    }
    const active = options.coins ?? universe.length;
    if (!Number.isInteger(active) || active < 1 || active > universe.length) {
      throw new Error(`coins must be an integer 1..${universe.length}, got ${options.coins}`);
    }
    // The main dex's coins (asset id = index), then each builder dex's (dexes.ts), each dex's
    // first `coins` (main) or `dexCoins` (builder) trading.
    const dexCoins = options.dexCoins ?? 0;
    if (!Number.isInteger(dexCoins) || dexCoins < 0) {
      throw new Error(`dexCoins must be an integer >= 0, got ${options.dexCoins}`);
    }
    const builders = this.#replay.length > 0 ? [] : builderCoins();
    const listed = [
      ...universe.map((info, asset) => ({
        info,
        asset,
        index: asset,
        of: universe.length,
        trading: active,
      })),
      ...builders.map((b) => ({ info: b.coin, ...b, of: b.dex.coins.length, trading: dexCoins })),
    ];
    listed.forEach(({ info, asset, index, of, trading }) => {
      const startInfo = replayCoins.has(info.name)
        ? { ...info, startPx: replayCoins.get(info.name)! }
        : info;
      const state: CoinState = {
        asset,
        info,
        market: new CoinMarket(startInfo, asset, deriveSeed(seed, asset)),
        queue: new OrderQueue(),
        active: this.#replay.length > 0 ? false : index < trading,
        // Coins are staggered across one interval so frames spread evenly in time.
        nextAt: this.#blockAfter(this.#now + this.intervalMs * (index + 1) / of),
        steppedAt: this.#now,
        takers: [],
        bookTime: this.#now,
      };
      state.market.priorityShare = priorityShare;
      state.market.overtake = (isBid, px) => this.#youngPostOnly(state, isBid, px);
      this.coins.push(state);
      this.byName.set(info.name, state);
      this.#byAsset.set(asset, state);
    });
    this.#nextFundingAt = Math.floor(this.#now / HOUR_MS) * HOUR_MS + HOUR_MS;
    const pool = new Rng(deriveSeed(seed, 1_000_003));
    this.#userPool = Array.from({ length: 64 }, () => pool.hex(20));
    if (this.#replay.length > 0) this.#replay.sort((x, y) => x.timeMs - y.timeMs);
  }

  /** Market time now, ms: the venue's clock from its start, run `rate` times faster. */
  get marketNow(): number {
    return this.#startMs + (this.#now - this.#startMs) * this.#rate;
  }

  /** Virtual time, whole ms since the epoch (steps may fall between milliseconds). */
  get now(): number {
    return Math.floor(this.#now);
  }

  /** Connects the observer of venue events (the WebSocket layer). */
  setEvents(events: VenueEvents): void {
    this.#events = events;
  }

  /** Runs `run` every `everyMs` of virtual time (first after `everyMs`). */
  every(everyMs: number, run: () => void): void {
    this.#timers.push({ at: this.#now + everyMs, every: everyMs, run });
  }

  /** Whether a replay has delivered every recorded event. */
  get replayDone(): boolean {
    return this.#replay.length > 0 && this.#replayIndex >= this.#replay.length;
  }

  /** Time of the next recorded event (replay), or null. */
  get nextReplayAt(): number | null {
    return this.#replayIndex < this.#replay.length ? this.#replay[this.#replayIndex].timeMs : null;
  }

  /** Moves virtual time forward by `ms`, running every market step due meanwhile. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Moves virtual time to `t` (never backwards), running every event due by then, in order. */
  advanceTo(t: number): void {
    for (;;) {
      let next: CoinState | null = null;
      for (const c of this.coins) {
        if (c.active && (next === null || c.nextAt < next.nextAt)) next = c;
      }
      let at = next ? next.nextAt : Infinity;
      let taking: CoinState | null = null;
      for (const c of this.coins) {
        const due = c.takers[0]?.atMs;
        if (due !== undefined && (taking === null || due < taking.takers[0].atMs)) taking = c;
      }
      const takerAt = taking ? taking.takers[0].atMs : Infinity;
      at = Math.min(at, takerAt);
      const replayAt = this.nextReplayAt ?? Infinity;
      let timer: VirtualTimer | null = null;
      for (const x of this.#timers) if (timer === null || x.at < timer.at) timer = x;
      at = Math.min(
        at,
        this.#blockEndsAt ?? Infinity,
        replayAt,
        this.#nextFundingAt,
        this.#scheduledCancelAt ?? Infinity,
        timer?.at ?? Infinity,
      );
      if (at > t) break;
      this.#now = Math.max(this.#now, at);
      if (at === this.#nextFundingAt) {
        this.#payFunding();
        this.#nextFundingAt += HOUR_MS;
      } else if (at === this.#scheduledCancelAt) {
        this.#scheduledCancelAt = null;
        this.#cancelAll("scheduledCancel");
      } else if (timer && at === timer.at) {
        timer.at += timer.every;
        timer.run();
      } else if (at === replayAt) {
        this.#replayEvent(this.#replay[this.#replayIndex++]);
      } else if (at === this.#blockEndsAt) {
        this.closeBlock();
      } else if (taking && at === takerAt) {
        this.#takerEvent(taking);
      } else if (next) {
        this.#stepCoin(next);
      }
    }
    this.#now = Math.max(this.#now, t);
  }

  #stepCoin(c: CoinState): void {
    const dt = this.#now - c.steppedAt;
    c.steppedAt = this.#now;
    const next = c.market.nextIntervalMs() / this.#rate;
    // Books come at block ends, as the exchange's do: the step nearest the drawn interval.
    c.nextAt = this.#blockAfter(this.#now + Math.max(next, this.#block) - this.#block / 2);
    const drawn = c.market.step(this.marketNow, dt * this.#rate);
    const trades: WsTrade[] = [];
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    // Dust the move left behind is taken now, before the book without it is published.
    this.#stalePrints(c, drawn.filter((t) => t.stale), trades);
    const takers = drawn.filter((t) => !t.stale);
    this.#pickOff(c, trades, fills, updates);
    if (this.darkFills && !this.isAccountWatched()) this.#fillResting(c, trades, fills, updates);
    // The takers drawn for this step arrive over the next interval, each applied at the end of
    // its block: after whatever cancels and post-only orders of the account reached the venue in
    // that block (engine/hyperliquid/wire_reference.md § Priority fees and fast cancels).
    for (const taker of takers) {
      const arrivedMs = this.#now + next * taker.at;
      c.takers.push({ ...taker, atMs: this.#blockAfter(arrivedMs), arrivedMs });
    }
    c.takers.sort((a, b) => a.atMs - b.atMs || a.arrivedMs - b.arrivedMs);
    this.#syncQueues(c);
    c.bookTime = this.now;
    this.#emit(c, trades, fills, updates);
  }

  /** Length of a block in venue time, ms. */
  get #block(): number {
    return BLOCK_MS / this.#rate;
  }

  /** The end of the block `t` falls in: the first block boundary at or after `t` (venue ms). */
  #blockAfter(t: number): number {
    const block = this.#block;
    return this.#startMs + Math.ceil((t - this.#startMs) / block - 1e-9) * block;
  }

  /**
   * Submits one of the account's actions to the venue: it waits for the end of the block it arrived
   * in (Hyperliquid: blocks of ~70–100 ms), and the promise answers once the block is applied.
   * Within a block the exchange applies cancels and post-only (Alo) orders first, then the Gtc and
   * Ioc orders, the account's and the crowd's takers, in the order they arrived
   * (engine/hyperliquid/wire_reference.md § Priority fees and fast cancels). A modify goes with its
   * new order's kind.
   */
  submit(action: BlockAction): Promise<BlockResult> {
    return new Promise((resolve) => {
      if (this.#blockEndsAt === null) {
        // The block the action arrived in ends after it (a block ending now is already applied).
        this.#blockEndsAt = this.#blockAfter(this.#now + this.#block * 1e-6);
        this.#pending.push({ action, arrivedMs: this.#now, resolve });
        this.onBlockOpened?.();
      } else this.#pending.push({ action, arrivedMs: this.#now, resolve });
    });
  }

  /** Venue time the open block ends at, or null when no action of the account waits. */
  get blockEndsAt(): number | null {
    return this.#blockEndsAt;
  }

  /**
   * Applies the open block now: the account's cancels and post-only orders in arrival order,
   * then its Gtc and Ioc orders with the crowd takers due at the block's end, by arrival. The
   * clock calls it at the block's end; a venue whose clock stands still calls it itself.
   */
  closeBlock(): void {
    const endsAt = this.#blockEndsAt;
    const pending = this.#pending;
    this.#pending = [];
    this.#blockEndsAt = null;
    if (endsAt === null) return;
    const first = (a: BlockAction) =>
      a.kind === "cancel" || a.kind === "cancelByCloid" || a.order.t?.limit?.tif === "Alo";
    for (const p of pending) if (first(p.action)) p.resolve(this.#apply(p.action));
    const rest: { arrivedMs: number; run: () => void }[] = pending
      .filter((p) => !first(p.action))
      .map((p) => ({ arrivedMs: p.arrivedMs, run: () => p.resolve(this.#apply(p.action)) }));
    if (this.#now >= endsAt) {
      for (const c of this.coins) {
        for (const t of c.takers.filter((t) => t.atMs === endsAt)) {
          rest.push({ arrivedMs: t.arrivedMs, run: () => this.#takerEvent(c, t) });
        }
      }
    }
    rest.sort((a, b) => a.arrivedMs - b.arrivedMs);
    for (const r of rest) r.run();
  }

  #apply(a: BlockAction): BlockResult {
    switch (a.kind) {
      case "order": {
        const status = this.placeOrder(a.order);
        if (a.priority && "resting" in status) this.prioritize(status.resting.oid);
        return status;
      }
      case "cancel":
        return this.cancel(a.asset, a.oid);
      case "cancelByCloid":
        return this.cancelByCloid(a.asset, a.cloid);
      case "modify":
        return this.modify(a.oid, a.order);
    }
  }

  /** Applies a crowd taker due now on `c` (its prints, and fills of the account's orders). */
  #takerEvent(c: CoinState, taker = c.takers[0]): void {
    c.takers.splice(c.takers.indexOf(taker), 1);
    const trades: WsTrade[] = [];
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    this.#crowdTaker(c, taker.side, taker.sz, trades, fills, updates);
    this.#syncQueues(c);
    this.#emit(c, trades, fills, updates, false);
  }

  /**
   * The arrival number of the first of the account's post-only orders at `px` still within the
   * priority window, or null: a priority-paying crowd order joining there goes ahead of it (and of
   * the account's later young orders there; they pay nothing, so they sort last).
   */
  #youngPostOnly(c: CoinState, isBid: boolean, px: number): number | null {
    let young: number | null = null;
    const since = this.#now - PRIORITY_WINDOW_MS / this.#rate;
    for (const o of isBid ? c.queue.bids : c.queue.asks) {
      if (o.px !== px || o.tif !== "Alo" || o.seq === undefined || o.timestamp < since) continue;
      if (this.#prioritized.has(o.oid)) continue;
      if (young === null || o.seq < young) young = o.seq;
    }
    return young;
  }

  /**
   * The account's orders the fair price has moved through (a bid at or above it, an ask at or
   * below): the crowd that quoted there has repriced, and an arbitrageur takes ours, printing.
   */
  #pickOff(c: CoinState, trades: WsTrade[], fills: WsFill[], updates: WsOrder[]): void {
    const fair = c.market.mid;
    for (const own of [c.queue.bids, c.queue.asks]) {
      const stale = (o: RestingOrder) => (o.isBuy ? o.px >= fair : o.px <= fair);
      if (own.length === 0 || !stale(own[0])) continue;
      let sz = 0;
      let limit = own[0].px;
      for (const o of own) {
        if (!stale(o)) break;
        sz = cleanSize(sz + o.sz);
        limit = o.px;
      }
      const side: TakerSide = own[0].isBuy ? "A" : "B";
      // No price impact: the move that made the orders stale is already in the fair price.
      this.#crowdTaker(c, side, sz, trades, fills, updates, limit, this.now, false);
    }
  }

  /** Sets each of the account's orders' queue ahead from the crowd's FIFO queue at its price. */
  #syncQueues(c: CoinState): void {
    for (const own of [c.queue.bids, c.queue.asks]) {
      for (const o of own) {
        if (o.seq !== undefined) o.queueAhead = c.market.crowdAhead(o.isBuy, o.px, o.seq);
      }
    }
  }

  /** Fills every resting order of a coin at its own price, as a taker trading through it would. */
  #fillResting(c: CoinState, trades: WsTrade[], fills: WsFill[], updates: WsOrder[]): number {
    const dark = c.queue.fillAll(this.#position(c));
    this.#tradeThrough(c, dark, trades, fills, updates);
    return dark.fills.length;
  }

  /** Books the fills of orders the market moved through, their prints and reduce-only cancels. */
  #tradeThrough(
    c: CoinState,
    result: TradeThrough,
    trades: WsTrade[],
    fills: WsFill[],
    updates: WsOrder[],
  ): void {
    this.#makerFills(c, result.fills, fills, updates);
    this.#prints(c, result.prints, trades, false);
    this.#reduceOnly(c, result.reduceOnlyCancelled, updates);
  }

  /** The account's signed position on a coin. */
  #position(c: CoinState): number {
    return this.account.positions.get(c.info.name)?.szi ?? 0;
  }

  /**
   * Cancels (`reduceOnlyCanceled`) the reduce-only orders a fill left without room: those the
   * matching cut short, and any the position, as it now stands, can no longer take.
   */
  #reduceOnly(c: CoinState, cancelled: readonly RestingOrder[], updates: WsOrder[]): void {
    for (const o of [...cancelled, ...c.queue.expireReduceOnly(this.#position(c))]) {
      updates.push(wsOrder(this.account.setStatus(o, "reduceOnlyCanceled", this.now)));
    }
  }

  /** Forces a crowd taker on `coin` now (tests and the control endpoint): it sweeps `sz` coin. */
  takerTrade(coin: string, side: TakerSide, sz: number): WsTrade[] {
    const c = this.#coin(coin);
    const trades: WsTrade[] = [];
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    this.#crowdTaker(c, side, sz, trades, fills, updates);
    this.#syncQueues(c);
    c.bookTime = this.now;
    this.#emit(c, trades, fills, updates);
    return trades;
  }

  #crowdTaker(
    c: CoinState,
    side: TakerSide,
    sz: number,
    trades: WsTrade[],
    fills: WsFill[],
    updates: WsOrder[],
    limitPx: number | null = null,
    time = this.now,
    moves = true,
  ): void {
    const crowd = side === "B" ? c.market.asks : c.market.bids;
    const sweep = c.queue.sweep(side, sz, crowd, limitPx, { position: this.#position(c) });
    c.market.settle();
    this.#makerFills(c, sweep.makerFills, fills, updates);
    this.#prints(c, sweep.prints, trades, false, time);
    this.#reduceOnly(c, sweep.reduceOnlyCancelled, updates);
    const usdTraded = sweep.prints.reduce((s, p) => s + p.px * p.sz, 0);
    if (usdTraded > 0) this.#stalePrints(c, c.market.impact(side, usdTraded, moves), trades, time);
  }

  /** Prints the sweeps of stale crowd dust (already off the book; crowd against crowd). */
  #stalePrints(c: CoinState, sweeps: TakerOrder[], trades: WsTrade[], time = this.now): void {
    for (const s of sweeps) {
      const prints = (s.stale ?? []).map((p) => ({ ...p, side: s.side, makerOid: null }));
      this.#prints(c, prints, trades, false, time);
    }
  }

  /**
   * Steers a coin's synthetic market (see {@link MarketSteer}); a `jump` moves the mid at once,
   * redraws the book and fills the resting orders it moved through, as a market step would.
   */
  steer(coin: string, steer: MarketSteer): void {
    const c = this.#coin(coin);
    c.market.steer(steer, this.marketNow);
    if (steer.jump === undefined) return;
    const trades: WsTrade[] = [];
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    this.#pickOff(c, trades, fills, updates);
    this.#syncQueues(c);
    c.bookTime = this.now;
    this.#emit(c, trades, fills, updates);
  }

  #replayEvent(e: ReplayEvent): void {
    const c = this.#coin(e.coin);
    const trades: WsTrade[] = [];
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    if (e.kind === "book") {
      c.market.bids = e.bids.map((l) => ({ ...l }));
      c.market.asks = e.asks.map((l) => ({ ...l }));
      if (e.bids[0] && e.asks[0]) c.market.mid = (e.bids[0].px + e.asks[0].px) / 2;
      const refreshed = c.queue.refresh(c.market.bids, c.market.asks, this.#position(c));
      this.#tradeThrough(c, refreshed, trades, fills, updates);
      c.bookTime = e.timeMs;
      this.#emit(c, trades, fills, updates);
    } else {
      const traded = c.queue.applyPrint(e.side, e.px, e.sz, this.#position(c));
      this.#makerFills(c, traded.fills, fills, updates);
      this.#reduceOnly(c, traded.reduceOnlyCancelled, updates);
      trades.push({
        coin: c.info.name,
        side: e.side,
        px: num(e.px),
        sz: num(e.sz),
        time: e.timeMs,
        hash: e.hash ?? "0x" + "0".repeat(64),
        tid: e.tid,
        users: e.users ?? [this.#userPool[0], this.#userPool[1]],
      });
      c.market.tradedUsd += e.px * e.sz;
      this.#events?.trades(c.info.name, trades);
      if (fills.length) this.#events?.fills(fills);
      if (updates.length) this.#events?.orderUpdates(updates);
    }
  }

  /** Reports what an event produced; a market step also publishes the book (`book`). */
  #emit(c: CoinState, trades: WsTrade[], fills: WsFill[], updates: WsOrder[], book = true): void {
    if (!this.#events) return;
    if (trades.length) this.#events.trades(c.info.name, trades);
    if (fills.length) this.#events.fills(fills);
    if (updates.length) this.#events.orderUpdates(updates);
    if (book) this.#events.book(c.info.name);
  }

  #prints(
    c: CoinState,
    prints: Print[],
    out: WsTrade[],
    accountIsTaker: boolean,
    time = this.now,
  ): void {
    const rng = c.market.rng;
    const me = this.account.address;
    for (const p of prints) {
      const maker = p.makerOid !== null ? me : this.#userPool[rng.int(64)];
      const taker = accountIsTaker ? me : this.#userPool[rng.int(64)];
      // users = [buyer, seller]; side B means the taker bought.
      const users: [string, string] = p.side === "B" ? [taker, maker] : [maker, taker];
      const hash = rng.hex(32);
      const tid = randomTid(rng);
      // The print of one of the account's maker fills carries that fill's trade id and hash, as
      // the exchange's does (the draws above still happen, so the market's stream is unchanged).
      const own = p.makerOid !== null ? this.#ownFillIds.get(p.makerOid)?.shift() : undefined;
      out.push({
        coin: c.info.name,
        side: p.side,
        px: num(p.px),
        sz: num(p.sz),
        time,
        hash: own?.hash ?? hash,
        tid: own?.tid ?? tid,
        users,
      });
    }
  }

  #makerFills(c: CoinState, makerFills: MakerFill[], fills: WsFill[], updates: WsOrder[]): void {
    this.#ownFillIds.clear();
    for (const f of makerFills) {
      const tid = randomTid(c.market.rng);
      const hash = c.market.rng.hex(32);
      const ids = this.#ownFillIds.get(f.order.oid);
      if (ids) ids.push({ tid, hash });
      else this.#ownFillIds.set(f.order.oid, [{ tid, hash }]);
      fills.push(this.account.applyFill({
        order: f.order,
        px: f.px,
        sz: f.sz,
        crossed: false,
        feeRate: this.makerFeeRate * feeScaleOf(c.info.name),
        timeMs: this.now,
        tid,
        hash,
      }));
      if (f.order.sz <= 1e-12) {
        this.#prioritized.delete(f.order.oid);
        updates.push(wsOrder(this.account.setStatus(f.order, "filled", this.now)));
      }
    }
  }

  #payFunding(): void {
    for (const c of this.coins) {
      this.account.payFunding(c.info.name, c.market.mid, c.market.funding);
    }
  }

  #coin(name: string): CoinState {
    const c = this.byName.get(name);
    if (!c) throw new Error(`unknown coin ${JSON.stringify(name)}`);
    return c;
  }

  /** Marks a resting order of the account as placed with a priority fee (priority.ts). */
  prioritize(oid: number): void {
    this.#prioritized.add(oid);
  }

  /** The coin at an asset id, or undefined. */
  asset(a: number): CoinState | undefined {
    return this.#byAsset.get(a);
  }

  /** The account's resting orders, all coins. */
  openOrders(): RestingOrder[] {
    return this.coins.flatMap((c) => c.queue.all());
  }

  /** Best bid and ask including the account's own resting orders. */
  bbo(c: CoinState): [number | undefined, number | undefined] {
    const bid = Math.max(c.market.bids[0]?.px ?? -Infinity, c.queue.bids[0]?.px ?? -Infinity);
    const ask = Math.min(c.market.asks[0]?.px ?? Infinity, c.queue.asks[0]?.px ?? Infinity);
    return [Number.isFinite(bid) ? bid : undefined, Number.isFinite(ask) ? ask : undefined];
  }

  /**
   * The `l2Book` payload of a coin: crowd and account orders merged, `depth` levels per side,
   * aggregated by `nSigFigs`/`mantissa` when asked (the whole book, then the first `depth`).
   */
  l2Book(coin: string, depth = BOOK_DEPTH, aggregation: Aggregation | null = null) {
    const c = this.#coin(coin);
    const side = (crowd: readonly Level[], own: readonly RestingOrder[], isBid: boolean) =>
      aggregation
        ? aggregateSide(mergeSide(crowd, own, isBid, Infinity), isBid, aggregation, depth)
        : mergeSide(crowd, own, isBid, depth).map((l) => ({
          px: fixed(l.px, 8),
          sz: fixed(l.sz, 8),
          n: l.n,
        }));
    return {
      coin,
      time: c.bookTime,
      levels: [side(c.market.bids, c.queue.bids, true), side(c.market.asks, c.queue.asks, false)],
    };
  }

  /**
   * Mid prices of every coin of perp dex `dex` (default the main dex) with both sides of a book
   * (`allMids`, engine/hyperliquid/README.md § Books and trades, § Info requests).
   */
  allMids(dex = ""): Record<string, string> {
    const mids: Record<string, string> = {};
    for (const c of this.coins) {
      if (dexOfCoin(c.info.name) !== dex) continue;
      const [bid, ask] = this.bbo(c);
      if (bid !== undefined && ask !== undefined) {
        mids[c.info.name] = num(Number(((bid + ask) / 2).toPrecision(8)));
      }
    }
    return mids;
  }

  /**
   * Places one order (already authenticated); returns its entry of `statuses`. The tick is checked
   * before the price band, as a testnet capture shows; the band, where no capture tells, before the
   * rest (tools/venue_sim/README.md, "Where the docs are uncertain"). Per-order refusals carry the
   * live `asset=N` suffix (engine/hyperliquid/README.md § Exchange actions); the band's text has
   * none in any capture.
   */
  placeOrder(w: WireOrder): OrderStatus {
    const c = this.asset(w.a);
    if (!c) return { error: `Invalid asset ${w.a}.` };
    const refused = (text: string): OrderStatus => ({ error: `${text} asset=${c.asset}` });
    const szd = c.info.szDecimals;
    const tif = w.t?.limit?.tif;
    if (tif !== "Gtc" && tif !== "Alo" && tif !== "Ioc") {
      return { error: "Only limit orders with tif Gtc, Alo or Ioc are simulated." };
    }
    if (!isValidPerpPrice(w.p, szd)) return refused("Price must be divisible by tick size.");
    const px = Number(w.p);
    const sz = Number(w.s);
    // Which price the band is measured from is not documented; the venue's oracle, mark and mid
    // are one price.
    const reference = c.market.mid;
    if (Math.abs(px - reference) > PRICE_BAND_FRACTION * reference) {
      return { error: PRICE_BAND_ERROR };
    }
    if (!isValidSize(w.s, szd) || px * sz < MIN_ORDER_VALUE_USD) {
      return refused(`Order must have minimum value of $${MIN_ORDER_VALUE_USD}.`);
    }
    const [bid, ask] = this.bbo(c);
    const crosses = w.b ? ask !== undefined && px >= ask : bid !== undefined && px <= bid;
    if (tif === "Alo" && crosses) {
      const fmt = (x: number | undefined) => (x === undefined ? "None" : floatToWire(x));
      return refused(
        `Post only order would have immediately matched, bbo was ${fmt(bid)}@${fmt(ask)}.`,
      );
    }
    // A reduce-only order must fit in what is left of the position after the reduce-only
    // orders already resting on its side: it can then never flip or grow it (see matching.ts).
    const room = reduceOnlyRoom(w.b, this.#position(c)) - c.queue.reduceOnlySize(w.b);
    if (w.r && sz > room + 1e-12) return refused("Reduce only order would increase position.");
    const maxLev = (coin: string) => this.#coin(coin).info.maxLeverage;
    const mark = (coin: string) => this.#coin(coin).market.mid;
    const lev = this.account.leverageOf(c.info.name, c.info.maxLeverage).value;
    if (!w.r && px * sz / lev > this.account.availableMargin(mark, maxLev, this.openOrders())) {
      return refused("Insufficient margin to place order.");
    }
    const order: RestingOrder = {
      oid: this.account.nextOid(),
      coin: c.info.name,
      asset: c.asset,
      isBuy: w.b,
      px,
      sz,
      origSz: sz,
      queueAhead: 0,
      timestamp: this.now,
      tif,
      reduceOnly: w.r,
    };
    if (w.c) order.cloid = w.c;
    const withCloid = <T extends object>(x: T) => (w.c ? { ...x, cloid: w.c } : x);
    const fills: WsFill[] = [];
    const updates: WsOrder[] = [];
    const trades: WsTrade[] = [];
    let filledSz = 0;
    let filledUsd = 0;
    if (crosses) {
      const side: TakerSide = w.b ? "B" : "A";
      const crowd = w.b ? c.market.asks : c.market.bids;
      const sweep = c.queue.sweep(side, sz, crowd, px, { selfTrade: true });
      c.market.settle();
      for (const gone of sweep.selfCancelled) {
        updates.push(wsOrder(this.account.setStatus(gone, "selfTradeCanceled", this.now)));
      }
      for (const p of sweep.prints) {
        const tid = randomTid(c.market.rng);
        const part = { ...order, sz: p.sz };
        fills.push(this.account.applyFill({
          order: part,
          px: p.px,
          sz: p.sz,
          crossed: true,
          feeRate: this.takerFeeRate * feeScaleOf(c.info.name),
          timeMs: this.now,
          tid,
          hash: c.market.rng.hex(32),
        }));
        filledSz = cleanSize(filledSz + p.sz);
        filledUsd += p.px * p.sz;
      }
      this.#prints(c, sweep.prints, trades, true);
      if (filledUsd > 0) this.#stalePrints(c, c.market.impact(side, filledUsd), trades);
      order.sz = cleanSize(sz - filledSz);
      this.#reduceOnly(c, [], updates);
    }
    let status: OrderStatus;
    if (order.sz <= 1e-12) {
      updates.push(wsOrder(this.account.setStatus(order, "filled", this.now)));
      status = {
        filled: withCloid({
          totalSz: num(filledSz),
          avgPx: num(filledUsd / filledSz),
          oid: order.oid,
        }),
      };
    } else if (tif === "Ioc") {
      updates.push(wsOrder(this.account.setStatus(order, "canceled", this.now)));
      status = filledSz > 0
        ? {
          filled: withCloid({
            totalSz: num(filledSz),
            avgPx: num(filledUsd / filledSz),
            oid: order.oid,
          }),
        }
        : {
          error: `Order could not immediately match against any resting orders. asset=${c.asset}`,
        };
    } else {
      // Replayed books carry no crowd queues: there the displayed size stays the queue ahead.
      if (this.#replay.length === 0) order.seq = c.market.nextSeq();
      c.queue.add(order, w.b ? c.market.bids : c.market.asks);
      updates.push(wsOrder(this.account.setStatus(order, "open", this.now)));
      status = { resting: withCloid({ oid: order.oid }) };
    }
    this.#emit(c, trades, fills, updates);
    return status;
  }

  /** Cancels a resting order by oid; returns the `cancel` status entry. */
  cancel(asset: number, oid: number, status = "canceled"): "success" | { error: string } {
    const c = this.asset(asset);
    const order = c?.queue.remove(oid);
    this.#prioritized.delete(oid);
    if (!c || !order) {
      return { error: `Order was never placed, already canceled, or filled. asset=${asset}` };
    }
    this.#events?.orderUpdates([wsOrder(this.account.setStatus(order, status, this.now))]);
    this.#events?.book(c.info.name);
    return "success";
  }

  /** Cancels a resting order by cloid. */
  cancelByCloid(asset: number, cloid: string): "success" | { error: string } {
    const oid = this.account.cloidToOid.get(String(cloid).toLowerCase());
    const rec = oid === undefined ? undefined : this.account.orders.get(oid);
    if (!rec || rec.order.asset !== asset) {
      return { error: `Order was never placed, already canceled, or filled. asset=${asset}` };
    }
    return this.cancel(asset, rec.order.oid);
  }

  /** Modifies a resting order (by oid or cloid): cancel, then place the new order. */
  modify(oidOrCloid: number | string, order: WireOrder): OrderStatus {
    const oid = typeof oidOrCloid === "string"
      ? this.account.cloidToOid.get(oidOrCloid.toLowerCase())
      : oidOrCloid;
    const rec = oid === undefined ? undefined : this.account.orders.get(oid);
    if (!rec || rec.status !== "open") return { error: "Cannot modify canceled or filled order" };
    const c = this.asset(rec.order.asset)!;
    c.queue.remove(rec.order.oid);
    this.account.setStatus(rec.order, "canceled", this.now);
    this.#events?.orderUpdates([wsOrder(this.account.orders.get(rec.order.oid)!)]);
    return this.placeOrder(order);
  }

  /** Arms (time) or clears (undefined) the dead man's switch; returns an error string or null. */
  scheduleCancel(time: number | undefined): string | null {
    if (this.account.volumeUsd < this.#minScheduleVolume) {
      return `Cannot set scheduled cancel time until enough volume traded. Required: $${this.#minScheduleVolume}. Traded: $${
        floatToWire(Math.round(this.account.volumeUsd * 1e5) / 1e5)
      }.`;
    }
    if (time === undefined) {
      this.#scheduledCancelAt = null;
      return null;
    }
    if (!Number.isInteger(time) || time < this.#now + SCHEDULE_CANCEL_MIN_LEAD_MS) {
      return "Scheduled cancel time too early, must be at least 5 seconds from now.";
    }
    this.#scheduledCancelAt = time;
    return null;
  }

  /** Sets a coin's leverage; returns an error string or null. */
  updateLeverage(asset: number, isCross: boolean, leverage: number): string | null {
    const c = this.asset(asset);
    if (!c) return `Invalid asset ${asset}.`;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > c.info.maxLeverage) {
      return `Invalid leverage value`;
    }
    this.account.leverage.set(c.info.name, {
      type: isCross ? "cross" : "isolated",
      value: leverage,
    });
    return null;
  }

  #cancelAll(status: string): void {
    for (const c of this.coins) {
      for (const o of c.queue.all()) this.cancel(c.asset, o.oid, status);
    }
  }

  /** Fills every resting order of the account now, at its own price (a dark-fill fault). */
  fillAllResting(): number {
    let n = 0;
    for (const c of this.coins) {
      if (c.queue.bids.length + c.queue.asks.length === 0) continue;
      const fills: WsFill[] = [];
      const updates: WsOrder[] = [];
      const trades: WsTrade[] = [];
      n += this.#fillResting(c, trades, fills, updates);
      this.#emit(c, trades, fills, updates);
    }
    return n;
  }

  /** Mark price of a coin (the simulated mid). */
  mark(coin: string): number {
    return this.#coin(coin).market.mid;
  }

  /** Max leverage of a coin. */
  maxLeverage(coin: string): number {
    return this.#coin(coin).info.maxLeverage;
  }
}

/** An order record as an `orderUpdates` entry. */
export function wsOrder(rec: OrderRecord): WsOrder {
  const o = rec.order;
  const order: WsOrder["order"] = {
    coin: o.coin,
    side: o.isBuy ? "B" : "A",
    limitPx: num(o.px),
    sz: num(o.sz),
    oid: o.oid,
    timestamp: o.timestamp,
    origSz: num(o.origSz),
  };
  if (o.cloid) order.cloid = o.cloid;
  return { order, status: rec.status, statusTimestamp: rec.statusTimestamp };
}

/** One side of the served book: crowd levels and the account's orders merged, best first. */
function mergeSide(
  crowd: readonly Level[],
  own: readonly RestingOrder[],
  isBid: boolean,
  depth: number,
): Level[] {
  const out: Level[] = [];
  let i = 0;
  let j = 0;
  while (out.length < depth && (i < crowd.length || j < own.length)) {
    const cp = crowd[i]?.px;
    const op = own[j]?.px;
    let px: number;
    if (cp === undefined) px = op!;
    else if (op === undefined) px = cp;
    else px = isBid ? Math.max(cp, op) : Math.min(cp, op);
    let sz = 0;
    let n = 0;
    if (cp !== undefined && cp === px) {
      sz += crowd[i].sz;
      n += crowd[i].n;
      i++;
    }
    while (j < own.length && own[j].px === px) {
      sz += own[j].sz;
      n++;
      j++;
    }
    out.push({ px, sz, n });
  }
  return out;
}

/** A universe entry for a replayed coin the built-in universe lacks (szDecimals from price). */
function inferCoin(name: string, px: number): SimCoin {
  return {
    name,
    szDecimals: szDecimalsFor(px),
    maxLeverage: 10,
    startPx: px,
    dayNtlVlm: 1e7,
    dailyVol: 0.05,
  };
}

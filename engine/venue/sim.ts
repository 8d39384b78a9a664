/**
 * The shadow venue (spec section 4, phase 9I; section 8.1): our grid becomes shadow orders
 * that rest against live market data and fill only as the chosen queue model allows. Nothing
 * is ever sent to an exchange. Deterministic: no wall clock and no randomness; fills carry
 * the market time of the event that caused them, and order ids come from a counter.
 */
import type { BookLevel, BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { type FeeModel, flatMakerFee } from "../fees.ts";
import {
  createQueueModel,
  newQueueState,
  type QueueFillModel,
  type QueueModelName,
  type QueueState,
  type TradeOutcome,
} from "../queue.ts";
import { exchangeWeight, WeightBudget } from "../hyperliquid/weight_budget.ts";
import { createLogger, type Logger } from "../log.ts";
import { AddressBudget, NEW_ADDRESS_REQUESTS } from "./address_budget.ts";
import { isProtectiveMove, placingWaitMs, planCancels } from "./batch_plan.ts";
import { keepsOrder, type LevelWant, targetDistance } from "./requote.ts";
import { RequestGovernor } from "./request_governor.ts";
import {
  type DesiredQuotes,
  type Fill,
  type FillCause,
  GRID_LEVELS,
  type QuoteSide,
  type ReconcileReport,
  type Venue,
  type VenueStats,
} from "./venue.ts";

/** Options of {@link SimExchange}. */
export interface SimExchangeOptions {
  /** Fill rule: a model from `queue.ts` or its `MM_QUEUE_MODEL` name (default "queue"). */
  queueModel?: QueueFillModel | QueueModelName;
  /** Maker fees charged on every fill (default: Hyperliquid base tier, 0.015% paid). */
  fees?: FeeModel;
  /** Size decimals per coin (lot = 10^-szDecimals); coins not listed use 8 (no rounding to speak of). */
  szDecimals?: Readonly<Record<string, number>>;
  /** Prefix of shadow order ids (default "shadow-"); ids are the prefix and a counter. */
  idPrefix?: string;
  /**
   * Market time, ms, between a quote decision and the order resting at the exchange
   * (`MM_ENTRY_LATENCY_MS`; default 0 here, 100 in the engine's config). The decision time is
   * the latest market time seen on any coin (exchange timestamps share one clock), so a quote
   * of a quiet coin is stamped with the market's present, not with that coin's last print. An
   * order only meets trades and crossing books strictly later than decision time plus this.
   */
  entryLatencyMs?: number;
  /**
   * Market time, ms, between a cancel decision and the exchange applying it (default: the entry
   * latency, the same round trip). Until then the cancelled order still fills, as a live order
   * does while its cancel is in flight; its level may already hold the replacement.
   */
  cancelLatencyMs?: number;
  /**
   * The request budgets the shadow venue spends as live would, on market time (default: a new
   * account's address budget, the full IP weight, one batch per 100 ms).
   */
  budget?: Omit<ShadowGovernorOptions, "now">;
}

/** Options of {@link shadowGovernor}. */
export interface ShadowGovernorOptions {
  /** Market time, ms (the venue's clock: exchange timestamps). */
  now: () => number;
  /** Requests already spent at start (`MM_ADDRESS_REQUESTS_USED`, default 0). */
  requestsUsed?: number;
  /** Cap at start (`MM_ADDRESS_REQUESTS_CAP`, default a new account's 10,000). */
  requestsCap?: number;
  /** Shortest time between two batches, ms (the engine's tick; default 100). */
  minIntervalMs?: number;
  /** Sustained batch weight per minute (default: live's, request_governor.ts). */
  weightPerMinute?: number;
  /** Where the address budget's pause and resume are logged. */
  log?: Logger;
}

/** A request governor for shadow mode: the budgets live would spend, on market time. */
export function shadowGovernor(options: ShadowGovernorOptions): RequestGovernor {
  const address = new AddressBudget({
    log: options.log ?? createLogger({ level: "error" }),
    tag: "[SHADOW]",
  });
  address.set(options.requestsUsed ?? 0, options.requestsCap ?? NEW_ADDRESS_REQUESTS);
  return new RequestGovernor({
    weight: new WeightBudget({ now: options.now }),
    address,
    minIntervalMs: options.minIntervalMs ?? 100,
    weightPerMinute: options.weightPerMinute,
  });
}

/** A resting shadow order as seen from outside (inspection and tests). */
export interface ShadowOrder {
  id: string;
  coin: string;
  side: QuoteSide;
  level: number;
  px: number;
  /** Size registered, coin units. */
  sz: number;
  /** Size not yet filled, coin units. */
  leaves: number;
  /** Estimated size ahead of us at our price (`queue` model; Infinity until a book is seen). */
  queueAhead: number;
  /** Volume credited toward the spec threshold, coin units (`spec` model). */
  tradedThrough: number;
}

/** One grid slot of one coin; its object is reused for every order placed at that level. */
interface Slot extends QueueState {
  active: boolean;
  id: string;
  /** Registration order, for FIFO among our own orders at one price. */
  seq: number;
  side: QuoteSide;
  level: number;
  px: number;
  sz: number;
  leaves: number;
  tick: number;
  /** Market time after which the order is resting (registration event time + entry latency). */
  liveAfterMs: number;
  /** Market time at which its cancel takes effect (Infinity while not cancelled). */
  goneAfterMs: number;
  /** Market time of the decision that placed it, ms (the requote rule's age). */
  placedMs: number;
  /** Its level's desired distance from mid when placed (the requote rule's d₀). */
  placedDistance: number;
  /** The level's desired quote (size 0: none). */
  want: LevelWant;
}

/**
 * Opposite-side book liquidity our resting orders already took by crossing, per price: a
 * snapshot repeats the same resting size until it changes, so only the size above what was
 * taken can fill us again. Arrays are reused; `n` entries are in use.
 */
interface CrossMemory {
  px: number[];
  used: number[];
  n: number;
}

interface CoinState {
  coin: string;
  bids: Slot[];
  asks: Slot[];
  book: BookSnapshot | null;
  /** 10^szDecimals: sizes are rounded down to whole lots with it. */
  lotScale: number;
  position: number;
  /** Ask liquidity our bids took by crossing, and bid liquidity our asks took. */
  bidCross: CrossMemory;
  askCross: CrossMemory;
  /** Cancelled orders whose cancel is still in flight: they fill until `goneAfterMs`. */
  bidsLeaving: Slot[];
  asksLeaving: Slot[];
}

/** Hyperliquid szDecimals never exceed 5 for perps; 8 keeps unknown coins effectively unrounded. */
const DEFAULT_SZ_DECIMALS = 8;

const NO_FILLS: Fill[] = Object.freeze([]) as unknown as Fill[];

function newSlot(side: QuoteSide, level: number): Slot {
  return {
    ...newQueueState(),
    active: false,
    id: "",
    seq: 0,
    side,
    level,
    px: 0,
    sz: 0,
    leaves: 0,
    tick: 0,
    liveAfterMs: -Infinity,
    goneAfterMs: Infinity,
    placedMs: -Infinity,
    placedDistance: 0,
    want: { px: 0, sz: 0, mid: 0, tick: 0, share: 0, minRestMs: 0 },
  };
}

/**
 * Displayed size at `px` on one side of `book`: the level's size, 0 when the price is inside
 * the visible book but has no level (inside the spread, or emptied), NaN when unknown (no
 * book yet, or the price lies beyond the last visible level).
 */
function displayedAt(book: BookSnapshot | null, side: QuoteSide, px: number, tick: number): number {
  if (book === null) return NaN;
  const levels = side === "bid" ? book.bids : book.asks;
  const half = tick / 2;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    const diff = side === "bid" ? level.px - px : px - level.px;
    if (diff < half && diff > -half) return level.sz;
    if (diff < 0) return 0;
  }
  return levels.length === 0 ? 0 : NaN;
}

/**
 * Copies the active orders of one side into `out`, best price first, then oldest first: the
 * level slots and the cancelled orders still in flight at `timeMs`. Returns the count.
 */
function ordered(slots: Slot[], leaving: Slot[], timeMs: number, out: Slot[]): number {
  let n = 0;
  for (let i = 0; i < slots.length + leaving.length; i++) {
    const slot = i < slots.length ? slots[i] : leaving[i - slots.length];
    if (!slot.active || timeMs >= slot.goneAfterMs) continue;
    let k = n++;
    while (k > 0 && better(slot, out[k - 1])) {
      out[k] = out[k - 1];
      k--;
    }
    out[k] = slot;
  }
  return n;
}

/** Size our orders already took at `px` by crossing (0 when the price is not remembered). */
function usedAt(memory: CrossMemory, px: number, half: number): number {
  for (let i = 0; i < memory.n; i++) {
    const diff = memory.px[i] - px;
    if (diff < half && diff > -half) return memory.used[i];
  }
  return 0;
}

/** Whether an opposite-side book level is at or through our order's price. */
function reaches(slot: Slot, level: BookLevel): boolean {
  const half = slot.tick / 2;
  return slot.side === "bid" ? level.px <= slot.px + half : level.px >= slot.px - half;
}

function better(a: Slot, b: Slot): boolean {
  if (a.px !== b.px) return a.side === "bid" ? a.px > b.px : a.px < b.px;
  return a.seq < b.seq;
}

/** The shadow venue: a queue-position estimator over live market data. */
export class SimExchange implements Venue {
  /** Always "sim". */
  readonly kind = "sim" as const;
  /** Registrations, cancels (moves count one), fills (each partial counts one) and requests. */
  readonly stats: VenueStats = { placed: 0, cancels: 0, fills: 0, requests: 0 };
  /** Notional of the orders registered, USD (what live would pay priority fees on). */
  placedUsd = 0;
  /** The IP weight and address budgets, spent as live would spend them. */
  readonly governor: RequestGovernor;
  readonly #model: QueueFillModel;
  readonly #fees: FeeModel;
  readonly #szDecimals: Readonly<Record<string, number>>;
  readonly #idPrefix: string;
  readonly #entryLatencyMs: number;
  readonly #cancelLatencyMs: number;
  /** Slot objects of expired in-flight cancels, for reuse (no allocation per cancel). */
  readonly #spareSlots: Slot[] = [];
  readonly #coins = new Map<string, CoinState>();
  readonly #scratch: Slot[] = [];
  readonly #outcome: TradeOutcome = { fill: 0, cause: "queue" };
  /** Per reaching opposite level during one cross: size taken before this snapshot, and now. */
  readonly #usedBefore: number[] = [];
  readonly #taken: number[] = [];
  #fills: Fill[] = [];
  #nextSeq = 0;
  #rejects = 0;
  #staleBooks = 0;
  /** Latest market time of any book or trade, ms: the decision time of a quote made now. */
  #marketMs = -Infinity;
  /** The engine's clock at the latest commit, ms. */
  #decisionMs = 0;
  /** Coins whose desired quotes changed since the last batch. */
  readonly #pending = new Set<CoinState>();
  // Scratch lists of one batch (no allocation per batch).
  readonly #toCancel: Slot[] = [];
  readonly #toCancelCoin: CoinState[] = [];
  readonly #toCancelNow: Slot[] = [];
  readonly #toCancelNowCoin: CoinState[] = [];
  readonly #toPlace: Slot[] = [];
  readonly #toPlaceCoin: CoinState[] = [];

  /** Creates the venue; throws naming a bad option. */
  constructor(options: SimExchangeOptions = {}) {
    const model = options.queueModel ?? "queue";
    this.#model = typeof model === "string" ? createQueueModel(model) : model;
    this.#fees = options.fees ?? flatMakerFee();
    this.#szDecimals = options.szDecimals ?? {};
    for (const [coin, decimals] of Object.entries(this.#szDecimals)) {
      if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
        throw new Error(`szDecimals for ${coin} is ${decimals}; expected an integer in 0..10`);
      }
    }
    this.#idPrefix = options.idPrefix ?? "shadow-";
    this.governor = shadowGovernor({ ...options.budget, now: () => this.#clock() });
    this.#entryLatencyMs = options.entryLatencyMs ?? 0;
    if (!(this.#entryLatencyMs >= 0 && Number.isFinite(this.#entryLatencyMs))) {
      throw new Error(`entry latency ${options.entryLatencyMs} ms is not a number >= 0`);
    }
    this.#cancelLatencyMs = options.cancelLatencyMs ?? this.#entryLatencyMs;
    if (!(this.#cancelLatencyMs >= 0 && Number.isFinite(this.#cancelLatencyMs))) {
      throw new Error(`cancel latency ${options.cancelLatencyMs} ms is not a number >= 0`);
    }
  }

  /** The fill rule in use. */
  get queueModel(): QueueModelName {
    return this.#model.name;
  }

  /** Quotes not placed because they would have crossed the book (a post-only order is rejected). */
  get rejects(): number {
    return this.#rejects;
  }

  /** Books dropped because they were older than the last one seen for their coin. */
  get staleBooks(): number {
    return this.#staleBooks;
  }

  /**
   * Records the coin's desired grid; {@link commit} keeps, moves or removes its orders by the
   * requote rule (engine/venue/requote.ts), in one batch with every other coin's changes.
   */
  setQuotes(quotes: DesiredQuotes): void {
    const tick = quotes.tick;
    if (!(tick > 0 && Number.isFinite(tick))) {
      throw new Error(`quotes for ${quotes.coin}: tick ${tick} is not a positive number`);
    }
    const share = quotes.requoteShare;
    if (!(share >= 0 && share <= 1) || !(quotes.minRestMs >= 0)) {
      throw new Error(
        `quotes for ${quotes.coin}: requote share ${share} must be in 0..1 and minimum rest ${quotes.minRestMs} ms >= 0`,
      );
    }
    const c = this.#coin(quotes.coin);
    for (let i = 0; i < GRID_LEVELS; i++) {
      this.#want(c, c.bids[i], quotes.bidPx[i], quotes.bidSz[i], quotes);
      this.#want(c, c.asks[i], quotes.askPx[i], quotes.askSz[i], quotes);
    }
    this.#pending.add(c);
  }

  /** Withdraws every quote of one coin (cancelled at the next {@link commit}). */
  clearQuotes(coin: string): void {
    const c = this.#coins.get(coin);
    if (c === undefined) return;
    for (let i = 0; i < GRID_LEVELS; i++) {
      c.bids[i].want.sz = 0;
      c.asks[i].want.sz = 0;
    }
    this.#pending.add(c);
  }

  /**
   * Sends the pending changes as live would (batch_plan.ts): protective cancels at once, then
   * one cancel action and one order action for every coin when the request governor's pace
   * allows (otherwise at a later commit), with every order and cancel counted against the
   * address budget. Below the budget's reserve,
   * moved orders are cancelled and nothing is placed. `nowMs` is the engine's clock (wall time
   * live, virtual time in replay): pacing and resting times run on it even when the market is
   * quiet.
   */
  commit(nowMs: number): void {
    if (nowMs > this.#decisionMs) this.#decisionMs = nowMs;
    if (this.#pending.size === 0) return;
    const now = this.#decisionMs;
    const moved = this.#toCancel;
    const protective = this.#toCancelNow;
    moved.length = 0;
    protective.length = 0;
    this.#toCancelCoin.length = 0;
    this.#toCancelNowCoin.length = 0;
    for (const c of this.#pending) {
      const lot = 1 / c.lotScale;
      for (let i = 0; i < 2 * GRID_LEVELS; i++) {
        const slot = i < GRID_LEVELS ? c.bids[i] : c.asks[i - GRID_LEVELS];
        if (!slot.active || keepsOrder(slot, slot.want, now, lot)) continue;
        moved.push(slot);
        this.#toCancelCoin.push(c);
        if (isProtectiveMove(slot, slot.want)) {
          protective.push(slot);
          this.#toCancelNowCoin.push(c);
        }
      }
    }
    const plan = planCancels(this.governor, now, moved.length, protective.length);
    const cancels = plan.cancelMoved ? moved : protective;
    const cancelCoins = plan.cancelMoved ? this.#toCancelCoin : this.#toCancelNowCoin;
    let weight = 0;
    if (cancels.length > 0) {
      const cancelWeight = exchangeWeight(cancels.length);
      // Shadow sends nothing: the weight is spent as live's cancel action would spend it.
      if (!this.governor.weight.tryConsume(cancelWeight, plan.priority)) return;
      weight += cancelWeight;
      for (let k = 0; k < cancels.length; k++) this.#cancel(cancelCoins[k], cancels[k]);
      this.#spend(cancels.length);
    }
    // Not paced: only protective cancels went; the rest waits for a later commit.
    if (!plan.paced) return;
    const places = this.#toPlace;
    places.length = 0;
    this.#toPlaceCoin.length = 0;
    if (this.governor.address.mayPlace) {
      for (const c of this.#pending) {
        for (let i = 0; i < 2 * GRID_LEVELS; i++) {
          const slot = i < GRID_LEVELS ? c.bids[i] : c.asks[i - GRID_LEVELS];
          if (slot.active || !(slot.want.sz > 0)) continue;
          places.push(slot);
          this.#toPlaceCoin.push(c);
        }
      }
    }
    let placed = false;
    if (places.length > 0 && placingWaitMs(this.governor, places.length) === 0) {
      const placeWeight = exchangeWeight(places.length);
      this.governor.weight.tryConsume(placeWeight, "quote");
      weight += placeWeight;
      this.#spend(places.length);
      for (let k = 0; k < places.length; k++) this.#place(this.#toPlaceCoin[k], places[k], now);
      placed = true;
    }
    if (weight > 0) this.governor.recordBatch(now, weight);
    // Everything decided went out: nothing is left for a later commit.
    if (cancels === moved && (placed || places.length === 0)) this.#pending.clear();
  }

  /** Requests counted against the address budget (shadow: those live would have sent). */
  #spend(n: number): void {
    this.stats.requests += n;
    this.governor.address.spend(n);
  }

  /** The engine's clock as of the last commit, ms (the governor's clock). */
  #clock(): number {
    return this.#decisionMs;
  }

  /** Feeds a book: crossed orders fill (queue model), then queue positions follow the depth. */
  onBook(book: BookSnapshot): void {
    const c = this.#coin(book.coin);
    if (c.book !== null && book.timeMs < c.book.timeMs) {
      this.#staleBooks++;
      return;
    }
    c.book = book;
    if (book.timeMs > this.#marketMs) this.#marketMs = book.timeMs;
    this.#prune(c.bidsLeaving, book.timeMs);
    this.#prune(c.asksLeaving, book.timeMs);
    if (this.#model.fillsOnCross) {
      this.#cross(c, c.bids, c.bidsLeaving, book.asks, c.bidCross, book.timeMs);
      this.#cross(c, c.asks, c.asksLeaving, book.bids, c.askCross, book.timeMs);
    }
    if (!this.#model.tracksDepth) return;
    for (let i = 0; i < GRID_LEVELS; i++) {
      this.#depth(c.bids[i], book);
      this.#depth(c.asks[i], book);
    }
    for (const slot of c.bidsLeaving) this.#depth(slot, book);
    for (const slot of c.asksLeaving) this.#depth(slot, book);
  }

  /**
   * Feeds a public trade; it walks our orders it reaches best first, each using part of it.
   * Each trade must come once: the engine's watermark (`market_state.ts`) drops repeats and
   * older trades before they reach a venue (the {@link Venue} contract).
   */
  onTrade(trade: Trade): void {
    if (!(trade.sz > 0 && trade.px > 0)) {
      throw new Error(
        `trade ${trade.tid} on ${trade.coin}: px ${trade.px}, sz ${trade.sz} must be positive`,
      );
    }
    const c = this.#coin(trade.coin);
    if (trade.timeMs > this.#marketMs) this.#marketMs = trade.timeMs;
    const isSell = trade.side === "A";
    const leaving = isSell ? c.bidsLeaving : c.asksLeaving;
    this.#prune(leaving, trade.timeMs);
    const n = ordered(isSell ? c.bids : c.asks, leaving, trade.timeMs, this.#scratch);
    let available = trade.sz;
    const out = this.#outcome;
    for (let k = 0; k < n; k++) {
      const slot = this.#scratch[k];
      const diff = isSell ? slot.px - trade.px : trade.px - slot.px;
      const half = slot.tick / 2;
      if (diff <= -half) break; // best first: no later order reaches the trade either
      const through = diff >= half;
      if (trade.timeMs <= slot.liveAfterMs) {
        // Not resting yet: nothing fills, but a print at our price is still noted so the next
        // book's decrease is not taken for cancellations ahead of us.
        if (!through) this.#model.onTrade(slot, slot.sz, slot.leaves, false, 0, trade.sz, out);
        continue;
      }
      const used = this.#model.onTrade(
        slot,
        slot.sz,
        slot.leaves,
        through,
        available,
        trade.sz,
        out,
      );
      available = Math.max(available - used, 0);
      if (out.fill > 0) this.#fill(c, slot, out.fill, out.cause, trade.timeMs);
    }
  }

  /** Returns and clears the fills since the last call (a shared empty array when none). */
  drainFills(): Fill[] {
    if (this.#fills.length === 0) return NO_FILLS;
    const fills = this.#fills;
    this.#fills = [];
    return fills;
  }

  /**
   * Cancels every shadow order at once, as one cancel action (safety priority: not paced), each
   * counted as a cancel and a request, as it would be live.
   */
  cancelAll(_reason: string): Promise<void> {
    let n = 0;
    for (const c of this.#coins.values()) {
      for (let i = 0; i < 2 * GRID_LEVELS; i++) {
        const slot = i < GRID_LEVELS ? c.bids[i] : c.asks[i - GRID_LEVELS];
        slot.want.sz = 0;
        if (slot.active) {
          this.#cancel(c, slot);
          n++;
        }
      }
    }
    this.#pending.clear();
    if (n > 0) {
      this.governor.weight.charge(exchangeWeight(n));
      this.#spend(n);
    }
    return Promise.resolve();
  }

  /** The simulator is its own exchange: positions are the sum of its fills, never dark fills. */
  reconcile(_inventory: ReadonlyMap<string, number>): Promise<ReconcileReport> {
    const positions = new Map<string, number>();
    for (const [coin, c] of this.#coins) if (c.position !== 0) positions.set(coin, c.position);
    return Promise.resolve({ positions, darkFills: [], orphanOrdersCancelled: 0 });
  }

  /**
   * Sets a coin's position and the session counters as a previous run left them (a restart
   * from saved state), so reconcile reports what the portfolio restored, and the address budget
   * with the session's requests spent and its `volumeUsd` earned. Positions are rounded to the
   * coin's lot; throws naming a non-finite position.
   */
  restore(
    positions: Readonly<Record<string, number>>,
    stats: Omit<VenueStats, "requests"> & { requests?: number },
    volumeUsd = 0,
  ): void {
    for (const [coin, qty] of Object.entries(positions)) {
      if (!Number.isFinite(qty)) throw new Error(`restored position of ${coin} is ${qty}`);
      const c = this.#coin(coin);
      c.position = Math.round(qty * c.lotScale) / c.lotScale;
    }
    this.stats.placed = stats.placed;
    this.stats.cancels = stats.cancels;
    this.stats.fills = stats.fills;
    this.stats.requests = stats.requests ?? 0;
    // The address budget spent them, and earned the volume traded with them: a restart hands
    // shadow neither a fresh allowance nor one without the requests its fills earned.
    this.governor.address.spend(this.stats.requests);
    this.governor.address.earn(volumeUsd);
  }

  /** Resting shadow orders of one coin, or of all coins, bids then asks by level. */
  openOrders(coin?: string): ShadowOrder[] {
    const out: ShadowOrder[] = [];
    for (const c of this.#coins.values()) {
      if (coin !== undefined && c.coin !== coin) continue;
      for (const slot of [...c.bids, ...c.asks]) {
        if (!slot.active) continue;
        out.push({
          id: slot.id,
          coin: c.coin,
          side: slot.side,
          level: slot.level,
          px: slot.px,
          sz: slot.sz,
          leaves: slot.leaves,
          queueAhead: slot.front,
          tradedThrough: slot.traded,
        });
      }
    }
    return out;
  }

  #coin(coin: string): CoinState {
    let c = this.#coins.get(coin);
    if (c === undefined) {
      const bids: Slot[] = [];
      const asks: Slot[] = [];
      for (let i = 0; i < GRID_LEVELS; i++) {
        bids.push(newSlot("bid", i));
        asks.push(newSlot("ask", i));
      }
      const decimals = this.#szDecimals[coin] ?? DEFAULT_SZ_DECIMALS;
      c = {
        coin,
        bids,
        asks,
        book: null,
        lotScale: 10 ** decimals,
        position: 0,
        bidCross: { px: [], used: [], n: 0 },
        askCross: { px: [], used: [], n: 0 },
        bidsLeaving: [],
        asksLeaving: [],
      };
      this.#coins.set(coin, c);
    }
    return c;
  }

  #want(c: CoinState, slot: Slot, px: number, sz: number, quotes: DesiredQuotes): void {
    if (!(sz >= 0)) {
      throw new Error(
        `quotes for ${c.coin}: ${slot.side} L${slot.level + 1} size ${sz} is not >= 0`,
      );
    }
    if (sz > 0 && !(px > 0 && Number.isFinite(px))) {
      throw new Error(
        `quotes for ${c.coin}: ${slot.side} L${slot.level + 1} price ${px} is not positive`,
      );
    }
    const want = slot.want;
    want.px = sz > 0 ? px : 0;
    want.sz = sz;
    want.mid = quotes.mid;
    want.tick = quotes.tick;
    want.share = quotes.requoteShare;
    want.minRestMs = quotes.minRestMs;
  }

  /** Registers the slot's desired order (already counted as a request: a refusal costs one too). */
  #place(c: CoinState, slot: Slot, nowMs: number): void {
    const { px, sz, tick } = slot.want;
    if (this.#wouldCross(c, slot.side, px, tick)) {
      // A post-only order that would cross is refused by the exchange.
      this.#rejects++;
      return;
    }
    slot.active = true;
    slot.seq = ++this.#nextSeq;
    slot.id = this.#idPrefix + slot.seq;
    slot.px = px;
    slot.sz = sz;
    slot.leaves = sz;
    slot.tick = tick;
    slot.placedMs = nowMs;
    slot.placedDistance = targetDistance(slot.want);
    slot.liveAfterMs = this.#marketMs + this.#entryLatencyMs;
    this.#model.join(slot, displayedAt(c.book, slot.side, px, tick));
    this.stats.placed++;
    this.placedUsd += px * sz;
  }

  #cancel(c: CoinState, slot: Slot): void {
    if (!slot.active) return;
    if (this.#cancelLatencyMs > 0) {
      // The order keeps filling until the exchange applies the cancel; the slot is free now.
      const leaving = this.#spareSlots.pop() ?? newSlot(slot.side, slot.level);
      Object.assign(leaving, slot);
      leaving.goneAfterMs = this.#marketMs + this.#cancelLatencyMs;
      (slot.side === "bid" ? c.bidsLeaving : c.asksLeaving).push(leaving);
    }
    slot.active = false;
    this.stats.cancels++;
  }

  /** Drops the in-flight cancels that have taken effect by `timeMs`, or whose order filled. */
  #prune(leaving: Slot[], timeMs: number): void {
    let kept = 0;
    for (let i = 0; i < leaving.length; i++) {
      const slot = leaving[i];
      if (slot.active && timeMs < slot.goneAfterMs) leaving[kept++] = slot;
      else this.#spareSlots.push(slot);
    }
    leaving.length = kept;
  }

  #wouldCross(c: CoinState, side: QuoteSide, px: number, tick: number): boolean {
    const book = c.book;
    if (book === null) return false;
    if (side === "bid") return book.asks.length > 0 && px >= book.asks[0].px - tick / 2;
    return book.bids.length > 0 && px <= book.bids[0].px + tick / 2;
  }

  /**
   * Fills our orders that the opposite side now reaches, best first. Each level's size is used
   * once within the snapshot, and across snapshots only the size above what our orders already
   * took at that price counts (`memory`): a repeated snapshot is the same resting liquidity.
   */
  #cross(
    c: CoinState,
    slots: Slot[],
    leaving: Slot[],
    opposite: BookLevel[],
    memory: CrossMemory,
    timeMs: number,
  ): void {
    const n = ordered(slots, leaving, timeMs, this.#scratch);
    // Levels reaching our best order: the only ones any of our orders can take.
    let reach = 0;
    if (n > 0) {
      while (reach < opposite.length && reaches(this.#scratch[0], opposite[reach])) reach++;
    }
    if (reach === 0) {
      memory.n = 0;
      return;
    }
    const half = this.#scratch[0].tick / 2;
    const before = this.#usedBefore;
    const taken = this.#taken;
    for (let j = 0; j < reach; j++) {
      before[j] = usedAt(memory, opposite[j].px, half);
      taken[j] = 0;
    }
    let j = 0;
    let remaining = Math.max(opposite[0].sz - before[0], 0);
    for (let k = 0; k < n; k++) {
      const slot = this.#scratch[k];
      if (!reaches(slot, opposite[0])) break;
      if (timeMs <= slot.liveAfterMs) continue;
      let got = 0;
      while (got < slot.leaves && j < reach && reaches(slot, opposite[j])) {
        const take = Math.min(remaining, slot.leaves - got);
        got += take;
        taken[j] += take;
        remaining -= take;
        if (remaining <= 0) {
          j++;
          remaining = j < reach ? Math.max(opposite[j].sz - before[j], 0) : 0;
        }
      }
      if (got > 0) this.#fill(c, slot, got, "bbo-cross", timeMs);
    }
    // Levels no longer reaching us are forgotten: liquidity there later is new.
    for (let i = 0; i < reach; i++) {
      memory.px[i] = opposite[i].px;
      memory.used[i] = before[i] + taken[i];
    }
    memory.n = reach;
  }

  #depth(slot: Slot, book: BookSnapshot): void {
    if (!slot.active) return;
    const displayed = displayedAt(book, slot.side, slot.px, slot.tick);
    if (!Number.isNaN(displayed)) this.#model.onDepth(slot, displayed);
  }

  #fill(c: CoinState, slot: Slot, size: number, cause: FillCause, timeMs: number): void {
    const scale = c.lotScale;
    const sz = size >= slot.leaves ? slot.leaves : Math.floor(size * scale + 1e-9) / scale;
    if (sz <= 0) return;
    slot.leaves = sz === slot.leaves ? 0 : Math.round((slot.leaves - sz) * scale) / scale;
    if (slot.leaves <= 0) slot.active = false;
    const signed = slot.side === "bid" ? sz : -sz;
    c.position = Math.round((c.position + signed) * scale) / scale;
    this.stats.fills++;
    this.governor.address.earn(slot.px * sz);
    this.#fills.push({
      coin: c.coin,
      side: slot.side,
      level: slot.level,
      px: slot.px,
      sz,
      timeMs,
      feeUsd: this.#fees.makerFeeUsd(slot.px * sz, c.coin),
      cause,
      orderId: slot.id,
    });
  }
}

/**
 * The shadow venue (README, "Shadow mode: the Queue Position Estimator"): our grid becomes shadow
 * orders that rest against live market data and fill only as the chosen queue model allows. Nothing
 * is ever sent to an exchange. Deterministic: no wall clock and no randomness; fills carry the
 * market time of the event that caused them, and order ids come from a counter.
 *
 * Longer than 400 lines because {@link SimExchange} is one state machine over its order slots:
 * placing, the requote batch, cancel latency, the matcher's fill callbacks and restore all work
 * on the same private per-coin state (the matching rules are in shadow_matching.ts, the fill
 * rules in engine/fill_model/, the budgets in shadow_governor.ts).
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { type FeeModel, flatMakerFee } from "../fees.ts";
import { constantLatency, type LatencyModel } from "../fill_model/latency.ts";
import { createQueueModel } from "../fill_model/model_names.ts";
import { copyQueueState, newQueueState, type QueueFillModel } from "../fill_model/queue_model.ts";
import { exchangeWeight } from "../hyperliquid/weight_budget.ts";
import { createLogger } from "../log.ts";
import { BATCH_WEIGHT, isProtectiveMove, placingWaitMs, planCancels } from "./batch_plan.ts";
import { PreTradeGate } from "./pre_trade_gate.ts";
import { keepsOrder, type LevelWant, targetDistance } from "./requote.ts";
import type { RequestGovernor } from "./request_governor.ts";
import { shadowGovernor, type ShadowGovernorOptions } from "./shadow_governor.ts";
import {
  displayedAtEach,
  type MatchOrder,
  ordered,
  ShadowMatcher,
  TouchMoves,
} from "./shadow_matching.ts";
import {
  type DesiredQuotes,
  type Fill,
  type FillCause,
  GRID_LEVELS,
  type PersistentVenue,
  type QuoteSide,
  type ReconcileReport,
  type Venue,
  type VenueStats,
} from "./venue.ts";

/** Options of {@link SimExchange}. */
export interface SimExchangeOptions {
  /**
   * Fill rule: a queue model (engine/fill_model/) or its `MM_QUEUE_MODEL` name (default
   * "queue").
   */
  queueModel?: QueueFillModel | string;
  /** Maker fees charged on every fill (default: Hyperliquid base tier, 0.015% paid). */
  fees?: FeeModel;
  /** Size decimals per coin (lot = 10^-szDecimals); coins not listed use 8 (no rounding to speak of). */
  szDecimals?: Readonly<Record<string, number>>;
  /**
   * Address requests earned per USDC traded, by coin (AssetInfo `requestCredit`: a tenth on a
   * growth-mode market); coins not listed earn 1.
   */
  requestCredit?: Readonly<Record<string, number>>;
  /** Prefix of shadow order ids (default "shadow-"); ids are the prefix and a counter. */
  idPrefix?: string;
  /**
   * Entry and cancel latency, market time (default none here; the engine's config gives 100 ms
   * each). The decision time is the latest market time seen on any coin (exchange timestamps
   * share one clock), so a quote of a quiet coin is stamped with the market's present, not with
   * that coin's last print. An order only meets trades and crossing books strictly later than
   * decision time plus the entry latency; a cancelled order still fills until decision time
   * plus the cancel latency, as a live order does while its cancel is in flight (its level may
   * already hold the replacement).
   */
  latency?: LatencyModel;
  /**
   * The request budgets the shadow venue spends as live would, on market time (default: a new
   * account's address budget, the full IP weight, one batch per 100 ms).
   */
  budget?: Omit<ShadowGovernorOptions, "now">;
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
interface Slot extends MatchOrder {
  id: string;
  level: number;
  /** The coin the order is on. */
  home: CoinState;
  /** Market time of the decision that placed it, ms (the requote rule's age). */
  placedMs: number;
  /** Its level's desired distance from mid when placed (the requote rule's d₀). */
  placedDistance: number;
  /** The level's desired quote (size 0: none). */
  want: LevelWant;
}

interface CoinState {
  coin: string;
  bids: Slot[];
  asks: Slot[];
  /** The bids then the asks, level by level (one loop over the grid). */
  slots: Slot[];
  /** Whether the coin is in the pending list of the next batch. */
  pending: boolean;
  book: BookSnapshot | null;
  /** 10^szDecimals: sizes are rounded down to whole lots with it. */
  lotScale: number;
  position: number;
  /** Cancelled orders whose cancel is still in flight: they fill until `goneAfterMs`. */
  bidsLeaving: Slot[];
  asksLeaving: Slot[];
}

/** Hyperliquid szDecimals never exceed 5 for perps; 8 keeps unknown coins effectively unrounded. */
const DEFAULT_SZ_DECIMALS = 8;

const NO_FILLS: Fill[] = Object.freeze([]) as unknown as Fill[];

function newSlot(side: QuoteSide, level: number, home: CoinState): Slot {
  return {
    ...newQueueState(),
    active: false,
    id: "",
    seq: 0,
    side,
    level,
    home,
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

/** Copies every field of `from` into `to` (an in-flight cancel's copy of its order). */
function copySlot(to: Slot, from: Slot): void {
  copyQueueState(to, from);
  to.active = from.active;
  to.id = from.id;
  to.seq = from.seq;
  to.side = from.side;
  to.level = from.level;
  to.home = from.home;
  to.px = from.px;
  to.sz = from.sz;
  to.leaves = from.leaves;
  to.tick = from.tick;
  to.liveAfterMs = from.liveAfterMs;
  to.goneAfterMs = from.goneAfterMs;
  to.placedMs = from.placedMs;
  to.placedDistance = from.placedDistance;
  to.want = from.want;
}

/** The shadow venue: a queue-position estimator over live market data. */
export class SimExchange implements Venue, PersistentVenue {
  /** Always "sim". */
  readonly kind = "sim" as const;
  /** The state file is the only record of its orders, positions and counters. */
  readonly persistence: PersistentVenue = this;
  /** Registrations, cancels (moves count one), fills (each partial counts one) and requests. */
  readonly stats: VenueStats = { placed: 0, cancels: 0, fills: 0, requests: 0 };
  /** Notional of the orders registered, USD (what live would pay priority fees on). */
  placedUsd = 0;
  /** The IP weight and address budgets, spent as live would spend them. */
  readonly governor: RequestGovernor;
  /** The pre-trade check every desired grid passes before it is recorded. */
  readonly preTrade: PreTradeGate;
  readonly #matcher: ShadowMatcher<Slot>;
  readonly #fees: FeeModel;
  readonly #szDecimals: Readonly<Record<string, number>>;
  readonly #requestCredit: Readonly<Record<string, number>>;
  readonly #idPrefix: string;
  readonly #latency: LatencyModel;
  /** Slot objects of expired in-flight cancels, for reuse (no allocation per cancel). */
  readonly #spareSlots: Slot[] = [];
  readonly #coins = new Map<string, CoinState>();
  readonly #scratch: Slot[] = [];
  /** The touch's move of the book being applied, per tick size (one reckoning per book). */
  readonly #moves = new TouchMoves();
  /** The displayed size at each resting order's price in the book being applied. */
  readonly #displayed: number[] = [];
  #fills: Fill[] = [];
  #nextSeq = 0;
  #rejects = 0;
  #staleBooks = 0;
  /** Latest market time of any book or trade, ms: the decision time of a quote made now. */
  #marketMs = -Infinity;
  /** The engine's clock at the latest commit, ms. */
  #decisionMs = 0;
  /** Coins whose desired quotes changed since the last batch, in the order they changed. */
  readonly #pending: CoinState[] = [];
  #nPending = 0;
  /**
   * The last commit found no protective cancel and was held back by the pace, and no coin's
   * wants changed since. Whether an order is a protective move does not depend on the time
   * (requote.ts: only an order outside its target distance gets the young bonus, and such an
   * order is not protective), and a fill only takes orders away: until the pace allows a batch,
   * a commit would decide the same nothing again.
   */
  #heldQuiet = false;
  // Scratch lists of one batch, used up to a count and never shrunk (no allocation or
  // reallocation per batch).
  readonly #toCancel: Slot[] = [];
  readonly #toCancelNow: Slot[] = [];
  readonly #toPlace: Slot[] = [];

  /** Creates the venue; throws naming a bad option. */
  constructor(options: SimExchangeOptions = {}) {
    const model = options.queueModel ?? "queue";
    this.#matcher = new ShadowMatcher<Slot>(
      typeof model === "string"
        ? createQueueModel({ model, priorityShare: 0, turnoverS: 0, requoteShare: 0 })
        : model,
      (slot, size, cause, timeMs) => this.#fill(slot, size, cause, timeMs),
    );
    this.#fees = options.fees ?? flatMakerFee();
    this.#szDecimals = options.szDecimals ?? {};
    this.#requestCredit = options.requestCredit ?? {};
    for (const [coin, decimals] of Object.entries(this.#szDecimals)) {
      if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
        throw new Error(`szDecimals for ${coin} is ${decimals}; expected an integer in 0..10`);
      }
    }
    this.#idPrefix = options.idPrefix ?? "shadow-";
    this.governor = shadowGovernor({ ...options.budget, now: () => this.#clock() });
    this.preTrade = new PreTradeGate({
      log: options.budget?.log ?? createLogger({ level: "error" }),
      tag: "[SHADOW]",
      // Quotes are set before their round's commit: the market's time is the later one then.
      now: () => Math.max(this.#clock(), this.#marketMs),
    });
    this.#latency = options.latency ?? constantLatency(0);
  }

  /** The fill rule in use. */
  get queueModel(): string {
    return this.#matcher.model.name;
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
    const refused = this.preTrade.screen(quotes, (side, level) => {
      const slot = side === "bid" ? c.bids[level] : c.asks[level];
      return slot.active ? slot.px * slot.leaves : 0;
    });
    for (let i = 0; i < GRID_LEVELS; i++) {
      const bidSz = refused & (1 << i) ? 0 : quotes.bidSz[i];
      const askSz = refused & (1 << (GRID_LEVELS + i)) ? 0 : quotes.askSz[i];
      this.#want(c, c.bids[i], quotes.bidPx[i], bidSz, quotes);
      this.#want(c, c.asks[i], quotes.askPx[i], askSz, quotes);
    }
    this.#markPending(c);
  }

  /** Withdraws every quote of one coin (cancelled at the next {@link commit}). */
  clearQuotes(coin: string): void {
    const c = this.#coins.get(coin);
    if (c === undefined) return;
    for (let i = 0; i < GRID_LEVELS; i++) {
      c.bids[i].want.sz = 0;
      c.asks[i].want.sz = 0;
    }
    this.#markPending(c);
  }

  #markPending(c: CoinState): void {
    this.#heldQuiet = false;
    if (c.pending) return;
    c.pending = true;
    this.#pending[this.#nPending++] = c;
  }

  #clearPending(): void {
    this.#heldQuiet = false;
    for (let p = 0; p < this.#nPending; p++) this.#pending[p].pending = false;
    this.#nPending = 0;
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
    const nPending = this.#nPending;
    if (nPending === 0) return;
    const now = this.#decisionMs;
    if (this.#heldQuiet && this.governor.batchDelayMs(now, BATCH_WEIGHT) > 0) return;
    this.#heldQuiet = false;
    const pending = this.#pending;
    const moved = this.#toCancel;
    const protective = this.#toCancelNow;
    let nMoved = 0;
    let nProtective = 0;
    for (let p = 0; p < nPending; p++) {
      const c = pending[p];
      const lot = 1 / c.lotScale;
      const slots = c.slots;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (!slot.active || keepsOrder(slot, slot.want, now, lot)) continue;
        moved[nMoved++] = slot;
        if (isProtectiveMove(slot, slot.want)) protective[nProtective++] = slot;
      }
    }
    const plan = planCancels(this.governor, now, nMoved, nProtective);
    const cancels = plan.cancelMoved ? moved : protective;
    const nCancels = plan.cancelMoved ? nMoved : nProtective;
    let weight = 0;
    if (nCancels > 0) {
      const cancelWeight = exchangeWeight(nCancels);
      // Shadow sends nothing: the weight is spent as live's cancel action would spend it.
      if (!this.governor.weight.tryConsume(cancelWeight, plan.priority)) return;
      weight += cancelWeight;
      for (let k = 0; k < nCancels; k++) this.#cancel(cancels[k]);
      this.#spend(nCancels);
    }
    // Not paced: only protective cancels went; the rest waits for a later commit.
    if (!plan.paced) {
      this.#heldQuiet = nCancels === 0;
      return;
    }
    const places = this.#toPlace;
    let nPlaces = 0;
    if (this.governor.address.mayPlace) {
      for (let p = 0; p < nPending; p++) {
        const slots = pending[p].slots;
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i];
          if (slot.active || !(slot.want.sz > 0)) continue;
          places[nPlaces++] = slot;
        }
      }
    }
    let placed = false;
    if (nPlaces > 0 && placingWaitMs(this.governor, nPlaces) === 0) {
      const placeWeight = exchangeWeight(nPlaces);
      this.governor.weight.tryConsume(placeWeight, "quote");
      weight += placeWeight;
      this.#spend(nPlaces);
      for (let k = 0; k < nPlaces; k++) this.#place(places[k], now);
      placed = true;
    }
    if (weight > 0) this.governor.recordBatch(now, weight);
    // Everything decided went out: nothing is left for a later commit.
    if (cancels === moved && (placed || nPlaces === 0)) this.#clearPending();
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
    const prev = c.book;
    c.book = book;
    if (book.timeMs > this.#marketMs) this.#marketMs = book.timeMs;
    this.#prune(c.bidsLeaving, book.timeMs);
    this.#prune(c.asksLeaving, book.timeMs);
    const matcher = this.#matcher;
    if (matcher.model.fillsOnCross) {
      const scratch = this.#scratch;
      let n = ordered(c.bids, c.bidsLeaving, book.timeMs, scratch);
      matcher.cross(scratch, n, book, book.timeMs);
      n = ordered(c.asks, c.asksLeaving, book.timeMs, scratch);
      matcher.cross(scratch, n, book, book.timeMs);
    }
    if (!matcher.model.tracksDepth) return;
    this.#moves.reset(prev, book);
    this.#depth(c.bids, c.bidsLeaving, "bid", book);
    this.#depth(c.asks, c.asksLeaving, "ask", book);
  }

  /** Moves the queue estimates of one side's resting orders (`slots`, `leaving`) with a new book. */
  #depth(slots: Slot[], leaving: Slot[], side: QuoteSide, book: BookSnapshot): void {
    const resting = this.#scratch;
    const n = ordered(slots, leaving, book.timeMs, resting);
    const displayed = this.#displayed;
    displayedAtEach(book, side, resting, n, displayed);
    for (let k = 0; k < n; k++) {
      const slot = resting[k];
      this.#matcher.depthAt(slot, displayed[k], book.timeMs, this.#moves.at(slot.tick));
    }
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
    this.#matcher.trade(this.#scratch, n, trade);
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
        const slot = c.slots[i];
        slot.want.sz = 0;
        if (slot.active) {
          this.#cancel(slot);
          n++;
        }
      }
    }
    this.#clearPending();
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
      for (const slot of c.slots) {
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
      const decimals = this.#szDecimals[coin] ?? DEFAULT_SZ_DECIMALS;
      c = {
        coin,
        bids: [],
        asks: [],
        slots: [],
        pending: false,
        book: null,
        lotScale: 10 ** decimals,
        position: 0,
        bidsLeaving: [],
        asksLeaving: [],
      };
      for (let i = 0; i < GRID_LEVELS; i++) c.bids.push(newSlot("bid", i, c));
      for (let i = 0; i < GRID_LEVELS; i++) c.asks.push(newSlot("ask", i, c));
      c.slots.push(...c.bids, ...c.asks);
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
  #place(slot: Slot, nowMs: number): void {
    const { px, sz, tick } = slot.want;
    if (this.#wouldCross(slot.home, slot.side, px, tick)) {
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
    slot.liveAfterMs = this.#marketMs + this.#latency.entryMs;
    this.#matcher.join(slot, slot.home.book);
    this.stats.placed++;
    this.placedUsd += px * sz;
  }

  #cancel(slot: Slot): void {
    if (!slot.active) return;
    if (this.#latency.cancelMs > 0) {
      // The order keeps filling until the exchange applies the cancel; the slot is free now.
      const c = slot.home;
      const leaving = this.#spareSlots.pop() ?? newSlot(slot.side, slot.level, c);
      copySlot(leaving, slot);
      leaving.goneAfterMs = this.#marketMs + this.#latency.cancelMs;
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
    // Shrinking an array is a runtime call: only when something left.
    if (kept < leaving.length) leaving.length = kept;
  }

  #wouldCross(c: CoinState, side: QuoteSide, px: number, tick: number): boolean {
    const book = c.book;
    if (book === null) return false;
    if (side === "bid") return book.asks.length > 0 && px >= book.asks[0].px - tick / 2;
    return book.bids.length > 0 && px <= book.bids[0].px + tick / 2;
  }

  #fill(slot: Slot, size: number, cause: FillCause, timeMs: number): void {
    const c = slot.home;
    const scale = c.lotScale;
    const sz = size >= slot.leaves ? slot.leaves : Math.floor(size * scale + 1e-9) / scale;
    if (sz <= 0) return;
    slot.leaves = sz === slot.leaves ? 0 : Math.round((slot.leaves - sz) * scale) / scale;
    if (slot.leaves <= 0) slot.active = false;
    const signed = slot.side === "bid" ? sz : -sz;
    c.position = Math.round((c.position + signed) * scale) / scale;
    this.stats.fills++;
    this.governor.address.earn(slot.px * sz, this.#requestCredit[c.coin]);
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

/**
 * The live venue (spec phase 9J): the desired grid becomes signed post-only (`Alo`) orders on
 * Hyperliquid, each with a client order id (cloid) so every outcome can be looked up.
 *
 * The rule it keeps: every order the account has resting is either tracked by a slot or being
 * cancelled, with retries, until `openOrders` confirms it is gone.
 *
 * - A resting order stays while {@link keepsOrder} says its desired price is within the
 *   requote tolerance and its size is unchanged; beyond that it is cancelled (by cloid) and
 *   replaced. Only confirmed cancels count.
 * - Orders go out in batches, one action in flight at a time; `setQuotes` never waits. Every
 *   order action carries `expiresAfter`: past it the exchange refuses the action, so an order
 *   whose outcome was not seen either rests by then (visible in `orderStatus`) or never will.
 * - An "unknown" outcome is never taken as placed or refused: the slot stays blocked until, after
 *   the action's expiry, `orderStatus` by cloid says what happened (all due slots at once, off the
 *   requote path).
 * - Fills are read from `userFillsByTime` (paged, dedup by tid). A fill that completes an order
 *   frees its slot, so the level is placed again. Polls failing in a row pull the quotes.
 * - The address-based request budget (`userRateLimit`, reference §7.2: 10,000 + 1 request per
 *   USDC traded; every order and cancel counts one) is read at start and every minute, and
 *   counted locally in between. Below a reserve, no order is placed (moved orders are cancelled,
 *   not replaced) until volume frees more: past the cap the exchange allows one action per 10 s.
 * - `cancelAll` and `reconcile` run one at a time. `cancelAll` cancels by the `openOrders`
 *   listing (any coin of the universe), never waits behind a flush, and retries with backoff
 *   until `openOrders` is empty; a slot is freed only when its order is confirmed gone.
 */
import type { CancelOutcome, ExchangeClient, OrderOutcome } from "../hyperliquid/exchange.ts";
import type { InfoClient, OpenOrder, UserFill, UserRateLimit } from "../hyperliquid/info.ts";
import type { AssetInfo, BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { cloidFromInt, floatToWire, roundSizeDown } from "../hyperliquid/wire.ts";
import type { Logger } from "../log.ts";
import { positionsAgree } from "../reconcile.ts";
import {
  type DesiredQuotes,
  type Fill,
  GRID_LEVELS,
  keepsOrder,
  type QuoteSide,
  type ReconcileReport,
  type Venue,
  type VenueStats,
} from "./venue.ts";

/** Options of {@link LiveExchange}. */
export interface LiveExchangeOptions {
  exchange: ExchangeClient;
  info: InfoClient;
  /** The account whose orders and positions these are. */
  user: string;
  /** The coins quoted. */
  assets: readonly AssetInfo[];
  /**
   * Every perp of the exchange (`metaAndAssetCtxs`), so orders on coins not quoted this run are
   * cancelled too. Defaults to `assets`.
   */
  universe?: readonly AssetInfo[];
  log: Logger;
  /** Wall clock, ms. */
  now?: () => number;
  /** How often fills are polled, ms (weight 20 each: 5 s uses 240 of the 1200/min budget). */
  fillPollMs?: number;
  /** Validity of an order action, ms: `expiresAfter` = now + this (default 5,000). */
  orderExpiryMs?: number;
  /** First delay between cancel-all rounds and status checks, ms; doubles up to `retryMaxMs`. */
  retryMs?: number;
  /** Longest delay between retries, ms (default 10,000). */
  retryMaxMs?: number;
  /** Fill polls failing in a row before the quotes are pulled (default 3). */
  maxFillPollFailures?: number;
  /** Fills from this exchange time on are this run's, ms (default: now). */
  fillsSinceMs?: number;
  /**
   * Address requests kept in reserve (default 1,000): below it no order is placed. Placing stops
   * well before the cap because the local count between reads is an estimate (other sessions of
   * the same address, refused actions the exchange may count), a full requote of 30 coins costs
   * about 360 requests (180 cancels and 180 orders), and past the cap the exchange allows only one
   * action per 10 s; cancels keep their own, larger allowance (min(cap + 100,000, 2 × cap)).
   */
  budgetReserve?: number;
  /**
   * Requests above the reserve before quoting resumes (default 500), so a few fills' worth of
   * volume (1 request per USDC) does not flip quoting on and off at the threshold.
   */
  budgetHysteresis?: number;
  /** How often `userRateLimit` is read, ms (default 60,000; weight 20 each). */
  budgetPollMs?: number;
}

/** The address-based request budget as this venue last knew it. */
export interface AddressBudget {
  /** Requests spent (the exchange's last count plus those sent since). */
  used: number;
  /** Requests allowed: `nRequestsCap` + `nRequestsSurplus`. */
  cap: number;
  /** `cap` − `used`. */
  left: number;
  /** True while placing is paused for lack of budget. */
  paused: boolean;
}

type SlotState = "empty" | "placing" | "resting" | "cancelling" | "unknown";

interface Slot {
  coin: string;
  asset: number;
  side: QuoteSide;
  level: number;
  state: SlotState;
  cloid: string;
  oid: number;
  px: number;
  /** Size of the order as placed, coin units. */
  sz: number;
  /** Size filled so far, coin units. */
  filled: number;
  /** When the last action on this order (place or cancel) expires at the exchange, ms. */
  expiresMs: number;
  /** Desired price and size from the latest grid (0 = no quote). */
  wantPx: number;
  wantSz: number;
  tolerance: number;
}

// Hyperliquid answers at most 2,000 fills per userFillsByTime request (info API docs).
const FILLS_PAGE = 2_000;
// Hyperliquid: the whole-request error of an address past its request cap (reference §4.7).
const REQUEST_CAP_PREFIX = "Too many cumulative requests sent";
// Fill sizes are whole lots of at least 1e-8 coin units (szDecimals ≤ 8).
const SIZE_EPSILON = 1e-9;
// How many times reconcile re-reads fills while the exchange's position and ours disagree.
const RECONCILE_FILL_CHECKS = 3;

/** The live venue: signed post-only orders with cloids, reconciled against the exchange. */
export class LiveExchange implements Venue {
  /** Always "live". */
  readonly kind = "live" as const;
  /** Orders placed, confirmed cancels (moves count one) and fills. */
  readonly stats: VenueStats = { placed: 0, cancels: 0, fills: 0 };
  readonly #ex: ExchangeClient;
  readonly #info: InfoClient;
  readonly #user: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #expiryMs: number;
  readonly #retryMs: number;
  readonly #retryMaxMs: number;
  readonly #maxPollFailures: number;
  readonly #slots = new Map<string, Slot[]>();
  readonly #all: Slot[] = [];
  readonly #byCloid = new Map<string, Slot>();
  readonly #byOid = new Map<number, Slot>();
  /** Grid level of every order that may still fill (resting, or gone without a confirmed cancel). */
  readonly #levelByOid = new Map<number, number>();
  readonly #szDecimals = new Map<string, number>();
  /** Asset id of every coin of the universe. */
  readonly #assetIndex = new Map<string, number>();
  /** Trade ids already booked, with their time: only those at the poll's start time are kept. */
  readonly #seenTids = new Map<number, number>();
  readonly #sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  #waiters: (() => void)[] = [];
  #fills: Fill[] = [];
  #inFlight: Promise<void> | null = null;
  #resolving: Promise<void> | null = null;
  #polling: Promise<void> | null = null;
  /** The last fill fetch queued (see #fetchFills). */
  #fetchTail: Promise<unknown> = Promise.resolve();
  #serial: Promise<unknown> = Promise.resolve();
  #exclusive = 0;
  #dirty = false;
  /** While above 0 (a cancel-all runs) no order is placed. */
  #holds = 0;
  /** Quotes pulled because fills cannot be read. */
  #pulled = false;
  #pollFailures = 0;
  #cloidCounter: bigint;
  #lastFillMs: number;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #resolveTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #postOnlyRejects = 0;
  #rejects = 0;
  readonly #budgetReserve: number;
  readonly #budgetHysteresis: number;
  #budgetTimer: ReturnType<typeof setInterval> | undefined;
  #budgetPolling: Promise<void> | null = null;
  /** Settles once the start-up budget read is done (either way): the first batch waits for it. */
  readonly #budgetRead: Promise<void>;
  /** Unknown (null) until the first read succeeds. */
  #budget: { used: number; cap: number } | null = null;
  #budgetLow = false;
  /** Orders and cancels sent by this venue, ever (one per item of each action). */
  #requestsSent = 0;

  /** Creates the venue; starts polling fills. */
  constructor(options: LiveExchangeOptions) {
    this.#ex = options.exchange;
    this.#info = options.info;
    this.#user = options.user;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#expiryMs = options.orderExpiryMs ?? 5_000;
    this.#retryMs = options.retryMs ?? 500;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#maxPollFailures = options.maxFillPollFailures ?? 3;
    this.#budgetReserve = nonNegative(options.budgetReserve ?? 1_000, "budgetReserve");
    this.#budgetHysteresis = nonNegative(options.budgetHysteresis ?? 500, "budgetHysteresis");
    // Cloids start at the start time in µs: unique across restarts of the same account.
    this.#cloidCounter = BigInt(this.#now()) * 1000n;
    this.#lastFillMs = options.fillsSinceMs ?? this.#now();
    for (const a of options.universe ?? options.assets) this.#assetIndex.set(a.name, a.assetIndex);
    for (const a of options.assets) {
      this.#szDecimals.set(a.name, a.szDecimals);
      this.#assetIndex.set(a.name, a.assetIndex);
      const slots: Slot[] = [];
      for (const side of ["bid", "ask"] as const) {
        for (let level = 0; level < GRID_LEVELS; level++) {
          slots.push({
            coin: a.name,
            asset: a.assetIndex,
            side,
            level,
            state: "empty",
            cloid: "",
            oid: 0,
            px: 0,
            sz: 0,
            filled: 0,
            expiresMs: 0,
            wantPx: 0,
            wantSz: 0,
            tolerance: 0,
          });
        }
      }
      this.#slots.set(a.name, slots);
      this.#all.push(...slots);
    }
    this.#pollTimer = setInterval(() => void this.#pollFills(), options.fillPollMs ?? 5_000);
    this.#budgetRead = this.#pollBudget();
    this.#budgetTimer = setInterval(() => void this.#pollBudget(), options.budgetPollMs ?? 60_000);
  }

  /** The address request budget as last read and counted since, or null before the first read. */
  get addressBudget(): AddressBudget | null {
    if (this.#budget === null) return null;
    const { used, cap } = this.#budget;
    return { used, cap, left: cap - used, paused: this.#budgetLow };
  }

  /** Orders refused because they would have crossed (post-only), and other refusals. */
  get rejects(): { postOnly: number; other: number } {
    return { postOnly: this.#postOnlyRejects, other: this.#rejects };
  }

  /** Records the desired grid; the orders follow in the next batch. */
  setQuotes(quotes: DesiredQuotes): void {
    const slots = this.#slots.get(quotes.coin);
    if (!slots) return;
    for (let l = 0; l < GRID_LEVELS; l++) {
      const tolerance = Math.max(quotes.requoteTolerance[l], quotes.tick);
      this.#want(slots[l], quotes.bidPx[l], quotes.bidSz[l], tolerance);
      this.#want(slots[GRID_LEVELS + l], quotes.askPx[l], quotes.askSz[l], tolerance);
    }
    this.#schedule();
  }

  /** Withdraws every quote of one coin. */
  clearQuotes(coin: string): void {
    const slots = this.#slots.get(coin);
    if (!slots) return;
    for (const slot of slots) this.#want(slot, 0, 0, slot.tolerance);
    this.#schedule();
  }

  /** Live fills come from the exchange, not from the public book. */
  onBook(_book: BookSnapshot): void {}

  /** Live fills come from the exchange, not from public trades. */
  onTrade(_trade: Trade): void {}

  /** Returns and clears the fills polled since the last call. */
  drainFills(): Fill[] {
    const fills = this.#fills;
    this.#fills = [];
    return fills;
  }

  /**
   * Cancels every open order of the account on any coin of the universe, tracked or not, and
   * retries with backoff (an error line each failed round) until `openOrders` is empty and no
   * order action can still land; then books the fills up to now. Places nothing meanwhile.
   * Resolves early only when the venue is closed.
   */
  cancelAll(reason: string): Promise<void> {
    // Placing stops now, even while an earlier cancel-all or reconcile still runs.
    this.#holds++;
    for (const s of this.#all) s.wantSz = 0;
    return this.#serialized(async () => {
      await this.#cancelUntilEmpty(reason);
      await this.#pollFills();
    }).finally(() => {
      this.#holds--;
      this.#notify();
    });
  }

  /**
   * One best-effort round for a forced exit: lists the open orders and cancels them by oid,
   * without retries. Never throws.
   */
  async cancelOpenOrdersOnce(): Promise<void> {
    try {
      const open = await this.#info.openOrders(this.#user);
      const cancels = this.#cancelsFor(open);
      this.#spend(cancels.length);
      await this.#ex.cancel(cancels);
    } catch (error) {
      this.#log.error(`[LIVE] last-resort cancel failed: ${(error as Error).message}`);
    }
  }

  /**
   * Compares the exchange's positions and orders with ours: fetches the fills not yet polled
   * (dark fills), reads positions, and cancels resting orders no slot tracks. Throws when an
   * untracked order could not be cancelled (the caller retries; quoting stays off).
   */
  reconcile(inventory: ReadonlyMap<string, number>): Promise<ReconcileReport> {
    return this.#serialized(async () => {
      const fetched = await this.#fetchFills();
      // Fills a poll brought in that the engine has not drained yet are part of this comparison
      // too: left behind, they would be booked again after the exchange's position was adopted.
      const darkFills = [...this.#fills.splice(0), ...fetched];
      try {
        const state = await this.#info.clearinghouseState(this.#user);
        const positions = new Map<string, number>();
        for (const p of state.positions) if (p.szi !== 0) positions.set(p.coin, p.szi);
        // The fill list can trail the position by a block: while they disagree, read the fills
        // again before the caller adopts the difference, or a late fill would be booked twice.
        for (let check = 0; check < RECONCILE_FILL_CHECKS; check++) {
          if (positionsAgree(inventory, darkFills, positions)) break;
          await this.#sleep(this.#retryMs);
          darkFills.push(...await this.#fetchFills());
        }
        const open = await this.#info.openOrders(this.#user);
        const orphans = open.filter((o) =>
          !(o.cloid && this.#byCloid.has(o.cloid)) && !this.#byOid.has(o.oid)
        );
        let cancelled = 0;
        if (orphans.length > 0) {
          this.#log.warn(`[LIVE] reconcile: ${orphans.length} untracked order(s) at the exchange`);
          const outcomes = await this.#cancelListed(orphans, "reconcile");
          cancelled = outcomes.filter((o) => o.kind === "success").length;
          const gone = cancelled + outcomes.filter((o) => o.kind === "missing").length;
          if (gone < orphans.length) {
            throw new Error(`${orphans.length - gone} untracked order(s) could not be cancelled`);
          }
        }
        return { positions, darkFills, orphanOrdersCancelled: cancelled };
      } catch (error) {
        // Fills fetched here are booked at the next drain rather than lost.
        for (const f of darkFills) this.#fills.push(f);
        throw error;
      }
    });
  }

  /**
   * Resolves once nothing is under way: no batch in flight or due, no status check pending, no
   * cancel-all or reconcile running, and no order whose outcome is still unknown.
   */
  async settled(): Promise<void> {
    while (!this.#closed && this.#busy()) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Stops polling and every retry (the caller cancels orders first). */
  close(): void {
    this.#closed = true;
    if (this.#pollTimer !== undefined) clearInterval(this.#pollTimer);
    if (this.#budgetTimer !== undefined) clearInterval(this.#budgetTimer);
    if (this.#resolveTimer !== undefined) clearTimeout(this.#resolveTimer);
    this.#pollTimer = this.#budgetTimer = this.#resolveTimer = undefined;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.#sleepers.clear();
    this.#notify();
  }

  #busy(): boolean {
    return this.#inFlight !== null || this.#resolving !== null || this.#exclusive > 0 ||
      this.#polling !== null || this.#budgetPolling !== null ||
      this.#all.some((s) => s.state === "unknown" || s.state === "placing");
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #serialized<T>(job: () => Promise<T>): Promise<T> {
    this.#exclusive++;
    const run = this.#serial.then(job);
    this.#serial = run.catch(() => {});
    return run.finally(() => {
      this.#exclusive--;
      this.#notify();
    });
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }

  #backoffMs(failures: number): number {
    return Math.min(this.#retryMaxMs, this.#retryMs * 2 ** Math.max(0, failures - 1));
  }

  async #cancelUntilEmpty(reason: string): Promise<void> {
    let failures = 0;
    // The orders we track go out at once, while openOrders lists everything else.
    const tracked = this.#all.filter((s) => s.state === "resting" && s.oid !== 0)
      .map((s) => ({ coin: s.coin, oid: s.oid }));
    let early = tracked.length > 0 ? this.#cancelListed(tracked, reason) : null;
    while (!this.#closed) {
      const askedMs = this.#now();
      let open: OpenOrder[];
      try {
        open = await this.#info.openOrders(this.#user);
      } catch (error) {
        failures++;
        this.#log.error(
          `[LIVE] cancel_all (${reason}): openOrders failed: ${(error as Error).message}; ` +
            `not quoting, retrying in ${this.#backoffMs(failures)} ms`,
        );
        await this.#sleep(this.#backoffMs(failures));
        continue;
      }
      if (early !== null) {
        await early;
        early = null;
        const sent = new Set(tracked.map((o) => o.oid));
        open = open.filter((o) => !sent.has(o.oid));
        // Listed before those cancels landed: the next listing tells what is left.
        if (open.length === 0) continue;
      }
      if (open.length === 0) {
        if (this.#settleAbsent(askedMs)) return;
        // An order action is still in flight or unexpired: it may yet land.
        await this.#sleep(this.#retryMs);
        continue;
      }
      this.#log.warn(`[LIVE] cancel_all (${reason}): ${open.length} open order(s)`);
      const outcomes = await this.#cancelListed(open, reason);
      if (outcomes.some((o) => o.kind === "rejected" || o.kind === "unknown")) {
        failures++;
        this.#log.error(
          `[LIVE] cancel_all (${reason}): orders may still rest; not quoting, retrying in ${
            this.#backoffMs(failures)
          } ms`,
        );
        await this.#sleep(this.#backoffMs(failures));
      }
    }
  }

  /**
   * `openOrders` asked at `askedMs` listed nothing: frees every slot whose order is therefore
   * gone. Returns false while an order action may still land (in flight, or unexpired).
   */
  #settleAbsent(askedMs: number): boolean {
    let pending = false;
    for (const s of this.#all) {
      if (s.state === "empty") continue;
      // An order that could still reach the exchange after the listing was taken (in flight, or
      // unknown or resting with an unexpired action) may be missing from it only because the
      // listing came first: list again rather than forget an order that may rest.
      if (
        s.state === "placing" ||
        ((s.state === "unknown" || s.state === "resting") && s.expiresMs >= askedMs)
      ) {
        pending = true;
        continue;
      }
      // Resting or being cancelled but not listed: filled or cancelled already.
      if (s.state === "cancelling") continue;
      this.#release(s);
    }
    return !pending && !this.#all.some((s) => s.state === "cancelling");
  }

  /** Cancels listed orders by oid; frees the slots of those confirmed gone; logs each failure. */
  async #cancelListed(
    open: readonly { coin: string; oid: number }[],
    reason: string,
  ): Promise<CancelOutcome[]> {
    const cancellable = open.filter((o) => this.#assetIndex.has(o.coin));
    for (const o of open) {
      if (!this.#assetIndex.has(o.coin)) {
        this.#log.error(
          `[LIVE] cancel_all (${reason}): order ${o.oid} on ${o.coin} cannot be cancelled: ` +
            "the coin is not in the exchange's universe",
        );
      }
    }
    let outcomes: CancelOutcome[];
    try {
      const cancels = this.#cancelsFor(cancellable);
      this.#spend(cancels.length);
      outcomes = await this.#ex.cancel(cancels);
    } catch (error) {
      outcomes = cancellable.map(() => ({ kind: "unknown", reason: (error as Error).message }));
    }
    outcomes.forEach((o, i) => {
      const order = cancellable[i];
      const slot = this.#byOid.get(order.oid);
      if (o.kind === "success" || o.kind === "missing") {
        if (o.kind === "success") {
          this.stats.cancels++;
          this.#levelByOid.delete(order.oid);
        }
        if (slot) this.#release(slot);
      } else {
        this.#log.error(
          `[LIVE] cancel of ${order.coin} order ${order.oid} (${reason}) ${o.kind}: ${
            o.kind === "rejected" ? o.message : o.reason
          }`,
        );
      }
    });
    return cancellable.length < open.length
      ? [...outcomes, { kind: "rejected", message: "coin not in the universe" }]
      : outcomes;
  }

  #cancelsFor(open: readonly { coin: string; oid: number }[]): { asset: number; oid: number }[] {
    const out: { asset: number; oid: number }[] = [];
    for (const o of open) {
      const asset = this.#assetIndex.get(o.coin);
      if (asset !== undefined) out.push({ asset, oid: o.oid });
    }
    return out;
  }

  #want(slot: Slot, px: number, sz: number, tolerance: number): void {
    slot.wantPx = sz > 0 ? px : 0;
    slot.wantSz = sz > 0 ? sz : 0;
    slot.tolerance = tolerance;
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#inFlight || this.#closed) return;
    this.#inFlight = this.#flush().catch((error) => {
      this.#log.error(`[LIVE] order batch failed: ${(error as Error).message}`);
    }).finally(() => {
      this.#inFlight = null;
      if (this.#dirty && !this.#closed) this.#schedule();
      this.#notify();
    });
  }

  /** One round: cancel what moved, place what is missing. */
  async #flush(): Promise<void> {
    this.#dirty = false;
    this.#armResolve();
    const pull = this.#pulled;
    const moved = this.#all.filter((s) =>
      s.state === "resting" &&
      (pull || s.wantSz === 0 || !keepsOrder(s.px, s.wantPx, s.tolerance) ||
        roundSizeDown(s.wantSz, this.#szDecimals.get(s.coin) ?? 0) !== s.sz)
    );
    if (moved.length > 0) await this.#cancelSlots(moved);

    if (this.#holds > 0 || this.#pulled || this.#closed) return;
    await this.#budgetRead;
    // Out of budget, or never read (an account may start near its cap): moved orders were
    // cancelled above, and nothing is placed until the budget is known to allow it.
    if (
      this.#budget === null || this.#budgetLow || this.#holds > 0 || this.#pulled || this.#closed
    ) return;
    const place = this.#all.filter((s) =>
      s.state === "empty" && s.wantSz > 0 &&
      roundSizeDown(s.wantSz, this.#szDecimals.get(s.coin) ?? 0) > 0
    );
    if (place.length === 0) return;
    const expiresMs = this.#now() + this.#expiryMs;
    const orders = place.map((s) => {
      s.state = "placing";
      s.cloid = cloidFromInt(++this.#cloidCounter);
      s.px = s.wantPx;
      s.sz = roundSizeDown(s.wantSz, this.#szDecimals.get(s.coin) ?? 0);
      s.filled = 0;
      s.expiresMs = expiresMs;
      this.#byCloid.set(s.cloid, s);
      return {
        asset: s.asset,
        isBuy: s.side === "bid",
        px: floatToWire(s.px),
        sz: floatToWire(s.sz),
        tif: "Alo" as const,
        cloid: s.cloid,
      };
    });
    let outcomes: OrderOutcome[];
    this.#spend(orders.length);
    try {
      outcomes = await this.#ex.placeOrders(orders, { expiresAfter: expiresMs });
    } catch (error) {
      // placeOrders turns every transport failure into outcomes; a throw comes from building
      // or signing the action, before anything was sent: nothing rests.
      this.#log.error(`[LIVE] orders not sent: ${(error as Error).message}`);
      for (const s of place) this.#release(s);
      return;
    }
    const refusals = new Map<string, number>();
    outcomes.forEach((o, i) => {
      this.#apply(place[i], o);
      if (o.kind === "rejected") refusals.set(o.message, (refusals.get(o.message) ?? 0) + 1);
    });
    // One line per distinct reason, not one per order (a refused batch is up to 6 per coin).
    for (const [message, n] of refusals) this.#log.warn(`[LIVE] ${n} order(s) refused: ${message}`);
    // The exchange says the budget is spent: read it now rather than at the next minute.
    if ([...refusals.keys()].some((m) => m.startsWith(REQUEST_CAP_PREFIX))) {
      void this.#pollBudget();
    }
    if (outcomes.some((o) => o.kind === "unknown")) this.#armResolve();
  }

  /** Cancels resting slots by cloid; frees those confirmed gone, checks the rest later. */
  async #cancelSlots(moved: Slot[]): Promise<void> {
    const expiresMs = this.#now() + this.#expiryMs;
    const cloids = moved.map((s) => {
      s.state = "cancelling";
      s.expiresMs = expiresMs;
      return s.cloid;
    });
    let outcomes: CancelOutcome[];
    this.#spend(moved.length);
    try {
      outcomes = await this.#ex.cancelByCloid(
        moved.map((s) => ({ asset: s.asset, cloid: s.cloid })),
        { expiresAfter: expiresMs },
      );
    } catch (error) {
      outcomes = moved.map(() => ({ kind: "unknown", reason: (error as Error).message }));
    }
    outcomes.forEach((o, i) => {
      const s = moved[i];
      // Freed meanwhile (filled, or confirmed gone by a cancel-all): nothing left to count.
      if (s.cloid !== cloids[i] || s.state !== "cancelling") return;
      if (o.kind === "success") {
        this.stats.cancels++;
        this.#levelByOid.delete(s.oid);
        this.#release(s);
      } else if (o.kind === "missing") {
        // Already filled or cancelled: the fill poll books a fill if there was one.
        this.#release(s);
      } else {
        this.#log.error(
          `[LIVE] cancel of ${s.coin} ${s.side} L${s.level + 1} ${o.kind}: ${
            o.kind === "rejected" ? o.message : o.reason
          }; will check its status`,
        );
        s.state = "unknown";
      }
    });
    this.#armResolve();
  }

  #apply(s: Slot, o: OrderOutcome): void {
    switch (o.kind) {
      case "resting":
        s.state = "resting";
        this.#track(s, o.oid);
        this.stats.placed++;
        break;
      case "filled":
        // Filled at once (should not happen with Alo): the fill poll books it.
        this.stats.placed++;
        this.#release(s);
        break;
      case "postOnlyRejected":
        this.#postOnlyRejects++;
        this.#release(s);
        break;
      case "rejected":
        this.#rejects++;
        this.#release(s);
        break;
      case "unknown":
        this.#log.warn(
          `[LIVE] ${s.coin} ${s.side} L${s.level + 1} outcome unknown (${o.reason}); ` +
            "will check its status once the action has expired",
        );
        s.state = "unknown";
        break;
    }
  }

  #track(s: Slot, oid: number): void {
    s.oid = oid;
    this.#byOid.set(oid, s);
    this.#levelByOid.set(oid, s.level);
  }

  /** Makes sure a status check runs when the earliest unknown order action has expired. */
  #armResolve(): void {
    if (this.#closed || this.#resolving || this.#resolveTimer !== undefined) return;
    let due = Infinity;
    for (const s of this.#all) if (s.state === "unknown") due = Math.min(due, s.expiresMs);
    if (due === Infinity) return;
    this.#resolveTimer = setTimeout(() => {
      this.#resolveTimer = undefined;
      this.#resolving = this.#resolveDue().finally(() => {
        this.#resolving = null;
        this.#armResolve();
        this.#schedule();
      });
    }, Math.max(0, due - this.#now() + 1));
  }

  /** Asks, all at once, what became of every unknown order whose action has expired. */
  async #resolveDue(): Promise<void> {
    const now = this.#now();
    const due = this.#all.filter((s) => s.state === "unknown" && s.expiresMs < now);
    let failed = false;
    await Promise.all(due.map(async (s) => {
      const cloid = s.cloid;
      try {
        const status = await this.#info.orderStatus(this.#user, cloid);
        if (s.cloid !== cloid || s.state !== "unknown") return;
        if (status.status === "order" && status.orderStatus === "open") {
          s.state = "resting";
          if (s.oid === 0) this.stats.placed++;
          this.#track(s, status.order.oid);
        } else {
          // An unsure cancel of a placed order that did go through counts as a cancel.
          if (s.oid !== 0 && status.status === "order" && status.orderStatus === "canceled") {
            this.stats.cancels++;
          }
          // Filled, cancelled or never placed: past its expiry the action can no longer land.
          this.#release(s);
        }
      } catch (error) {
        failed = true;
        this.#log.warn(`[LIVE] orderStatus ${cloid} failed: ${(error as Error).message}`);
      }
    }));
    if (failed) await this.#sleep(this.#retryMs);
  }

  #release(s: Slot): void {
    if (s.cloid) this.#byCloid.delete(s.cloid);
    if (s.oid && this.#byOid.get(s.oid) === s) this.#byOid.delete(s.oid);
    s.state = "empty";
    s.cloid = "";
    s.oid = 0;
    s.filled = 0;
  }

  /** Counts `n` orders or cancels sent against the address budget. */
  #spend(n: number): void {
    this.#requestsSent += n;
    if (this.#budget === null || n === 0) return;
    this.#budget.used += n;
    this.#checkBudget();
  }

  #pollBudget(): Promise<void> {
    this.#budgetPolling ??= this.#readBudget().finally(() => {
      this.#budgetPolling = null;
      this.#notify();
    });
    return this.#budgetPolling;
  }

  async #readBudget(): Promise<void> {
    const sentBefore = this.#requestsSent;
    let read: UserRateLimit;
    try {
      read = await this.#info.userRateLimit(this.#user);
    } catch (error) {
      this.#log.warn(
        `[LIVE] userRateLimit failed: ${(error as Error).message}; ` +
          (this.#budget === null
            ? "no order is placed until the address budget has been read"
            : "counting requests locally until the next read"),
      );
      return;
    }
    // Requests sent while the answer was on its way may not be in it: count them on top.
    this.#budget = {
      used: read.nRequestsUsed + (this.#requestsSent - sentBefore),
      cap: read.nRequestsCap + read.nRequestsSurplus,
    };
    this.#checkBudget();
  }

  /** Pauses placing below the reserve; resumes above the reserve plus the hysteresis. */
  #checkBudget(): void {
    if (this.#budget === null) return;
    const { used, cap } = this.#budget;
    const left = cap - used;
    if (!this.#budgetLow && left < this.#budgetReserve) {
      this.#budgetLow = true;
      this.#log.warn(
        `[LIVE] address budget low: ${Math.max(0, left)} requests left of ${cap}; ` +
          "quoting paused until volume frees more (1 request per USDC traded)",
      );
    } else if (this.#budgetLow && left >= this.#budgetReserve + this.#budgetHysteresis) {
      this.#budgetLow = false;
      this.#log.info(
        `[LIVE] address budget back to ${left} requests left of ${cap}: quoting resumes`,
      );
      this.#schedule();
    }
  }

  #pollFills(): Promise<void> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = null;
      this.#notify();
    });
    return this.#polling;
  }

  async #pollOnce(): Promise<void> {
    try {
      const fills = await this.#fetchFills();
      for (const f of fills) this.#fills.push(f);
      this.#pollFailures = 0;
      if (this.#pulled) {
        this.#pulled = false;
        this.#log.warn("[LIVE] fills readable again: quoting resumes");
        this.#schedule();
      }
    } catch (error) {
      this.#pollFailures++;
      this.#log.warn(
        `[LIVE] fill poll failed (${this.#pollFailures} in a row): ${(error as Error).message}`,
      );
      if (this.#pollFailures >= this.#maxPollFailures && !this.#pulled) {
        this.#pulled = true;
        this.#log.error(
          `[LIVE] fills unreadable ${this.#pollFailures} times in a row: quotes pulled until ` +
            "they can be read again",
        );
        this.#schedule();
      }
    }
  }

  /**
   * New fills of the account since the last one seen. Fetches run one at a time: two at once
   * (the timer's poll and a reconcile) would start from the same point, and the later one would
   * book the earlier one's fills again once their ids were pruned.
   */
  #fetchFills(): Promise<Fill[]> {
    const run = this.#fetchTail.then(() => this.#fetchNewFills());
    this.#fetchTail = run.catch(() => {});
    return run;
  }

  /** New fills since the last one seen, as venue fills (paged by time). */
  async #fetchNewFills(): Promise<Fill[]> {
    const out: Fill[] = [];
    for (;;) {
      const startMs = Math.floor(this.#lastFillMs);
      const raw = await this.#info.userFillsByTime(this.#user, startMs);
      for (const f of raw) {
        if (this.#seenTids.has(f.tid)) continue;
        this.#seenTids.set(f.tid, f.timeMs);
        if (f.timeMs > this.#lastFillMs) this.#lastFillMs = f.timeMs;
        out.push(this.#toFill(f));
        this.stats.fills++;
      }
      // The next query starts at the latest fill's time: older ids can never come back.
      for (const [tid, timeMs] of this.#seenTids) {
        if (timeMs < Math.floor(this.#lastFillMs)) this.#seenTids.delete(tid);
      }
      if (raw.length < FILLS_PAGE) return out;
      if (Math.floor(this.#lastFillMs) === startMs) {
        this.#log.warn(`[LIVE] ${raw.length} fills in one millisecond: some may be missed`);
        return out;
      }
    }
  }

  #toFill(f: UserFill): Fill {
    const level = this.#levelByOid.get(f.oid) ?? -1;
    const slot = this.#byOid.get(f.oid) ?? this.#byCloid.get(f.cloid ?? "");
    if (slot !== undefined && (slot.oid === f.oid || slot.oid === 0)) {
      slot.filled += f.sz;
      // Fully filled: the slot is free, so the level is placed again at the next batch.
      if (slot.filled >= slot.sz - SIZE_EPSILON) {
        this.#levelByOid.delete(f.oid);
        if (slot.state !== "placing") this.#release(slot);
        this.#schedule();
      }
    } else this.#levelByOid.delete(f.oid);
    return {
      coin: f.coin,
      side: f.side === "B" ? "bid" : "ask",
      level,
      px: f.px,
      sz: f.sz,
      timeMs: f.timeMs,
      feeUsd: f.fee,
      cause: "exchange",
      orderId: String(f.oid),
    };
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`LiveExchange: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

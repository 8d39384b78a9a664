/**
 * The live venue (README, "Live trading: start-up, errors, shutdown"): the desired grid becomes
 * signed post-only (`Alo`) orders on Hyperliquid, each with a client order id (cloid) so every
 * outcome can be looked up.
 *
 * The rule it keeps: every order the account has resting is either tracked by a slot or being
 * cancelled, with retries, until `openOrders` confirms it is gone.
 *
 * - The engine's changes of one tick ({@link setQuotes} … {@link commit}) go out as one batch:
 *   one cancel action, then one order action, for every coin at once. Batches are paced by the
 *   request governor (request_governor.ts): at most one per tick, and at a sustained weight
 *   that leaves the rest of the IP budget to reads and to cancel-all.
 * - A resting order stays while the requote rule (requote.ts) keeps it; beyond that it is
 *   cancelled (by cloid) and replaced. Only confirmed cancels count.
 * - Every order action carries `expiresAfter`: past it the exchange refuses the action, so an
 *   order whose outcome was not seen either rests by then (visible in `orderStatus`) or never
 *   will; unknown outcomes are resolved then (live_outcomes.ts).
 * - Fills and order states are pushed by the exchange (live_fill_feed.ts: `userFills`,
 *   `orderUpdates`, `userEvents`, each fill once); REST only catches up at start, after a
 *   reconnect and in reconcile. While the user stream is down the quotes are pulled.
 * - The address budget (address_budget.ts) is read with `userRateLimit` at start and every
 *   minute, and counted locally in between; below its reserve nothing is placed (moved orders
 *   are cancelled, not replaced).
 * - `cancelAll` and `reconcile` run one at a time, with `safety` priority
 *   (live_cancel_all.ts, live_reconcile.ts); a slot is freed only when its order is confirmed
 *   gone.
 *
 * Longer than 400 lines because {@link LiveExchange} is one state machine over the slots: the
 * batch timer, the fill feed's events, cancel-all holds and the start-up and close sequence all
 * change the same private state (holds, pulled quotes, in-flight batch, waiters); the parts that
 * need none of it live in the live_*.ts files beside it (order actions in live_orders.ts).
 */
import { othersBook, type OwnOrder } from "./others_book.ts";
import type { ExchangeClient } from "../hyperliquid/exchange.ts";
import type { InfoClient } from "../hyperliquid/info.ts";
import type { UserFill } from "../hyperliquid/info_answers.ts";
import type { AssetInfo, BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { UnknownStatuses } from "../hyperliquid/order_status.ts";
import { roundSizeDown } from "../hyperliquid/wire.ts";
import { exchangeWeight } from "../hyperliquid/weight_budget.ts";
import type { LedgerInput } from "../ledger/deferred_ledger.ts";
import type { Logger } from "../log.ts";
import { AddressBudget, type AddressBudgetView } from "./address_budget.ts";
import {
  BATCH_WEIGHT,
  isProtective,
  isProtectiveMove,
  placingWaitMs,
  planCancels,
} from "./batch_plan.ts";
import { cancelsFor, cancelUntilEmpty } from "./live_cancel_all.ts";
import { reconcileAccount } from "./live_reconcile.ts";
import { BudgetReader } from "./live_budget_read.ts";
import { LiveOrders, SIZE_EPSILON } from "./live_orders.ts";
import type { LiveContext } from "./live_context.ts";
import { type FillFeed, type FillFeedHandlers, venueFillOf } from "./live_fill_source.ts";
import { nextExpiry, resolveExpired } from "./live_outcomes.ts";
import { type LiveSlot, LiveSlots } from "./live_slots.ts";
import { PreTradeGate } from "./pre_trade_gate.ts";
import { keepsOrder } from "./requote.ts";
import { RequestGovernor } from "./request_governor.ts";
import {
  type DesiredQuotes,
  type Fill,
  GRID_LEVELS,
  type ReconcileReport,
  type Venue,
  type VenueLifecycle,
  type VenueStats,
} from "./venue.ts";
import { backoffDelayMs } from "../util/backoff.ts";
import { errorMessage } from "../util/errors.ts";

export type { AddressBudgetView as AddressBudget } from "./address_budget.ts";

/** Options of {@link LiveExchange}. */
export interface LiveExchangeOptions {
  exchange: ExchangeClient;
  /** Info client (its weight budget must be the exchange client's: one IP, one budget). */
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
  /**
   * The account's fills and order states (live_fill_feed.ts over the user WebSocket); called
   * once with the venue's handlers.
   */
  fillFeed: (handlers: FillFeedHandlers) => FillFeed;
  /** Wall clock, ms. */
  now?: () => number;
  /** Validity of an order action, ms: `expiresAfter` = now + this (default 5,000). */
  orderExpiryMs?: number;
  /** First delay between cancel-all rounds and status checks, ms; doubles up to `retryMaxMs`. */
  retryMs?: number;
  /** Longest delay between retries, ms (default 10,000). */
  retryMaxMs?: number;
  /** Address requests kept in reserve (default 1,000): below it no order is placed. */
  budgetReserve?: number;
  /** Requests above the reserve before quoting resumes (default 500). */
  budgetHysteresis?: number;
  /** How often `userRateLimit` is read, ms (default 60,000; weight 20 each). */
  budgetPollMs?: number;
  /** Shortest time between two requote batches, ms (default 100: the engine's tick). */
  batchIntervalMs?: number;
  /**
   * The ledger of predicted against real fills (engine/ledger/): every order confirmed resting
   * gets shadow twins fed with the books and prints the engine feeds this venue.
   */
  ledger?: LedgerInput;
  /** Priority rate of every order action, 1e-8 of notional (default 0: none; MM_PRIORITY_RATE). */
  priorityRate?: number;
  /** Send cancels as fast cancels (`f: true`; default false here, MM_FAST_CANCEL in runs). */
  fastCancel?: boolean;
}

/** The live venue: signed post-only orders with cloids, reconciled against the exchange. */
export class LiveExchange implements Venue, VenueLifecycle {
  /** Always "live". */
  readonly kind = "live" as const;
  /** Orders rest at the exchange: held orders, settling and closing are this venue's own. */
  readonly lifecycle: VenueLifecycle = this;
  /** Orders placed, confirmed cancels (moves count one), fills and requests sent. */
  readonly stats: VenueStats = { placed: 0, cancels: 0, fills: 0, requests: 0 };
  /** The IP weight budget (shared with the clients) and the address budget. */
  readonly governor: RequestGovernor;
  /** The pre-trade check every desired grid passes before it is recorded. */
  readonly preTrade: PreTradeGate;
  readonly #ex: ExchangeClient;
  readonly #info: InfoClient;
  readonly #user: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #retryMs: number;
  readonly #retryMaxMs: number;
  readonly #slots: LiveSlots;
  /** One coin's orders that may rest in its book, for {@link othersBook} (one per slot). */
  readonly #ownScratch: OwnOrder[] = Array.from(
    { length: 2 * GRID_LEVELS },
    (): OwnOrder => ({ side: "bid", px: 0, sz: 0 }),
  );
  /** Address requests earned per USDC traded, by coin (growth-mode markets earn a tenth). */
  readonly #requestCredit = new Map<string, number>();
  readonly #ctx: LiveContext;
  readonly #feed: FillFeed;
  readonly #ledger: LedgerInput | undefined;
  readonly #sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  #waiters: (() => void)[] = [];
  #fills: Fill[] = [];
  #inFlight: Promise<void> | null = null;
  #batchTimer: ReturnType<typeof setTimeout> | undefined;
  #resolving: Promise<void> | null = null;
  #serial: Promise<unknown> = Promise.resolve();
  #exclusive = 0;
  #dirty = false;
  /** While above 0 (a cancel-all runs) no order is placed. */
  #holds = 0;
  /** Quotes pulled because the account's fills cannot be followed (until the feed is up). */
  #pulled = true;
  /** True until the start-up reads are done: the first batch waits for them. */
  #starting = true;
  /** True once the start-up reads are done (see {@link settled}). */
  #started = false;
  readonly #orders: LiveOrders;
  #resolveTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #budgetTimer: ReturnType<typeof setInterval> | undefined;
  readonly #budgetReader: BudgetReader;
  /** Settles once the start-up budget read is done (either way): the first batch waits for it. */
  readonly #budgetRead: Promise<void>;
  /** Settles once the fill feed's first catch-up is done. */
  readonly #feedStarted: Promise<void>;

  /** Creates the venue; starts the fill feed and the budget reads. */
  constructor(options: LiveExchangeOptions) {
    this.#ex = options.exchange;
    this.#info = options.info.withPriority("safety");
    this.#user = options.user;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#retryMs = options.retryMs ?? 500;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.governor = new RequestGovernor({
      weight: options.info.budget,
      address: new AddressBudget({
        reserve: options.budgetReserve,
        hysteresis: options.budgetHysteresis,
        log: options.log,
        tag: "[LIVE]",
        onResume: () => this.#schedule(),
      }),
      minIntervalMs: options.batchIntervalMs ?? 100,
    });
    this.#budgetReader = new BudgetReader(
      this.governor.address,
      this.#user,
      this.#log,
      () => this.#notify(),
    );
    this.preTrade = new PreTradeGate({ log: this.#log, tag: "[LIVE]", now: this.#now });
    const assetIndex = new Map<string, number>();
    for (const a of options.universe ?? options.assets) assetIndex.set(a.name, a.assetIndex);
    for (const a of options.assets) assetIndex.set(a.name, a.assetIndex);
    for (const a of [...(options.universe ?? []), ...options.assets]) {
      if (a.requestCredit !== undefined) this.#requestCredit.set(a.name, a.requestCredit);
    }
    const ledger = options.ledger;
    this.#ledger = ledger;
    this.#slots = new LiveSlots(
      options.assets,
      ledger && {
        resting: (s) =>
          ledger.opened({
            oid: s.oid,
            coin: s.coin,
            side: s.side,
            level: s.level,
            px: s.px,
            sz: s.sz,
            tick: s.want.tick,
            sentMs: s.placedMs,
            filled: s.filled,
            szDecimals: s.szDecimals,
          }),
        gone: (_s, oid) => ledger.ended(oid),
      },
    );
    this.#ctx = {
      exchange: this.#ex,
      info: this.#info,
      user: this.#user,
      slots: this.#slots,
      assetIndex,
      fastCancel: options.fastCancel ?? false,
      log: this.#log,
      unknownStatuses: new UnknownStatuses(this.#log),
      stats: this.stats,
      retryMs: this.#retryMs,
      now: () => this.#now(),
      sleep: (ms) => this.#sleep(ms),
      isClosed: () => this.#closed,
      backoffMs: (failures) => this.#backoffMs(failures),
      spend: (n) => this.#spend(n),
      cancelSent: (oid) => this.#ledger?.cancelSent(oid),
    };
    this.#orders = new LiveOrders({
      ctx: this.#ctx,
      expiryMs: options.orderExpiryMs ?? 5_000,
      priorityRate: options.priorityRate ?? 0,
      hooks: {
        schedule: () => this.#schedule(),
        armResolve: () => this.#armResolve(),
        budgetSpent: () => {
          this.governor.address.exhausted();
          void this.#budgetReader.poll(this.#info);
        },
      },
    });
    this.#feed = options.fillFeed({
      onFills: (fills) => this.#onFills(fills),
      onOrderGone: (oid, status) => this.#onOrderGone(oid, status),
      onHealth: (healthy, reason) => this.#onFeedHealth(healthy, reason),
    });
    this.#feedStarted = this.#feed.start().catch((error) => {
      this.#log.error(`[LIVE] fill feed did not start: ${errorMessage(error)}`);
    });
    const routineInfo = options.info.withPriority("routine");
    this.#budgetRead = this.#budgetReader.poll(routineInfo);
    void Promise.all([this.#budgetRead, this.#feedStarted]).then(() => {
      this.#started = true;
      this.#notify();
    });
    this.#budgetTimer = setInterval(
      () => void this.#budgetReader.poll(routineInfo),
      options.budgetPollMs ?? 60_000,
    );
  }

  /** The address request budget as last read and counted since, or null before the first read. */
  get addressBudget(): AddressBudgetView | null {
    return this.governor.address.view();
  }

  /** Orders refused because they would have crossed (post-only), and other refusals. */
  get rejects(): { postOnly: number; other: number } {
    return { postOnly: this.#orders.postOnlyRejects, other: this.#orders.rejects };
  }

  /** Notional of the orders placed, USD (priority fees are charged on it). */
  get placedUsd(): number {
    return this.#orders.placedUsd;
  }

  /** Records the desired grid; the orders follow in the next batch ({@link commit}). */
  setQuotes(quotes: DesiredQuotes): void {
    const slots = this.#slots.of(quotes.coin);
    if (!slots) return;
    const refused = this.preTrade.screen(quotes, (side, level) => {
      const s = slots[side === "bid" ? level : GRID_LEVELS + level];
      // Any order the exchange may hold can still fill, whatever its slot's state.
      return s.state === "empty" ? 0 : s.px * Math.max(0, s.sz - s.filled);
    });
    for (let l = 0; l < GRID_LEVELS; l++) {
      const bidSz = refused & (1 << l) ? 0 : quotes.bidSz[l];
      const askSz = refused & (1 << (GRID_LEVELS + l)) ? 0 : quotes.askSz[l];
      want(slots[l], quotes.bidPx[l], bidSz, quotes);
      want(slots[GRID_LEVELS + l], quotes.askPx[l], askSz, quotes);
    }
    this.#dirty = true;
  }

  /** Withdraws every quote of one coin (cancelled in the next batch). */
  clearQuotes(coin: string): void {
    const slots = this.#slots.of(coin);
    if (!slots) return;
    for (const slot of slots) slot.want.sz = 0;
    this.#dirty = true;
  }

  /** Sends the changes recorded since the last batch, as soon as the governor allows (wall clock). */
  commit(_nowMs: number): void {
    if (this.#dirty) this.#schedule();
  }

  /**
   * `book` without this account's orders that may rest in it (resting, being cancelled, or of
   * unknown outcome; others_book.ts says why the engine must not price off its own orders).
   */
  othersBook(book: BookSnapshot): BookSnapshot {
    const slots = this.#slots.of(book.coin);
    if (!slots) return book;
    // Reused on every book: no allocation unless an order of ours is in it.
    const own = this.#ownScratch;
    let n = 0;
    for (const slot of slots) {
      if (slot.state === "resting" || slot.state === "cancelling" || slot.state === "unknown") {
        const o = own[n++];
        o.side = slot.side;
        o.px = slot.px;
        o.sz = slot.sz - slot.filled;
      }
    }
    return othersBook(book, own, n);
  }

  /** Live fills come from the exchange; the book goes to the ledger's twins. */
  onBook(book: BookSnapshot): void {
    this.#ledger?.onBook(book);
  }

  /** Live fills come from the exchange; the print goes to the ledger's twins. */
  onTrade(trade: Trade): void {
    this.#ledger?.onTrade(trade);
  }

  /** Returns and clears the fills received since the last call. */
  drainFills(): Fill[] {
    const fills = this.#fills;
    this.#fills = [];
    return fills;
  }

  /**
   * Cancels every open order of the account on any coin of the universe, tracked or not, and
   * retries with backoff (an error line each failed round) until `openOrders` is empty and no
   * order action can still land; then catches up on fills. Places nothing meanwhile. Resolves
   * early only when the venue is closed.
   */
  cancelAll(reason: string): Promise<void> {
    // Placing stops now, even while an earlier cancel-all or reconcile still runs.
    this.#holds++;
    for (const s of this.#slots.all) s.want.sz = 0;
    return this.#serialized(async () => {
      await cancelUntilEmpty(this.#ctx, reason);
      await this.#feed.catchUp().catch((error) =>
        this.#log.warn(`[LIVE] fill catch-up after cancel_all failed: ${errorMessage(error)}`)
      );
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
      const cancels = cancelsFor(this.#ctx, open);
      this.#spend(cancels.length);
      await this.#ex.cancel(cancels, { priority: "safety", fast: this.#ctx.fastCancel });
    } catch (error) {
      this.#log.error(`[LIVE] last-resort cancel failed: ${errorMessage(error)}`);
    }
  }

  /**
   * The orders this venue keeps track of (oids, and cloids of orders not acked yet): any other
   * order resting on the account is unknown to it. For operators (status.json, tools/soak.ts).
   */
  heldOrders(): { oids: number[]; cloids: string[] } {
    return this.#slots.held();
  }

  /**
   * Compares the exchange's positions and orders with ours: catches up on fills missed (dark
   * fills), reads positions, and cancels resting orders no slot tracks. Throws when an
   * untracked order could not be cancelled (the caller retries; quoting stays off).
   */
  reconcile(inventory: ReadonlyMap<string, number>): Promise<ReconcileReport> {
    return this.#serialized(() =>
      reconcileAccount(this.#ctx, this.#feed, () => this.#fills, inventory)
    );
  }

  /**
   * Resolves once nothing is under way: start-up reads done, no batch in flight or due, no
   * status check pending, no cancel-all or reconcile running, and no order whose outcome is
   * still unknown.
   */
  async settled(): Promise<void> {
    while (!this.#closed && this.#busy()) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Stops the fill feed and every retry (the caller cancels orders first). */
  close(): void {
    this.#closed = true;
    this.#feed.close();
    clearInterval(this.#budgetTimer);
    clearTimeout(this.#resolveTimer);
    clearTimeout(this.#batchTimer);
    this.#budgetTimer = this.#resolveTimer = this.#batchTimer = undefined;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.#sleepers.clear();
    this.#notify();
  }

  #busy(): boolean {
    return !this.#started || this.#inFlight !== null || this.#batchTimer !== undefined ||
      this.#resolving !== null || this.#exclusive > 0 || this.#budgetReader.busy ||
      this.#slots.all.some((s) => s.state === "unknown" || s.state === "placing");
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
    const backoff = { initialMs: this.#retryMs, maxMs: this.#retryMaxMs, jitter: 0 };
    return backoffDelayMs(failures, backoff, 0);
  }

  /** Starts a batch now, or arms the timer for when the governor allows one. */
  #schedule(): void {
    this.#dirty = true;
    if (this.#inFlight || this.#closed) return;
    // Protective cancels (quotes pulled or withdrawn, orders the market moved toward) go out at
    // once with safety priority; only placing and ordinary moves wait for the pace.
    const now = this.#now();
    const urgent = this.#slots.all.some((s) => this.#isProtective(s, now));
    if (urgent && this.#batchTimer !== undefined) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = undefined;
    }
    if (this.#batchTimer !== undefined) return;
    const delay = urgent ? 0 : this.governor.batchDelayMs(now, BATCH_WEIGHT);
    if (delay > 0) {
      this.#batchTimer = setTimeout(() => {
        this.#batchTimer = undefined;
        this.#schedule();
      }, delay);
      return;
    }
    this.#inFlight = this.#batch().catch((error) => {
      this.#log.error(`[LIVE] order batch failed: ${errorMessage(error)}`);
    }).finally(() => {
      this.#inFlight = null;
      if (this.#dirty && !this.#closed) this.#schedule();
      this.#notify();
    });
  }

  /** One batch: one cancel action for what moved, then one order action for what is missing. */
  async #batch(): Promise<void> {
    this.#dirty = false;
    this.#armResolve();
    const now = this.#now();
    const pull = this.#pulled;
    const all = this.#slots.all.filter((s) =>
      s.state === "resting" && (pull || !keepsOrder(s, s.want, now, s.lot))
    );
    const protective = all.filter((s) => pull || isProtectiveMove(s, s.want));
    const plan = planCancels(this.governor, now, all.length, protective.length);
    const moved = plan.cancelMoved ? all : protective;
    let weight = 0;
    if (moved.length > 0) {
      weight += exchangeWeight(moved.length);
      await this.#orders.cancel(moved, plan.priority);
    }
    if (!plan.paced) {
      // Only protective cancels went: the rest waits for the pace.
      this.#dirty = true;
      return;
    }
    const place = await this.#placeable();
    if (place.length > 0) {
      // A large batch weighs more than the pace assumed (1 + n / 40), and protective cancels
      // may have spent weight meanwhile: send only what fits, never a request to be refused.
      const wait = placingWaitMs(this.governor, place.length);
      if (wait > 0) {
        this.#retryAfter(wait);
      } else {
        weight += exchangeWeight(place.length);
        await this.#orders.place(place);
      }
    }
    if (weight > 0) this.governor.recordBatch(now, weight);
  }

  /**
   * Whether a resting order must go whatever the pace: every order while quotes are pulled, an
   * order whose level is withdrawn, and one the market moved toward beyond its room.
   */
  #isProtective(s: LiveSlot, nowMs: number): boolean {
    if (s.state !== "resting") return false;
    return this.#pulled || isProtective(s, s.want, nowMs, s.lot);
  }

  /** Runs the next batch once `ms` have passed (the weight window makes room). */
  #retryAfter(ms: number): void {
    this.#dirty = true;
    if (this.#batchTimer !== undefined || this.#closed) return;
    this.#batchTimer = setTimeout(() => {
      this.#batchTimer = undefined;
      this.#schedule();
    }, ms);
  }

  #mayPlace(): boolean {
    return this.#holds === 0 && !this.#pulled && !this.#closed;
  }

  /**
   * The empty slots to place, once the start-up reads are done (budget read, fills caught up)
   * and while nothing holds placing back.
   */
  async #placeable(): Promise<LiveSlot[]> {
    if (!this.#mayPlace() && !this.#starting) return [];
    await Promise.all([this.#budgetRead, this.#feedStarted]);
    this.#starting = false;
    // Out of budget, or never read (an account may start near its cap): moved orders were
    // cancelled, and nothing is placed until the budget is known to allow it.
    if (!this.governor.address.mayPlace || !this.#mayPlace()) return [];
    return this.#slots.all.filter((s) =>
      s.state === "empty" && s.want.sz > 0 && roundSizeDown(s.want.sz, s.szDecimals) > 0
    );
  }

  /** Makes sure a status check runs when the earliest unknown order action has expired. */
  #armResolve(): void {
    if (this.#closed || this.#resolving || this.#resolveTimer !== undefined) return;
    const due = nextExpiry(this.#ctx);
    if (due === Infinity) return;
    this.#resolveTimer = setTimeout(() => {
      this.#resolveTimer = undefined;
      this.#resolving = resolveExpired(this.#ctx).then(async (answered) => {
        if (!answered) await this.#sleep(this.#retryMs);
      }).finally(() => {
        this.#resolving = null;
        this.#armResolve();
        this.#schedule();
      });
    }, Math.max(0, due - this.#now() + 1));
  }

  /** Counts `n` orders or cancels sent against the address budget. */
  #spend(n: number): void {
    this.stats.requests += n;
    this.governor.address.spend(n);
  }

  /** The fill feed went down (pull the quotes) or caught up after coming back (quote again). */
  #onFeedHealth(healthy: boolean, reason: string): void {
    this.#ledger?.feedHealth(healthy);
    if (healthy === !this.#pulled) return;
    this.#pulled = !healthy;
    if (healthy) this.#log.info(`[LIVE] account fills followed again (${reason}): quoting`);
    else {
      this.#log.error(
        `[LIVE] account fills cannot be followed (${reason}): quotes pulled until they can`,
      );
    }
    this.#schedule();
  }

  /** New fills of the account (each exactly once), as venue fills. */
  #onFills(fills: readonly UserFill[]): void {
    for (const f of fills) {
      // Before the fill frees its slot: the ledger books it on the open order.
      this.#ledger?.realFill(f.oid, f.sz, f.timeMs, f.tid);
      this.stats.fills++;
      this.governor.address.earn(f.px * f.sz, this.#requestCredit.get(f.coin));
      this.#fills.push(this.#toFill(f));
    }
  }

  /** The exchange ended an order without a fill of ours (cancelled by it, or by us). */
  #onOrderGone(oid: number, status: string): void {
    const slot = this.#slots.find(oid);
    if (slot === undefined) {
      // Possibly an order whose placing answer is still on its way: remembered for its answer.
      if (this.#slots.all.some((s) => s.state === "placing")) {
        this.#orders.goneEarly(oid);
      }
      return;
    }
    // The exchange says it is gone: its twins end now, even while our cancel's answer is unclear.
    this.#ledger?.ended(oid);
    if (slot.state !== "resting") return;
    // Our own cancels are answered on their own path; anyone else's is news.
    if (status === "canceled") this.#log.debug(`[LIVE] ${slot.coin} order ${oid} canceled`);
    else this.#log.warn(`[LIVE] ${slot.coin} order ${oid} ended by the exchange: ${status}`);
    this.#slots.forgetLevel(oid);
    this.#slots.release(slot);
    this.#schedule();
  }

  #toFill(f: UserFill): Fill {
    const slot = this.#slots.find(f.oid, f.cloid);
    // Found by cloid before its placing answer came back, the slot knows the level.
    const level = slot !== undefined ? slot.level : this.#slots.levelOf(f.oid);
    if (slot !== undefined) {
      slot.filled += f.sz;
      // Fully filled: the slot is free, so the level is placed again at the next batch.
      if (slot.filled >= slot.sz - SIZE_EPSILON) {
        this.#slots.forgetLevel(f.oid);
        if (slot.state !== "placing") this.#slots.release(slot);
        this.#schedule();
      }
    } else this.#slots.forgetLevel(f.oid);
    return venueFillOf(f, level);
  }
}

/** Records one level's desired quote in its slot. */
function want(slot: LiveSlot, px: number, sz: number, quotes: DesiredQuotes): void {
  const w = slot.want;
  w.px = sz > 0 ? px : 0;
  w.sz = sz > 0 ? sz : 0;
  w.mid = quotes.mid;
  w.tick = quotes.tick;
  w.share = quotes.requoteShare;
  w.minRestMs = quotes.minRestMs;
}

/**
 * Order actions of the live venue: one signed order action for the slots to place and one
 * cancel action (by cloid) for the slots to move, each outcome applied to its slot. The venue
 * (live.ts) decides when a batch goes and what it holds; this file sends it and reads what
 * became of every order.
 */
import type { CancelOutcome, OrderOutcome } from "../hyperliquid/exchange_outcomes.ts";
import { STALE_ACTION_COST } from "../hyperliquid/exchange_facts.ts";
import { CloidSource } from "../hyperliquid/cloid_source.ts";
import type { RequestPriority } from "../hyperliquid/weight_budget.ts";
import { floatToWire, roundSizeDown } from "../hyperliquid/wire.ts";
import { isStaleActionRefusal } from "./address_budget.ts";
import type { LiveContext } from "./live_context.ts";
import type { LiveSlot } from "./live_slots.ts";
import { targetDistance } from "./requote.ts";
import { errorMessage } from "../util/errors.ts";

// Hyperliquid: the whole-request error of an address past its request cap
// (engine/hyperliquid/README.md § Exchange actions).
const REQUEST_CAP_PREFIX = "Too many cumulative requests sent";
// exchange_outcomes.ts: a request the weight budget kept from being sent.
const NOT_SENT_PREFIX = "not sent:";
/** Fill sizes are whole lots of at least 1e-8 coin units (szDecimals ≤ 8): a smaller rest is none. */
export const SIZE_EPSILON = 1e-9;
// Order ids the exchange ended before their placing answer arrived, kept for that answer; a
// batch holds at most 6 orders per coin of at most 64 coins.
const GONE_EARLY_MAX = 384;

/** What the order actions ask of the venue. */
export interface LiveOrderHooks {
  /** A batch is due (a slot was freed). */
  schedule(): void;
  /** An outcome is unknown: its status is checked once the action has expired. */
  armResolve(): void;
  /** The exchange says the address budget is spent: pause placing and read the budget now. */
  budgetSpent(): void;
}

/** Options of {@link LiveOrders}. */
export interface LiveOrdersOptions {
  ctx: LiveContext;
  /** Validity of an order action, ms: `expiresAfter` = now + this. */
  expiryMs: number;
  /** Priority rate of every order action, 1e-8 of notional (0: none). */
  priorityRate: number;
  hooks: LiveOrderHooks;
}

/** Sends the live venue's order and cancel actions and applies their outcomes to the slots. */
export class LiveOrders {
  /** Notional of the orders placed, USD (priority fees are charged on it). */
  placedUsd = 0;
  /** Orders refused because they would have crossed (post-only). */
  postOnlyRejects = 0;
  /** Orders refused for any other reason. */
  rejects = 0;
  readonly #ctx: LiveContext;
  readonly #expiryMs: number;
  readonly #priorityRate: number;
  readonly #hooks: LiveOrderHooks;
  /** This run's cloids: a random prefix and a counter (see cloid_source.ts). */
  readonly #cloids = new CloidSource();
  readonly #goneEarly = new Set<number>();

  /** Creates the sender; it sends nothing until asked. */
  constructor(options: LiveOrdersOptions) {
    this.#ctx = options.ctx;
    this.#expiryMs = options.expiryMs;
    this.#priorityRate = options.priorityRate;
    this.#hooks = options.hooks;
  }

  /**
   * Remembers an order the exchange ended while no slot tracks it yet (its placing answer may
   * still be on its way), so that answer frees its slot.
   */
  goneEarly(oid: number): void {
    this.#goneEarly.add(oid);
    if (this.#goneEarly.size > GONE_EARLY_MAX) {
      this.#goneEarly.delete(this.#goneEarly.values().next().value!);
    }
  }

  /** Sends one order action for `place`; applies each outcome to its slot. */
  async place(place: LiveSlot[]): Promise<void> {
    const now = this.#ctx.now();
    const expiresMs = now + this.#expiryMs;
    const orders = place.map((s) => {
      s.state = "placing";
      this.#ctx.slots.assignCloid(s, this.#cloids.next());
      s.px = s.want.px;
      s.sz = roundSizeDown(s.want.sz, s.szDecimals);
      s.filled = 0;
      s.expiresMs = expiresMs;
      s.placedMs = now;
      s.placedDistance = targetDistance(s.want);
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
    try {
      outcomes = await this.#ctx.exchange.placeOrders(orders, {
        expiresAfter: expiresMs,
        priority: "quote",
        ...(this.#priorityRate > 0 ? { grouping: { p: this.#priorityRate } } : {}),
      });
    } catch (error) {
      // placeOrders turns every transport failure into outcomes; a throw comes from building
      // or signing the action, before anything was sent: nothing rests.
      this.#ctx.log.error(`[LIVE] orders not sent: ${errorMessage(error)}`);
      for (const s of place) this.#ctx.slots.release(s);
      return;
    }
    const notSent = outcomes.every((o) => o.kind === "rejected" && isNotSent(o.message));
    if (!notSent) this.#ctx.spend(orders.length * actionCost(outcomes));
    const refusals = new Map<string, number>();
    outcomes.forEach((o, i) => {
      this.#apply(place[i], o);
      if (o.kind === "rejected") refusals.set(o.message, (refusals.get(o.message) ?? 0) + 1);
    });
    // One line per distinct reason, not one per order (a refused batch is up to 6 per coin).
    for (const [message, n] of refusals) {
      this.#ctx.log.warn(`[LIVE] ${n} order(s) refused: ${message}`);
    }
    // The exchange says the budget is spent: pause now, and read it rather than wait a minute.
    if ([...refusals.keys()].some((m) => m.startsWith(REQUEST_CAP_PREFIX))) {
      this.#hooks.budgetSpent();
    }
    if (outcomes.some((o) => o.kind === "unknown")) this.#hooks.armResolve();
  }

  /** Cancels resting slots by cloid; frees those confirmed gone, checks the rest later. */
  async cancel(moved: LiveSlot[], priority: RequestPriority): Promise<void> {
    const expiresMs = this.#ctx.now() + this.#expiryMs;
    const cloids = moved.map((s) => {
      s.state = "cancelling";
      s.expiresMs = expiresMs;
      this.#ctx.cancelSent(s.oid);
      return s.cloid;
    });
    let outcomes: CancelOutcome[];
    try {
      outcomes = await this.#ctx.exchange.cancelByCloid(
        moved.map((s) => ({ asset: s.asset, cloid: s.cloid })),
        { expiresAfter: expiresMs, priority, fast: this.#ctx.fastCancel },
      );
    } catch (error) {
      outcomes = moved.map(() => ({ kind: "unknown", reason: errorMessage(error) }));
    }
    if (!outcomes.every((o) => o.kind === "rejected" && isNotSent(o.message))) {
      this.#ctx.spend(moved.length * actionCost(outcomes));
    }
    outcomes.forEach((o, i) => {
      const s = moved[i];
      // Freed meanwhile (filled, or confirmed gone by a cancel-all): nothing left to count.
      if (s.cloid !== cloids[i] || s.state !== "cancelling") return;
      if (o.kind === "success") {
        this.#ctx.stats.cancels++;
        this.#ctx.slots.forgetLevel(s.oid);
        this.#ctx.slots.release(s);
      } else if (o.kind === "missing") {
        // Already filled or cancelled: the fill feed books a fill if there was one.
        this.#ctx.slots.release(s);
      } else if (o.kind === "rejected" && isNotSent(o.message)) {
        // The weight budget kept the cancel back: the order rests as before.
        s.state = "resting";
      } else {
        this.#ctx.log.error(
          `[LIVE] cancel of ${s.coin} ${s.side} L${s.level + 1} ${o.kind}: ${
            o.kind === "rejected" ? o.message : o.reason
          }; will check its status`,
        );
        s.state = "unknown";
      }
    });
    this.#hooks.armResolve();
  }

  #apply(s: LiveSlot, o: OrderOutcome): void {
    switch (o.kind) {
      case "resting":
        this.#ctx.stats.placed++;
        this.placedUsd += s.px * s.sz;
        // Filled, or ended by the exchange, before this answer arrived: nothing rests.
        if (s.filled >= s.sz - SIZE_EPSILON || this.#goneEarly.delete(o.oid)) {
          this.#ctx.slots.forgetLevel(o.oid);
          this.#ctx.slots.release(s);
          this.#hooks.schedule();
          break;
        }
        s.state = "resting";
        this.#ctx.slots.track(s, o.oid);
        break;
      case "filled":
        // Filled at once (should not happen with Alo): the fill feed books it.
        this.#ctx.stats.placed++;
        this.#ctx.slots.release(s);
        break;
      case "postOnlyRejected":
        this.postOnlyRejects++;
        this.#ctx.slots.release(s);
        break;
      case "rejected":
        this.rejects++;
        this.#ctx.slots.release(s);
        break;
      case "unknown": {
        // An error text the client does not know is logged once, not once per order.
        if (o.error !== undefined) this.#ctx.unknownStatuses.note("order error", o.error);
        const line = `[LIVE] ${s.coin} ${s.side} L${s.level + 1} outcome unknown (${o.reason}); ` +
          "will check its status once the action has expired";
        if (o.error !== undefined) this.#ctx.log.debug(line);
        else this.#ctx.log.warn(line);
        s.state = "unknown";
        break;
      }
    }
  }
}

function isNotSent(message: string): boolean {
  return message.startsWith(NOT_SENT_PREFIX);
}

/** Requests per order or cancel an action cost: {@link STALE_ACTION_COST} when refused as stale. */
function actionCost(outcomes: readonly (OrderOutcome | CancelOutcome)[]): number {
  const stale = outcomes.some((o) => o.kind === "rejected" && isStaleActionRefusal(o.message));
  return stale ? STALE_ACTION_COST : 1;
}

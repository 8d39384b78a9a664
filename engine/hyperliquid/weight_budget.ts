/**
 * The per-IP REST weight budget (engine/hyperliquid/README.md § Rate limits): 1200 weight per
 * minute shared by /info and /exchange. A sliding one-minute log of spent weight keeps every 60 s
 * window under the limit and says how long a request must wait for room.
 *
 * Requests carry a priority, and each priority may fill the window only up to its own ceiling,
 * so the weight that cancelling everything needs is always left: requoting stops at 60% of the
 * limit, routine reads (budget polls, funding, fill catch-ups) at 80%, and only cancel-all,
 * reconcile and shutdown may spend the rest. A 429 from the exchange (its count and ours can
 * differ: other processes on the same IP) closes the window to all but safety requests for
 * {@link RATE_LIMITED_PAUSE_MS}.
 */

import {
  ACTION_BATCH_STEP,
  CANDLES_PER_EXTRA_WEIGHT,
  CAPPED_REQUEST_INTERVAL_MS,
  INFO_WEIGHT,
  IP_WEIGHT_PER_MINUTE,
  ITEMS_PER_EXTRA_WEIGHT,
  LIGHT_INFO_WEIGHT,
  USER_ROLE_WEIGHT,
  WEIGHT_WINDOW_MS,
} from "./exchange_facts.ts";

// Entries expired from the front of the log before it is cut: one splice per thousand expiries
// instead of one per request keeps the log O(1) per request on average.
const COMPACT_AFTER = 1024;

/**
 * Who is asking: `quote` (orders and cancels of requoting), `routine` (reads that can wait:
 * budget polls, funding, fill catch-ups; the default) or `safety` (cancel-all, reconcile,
 * shutdown, and finding out whether an order rests).
 */
export type RequestPriority = "quote" | "routine" | "safety";

/**
 * Share of the limit each priority may fill, of 1. Requoting stops at 60% so that its peak
 * stays well under the 70% target even with routine reads on top; safety may use it all.
 */
export const PRIORITY_CEILING: Readonly<Record<RequestPriority, number>> = {
  quote: 0.6,
  routine: 0.8,
  safety: 1,
};

/**
 * After the exchange answers 429, only safety requests go out for this long, ms. The docs give no
 * retry-after (engine/hyperliquid/README.md § Rate limits); 10 s is the address limit's own pace
 * once capped.
 */
export const RATE_LIMITED_PAUSE_MS = CAPPED_REQUEST_INTERVAL_MS;

// Hyperliquid: the light info requests (exchange_facts.ts gives the weights).
const LIGHT_INFO = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
  "spotClearinghouseState",
  "exchangeStatus",
]);

// Hyperliquid: these add weight per items returned (exchange_facts.ts).
const PER_ITEM_INFO = new Set([
  "recentTrades",
  "historicalOrders",
  "userFills",
  "userFillsByTime",
  "fundingHistory",
  "userFunding",
  "nonUserFundingUpdates",
  "twapHistory",
  "userTwapSliceFills",
  "userTwapSliceFillsByTime",
  "delegatorHistory",
  "delegatorRewards",
  "validatorStats",
]);

/** Weight of an exchange action carrying `batchLength` orders or cancels: 1 + floor(n / 40). */
export function exchangeWeight(batchLength: number): number {
  return 1 + Math.floor(Math.max(0, batchLength) / ACTION_BATCH_STEP);
}

/** Weight of an info request of this `type`, before any per-item surcharge. */
export function infoWeight(type: string): number {
  if (LIGHT_INFO.has(type)) return LIGHT_INFO_WEIGHT;
  if (type === "userRole") return USER_ROLE_WEIGHT;
  return INFO_WEIGHT;
}

/** Extra weight an info response of `items` elements costs once it has arrived. */
export function infoItemWeight(type: string, items: number): number {
  if (PER_ITEM_INFO.has(type)) return Math.floor(items / ITEMS_PER_EXTRA_WEIGHT);
  if (type === "candleSnapshot") return Math.floor(items / CANDLES_PER_EXTRA_WEIGHT);
  return 0;
}

/** Raised when a request would exceed the weight budget; it was not sent. */
export class WeightBudgetError extends Error {
  /** How long to wait before the weight fits, in ms. */
  readonly waitMs: number;
  constructor(weight: number, remaining: number, waitMs: number, priority: RequestPriority) {
    super(
      `REST weight budget exhausted for ${priority} requests: need ${weight}, ${remaining} left ` +
        `of ${IP_WEIGHT_PER_MINUTE}/min; room again in ${waitMs} ms`,
    );
    this.name = "WeightBudgetError";
    this.waitMs = waitMs;
  }
}

/** A sliding-window budget of request weight per minute, with a ceiling per priority. */
export class WeightBudget {
  readonly limit: number;
  readonly #now: () => number;
  // Spent weight in time order (one entry per request, so about `limit` entries at most).
  readonly #times: number[] = [];
  readonly #weights: number[] = [];
  #head = 0;
  #spent = 0;
  #peak = 0;
  #refusals = 0;
  #rateLimitedUntil = 0;

  /** `limit` is the weight allowed in any 60 s window; `now` returns ms (injectable for tests). */
  constructor(options: { limit?: number; now?: () => number } = {}) {
    this.limit = options.limit ?? IP_WEIGHT_PER_MINUTE;
    if (!Number.isInteger(this.limit) || this.limit < 1) {
      throw new Error(`weight budget limit must be a positive integer, got ${this.limit}`);
    }
    this.#now = options.now ?? Date.now;
  }

  #expire(now: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head] <= now - WEIGHT_WINDOW_MS) {
      this.#spent -= this.#weights[this.#head];
      this.#head++;
    }
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#times.length) {
      this.#times.splice(0, this.#head);
      this.#weights.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** The weight `priority` may fill the window up to (0 while a 429 pause holds it back). */
  ceiling(priority: RequestPriority, now = this.#now()): number {
    if (priority !== "safety" && now < this.#rateLimitedUntil) return 0;
    return Math.floor(this.limit * PRIORITY_CEILING[priority]);
  }

  /** Weight spent in the current window. */
  used(): number {
    this.#expire(this.#now());
    return this.#spent;
  }

  /** The most weight ever spent in one 60 s window. */
  get peak(): number {
    return this.#peak;
  }

  /** Requests this budget refused (not sent), and 429 answers reported by {@link rateLimited}. */
  get refusals(): number {
    return this.#refusals;
  }

  /** Weight still available to `priority` in the current window. */
  remaining(priority: RequestPriority = "safety"): number {
    const now = this.#now();
    this.#expire(now);
    return Math.max(0, this.ceiling(priority, now) - this.#spent);
  }

  /** How long until `weight` fits under `priority`'s ceiling, in ms (0 when it fits now). */
  waitMs(weight: number, priority: RequestPriority = "safety"): number {
    const now = this.#now();
    this.#expire(now);
    const paused = priority !== "safety" && now < this.#rateLimitedUntil;
    const ceiling = Math.floor(this.limit * PRIORITY_CEILING[priority]);
    let excess = this.#spent + weight - ceiling;
    let wait = 0;
    if (excess > 0) {
      wait = WEIGHT_WINDOW_MS;
      for (let i = this.#head; i < this.#times.length; i++) {
        excess -= this.#weights[i];
        if (excess <= 0) {
          wait = this.#times[i] + WEIGHT_WINDOW_MS - now;
          break;
        }
      }
    }
    return paused ? Math.max(wait, this.#rateLimitedUntil - now) : wait;
  }

  /** Spends `weight` if it fits under `priority`'s ceiling and returns true; false otherwise. */
  tryConsume(weight: number, priority: RequestPriority = "safety"): boolean {
    if (!Number.isInteger(weight) || weight < 0) {
      throw new Error(`request weight must be a non-negative integer, got ${weight}`);
    }
    if (weight === 0) return true;
    const now = this.#now();
    this.#expire(now);
    if (this.#spent + weight > this.ceiling(priority, now)) return false;
    this.#record(now, weight);
    return true;
  }

  /** Spends `weight` or throws a {@link WeightBudgetError} saying how long to wait. */
  consume(weight: number, priority: RequestPriority = "safety"): void {
    if (!this.tryConsume(weight, priority)) {
      this.#refusals++;
      throw new WeightBudgetError(
        weight,
        this.remaining(priority),
        this.waitMs(weight, priority),
        priority,
      );
    }
  }

  /** Records weight already spent (e.g. a per-item surcharge learnt from a response), even past the limit. */
  charge(weight: number): void {
    if (weight <= 0) return;
    const now = this.#now();
    this.#expire(now);
    this.#record(now, weight);
  }

  /**
   * The exchange answered 429: its count says we are over, whatever ours says. Only safety
   * requests go out for {@link RATE_LIMITED_PAUSE_MS}.
   */
  rateLimited(): void {
    this.#refusals++;
    this.#rateLimitedUntil = this.#now() + RATE_LIMITED_PAUSE_MS;
  }

  #record(now: number, weight: number): void {
    this.#times.push(now);
    this.#weights.push(weight);
    this.#spent += weight;
    if (this.#spent > this.#peak) this.#peak = this.#spent;
  }
}

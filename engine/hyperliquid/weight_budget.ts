/**
 * The per-IP REST weight budget (reference §7.2): 1200 weight per minute shared by /info and
 * /exchange. A sliding one-minute log of spent weight keeps every 60 s window under the limit
 * and says how long a request must wait for room.
 */

/** Hyperliquid: REST requests share an aggregated weight limit of 1200 per minute per IP. */
export const REST_WEIGHT_PER_MINUTE = 1200;

const WINDOW_MS = 60_000;

// Hyperliquid: info requests of weight 2; userRole weighs 60; every other info request 20.
const LIGHT_INFO = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
  "spotClearinghouseState",
  "exchangeStatus",
]);

// Hyperliquid: these add 1 weight per 20 items returned (candleSnapshot: per 60).
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
  return 1 + Math.floor(Math.max(0, batchLength) / 40);
}

/** Weight of an info request of this `type`, before any per-item surcharge. */
export function infoWeight(type: string): number {
  if (LIGHT_INFO.has(type)) return 2;
  if (type === "userRole") return 60;
  return 20;
}

/** Extra weight an info response of `items` elements costs once it has arrived. */
export function infoItemWeight(type: string, items: number): number {
  if (PER_ITEM_INFO.has(type)) return Math.floor(items / 20);
  if (type === "candleSnapshot") return Math.floor(items / 60);
  return 0;
}

/** Raised when a request would exceed the weight budget; it was not sent. */
export class WeightBudgetError extends Error {
  /** How long to wait before the weight fits, in ms. */
  readonly waitMs: number;
  constructor(weight: number, remaining: number, waitMs: number) {
    super(
      `REST weight budget exhausted: need ${weight}, ${remaining} left of ` +
        `${REST_WEIGHT_PER_MINUTE}/min; room again in ${waitMs} ms`,
    );
    this.name = "WeightBudgetError";
    this.waitMs = waitMs;
  }
}

/** A sliding-window budget of request weight per minute. */
export class WeightBudget {
  readonly limit: number;
  readonly #now: () => number;
  // Spent weight in time order (one entry per request, so about `limit` entries at most).
  readonly #times: number[] = [];
  readonly #weights: number[] = [];
  #head = 0;
  #spent = 0;

  /** `limit` is the weight allowed in any 60 s window; `now` returns ms (injectable for tests). */
  constructor(options: { limit?: number; now?: () => number } = {}) {
    this.limit = options.limit ?? REST_WEIGHT_PER_MINUTE;
    if (!Number.isInteger(this.limit) || this.limit < 1) {
      throw new Error(`weight budget limit must be a positive integer, got ${this.limit}`);
    }
    this.#now = options.now ?? Date.now;
  }

  #expire(now: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head] <= now - WINDOW_MS) {
      this.#spent -= this.#weights[this.#head];
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times.splice(0, this.#head);
      this.#weights.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Weight still available in the current window. */
  remaining(): number {
    this.#expire(this.#now());
    return this.limit - this.#spent;
  }

  /** How long until `weight` fits, in ms (0 when it fits now). */
  waitMs(weight: number): number {
    const now = this.#now();
    this.#expire(now);
    let excess = this.#spent + weight - this.limit;
    if (excess <= 0) return 0;
    for (let i = this.#head; i < this.#times.length; i++) {
      excess -= this.#weights[i];
      if (excess <= 0) return this.#times[i] + WINDOW_MS - now;
    }
    return WINDOW_MS;
  }

  /** Spends `weight` if it fits and returns true; returns false (spending nothing) otherwise. */
  tryConsume(weight: number): boolean {
    if (!Number.isInteger(weight) || weight < 0) {
      throw new Error(`request weight must be a non-negative integer, got ${weight}`);
    }
    if (weight === 0) return true;
    const now = this.#now();
    this.#expire(now);
    if (this.#spent + weight > this.limit) return false;
    this.#times.push(now);
    this.#weights.push(weight);
    this.#spent += weight;
    return true;
  }

  /** Spends `weight` or throws a {@link WeightBudgetError} saying how long to wait. */
  consume(weight: number): void {
    if (!this.tryConsume(weight)) {
      throw new WeightBudgetError(weight, this.remaining(), this.waitMs(weight));
    }
  }

  /** Records weight already spent (e.g. a per-item surcharge learnt from a response), even past the limit. */
  charge(weight: number): void {
    if (weight <= 0) return;
    this.#times.push(this.#now());
    this.#weights.push(weight);
    this.#spent += weight;
  }
}

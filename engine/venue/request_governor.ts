/**
 * The request governor: the two rations Hyperliquid puts on an account
 * (engine/hyperliquid/README.md § Rate limits), held in one place for the venue that spends them,
 * shadow or live.
 *
 * - **IP weight** ({@link WeightBudget}): 1200 per sliding minute across `/info` and
 *   `/exchange`. Live, the info and exchange clients charge it as they send, each request with
 *   its priority; shadow charges the actions it would have sent. Requote batches are paced to
 *   {@link QUOTE_WEIGHT_PER_MINUTE} with a small burst, so quoting never eats the weight that
 *   cancel-all, reconcile and shutdown need, and never stops for seconds at a minute's end.
 * - **Address requests** ({@link AddressBudget}): one per order or cancel, earned back at one
 *   per USDC traded.
 *
 * The pace is GCRA (a leaky bucket kept as one "theoretical arrival time"): each batch moves
 * that time on by its weight × the interval per weight unit, and a batch may go once the clock
 * is within the burst allowance of it.
 */
import { IP_WEIGHT_PER_MINUTE } from "../hyperliquid/exchange_facts.ts";
import type { WeightBudget } from "../hyperliquid/weight_budget.ts";
import type { AddressBudget } from "./address_budget.ts";

/**
 * Sustained weight of requote batches per minute: half the IP limit, leaving room for
 * routine reads under the 60% quote ceiling and the rest for safety requests.
 */
export const QUOTE_WEIGHT_PER_MINUTE = IP_WEIGHT_PER_MINUTE / 2;

/** Weight a quiet venue may spend at once before pacing applies (5 batches of order + cancel). */
export const QUOTE_BURST_WEIGHT = 10;

/** Options of {@link RequestGovernor}. */
export interface RequestGovernorOptions {
  weight: WeightBudget;
  address: AddressBudget;
  /** Shortest time between two requote batches, ms (the engine's tick: one batch per tick). */
  minIntervalMs: number;
  /** Sustained requote weight per minute (default {@link QUOTE_WEIGHT_PER_MINUTE}). */
  weightPerMinute?: number;
}

/** Paces requote batches and holds both budgets. */
export class RequestGovernor {
  /** The per-IP weight budget. */
  readonly weight: WeightBudget;
  /** The per-address request budget. */
  readonly address: AddressBudget;
  readonly #msPerWeight: number;
  readonly #minIntervalMs: number;
  #arrivalMs = -Infinity;
  #lastBatchMs = -Infinity;
  #batches = 0;
  #slowdown = 1;

  constructor(options: RequestGovernorOptions) {
    this.weight = options.weight;
    this.address = options.address;
    const perMinute = options.weightPerMinute ?? QUOTE_WEIGHT_PER_MINUTE;
    if (!(perMinute > 0) || !(options.minIntervalMs >= 0)) {
      throw new Error(
        `request governor: weightPerMinute must be > 0 and minIntervalMs >= 0, got ${perMinute} and ${options.minIntervalMs}`,
      );
    }
    this.#msPerWeight = 60_000 / perMinute;
    this.#minIntervalMs = options.minIntervalMs;
  }

  /** The factor on the shortest time between batches (1: one batch per tick at most). */
  get slowdown(): number {
    return this.#slowdown;
  }

  /**
   * Spaces batches `factor` (≥ 1) times further apart: the request economy slows requotes
   * this way, so moves within the longer interval cost one cancel and one order, not several.
   */
  setSlowdown(factor: number): void {
    if (!(factor >= 1 && Number.isFinite(factor))) {
      throw new Error(`request governor: slowdown must be a number >= 1, got ${factor}`);
    }
    this.#slowdown = factor;
  }

  /** Requote batches sent so far. */
  get batches(): number {
    return this.#batches;
  }

  /** How long until a requote batch of `weight` may go, ms (0: now). */
  batchDelayMs(nowMs: number, weight: number): number {
    const paced = this.#arrivalMs - QUOTE_BURST_WEIGHT * this.#msPerWeight - nowMs;
    const spaced = this.#lastBatchMs + this.#minIntervalMs * this.#slowdown - nowMs;
    return Math.max(0, paced, spaced, this.weight.waitMs(weight, "quote"));
  }

  /** Records a requote batch that spent `weight` at `nowMs`. */
  recordBatch(nowMs: number, weight: number): void {
    this.#arrivalMs = Math.max(this.#arrivalMs, nowMs) + weight * this.#msPerWeight;
    this.#lastBatchMs = nowMs;
    this.#batches++;
  }
}

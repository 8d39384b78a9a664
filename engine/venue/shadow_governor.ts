/**
 * The request budgets of the shadow venue: what live would spend of the address budget and the
 * IP weight, counted on market time, so shadow pauses exactly when live would.
 */
import { NEW_ADDRESS_REQUESTS } from "../hyperliquid/exchange_facts.ts";
import { WeightBudget } from "../hyperliquid/weight_budget.ts";
import { createLogger, type Logger } from "../log.ts";
import { AddressBudget } from "./address_budget.ts";
import { RequestGovernor } from "./request_governor.ts";

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

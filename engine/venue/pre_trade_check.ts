/**
 * The pre-trade check: the last look at an order before any venue, shadow or live, places it.
 * Pure: the orders of one tick and the facts about their coin in, the verdict on each out.
 *
 * Five rules, each the exchange's own or the engine's hardest limit (the exchange's are in
 * engine/hyperliquid/wire_reference.md, "Orders"):
 *
 * - **price-band**: the price is at most 80% away from the reference price.
 * - **tick**: the price has at most 5 significant figures and `6 − szDecimals` decimals (or is
 *   an integer), and the size at most `szDecimals` decimals.
 * - **min-notional**: price × size is at least the exchange's minimum ($10).
 * - **post-only**: the order would rest, never match: a bid below the best ask, an ask above
 *   the best bid (an empty side cannot be crossed).
 * - **max-inventory**: inventory plus the orders resting on the order's side plus the orders
 *   of this tick that passed before it plus this one stay within the cap, in USD, signed so
 *   that a bid grows a long and an ask grows a short (a bid against a short position is room,
 *   not exposure).
 *
 * The kernel already quotes within all five; an order that breaks one comes from a bug or a
 * configuration the kernel did not see, and is refused by name rather than sent.
 */
import { PERP_MAX_DECIMALS, PRICE_BAND_FRACTION } from "../hyperliquid/exchange_facts.ts";
import { isValidPerpPrice, isValidSize } from "../hyperliquid/wire.ts";
import type { QuoteSide } from "./venue.ts";

/** The rules an order can break, as named in refusals and counters. */
export type PreTradeRule = "price-band" | "tick" | "min-notional" | "post-only" | "max-inventory";

/** One order a venue means to place. */
export interface IntendedOrder {
  side: QuoteSide;
  /** Limit price. */
  px: number;
  /** Size in coin units. */
  sz: number;
}

/** What the check knows about the coin when its orders go out. */
export interface PreTradeFacts {
  /** The coin's szDecimals (0 … 6 on perps). */
  szDecimals: number;
  /** The price the exchange measures the band from; the engine uses its mid. */
  referencePx: number;
  /** Smallest order value, USD (the exchange's: `MIN_ORDER_VALUE_USD`). */
  minNotionalUsd: number;
  /** Signed inventory at the reference price, USD (long > 0). */
  inventoryUsd: number;
  /** Most inventory plus resting orders one side may reach, USD. */
  maxExposureUsd: number;
  /** Notional of the bids that keep resting beside this tick's orders, USD. */
  restingBidUsd: number;
  /** Notional of the asks that keep resting beside this tick's orders, USD. */
  restingAskUsd: number;
  /** Best bid of the book (0: no bids). */
  bestBid: number;
  /** Best ask of the book (0: no asks). */
  bestAsk: number;
}

/** Why one order was refused. */
export interface PreTradeRefusal {
  /** Its index in the orders checked. */
  index: number;
  rule: PreTradeRule;
  /** What was wrong, with the numbers. */
  reason: string;
}

/** The verdict on the orders of one tick. */
export interface PreTradeResult {
  /** Indexes of the orders that may be placed, in order. */
  passed: number[];
  refused: PreTradeRefusal[];
}

/**
 * Checks the orders of one coin's tick in order; each order that passes adds to its side's
 * exposure for the orders after it. Throws naming the fact when a fact is not a usable number.
 */
export function preTradeCheck(
  orders: readonly IntendedOrder[],
  facts: PreTradeFacts,
): PreTradeResult {
  assertFacts(facts);
  const result: PreTradeResult = { passed: [], refused: [] };
  let bidUsd = facts.restingBidUsd;
  let askUsd = facts.restingAskUsd;
  for (let index = 0; index < orders.length; index++) {
    const order = orders[index];
    const refusal = checkOrder(order, facts, order.side === "bid" ? bidUsd : askUsd);
    if (refusal !== null) {
      result.refused.push({ index, ...refusal });
      continue;
    }
    result.passed.push(index);
    if (order.side === "bid") bidUsd += order.px * order.sz;
    else askUsd += order.px * order.sz;
  }
  return result;
}

/**
 * Checks one order against the rules, with `sideUsd` the notional already resting or passed
 * on its side; returns the first rule it breaks, or null. Facts are taken as checked
 * ({@link preTradeCheck} checks them).
 */
function checkOrder(
  order: IntendedOrder,
  facts: PreTradeFacts,
  sideUsd: number,
): Omit<PreTradeRefusal, "index"> | null {
  const { px, sz, side } = order;
  if (!(px > 0) || !(sz > 0) || !Number.isFinite(px * sz)) {
    return { rule: "tick", reason: `price ${px} and size ${sz} must be positive numbers` };
  }
  const ref = facts.referencePx;
  if (Math.abs(px - ref) > PRICE_BAND_FRACTION * ref) {
    return {
      rule: "price-band",
      reason: `price ${px} is more than ${
        PRICE_BAND_FRACTION * 100
      }% away from the reference ${ref}`,
    };
  }
  if (!isValidPerpPrice(px, facts.szDecimals)) {
    return {
      rule: "tick",
      reason: `price ${px} is not a valid price at szDecimals ${facts.szDecimals}`,
    };
  }
  if (!isValidSize(sz, facts.szDecimals)) {
    return {
      rule: "tick",
      reason: `size ${sz} has more than ${facts.szDecimals} decimals`,
    };
  }
  const notional = px * sz;
  if (notional < facts.minNotionalUsd) {
    return {
      rule: "min-notional",
      reason: `value ${usd(notional)} is below the minimum ${usd(facts.minNotionalUsd)}`,
    };
  }
  if (side === "bid" ? facts.bestAsk > 0 && px >= facts.bestAsk : px <= facts.bestBid) {
    return {
      rule: "post-only",
      reason: side === "bid"
        ? `bid ${px} would cross the best ask ${facts.bestAsk}`
        : `ask ${px} would cross the best bid ${facts.bestBid}`,
    };
  }
  const grown = side === "bid" ? facts.inventoryUsd : -facts.inventoryUsd;
  const exposure = grown + sideUsd + notional;
  if (exposure > facts.maxExposureUsd) {
    return {
      rule: "max-inventory",
      reason: `inventory ${usd(grown)} + resting ${usd(sideUsd)} + order ${
        usd(notional)
      } on the ${side} side exceeds ${usd(facts.maxExposureUsd)}`,
    };
  }
  return null;
}

const POSITIVE_FACTS = ["referencePx", "minNotionalUsd", "maxExposureUsd"] as const;
const NON_NEGATIVE_FACTS = ["restingBidUsd", "restingAskUsd", "bestBid", "bestAsk"] as const;

/** Throws naming the first fact that is not a usable number. */
function assertFacts(facts: PreTradeFacts): void {
  const d = facts.szDecimals;
  if (!Number.isInteger(d) || d < 0 || d > PERP_MAX_DECIMALS) {
    throw new Error(
      `pre-trade check: szDecimals must be an integer 0..${PERP_MAX_DECIMALS}, got ${d}`,
    );
  }
  for (const name of POSITIVE_FACTS) {
    if (!(facts[name] > 0) || !Number.isFinite(facts[name])) {
      throw new Error(`pre-trade check: ${name} must be a positive number, got ${facts[name]}`);
    }
  }
  for (const name of NON_NEGATIVE_FACTS) {
    if (!(facts[name] >= 0) || !Number.isFinite(facts[name])) {
      throw new Error(`pre-trade check: ${name} must be a number >= 0, got ${facts[name]}`);
    }
  }
  if (!Number.isFinite(facts.inventoryUsd)) {
    throw new Error(
      `pre-trade check: inventoryUsd must be a finite number, got ${facts.inventoryUsd}`,
    );
  }
}

const usd = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;

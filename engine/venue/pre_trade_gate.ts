/**
 * Where the pre-trade check (pre_trade_check.ts) meets the venues: the shadow and the live
 * venue screen every coin's desired grid with one {@link PreTradeGate} before they record it,
 * so every order either would place has passed the check, and a refused level is withdrawn
 * (its resting order is cancelled as if the kernel had asked for no quote there).
 *
 * The inventory cap. The kernel stops the growing side once inventory reaches max_inv_usd, and
 * quotes at most one order per level of min_order_usd × 1, 2, 3 (6 × min_order_usd a side); an
 * order still resting at a level the grid no longer wants was placed at most that large. So in
 * a normal run inventory plus one side's orders stays below max_inv_usd + 6 × min_order_usd.
 * The cap is {@link EXPOSURE_GRID_SIDES} such sides above max_inv_usd: never reached by the
 * kernel's own quotes, always reached before a runaway grows a position without bound.
 *
 * Refusals are counted per rule and logged with their reason, at most one line per
 * {@link PreTradeGateOptions.logEveryMs} (the lines in between are counted in the next one).
 */
import { MIN_ORDER_VALUE_USD } from "../hyperliquid/exchange_facts.ts";
import type { Logger } from "../log.ts";
import {
  type IntendedOrder,
  preTradeCheck,
  type PreTradeFacts,
  type PreTradeRule,
} from "./pre_trade_check.ts";
import {
  type DesiredQuotes,
  GRID_LEVELS,
  type PreTradeCounts,
  type QuoteLimits,
  type QuoteSide,
} from "./venue.ts";

/** Full grid sides above max_inv_usd the inventory cap allows (see the module doc). */
export const EXPOSURE_GRID_SIDES = 2;

/** One grid side's order value in units of min_order_usd: levels of ×1, ×2, ×3. */
const GRID_SIDE_UNITS = GRID_LEVELS * (GRID_LEVELS + 1) / 2;

/** The most inventory plus one side's orders may reach, USD (see the module doc). */
export function maxExposureUsd(maxInvUsd: number, minOrderUsd: number): number {
  return maxInvUsd + EXPOSURE_GRID_SIDES * GRID_SIDE_UNITS * minOrderUsd;
}

/** The kernel inputs {@link kernelLimits} reads (engine/kernel.ts `Kernel`). */
export interface KernelInputs {
  readonly szDecimals: ArrayLike<number>;
  readonly bestBid: ArrayLike<number>;
  readonly bestAsk: ArrayLike<number>;
  readonly inventoryUsd: ArrayLike<number>;
  readonly maxInvUsd: ArrayLike<number>;
  readonly minOrderUsd: ArrayLike<number>;
}

/** Coin `i`'s {@link QuoteLimits}, read live from the kernel's inputs (no copy per tick). */
export function kernelLimits(k: KernelInputs, i: number): QuoteLimits {
  return {
    get szDecimals() {
      return k.szDecimals[i];
    },
    get bestBid() {
      return k.bestBid[i];
    },
    get bestAsk() {
      return k.bestAsk[i];
    },
    get inventoryUsd() {
      return k.inventoryUsd[i];
    },
    get maxInvUsd() {
      return k.maxInvUsd[i];
    },
    get minOrderUsd() {
      return k.minOrderUsd[i];
    },
  };
}

/** Options of {@link PreTradeGate}. */
export interface PreTradeGateOptions {
  log: Logger;
  /** Tag of the log lines (`[SHADOW]`, `[LIVE]`). */
  tag: string;
  /** The venue's clock, ms (for the log's pace). */
  now: () => number;
  /** Shortest time between two refusal lines, ms (default 60,000). */
  logEveryMs?: number;
}

/** Notional resting at one level of one side of the coin screened, USD (0: none). */
export type RestingUsd = (side: QuoteSide, level: number) => number;

/** One venue's pre-trade check: screens desired grids, counts and logs refusals. */
export class PreTradeGate implements PreTradeCounts {
  /** Refusals since start, per rule. */
  readonly byRule: Record<PreTradeRule, number> = {
    "price-band": 0,
    "tick": 0,
    "min-notional": 0,
    "post-only": 0,
    "max-inventory": 0,
  };
  #refused = 0;
  readonly #log: Logger;
  readonly #tag: string;
  readonly #now: () => number;
  readonly #logEveryMs: number;
  #loggedMs = -Infinity;
  #unlogged = 0;
  // Scratch of one screening (no allocation per grid): the intended orders, each one's level
  // and bit in the mask, and the facts.
  readonly #slots: IntendedOrder[] = Array.from({ length: 2 * GRID_LEVELS }, () => ({
    side: "bid" as QuoteSide,
    px: 0,
    sz: 0,
  }));
  readonly #orders: IntendedOrder[] = [];
  readonly #levels: number[] = [];
  readonly #bits: number[] = [];
  readonly #facts: PreTradeFacts = {
    szDecimals: 0,
    referencePx: 0,
    minNotionalUsd: MIN_ORDER_VALUE_USD,
    inventoryUsd: 0,
    maxExposureUsd: 0,
    restingBidUsd: 0,
    restingAskUsd: 0,
    bestBid: 0,
    bestAsk: 0,
  };

  /** Creates a gate that logs through `options.log`. */
  constructor(options: PreTradeGateOptions) {
    this.#log = options.log;
    this.#tag = options.tag;
    this.#now = options.now;
    this.#logEveryMs = options.logEveryMs ?? 60_000;
  }

  /** Orders refused since start. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Screens one coin's desired grid. Returns the levels refused as a bit mask: bit `l` for bid
   * level `l`, bit `GRID_LEVELS + l` for ask level `l` (0: all pass, or the quotes carry no
   * limits). `restingUsd` gives the venue's resting orders: those at levels the grid still
   * quotes are about to be kept or replaced and count as the new order; the rest count as
   * resting.
   */
  screen(quotes: DesiredQuotes, restingUsd: RestingUsd): number {
    const limits = quotes.limits;
    if (limits === undefined) return 0;
    const orders = this.#orders;
    const levels = this.#levels;
    const bits = this.#bits;
    orders.length = 0;
    levels.length = 0;
    bits.length = 0;
    let restingBidUsd = 0;
    let restingAskUsd = 0;
    for (let l = 0; l < GRID_LEVELS; l++) {
      if (quotes.bidSz[l] > 0) {
        this.#add("bid", quotes.bidPx[l], quotes.bidSz[l], l, 1 << l);
      } else restingBidUsd += restingUsd("bid", l);
      if (quotes.askSz[l] > 0) {
        this.#add("ask", quotes.askPx[l], quotes.askSz[l], l, 1 << (GRID_LEVELS + l));
      } else restingAskUsd += restingUsd("ask", l);
    }
    if (orders.length === 0) return 0;
    const facts = this.#facts;
    facts.szDecimals = limits.szDecimals;
    facts.referencePx = quotes.mid;
    facts.inventoryUsd = limits.inventoryUsd;
    facts.maxExposureUsd = maxExposureUsd(limits.maxInvUsd, limits.minOrderUsd);
    facts.restingBidUsd = restingBidUsd;
    facts.restingAskUsd = restingAskUsd;
    facts.bestBid = limits.bestBid;
    facts.bestAsk = limits.bestAsk;
    const result = preTradeCheck(orders, facts);
    let mask = 0;
    for (const r of result.refused) {
      mask |= bits[r.index];
      this.byRule[r.rule]++;
      this.#refused++;
      const what = `${quotes.coin} ${orders[r.index].side} L${levels[r.index] + 1}`;
      this.#report(what, r.rule, r.reason);
    }
    return mask;
  }

  #add(side: QuoteSide, px: number, sz: number, level: number, bit: number): void {
    const order = this.#slots[this.#orders.length];
    order.side = side;
    order.px = px;
    order.sz = sz;
    this.#orders.push(order);
    this.#levels.push(level);
    this.#bits.push(bit);
  }

  #report(what: string, rule: PreTradeRule, reason: string): void {
    const now = this.#now();
    if (now - this.#loggedMs < this.#logEveryMs) {
      this.#unlogged++;
      return;
    }
    const more = this.#unlogged > 0 ? `; ${this.#unlogged} more refused since the last line` : "";
    this.#log.warn(
      `${this.#tag} pre-trade check refused ${what} (${rule}): ${reason}${more}; ` +
        `${this.#refused} refused since start`,
    );
    this.#loggedMs = now;
    this.#unlogged = 0;
  }
}

/**
 * The address-based request budget (engine/hyperliquid/README.md § Rate limits): an address may
 * send 10,000 requests plus one per USDC it has ever traded; every order and every cancel counts
 * one, batched or not. Past the cap the exchange allows one action per 10 s; cancels keep a larger
 * allowance (min(cap + 100,000, 2 × cap)), so cancelling stays possible.
 *
 * This is the venue's running count: the exchange's figures when read (`userRateLimit`, live),
 * or a configured start (shadow), plus the requests sent and the volume traded since. Below a
 * reserve no order is placed; placing resumes a hysteresis above it, so a few fills' worth of
 * volume does not flip quoting on and off at the threshold.
 */
import { REQUESTS_PER_USDC } from "../hyperliquid/exchange_facts.ts";
import type { Logger } from "../log.ts";

/**
 * Default reserve, requests. Placing stops well before the cap because the count between reads
 * is an estimate (other sessions of the same address, refused actions the exchange may count),
 * and a full requote of 30 coins costs about 360 requests (180 cancels, 180 orders).
 */
export const DEFAULT_RESERVE = 1_000;

/**
 * True when the exchange's refusal names an expired action. The docs give no exact text, so the
 * word is matched; the simulator answers "Action expired: …".
 */
export function isStaleActionRefusal(message: string): boolean {
  return /expire/i.test(message);
}

/** Default hysteresis above the reserve before placing resumes, requests. */
export const DEFAULT_HYSTERESIS = 500;

/** The address budget as a venue knows it. */
export interface AddressBudgetView {
  /** Requests spent (the last known count plus those sent since). */
  used: number;
  /** Requests allowed: the exchange's cap plus surplus, plus volume traded since. */
  cap: number;
  /** `cap` − `used`. */
  left: number;
  /** True while placing is paused for lack of budget (or before the budget is known). */
  paused: boolean;
}

/** Options of {@link AddressBudget}. */
export interface AddressBudgetOptions {
  /** Requests kept in reserve: below it no order is placed (default {@link DEFAULT_RESERVE}). */
  reserve?: number;
  /** Requests above the reserve before placing resumes (default {@link DEFAULT_HYSTERESIS}). */
  hysteresis?: number;
  /** Where pause and resume are logged, and the tag of those lines (e.g. `[LIVE]`). */
  log: Logger;
  tag: string;
  /** Called when placing may resume. */
  onResume?: () => void;
}

/** The running count of one address's request budget. */
export class AddressBudget {
  readonly reserve: number;
  readonly hysteresis: number;
  readonly #log: Logger;
  readonly #tag: string;
  readonly #onResume: () => void;
  #used = 0;
  #cap = 0;
  #known = false;
  #low = false;
  #sent = 0;

  /** Creates an unknown budget: nothing may be placed until {@link set} is called. */
  constructor(options: AddressBudgetOptions) {
    this.reserve = nonNegativeInteger(options.reserve ?? DEFAULT_RESERVE, "reserve");
    this.hysteresis = nonNegativeInteger(options.hysteresis ?? DEFAULT_HYSTERESIS, "hysteresis");
    this.#log = options.log;
    this.#tag = options.tag;
    this.#onResume = options.onResume ?? (() => {});
  }

  /** Requests this venue sent (orders and cancels, one per item), ever. */
  get sent(): number {
    return this.#sent;
  }

  /** True once the budget has been read or configured. */
  get known(): boolean {
    return this.#known;
  }

  /** Whether an order may be placed now. */
  get mayPlace(): boolean {
    return this.#known && !this.#low;
  }

  /** The budget as last known, or null before it is. */
  view(): AddressBudgetView | null {
    if (!this.#known) return null;
    return { used: this.#used, cap: this.#cap, left: this.#cap - this.#used, paused: this.#low };
  }

  /**
   * Takes the exchange's (or the configuration's) figures: `used` requests of `cap`. Requests
   * sent since `sentAtAsk` (the {@link sent} count when the read was asked) may be missing from
   * the answer, so they are counted on top.
   */
  set(used: number, cap: number, sentAtAsk = this.#sent): void {
    this.#used = used + (this.#sent - sentAtAsk);
    this.#cap = cap;
    this.#known = true;
    this.#check();
  }

  /** Counts `n` orders or cancels sent. */
  spend(n: number): void {
    if (n <= 0) return;
    this.#sent += n;
    if (!this.#known) return;
    this.#used += n;
    this.#check();
  }

  /**
   * Counts volume traded, USD: one more request per USDC (engine/hyperliquid/README.md § Rate
   * limits), or `credit` per USDC on a market that earns less (growth mode: a tenth).
   */
  earn(volumeUsd: number, credit = REQUESTS_PER_USDC): void {
    if (!(volumeUsd > 0) || !this.#known) return;
    this.#cap += volumeUsd * credit;
    this.#check();
  }

  /** The exchange says the cap is reached ("Too many cumulative requests sent"): pause now. */
  exhausted(): void {
    if (!this.#known) return;
    this.#used = Math.max(this.#used, this.#cap);
    this.#check();
  }

  #check(): void {
    const left = this.#cap - this.#used;
    if (!this.#low && left < this.reserve) {
      this.#low = true;
      this.#log.warn(
        `${this.#tag} address budget low: ${Math.max(0, Math.floor(left))} requests left of ${
          Math.floor(this.#cap)
        }; quoting paused until volume frees more (1 request per USDC traded)`,
      );
    } else if (this.#low && left >= this.reserve + this.hysteresis) {
      this.#low = false;
      this.#log.info(
        `${this.#tag} address budget back to ${Math.floor(left)} requests left of ${
          Math.floor(this.#cap)
        }: quoting resumes`,
      );
      this.#onResume();
    }
  }
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`address budget: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

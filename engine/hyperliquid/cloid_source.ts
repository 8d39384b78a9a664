/**
 * Client order ids for one run: a random per-run prefix in the high 80 bits and a counter in the
 * low 48, so every cloid uses the full 128 bits.
 *
 * Why not small integers: `@nktkas/hyperliquid` (0.33.3, pinned in deno.json) validates
 * `orderStatus`'s `oid` as an unsigned safe integer first and a cloid second, converting strings
 * with `Number()` (`esm/api/_schemas.js` `UnsignedInteger`, `esm/api/info/_methods/orderStatus.js`).
 * `Number("0x000…01")` is 1, so a cloid below 2^53 is sent as exchange oid 1 and an operator
 * looking up one of the engine's orders by cloid gets another order's status (issue 15). The
 * prefix's top bit is always set, so every cloid is at least 2^127 and stays a cloid.
 *
 * Uniqueness: within a run the counter never repeats (it throws before it wraps); two runs can
 * share a cloid only if their 79 random prefix bits are equal, about n²/2^80 for n runs (under
 * 1e-12 for a million restarts).
 */
import { cloidFromInt } from "./wire.ts";

const COUNTER_BITS = 48n;
const PREFIX_BYTES = 10;
const TOP_BIT = 1n << 127n;
const COUNTER_MAX = (1n << COUNTER_BITS) - 1n;

/** Fills a byte array with random bytes (`crypto.getRandomValues` by default). */
export type RandomBytes = (bytes: Uint8Array) => void;

/** Hands out the cloids of one run: unique in the run, and across runs with overwhelming odds. */
export class CloidSource {
  readonly #prefix: bigint;
  #counter = 0n;

  /** Draws the run's prefix; `random` is only replaced by tests. */
  constructor(random: RandomBytes = (b) => crypto.getRandomValues(b)) {
    const bytes = new Uint8Array(PREFIX_BYTES);
    random(bytes);
    let prefix = 0n;
    for (const b of bytes) prefix = (prefix << 8n) | BigInt(b);
    this.#prefix = (prefix << COUNTER_BITS) | TOP_BIT;
  }

  /** The next cloid: 0x + 32 lowercase hex digits, at least 2^127. */
  next(): string {
    if (this.#counter === COUNTER_MAX) {
      throw new Error(`cloid counter exhausted after ${COUNTER_MAX} orders in one run; restart`);
    }
    this.#counter++;
    return cloidFromInt(this.#prefix | this.#counter);
  }
}

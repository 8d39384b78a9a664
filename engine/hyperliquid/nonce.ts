/**
 * Nonces for signed actions (engine/hyperliquid/README.md § Nonces): the exchange keeps the 100
 * highest nonces per signer and refuses any reused or older one, so each signer gets one counter
 * that follows the clock in milliseconds but never repeats: `max(now_ms, last + 1)`.
 */

/** Hands out strictly increasing millisecond nonces for one signer. */
export class NonceSource {
  #last = 0;
  readonly #now: () => number;

  /** `now` returns the current time in ms (injectable for tests). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The next nonce: the current ms, or one more than the last nonce when the clock has not moved on. */
  next(): number {
    const now = Math.floor(this.#now());
    this.#last = now > this.#last ? now : this.#last + 1;
    return this.#last;
  }

  /** The last nonce handed out (0 before the first). */
  get last(): number {
    return this.#last;
  }
}

const bySigner = new Map<string, NonceSource>();

/** The process-wide nonce source of a signer address, so two clients of one key never collide. */
export function nonceSourceFor(signerAddress: string): NonceSource {
  const key = signerAddress.toLowerCase();
  let source = bySigner.get(key);
  if (!source) {
    source = new NonceSource();
    bySigner.set(key, source);
  }
  return source;
}

/**
 * A small seeded random number generator (sfc32, seeded through splitmix32) and the
 * distributions the synthetic market draws from. The same seed always gives the same
 * sequence, which is what makes a simulated market stream reproducible byte for byte.
 */

/** Mixes a 32-bit state (splitmix32); used to spread one seed into independent streams. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives a child seed for stream `index` (e.g. one per coin) from a parent seed. */
export function deriveSeed(seed: number, index: number): number {
  return splitmix32((Math.imul(seed | 0, 0x27d4eb2d) ^ splitmix32(index + 1)) | 0);
}

/** A deterministic pseudo-random source with the distributions the market needs. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** Creates a generator from any 32-bit integer seed. */
  constructor(seed: number) {
    this.#a = splitmix32(seed);
    this.#b = splitmix32(this.#a);
    this.#c = splitmix32(this.#b);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Next 32-bit unsigned integer (sfc32). */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1): never exactly 0, so logarithms are safe. */
  next(): number {
    return (this.uint32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.next()) * mean;
  }

  /** Poisson count with mean `lambda` (inversion; lambda is small per market step). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Pareto with minimum 1 and tail index `alpha` (heavy tail for alpha < 2). */
  pareto(alpha: number): number {
    return Math.pow(this.next(), -1 / alpha);
  }

  /** `bytes` random bytes as a 0x-prefixed lowercase hex string. */
  hex(bytes: number): string {
    let out = "0x";
    for (let i = 0; i < bytes; i += 4) {
      out += this.uint32().toString(16).padStart(8, "0").slice(0, Math.min(8, (bytes - i) * 2));
    }
    return out;
  }
}

/**
 * A set of small non-negative integers (coin indices) in the order they were first added, with
 * room for every index below its capacity: adding never allocates and never runs out of space.
 */
export class IndexSet {
  readonly #order: Int32Array;
  readonly #member: Uint8Array;
  #size = 0;

  /** A set for indices 0 … `capacity` − 1; throws naming a bad capacity. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new Error(`IndexSet: capacity ${capacity} must be a non-negative integer`);
    }
    this.#order = new Int32Array(capacity);
    this.#member = new Uint8Array(capacity);
  }

  /** Number of indices in the set. */
  get size(): number {
    return this.#size;
  }

  /** Adds `index` (a second add is a no-op); throws naming an index outside the capacity. */
  add(index: number): void {
    if (!(index >= 0 && index < this.#member.length && Number.isInteger(index))) {
      throw new Error(`IndexSet: index ${index} is outside 0 … ${this.#member.length - 1}`);
    }
    if (this.#member[index] === 1) return;
    this.#member[index] = 1;
    this.#order[this.#size++] = index;
  }

  /** The `k`-th index added (0-based, `k` < `size`). */
  at(k: number): number {
    return this.#order[k];
  }

  /** Empties the set (cost proportional to its size, not its capacity). */
  clear(): void {
    for (let k = 0; k < this.#size; k++) this.#member[this.#order[k]] = 0;
    this.#size = 0;
  }
}

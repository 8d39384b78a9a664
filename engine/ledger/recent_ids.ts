/**
 * A bounded set of recent ids: the trade ids of our own fills, waiting for their public print.
 * The oldest are forgotten first once the set is full, so an id whose print never comes (a
 * reconnect skipped it) costs nothing for long.
 */
export class RecentIds {
  readonly #capacity: number;
  readonly #ids = new Set<number>();

  /** Holds at most `capacity` ids. */
  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new Error(`RecentIds: capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Remembers `id`; forgets the oldest when full. */
  add(id: number): void {
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      // A Set iterates in insertion order: the first is the oldest.
      this.#ids.delete(this.#ids.values().next().value!);
    }
  }

  /** True (and forgets it) when `id` is held. */
  take(id: number): boolean {
    return this.#ids.delete(id);
  }
}

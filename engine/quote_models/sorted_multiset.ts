/**
 * Numbers held in ascending order for an estimator's rolling window: additions and removals are
 * only noted (a push each), and reading the order applies them all in one merge. A window that
 * changes per trade and is read every few seconds (the GLFT trade-intensity fit) then pays one
 * linear pass per read instead of a sort, or a shift of the array per trade.
 *
 * @module
 */

/** Notes held beyond this many (or beyond the size) are applied at once, so memory stays bounded. */
const MAX_NOTES = 4096;

/** A multiset of numbers (no NaN) read in ascending order. */
export class SortedMultiset {
  #values = new Float64Array(256);
  #n = 0;
  #spare = new Float64Array(256);
  #added: number[] = [];
  #removed: number[] = [];
  /** The notes sorted, while they are applied (reused). */
  #addedSorted = new Float64Array(64);
  #removedSorted = new Float64Array(64);

  /** How many numbers are held. */
  get size(): number {
    return this.#n + this.#added.length - this.#removed.length;
  }

  /** Adds `x`; throws on NaN (it has no place in an order). */
  add(x: number): void {
    if (Number.isNaN(x)) throw new RangeError("sorted multiset: NaN cannot be ordered");
    this.#added.push(x);
    this.#bound();
  }

  /** Removes one `x`, which must be held (added before and not yet removed). */
  remove(x: number): void {
    this.#removed.push(x);
    this.#bound();
  }

  /**
   * The numbers in ascending order: entries 0 to {@link size} of the returned array, which is
   * valid until the next change.
   */
  sorted(): Float64Array {
    if (this.#added.length > 0 || this.#removed.length > 0) this.#apply();
    return this.#values;
  }

  #bound(): void {
    const notes = this.#added.length + this.#removed.length;
    if (notes > MAX_NOTES || notes > this.#n + 64) this.#apply();
  }

  /** Merges the held numbers with the added ones, leaving out the removed ones. */
  #apply(): void {
    const nAdded = this.#added.length;
    const nRemoved = this.#removed.length;
    if (this.#addedSorted.length < nAdded) this.#addedSorted = new Float64Array(2 * nAdded);
    if (this.#removedSorted.length < nRemoved) this.#removedSorted = new Float64Array(2 * nRemoved);
    const added = ascending(this.#added, this.#addedSorted);
    const removed = ascending(this.#removed, this.#removedSorted);
    const values = this.#values;
    const n = this.#n;
    if (this.#spare.length < n + nAdded) this.#spare = new Float64Array(2 * (n + nAdded));
    const out = this.#spare;
    let i = 0;
    let j = 0;
    let r = 0;
    let k = 0;
    while (i < n || j < nAdded) {
      const fromHeld = j === nAdded || (i < n && values[i] <= added[j]);
      const x = fromHeld ? values[i++] : added[j++];
      if (r < nRemoved && removed[r] === x) {
        r++;
        continue;
      }
      if (r < nRemoved && removed[r] < x) {
        throw new Error(`sorted multiset: ${removed[r]} was removed but is not held`);
      }
      out[k++] = x;
    }
    if (r < nRemoved) throw new Error(`sorted multiset: ${removed[r]} was removed but is not held`);
    this.#spare = values;
    this.#values = out;
    this.#n = k;
    this.#added.length = 0;
    this.#removed.length = 0;
  }
}

/** Copies `notes` into `into` (long enough) and sorts that part ascending; returns `into`. */
function ascending(notes: number[], into: Float64Array): Float64Array {
  for (let i = 0; i < notes.length; i++) into[i] = notes[i];
  if (notes.length > 1) into.subarray(0, notes.length).sort();
  return into;
}

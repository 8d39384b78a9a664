/**
 * The GLFT estimators' sorted window (engine/quote_models/sorted_multiset.ts): whatever the
 * order of additions and removals between two reads, a read gives exactly the held numbers in
 * ascending order.
 */
import assert from "node:assert/strict";
import { SortedMultiset } from "../engine/quote_models/sorted_multiset.ts";
import { prng } from "./helpers/prng.ts";

Deno.test("a read gives the held numbers in ascending order, ties and infinities included", () => {
  const rand = prng(7);
  const set = new SortedMultiset();
  const held: number[] = [];
  for (let step = 0; step < 20_000; step++) {
    if (held.length > 0 && rand() < 0.45) {
      // Removes the oldest (a window) or any held number (a deepened arrival).
      const at = rand() < 0.7 ? 0 : Math.floor(rand() * held.length);
      set.remove(held[at]);
      held.splice(at, 1);
    } else {
      const x = rand() < 0.3 ? 0 : rand() < 0.01 ? Infinity : Math.round(rand() * 40) / 4;
      set.add(x);
      held.push(x);
    }
    if (rand() < 0.02) {
      const expected = [...held].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      assert.equal(set.size, held.length);
      assert.deepEqual(Array.from(set.sorted().subarray(0, set.size)), expected, `step ${step}`);
    }
  }
});

Deno.test("removing a number that is not held, or adding NaN, is an error", () => {
  const set = new SortedMultiset();
  set.add(1);
  set.add(2);
  set.remove(3);
  assert.throws(() => set.sorted(), /3 was removed but is not held/);
  assert.throws(() => new SortedMultiset().add(NaN), /NaN/);
});

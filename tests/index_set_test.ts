import assert from "node:assert/strict";
import { IndexSet } from "../engine/util/index_set.ts";

const contents = (set: IndexSet) => Array.from({ length: set.size }, (_, k) => set.at(k));

Deno.test("an index set keeps each index once, in the order first added", () => {
  const set = new IndexSet(3);
  for (const i of [2, 0, 2, 2, 1, 0]) set.add(i);
  assert.deepEqual(contents(set), [2, 0, 1]);
  set.clear();
  assert.equal(set.size, 0);
  set.add(1);
  assert.deepEqual(contents(set), [1]);
});

Deno.test("any number of adds fits: interleaved indices never fill the set", () => {
  const set = new IndexSet(3);
  for (let k = 0; k < 10_000; k++) set.add(k % 2);
  set.add(2);
  assert.deepEqual(contents(set), [0, 1, 2]);
});

Deno.test("an index outside the capacity or a bad capacity is refused", () => {
  const set = new IndexSet(2);
  assert.throws(() => set.add(2), /IndexSet: index 2 is outside 0 … 1/);
  assert.throws(() => set.add(-1), /index -1 is outside/);
  assert.throws(() => new IndexSet(1.5), /capacity 1.5 must be a non-negative integer/);
});

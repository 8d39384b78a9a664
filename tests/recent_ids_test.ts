import assert from "node:assert/strict";
import { RecentIds } from "../engine/ledger/recent_ids.ts";

Deno.test("recent ids: an id is taken once; past the capacity the oldest are forgotten", () => {
  const ids = new RecentIds(2);
  ids.add(1);
  ids.add(2);
  ids.add(3);
  assert.equal(ids.take(1), false, "the oldest went when the third came");
  assert.equal(ids.take(3), true);
  assert.equal(ids.take(3), false, "taken once");
  assert.equal(ids.take(2), true);
  assert.throws(() => new RecentIds(0), /capacity must be a positive integer, got 0/);
});

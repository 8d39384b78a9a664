import assert from "node:assert/strict";
import { isRecord } from "../engine/util/guards.ts";

Deno.test("isRecord accepts parsed JSON objects only", () => {
  assert.equal(isRecord(JSON.parse('{"coin":"BTC"}')), true);
  assert.equal(isRecord({}), true);
  for (const value of [null, undefined, [], [1], "x", 1, true]) {
    assert.equal(isRecord(value), false, JSON.stringify(value));
  }
});

import assert from "node:assert/strict";
import { clip, errorMessage } from "../engine/util/errors.ts";

Deno.test("errorMessage gives an error's own message", () => {
  assert.equal(errorMessage(new Error("socket closed")), "socket closed");
  assert.equal(errorMessage(new TypeError("not a function")), "not a function");
  assert.equal(errorMessage(new DOMException("aborted", "AbortError")), "aborted");
  assert.equal(errorMessage({ message: "from a worker" }), "from a worker");
});

Deno.test("errorMessage turns any other thrown value into text instead of undefined", () => {
  assert.equal(errorMessage("timeout"), "timeout");
  assert.equal(errorMessage(42), "42");
  assert.equal(errorMessage(undefined), "undefined");
  assert.equal(errorMessage(null), "null");
  assert.equal(errorMessage({ code: 7 }), "[object Object]");
});

Deno.test("clip quotes a long value's start and marks the cut", () => {
  assert.equal(clip("0123456789", 4), "0123…");
  assert.equal(clip("0123", 4), "0123");
  assert.equal(clip("", 4), "");
});

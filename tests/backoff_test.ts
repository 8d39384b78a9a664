import assert from "node:assert/strict";
import { backoffDelayMs, checkBackoff } from "../engine/util/backoff.ts";

const backoff = { initialMs: 250, maxMs: 10_000, jitter: 0.2 };

Deno.test("retry delays double from the first delay until the cap", () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelayMs(attempt, backoff, 0));
  assert.deepEqual(delays, [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  assert.equal(backoffDelayMs(10_000, backoff, 0), 10_000, "no overflow after many attempts");
  assert.equal(backoffDelayMs(0, backoff, 0), 250, "attempt 0 waits like the first");
});

Deno.test("jitter takes up to its share off each delay, so clients do not retry in step", () => {
  assert.equal(backoffDelayMs(3, backoff, 0), 1_000);
  assert.equal(backoffDelayMs(3, backoff, 0.5), 900);
  assert.ok(Math.abs(backoffDelayMs(3, backoff, 0.999_999) - 800) < 1e-3);
  assert.equal(backoffDelayMs(3, { ...backoff, jitter: 0 }, 0.7), 1_000);
});

Deno.test("bad backoff options are refused, naming the client and the field", () => {
  assert.equal(checkBackoff("feed", backoff), backoff);
  assert.throws(
    () => checkBackoff("feed", { ...backoff, initialMs: 0 }),
    /^Error: feed: backoff\.initialMs must be a positive number of ms, got 0$/,
  );
  assert.throws(
    () => checkBackoff("feed", { ...backoff, maxMs: Infinity }),
    /feed: backoff\.maxMs must be a positive number of ms, got Infinity/,
  );
  assert.throws(
    () => checkBackoff("feed", { ...backoff, jitter: 1 }),
    /feed: backoff\.jitter 1 must be in \[0, 1\)/,
  );
});

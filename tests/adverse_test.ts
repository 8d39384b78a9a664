/**
 * Adverse selection on a hand-built mid path: the mid prevailing 1 s, 10 s and 60 s of market
 * time after each fill, signed against the fill side, in bps (positive = moved against us).
 */
import assert from "node:assert/strict";
import { AdverseSelection } from "../engine/adverse.ts";
import type { Fill, QuoteSide } from "../engine/venue/venue.ts";

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function fill(coin: string, side: QuoteSide, px: number, timeMs: number): Fill {
  return { coin, side, level: 0, px, sz: 1, timeMs, feeUsd: 0, cause: "queue", orderId: "x" };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

Deno.test("a bid fill is measured against the mid prevailing 1 s, 10 s and 60 s later", () => {
  const adverse = new AdverseSelection();
  adverse.onMid("BTC", 100, T0 + 500);
  adverse.onFill(fill("BTC", "bid", 100, T0 + 1_000));
  adverse.onMid("BTC", 99.9, T0 + 1_500);
  assert.deepEqual(adverse.summary("BTC").pending, [1, 1, 1]);
  adverse.onMid("BTC", 99.8, T0 + 2_000); // exactly 1 s: this mid counts
  adverse.onMid("BTC", 99, T0 + 5_000);
  adverse.onMid("BTC", 100.5, T0 + 12_000); // 10 s was due at 11 s, when 99 still prevailed
  adverse.onMid("BTC", 101, T0 + 70_000); // 60 s was due at 61 s, when 100.5 prevailed
  const s = adverse.summary("BTC");
  assert.deepEqual(s.measured, [1, 1, 1]);
  assert.deepEqual(s.pending, [0, 0, 0]);
  close(s.meanBps[0], 20, "bought 100, mid 99.8: 20 bps against us");
  close(s.meanBps[1], 100, "mid 99: 100 bps against us");
  close(s.meanBps[2], -50, "mid 100.5: 50 bps in our favour");
});

Deno.test("ask fills are signed the other way and averaged per coin", () => {
  const adverse = new AdverseSelection([1_000]);
  adverse.onFill(fill("ETH", "ask", 2000, T0));
  adverse.onFill(fill("ETH", "ask", 2010, T0 + 100));
  adverse.onFill(fill("SOL", "bid", 150, T0));
  adverse.onMid("ETH", 2002, T0 + 1_100);
  adverse.onMid("SOL", 150, T0 + 1_100);
  // Sold 2000, mid 2002: +10 bps against us; sold 2010, mid 2002: −39.80 bps.
  close(adverse.summary("ETH").meanBps[0], (10 + (-8 / 2010) * 10_000) / 2, "ETH mean");
  assert.equal(adverse.summary("SOL").meanBps[0], 0);
  assert.deepEqual(adverse.summaries().map((s) => s.coin), ["ETH", "SOL"]);
  assert.ok(Number.isNaN(adverse.summary("DOGE").meanBps[0]), "never filled: no number");
});

Deno.test("only market time moves the horizons; a bad horizon is refused", () => {
  const adverse = new AdverseSelection();
  adverse.onFill(fill("BTC", "bid", 100, T0));
  adverse.onMid("BTC", 90, T0 + 999);
  assert.deepEqual(adverse.summary("BTC").measured, [0, 0, 0]);
  assert.throws(() => new AdverseSelection([0]), /adverse horizon 0 ms is not positive/);
});

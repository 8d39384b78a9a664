import assert from "node:assert/strict";
import { formatRegimeChange, RegimeGovernor } from "../engine/regime.ts";

const quiet = { cancelFillRatio: 0, fills: 0, latencyP95Ms: 0 };

/** Feeds mids one second apart starting at `t0`. */
function feed(gov: RegimeGovernor, mids: number[], t0 = 1_700_000_000_000): number {
  mids.forEach((mid, i) => gov.recordMid(0, mid, t0 + i * 1000));
  return t0 + mids.length * 1000;
}

Deno.test("a calm market quotes at 1.0x and logs nothing", () => {
  const gov = new RegimeGovernor(["BTC"]);
  feed(gov, [100, 100.01, 99.99, 100.02, 100]);
  assert.equal(gov.evaluate(0, quiet), null);
  assert.equal(gov.decision(0).multiplier, 1);
  assert.equal(gov.decision(0).halted, false);
});

Deno.test("rising volatility widens, then halts above 0.5%, then recovers", () => {
  const gov = new RegimeGovernor(["BTC"], { barMs: 10_000, bars: 3 });
  let t = feed(gov, [100, 100.3]); // a 0.3% range: uncertain
  const widened = gov.evaluate(0, quiet);
  assert.ok(widened);
  assert.ok(widened.to.multiplier > 2 && widened.to.multiplier < 3, `${widened.to.multiplier}`);
  assert.match(
    formatRegimeChange(widened),
    /^\[REGIME\] BTC ATR spike detected .*Multiplier: 1\.0x → 2\.\dx$/,
  );

  t = feed(gov, [101.2], t); // range 1.2%: halt
  const halted = gov.evaluate(0, quiet);
  assert.ok(halted?.to.halted);
  assert.match(formatRegimeChange(halted), /\[REGIME\] BTC ATR .* above halt 0\.50%.*→ HALT/);

  // Four quiet bars later the window no longer holds the spike.
  for (let bar = 0; bar < 5; bar++) t = feed(gov, [101.2, 101.2], t + 10_000);
  const calm = gov.evaluate(0, quiet);
  assert.ok(calm);
  assert.equal(calm.to.halted, false);
  assert.equal(calm.to.multiplier, 1);
});

Deno.test("cancel-to-fill ratio above the cap and slow P95 widen the spread", () => {
  const gov = new RegimeGovernor(["ETH"]);
  feed(gov, [2000, 2000]);
  gov.evaluate(0, { cancelFillRatio: 51, fills: 9, latencyP95Ms: 0 });
  assert.equal(gov.decision(0).multiplier, 1, "too few fills to judge the ratio");
  gov.evaluate(0, { cancelFillRatio: 51, fills: 20, latencyP95Ms: 0 });
  assert.equal(gov.decision(0).multiplier, 1.5);
  gov.evaluate(0, { cancelFillRatio: 10, fills: 20, latencyP95Ms: 60 });
  assert.equal(gov.decision(0).multiplier, 1.5);
  gov.evaluate(0, { cancelFillRatio: 10, fills: 20, latencyP95Ms: 120 });
  assert.equal(gov.decision(0).multiplier, 2);
  gov.evaluate(0, { cancelFillRatio: 100, fills: 20, latencyP95Ms: 120 });
  assert.equal(gov.decision(0).multiplier, 3);
  assert.match(
    gov.decision(0).reason,
    /Cancel\/fill ratio 100\.0 > 50.*P95 latency 120\.0ms > 100ms/,
  );
});

Deno.test("the multiplier never leaves [1, 4]", () => {
  const gov = new RegimeGovernor(["SOL"]);
  feed(gov, [100, 100.45]); // ATR just under the halt: ~3.6x
  gov.evaluate(0, { cancelFillRatio: 1000, fills: 20, latencyP95Ms: 500 });
  assert.equal(gov.decision(0).multiplier, 4);
});

Deno.test("hourly funding beyond 0.3% per 8 h halts the coin", () => {
  const gov = new RegimeGovernor(["BTC", "ETH"]);
  gov.recordMid(0, 100, 0);
  gov.recordMid(1, 100, 0);
  gov.setFunding(0, 0.0004); // 0.32% per 8 h
  gov.setFunding(1, -0.00037); // 0.296% per 8 h: just inside
  const change = gov.evaluate(0, quiet);
  assert.ok(change?.to.halted);
  assert.match(formatRegimeChange(change), /Funding 0\.0400%\/h \(0\.320%\/8h\) beyond 0\.30%\/8h/);
  assert.equal(gov.evaluate(1, quiet), null);
  assert.equal(gov.decision(1).halted, false);
  gov.setFunding(0, 0.0001);
  assert.equal(gov.evaluate(0, quiet)?.to.halted, false);
});

Deno.test("the screener's regime halts or holds the spread wider", () => {
  const gov = new RegimeGovernor(["BTC"]);
  gov.recordMid(0, 100, 0);
  gov.setScreenerRegime(0, "uncertain");
  gov.evaluate(0, quiet);
  assert.equal(gov.decision(0).multiplier, 1.5);
  gov.setScreenerRegime(0, "halt");
  gov.evaluate(0, quiet);
  assert.equal(gov.decision(0).halted, true);
});

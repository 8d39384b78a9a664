import assert from "node:assert/strict";
import { DrawdownGuard } from "../engine/risk/drawdown.ts";
import { OfiGate, SIDE_ASK, SIDE_BID, SIDE_BOTH } from "../engine/risk/ofi_gate.ts";
import { StallMachine } from "../engine/risk/stall.ts";
import { SessionDays } from "../engine/report.ts";

Deno.test("sell dominance suppresses bids, buy dominance asks, and both recover", () => {
  const gate = new OfiGate(["BTC"], { threshold: 0.7 });
  assert.equal(gate.evaluate(0, -0.5, 50), null);
  const sell = gate.evaluate(0, -0.783, 50);
  assert.equal(sell?.line, "[OFI] Sell dominance 78.3% > threshold. Bids suppressed for BTC.");
  assert.equal(gate.mask(0), SIDE_ASK);
  assert.equal(gate.evaluate(0, -0.68, 50), null, "inside the hysteresis band: still suppressed");
  const eased = gate.evaluate(0, -0.2, 50);
  assert.match(eased!.line, /Bids restored for BTC/);
  assert.equal(gate.mask(0), SIDE_BOTH);
  const buy = gate.evaluate(0, 0.9, 50);
  assert.equal(buy?.line, "[OFI] Buy dominance 90.0% > threshold. Asks suppressed for BTC.");
  assert.equal(gate.mask(0), SIDE_BID);
});

Deno.test("an OFI gate that would flap every tick is refused, naming the setting", () => {
  assert.throws(
    () => new OfiGate(["BTC"], { threshold: 0.7, hysteresis: -0.05 }),
    /OFI gate: hysteresis must be a non-negative number, got -0.05/,
  );
  assert.throws(() => new OfiGate(["BTC"], { threshold: -0.1 }), /threshold .* got -0.1/);
});

Deno.test("a handful of trades is not a flow", () => {
  const gate = new OfiGate(["BTC"], { threshold: 0.7, minTrades: 10 });
  assert.equal(gate.evaluate(0, -1, 3), null);
  assert.equal(gate.mask(0), SIDE_BOTH);
});

Deno.test("the daily drawdown stop fires at the cap, checked once a minute", () => {
  const t0 = Date.UTC(2026, 1, 22, 10);
  const guard = new DrawdownGuard({ startingBalanceUsd: 10_000, capPct: 0.05 });
  assert.equal(guard.update(0, t0), null);
  assert.equal(guard.update(-600, t0 + 30_000), null, "not due yet");
  const breach = guard.update(-512, t0 + 60_000);
  assert.equal(
    breach?.line,
    "🛑 [GLOBAL STOP] Daily drawdown 5.12% >= cap 5.00%. Halting all quoting.",
  );
  assert.equal(guard.update(-400, t0 + 120_000), null);
});

Deno.test("a resumed day is checked at once: earlier losses may already be past the cap", () => {
  const t0 = Date.UTC(2026, 1, 22, 10);
  const guard = new DrawdownGuard({ startingBalanceUsd: 1000, capPct: 0.05 });
  guard.resumeDay(t0);
  const breach = guard.update(-51, t0);
  assert.match(breach!.line, /Daily drawdown 5\.10% >= cap 5\.00%/);
  assert.equal(breach!.dailyPnlUsd, -51);
  assert.equal(guard.update(-80, t0 + 1_000), null, "the next check is a minute later");
  assert.equal(guard.dailyPnlUsd, -80);
});

Deno.test("stall panic: cancel once, reconcile on reconnect, resume and count the recovery", () => {
  const stall = new StallMachine();
  assert.equal(stall.quoting, true);
  assert.equal(stall.reconnected(), false, "a reconnect without a stall needs no reconcile");
  assert.equal(stall.stall(), true);
  assert.equal(stall.stall(), false, "a second flag while in panic does not cancel again");
  assert.equal(stall.quoting, false);
  assert.equal(stall.reconnected(), true);
  assert.equal(stall.state, "reconciling");
  stall.reconciled(false);
  assert.equal(stall.state, "reconciling", "a failed reconcile keeps quoting off");
  stall.reconciled(true);
  assert.equal(stall.quoting, true);
  assert.equal(stall.panics, 1);
  assert.equal(stall.recoveries, 1);
});

Deno.test("a session over several UTC days writes one Gate 5 record per day", () => {
  const start = Date.UTC(2026, 1, 22, 22);
  const days = new SessionDays("shadow", start);
  const at = (fills: number, pnlUsd: number) => ({
    cancels: fills * 20,
    fills,
    stallRecoveries: 0,
    pnlUsd,
    placed: fills * 21,
    requests: fills * 41,
    volumeUsd: fills * 100,
  });
  assert.equal(days.roll(start + 3_600_000, at(10, 1)), null);
  const first = days.roll(Date.UTC(2026, 1, 23, 0, 1), at(30, 2.5));
  assert.deepEqual(
    { date: first?.dateUtc, fills: first?.fills, cancels: first?.cancels, pnl: first?.pnlUsd },
    { date: "2026-02-22", fills: 30, cancels: 600, pnl: 2.5 },
  );
  // Gate 5's requests per USDC comes from each day's own requests and volume.
  assert.deepEqual(
    { placed: first?.placed, requests: first?.requests, volumeUsd: first?.volumeUsd },
    { placed: 630, requests: 1_230, volumeUsd: 3_000 },
  );
  assert.equal(days.roll(Date.UTC(2026, 1, 23, 5), at(40, 3)), null);
  const last = days.final(Date.UTC(2026, 1, 23, 6), { ...at(50, 2), stallRecoveries: 1 });
  assert.deepEqual(
    { date: last.dateUtc, fills: last.fills, pnl: last.pnlUsd, stalls: last.stallRecoveries },
    { date: "2026-02-23", fills: 20, pnl: -0.5, stalls: 1 },
  );
});

/**
 * Paper accounting and its output: a round trip worked out by hand (realized, unrealized,
 * fees), drawdown from the session peak, the UTC-day anchor, the fills file and the
 * `[SHADOW FILL]` / `[SHADOW SESSION]` lines.
 */
import assert from "node:assert/strict";
import { AdverseSelection } from "../engine/adverse.ts";
import { flatMakerFee } from "../engine/fees.ts";
import { Portfolio } from "../engine/portfolio.ts";
import {
  formatShadowFill,
  formatShadowReport,
  formatShadowSession,
  ShadowFillLog,
  shadowFillRecord,
} from "../engine/shadow_log.ts";
import type { Fill, QuoteSide } from "../engine/venue/venue.ts";

const T0 = Date.UTC(2026, 10, 24, 23, 59, 0);
const fee = flatMakerFee();
let n = 0;

function fill(side: QuoteSide, px: number, sz: number, timeMs = T0, coin = "ETH"): Fill {
  return {
    coin,
    side,
    level: 0,
    px,
    sz,
    timeMs,
    feeUsd: fee.makerFeeUsd(px * sz),
    cause: "queue",
    orderId: `shadow-${++n}`,
  };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

Deno.test("a round trip: average entry, realized, marked unrealized and fees by hand", () => {
  const p = new Portfolio();
  p.applyFill(fill("bid", 100, 0.2)); // fee 0.003
  p.applyFill(fill("bid", 98, 0.2)); // fee 0.00294; average entry 99
  const after = p.applyFill(fill("ask", 101, 0.3)); // fee 0.004545; realized 0.3 × (101 − 99)
  assert.equal(after.avgEntry, 99);
  close(after.position, 0.1, "position");
  close(after.realizedUsd, 0.6, "realized");
  p.mark("ETH", 100, T0 + 1);
  close(p.unrealizedUsd("ETH"), 0.1, "unrealized 0.1 × (100 − 99)");
  close(p.inventoryUsd("ETH"), 10, "inventory at mid");
  const t = p.totals();
  close(t.feesUsd, 0.010485, "fees");
  close(t.volumeUsd, 69.9, "volume 20 + 19.6 + 30.3");
  close(t.pnlUsd, 0.6 + 0.1 - 0.010485, "pnl");
  assert.equal(t.fills, 3);
  // Selling 0.3 more flips to short 0.2 entered at 102.
  const flipped = p.applyFill(fill("ask", 102, 0.3));
  close(flipped.position, -0.2, "short");
  assert.equal(flipped.avgEntry, 102);
  close(flipped.realizedUsd, 0.6 + 0.1 * 3, "realized after the flip");
  const flat = p.applyFill(fill("bid", 101, 0.2));
  assert.equal(flat.position, 0);
  assert.equal(flat.avgEntry, 0);
  close(flat.realizedUsd, 0.9 + 0.2, "short closed 1 lower");
  assert.deepEqual(p.positions(), new Map());
});

Deno.test("drawdown is measured from the session's peak PnL", () => {
  const p = new Portfolio({ startingBalanceUsd: 1000 });
  p.applyFill(fill("bid", 100, 1, T0, "SOL"));
  p.mark("SOL", 110, T0 + 1_000);
  p.mark("SOL", 95, T0 + 2_000);
  const t = p.totals();
  close(t.peakPnlUsd, 10 - 0.015, "peak");
  close(t.pnlUsd, -5 - 0.015, "now");
  close(t.drawdownFromPeakUsd, 15, "from peak");
  close(p.drawdownFromPeakPct(), (15 / (1000 + 9.985)) * 100, "percent of balance + peak");
  // A recovery shrinks the current drawdown; the largest one is remembered.
  p.mark("SOL", 105, T0 + 3_000);
  close(p.totals().drawdownFromPeakUsd, 5, "from peak after the recovery");
  close(p.totals().maxDrawdownUsd, 15, "largest fall");
});

Deno.test("marking every coin, then observing once, matches marking them one by one", () => {
  const one = new Portfolio();
  const batch = new Portfolio();
  for (const p of [one, batch]) {
    p.applyFill(fill("bid", 100, 1, T0, "SOL"));
    p.applyFill(fill("ask", 50, 2, T0, "AVAX"));
  }
  one.mark("SOL", 103, T0 + 1_000);
  one.mark("AVAX", 49, T0 + 1_000);
  assert.equal(batch.setMid("SOL", 103), true, "SOL holds a position");
  assert.equal(batch.setMid("AVAX", 49), true);
  assert.equal(batch.setMid("ETH", 3000), false, "ETH was never traded");
  batch.observe(T0 + 1_000);
  assert.deepEqual(batch.totals(), one.totals());
  close(batch.dailyPnlUsd(T0 + 1_000), one.totals().dailyPnlUsd, "the day's PnL");
});

Deno.test("the day's PnL restarts from the PnL carried into a new UTC day", () => {
  const p = new Portfolio({ startingBalanceUsd: 1000 });
  p.applyFill(fill("bid", 100, 1, T0, "SOL")); // 23:59 UTC
  p.mark("SOL", 104, T0 + 30_000);
  close(p.totals().dailyPnlUsd, 4 - 0.015, "first day");
  p.mark("SOL", 101, T0 + 90_000); // 00:00:30 the next day
  close(p.totals().dailyPnlUsd, -3, "since midnight");
  close(p.dailyPnlPct(), -0.3, "percent of the starting balance");
  close(p.dailyPnlUsd(T0 + 90_000), -3, "what the drawdown stop is fed");
});

Deno.test("a malformed fill and a bad starting balance are refused by value", () => {
  const p = new Portfolio();
  assert.throws(() => p.applyFill({ ...fill("bid", 100, 1), sz: 0 }), /px 100, sz 0/);
  assert.throws(() => new Portfolio({ startingBalanceUsd: -1 }), /starting balance -1 USD/);
  assert.throws(() => flatMakerFee(0.5), /maker fee rate 0.5 is not a fraction/);
});

Deno.test("fills go to one JSON line each in the UTC day's file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new ShadowFillLog({ dir: `${dir}/shadow` });
    const p = new Portfolio();
    const before = fill("bid", 3000.5, 0.004, T0);
    const after = {
      ...fill("ask", 3001.5, 0.004, T0 + 120_000),
      level: 2,
      cause: "trade-through" as const,
    };
    for (const f of [before, after]) {
      p.applyFill(f);
      log.append(shadowFillRecord(f, p.position(f.coin), p.inventoryUsd(f.coin)));
    }
    await log.close();
    assert.equal(log.written, 2);
    const day1 = await Deno.readTextFile(`${dir}/shadow/2026-11-24.jsonl`);
    const day2 = await Deno.readTextFile(`${dir}/shadow/2026-11-25.jsonl`);
    assert.deepEqual(JSON.parse(day1), {
      timeMs: T0,
      coin: "ETH",
      side: "bid",
      level: 1,
      px: 3000.5,
      sz: 0.004,
      notional: 12.002,
      feeUsd: 12.002 * 0.00015,
      cause: "queue",
      orderId: before.orderId,
      inventory: 0.004,
      inventoryUsd: 12.002,
    });
    const second = JSON.parse(day2);
    assert.equal(second.level, 3);
    assert.equal(second.cause, "trade-through");
    assert.equal(second.inventory, 0);
    assert.equal(day1.split("\n").length, 2, "one line and a final newline");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a write that fails is reported, not thrown at the quoting loop", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const errors: string[] = [];
    const log = new ShadowFillLog({ dir: `${dir}/file`, onError: (e) => errors.push(e.message) });
    log.append(shadowFillRecord(fill("bid", 1, 1), 1, 1));
    await log.close();
    assert.equal(log.failed, 1);
    assert.match(errors[0], /could not write 1 shadow fills to .*file\/2026-11-24\.jsonl/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the fill, session and per-coin lines show fees as fees and rebates as rebates", () => {
  const btc: Fill = {
    coin: "BTC",
    side: "bid",
    level: 0,
    px: 68020.5,
    sz: 12 / 68020.5,
    timeMs: T0,
    feeUsd: 0.0018,
    cause: "queue",
    orderId: "shadow-1",
  };
  assert.equal(
    formatShadowFill(btc, -12),
    "[SHADOW FILL] BTC bid L1 @ 68020.5 | sz=$12.00 | fee=$0.0018 | cause=queue | inv=$-12.00",
  );
  assert.match(formatShadowFill({ ...btc, feeUsd: -0.0004 }, 12), /\| rebate=\$0\.0004 \|/);

  const p = new Portfolio();
  const adverse = new AdverseSelection();
  for (const f of [fill("bid", 100, 1, T0, "SOL"), fill("ask", 102, 1, T0 + 10, "SOL")]) {
    p.applyFill(f);
    adverse.onFill(f);
  }
  adverse.onMid("SOL", 100, T0 + 70_000);
  assert.equal(
    formatShadowSession(p.totals(), { placed: 10, cancels: 25, fills: 2, requests: 35 }),
    "[SHADOW SESSION] Shadow PnL: $1.97 | Volume: $202 | Fees: $0.0303 | Fills: 2 | " +
      "Realized: $2.00 | Unrealized: $0.00 | DD from peak: $0.00 | C/F: 12.5 | " +
      "Requests: 35 | Req/USDC: 0.17",
  );
  assert.match(
    formatShadowSession(p.totals(), undefined, "live"),
    /^\[LIVE SESSION\] PnL: \$1\.97 \| /,
    "live trading is not labelled shadow",
  );
  assert.match(formatShadowFill(btc, 12, "live"), /^\[LIVE FILL\] BTC bid L1 @ /);
  const rebated = { ...p.totals(), feesUsd: -0.5 };
  assert.match(formatShadowSession(rebated), /\| Rebates: \$0\.5000 \|/);

  const report = formatShadowReport(p, adverse).split("\n");
  assert.match(report[1], /^coin\s+fills\s+volume \$.*adv 1s\s+adv 10s\s+adv 60s$/);
  // Bought at 100, mid 100 later: 0 bps; sold at 102, mid 100 later: the market moved our way,
  // −196.08 bps; the mean of the two is −98.04 at every horizon.
  assert.match(
    report[2],
    /^SOL\s+2\s+202\.00\s+0\.0303\s+2\.00\s+0\.00\s+0\s+0\.00\s+-98\.04\s+-98\.04\s+-98\.04$/,
  );
});

import assert from "node:assert/strict";
import { TICK_HEADER, TRADE_HEADER } from "../engine/csv_rows.ts";
import { analyze } from "../tools/analyze.ts";
import type { Gate1Result } from "../tools/analysis/gate1.ts";
import type { Gate2Result } from "../tools/analysis/gate2.ts";
import type { Gate3Result } from "../tools/analysis/gate3.ts";
import type { Gate4Result } from "../tools/analysis/gate4.ts";
import type { Gate5Result } from "../tools/analysis/gate5.ts";

const FRI = Date.parse("2026-02-20T10:00:00Z");
const SAT = Date.parse("2026-02-21T10:00:00Z");
const FRI_MIDNIGHT = Date.parse("2026-02-20T00:00:00Z");

async function write(dir: string, path: string, header: string | null, lines: string[]) {
  const full = `${dir}/${path}`;
  await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(
    full,
    (header ? header + "\n" : "") + lines.map((l) => l + "\n").join(""),
  );
}

/**
 * A dataset small enough to work out by hand:
 * AAA (Friday 10:00): mids 100, 100.1, 100.2, 100, 100 at +0, +1 s, +10 s, +60 s, +120 s,
 *   spreads 2, 2, 4, 4, 2 bps; a taker buy at +0 and a taker sell at +1 s.
 * BBB (Saturday 10:00): mid 50 throughout, spreads 10, 10, 10, 6; a taker sell at +0.
 * CCC (Friday, hours 0-3): mid 10, spreads per hour [1,1], [1,3], [2,2], [10,30]; no trades.
 */
async function dataset(dir: string) {
  const tick = (t: number, coin: string, mid: number, bps: number) =>
    `${t},${coin},${mid - 1},${mid + 1},${mid},${bps}`;
  await write(dir, "ticks/AAA/2026-02-20.csv", TICK_HEADER, [
    tick(FRI, "AAA", 100, 2),
    tick(FRI + 1000, "AAA", 100.1, 2),
    tick(FRI + 10000, "AAA", 100.2, 4),
    tick(FRI + 60000, "AAA", 100, 4),
    tick(FRI + 120000, "AAA", 100, 2),
  ]);
  await write(dir, "trades/AAA/2026-02-20.csv", TRADE_HEADER, [
    `${FRI},AAA,B,100.01,1,1`,
    `${FRI + 1000},AAA,A,100.09,1,2`,
  ]);
  await write(dir, "ticks/BBB/2026-02-21.csv", TICK_HEADER, [
    tick(SAT, "BBB", 50, 10),
    tick(SAT + 10000, "BBB", 50, 10),
    tick(SAT + 60000, "BBB", 50, 10),
    tick(SAT + 70000, "BBB", 50, 6),
  ]);
  await write(dir, "trades/BBB/2026-02-21.csv", TRADE_HEADER, [`${SAT},BBB,A,49.9,2,1`]);
  const ccc = [[1, 1], [1, 3], [2, 2], [10, 30]];
  await write(
    dir,
    "ticks/CCC/2026-02-20.csv",
    TICK_HEADER,
    ccc.flatMap(([a, b], h) => [
      tick(FRI_MIDNIGHT + h * 3600_000, "CCC", 10, a),
      tick(FRI_MIDNIGHT + h * 3600_000 + 30_000, "CCC", 10, b),
    ]),
  );
  // Friday: bought 1 AAA at 99.9 paying 0.01; Saturday: sold it at 100.3 with a 0.01 rebate.
  await write(dir, "shadow/fills.jsonl", null, [
    JSON.stringify({
      timeMs: FRI + 5000,
      coin: "AAA",
      side: "bid",
      level: 0,
      px: 99.9,
      sz: 1,
      notional: 99.9,
      feeUsd: 0.01,
      cause: "trade-through",
    }),
    JSON.stringify({
      timeMs: SAT + 5000,
      coin: "AAA",
      side: "ask",
      level: 0,
      px: 100.3,
      sz: 1,
      notional: 100.3,
      feeUsd: -0.01,
      cause: "queue",
    }),
  ]);
  await write(dir, "shadow/sessions.jsonl", null, [
    JSON.stringify({
      dateUtc: "2026-02-20",
      cancels: 30,
      fills: 1,
      stallRecoveries: 0,
      pnlUsd: 0.09,
    }),
    JSON.stringify({
      dateUtc: "2026-02-21",
      cancels: 70,
      fills: 1,
      stallRecoveries: 1,
      pnlUsd: 0.31,
    }),
  ]);
}

const near = (actual: number | null, expected: number, what: string) =>
  assert.ok(
    actual !== null && Math.abs(actual - expected) < 1e-5,
    `${what}: ${actual} != ${expected}`,
  );

Deno.test("every gate's numbers match the hand-worked dataset", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await dataset(dir);
    const out: string[] = [];
    const reports = await analyze({
      dataDir: dir,
      nowMs: Date.parse("2026-03-01T00:00:00Z"),
      print: (t) => out.push(t),
    });
    assert.deepEqual(reports.map((r) => r.gate), [1, 2, 3, 4, 5]);

    const g1 = reports[0].result as Gate1Result;
    const aaa = g1.coins.find((c) => c.coin === "AAA")!;
    // Taker buy at +0: passive seller sees +10, +20, 0 bps; taker sell at +1 s: 0, -9.99, +9.99 bps.
    near(aaa.adverse1sBps, 5, "AAA AS 1s");
    near(aaa.adverse10sBps, (20 - 0.1 / 100.1 * 1e4) / 2, "AAA AS 10s");
    near(aaa.adverse60sBps, (0.1 / 100.1 * 1e4) / 2, "AAA AS 60s");
    near(aaa.avgSpreadBps, 2.8, "AAA spread");
    // Edge = half-spread - adverse selection at 10 s - the 1.5 bps base-tier maker fee.
    near(aaa.edgeBps, 2.8 / 2 - (20 - 0.1 / 100.1 * 1e4) / 2 - 1.5, "AAA edge");
    const bbb = g1.coins.find((c) => c.coin === "BBB")!;
    near(bbb.edgeBps, 9 / 2 - 0 - 1.5, "BBB edge");
    assert.deepEqual(g1.exclude.sort(), ["AAA", "CCC"]);

    const g2 = reports[1].result as Gate2Result;
    assert.deepEqual(g2.hours.map((h) => h.hourUtc), [0, 1, 2, 3, 10]);
    near(g2.hours[4].avgSpreadBps, 50 / 9, "hour 10 avg");
    near(g2.hours[1].stdSpreadBps, 1, "hour 1 std");
    assert.deepEqual(g2.chaoticHours, [3, 10]);
    // The governor's ATR fraction at the end of each one-minute bar: AAA's bars close with
    // 0.2/100.2 (10:00, range 100..100.2), (0.2 + 0.2)/2/100 (10:01, down to 100 from a 100.2
    // close) and 0.4/3/100 (10:02, flat); BBB's two and CCC's four bars are flat, 0.
    const bars = [0, 0, 0, 0, 0, 0, 0.4 / 300, 0.2 / 100.2, 0.002];
    assert.equal(g2.bars, bars.length);
    near(g2.regimeOptions!.calmAtr, 0, "calmAtr: the median bar");
    near(g2.regimeOptions!.haltAtr, bars[7] + 0.6 * (bars[8] - bars[7]), "haltAtr: 95th pct");
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${dir}/reports/regime_options.json`)),
      g2.regimeOptions,
    );

    const g3 = reports[2].result as Gate3Result;
    assert.deepEqual(
      g3.configs.map((c) => [c.coin, c.base_spread_bps, c.regime]),
      // AAA: 1.2 x (5.005 adverse + 1.5 fee) = 7.806, up to 7.9; BBB: half its 10 bps median
      // spread; CCC: unmeasured, so 1.2 x the fee alone.
      [["AAA", 7.9, "halt"], ["BBB", 5, "calm"], ["CCC", 1.8, "halt"]],
    );
    near(g3.configs[0].atr_fraction, 0.2 / 100.2, "AAA median bar ATR");
    near(g3.details[1].edgeBps, 5 - 0 - 1.5, "BBB edge at its recommended half-spread");
    const written = JSON.parse(await Deno.readTextFile(`${dir}/reports/mm_asset_config.json`));
    assert.deepEqual(written, g3.configs);
    assert.deepEqual(Object.keys(written[0]).sort(), [
      "atr_fraction",
      "base_spread_bps",
      "coin",
      "max_inv_usd",
      "min_order_usd",
      "regime",
    ]);

    const g4 = reports[3].result as Gate4Result;
    assert.equal(g4.hasSaturday, true);
    near(g4.weekendAvgSpreadBps, 9, "weekend avg");
    near(g4.weekdayAvgSpreadBps, 64 / 13, "weekday avg");
    near(g4.weekendSpreadMultiplier, 9 / (64 / 13), "weekend multiplier");

    const g5 = reports[4].result as Gate5Result;
    assert.deepEqual(g5.dailyPnl.map((d) => [d.day, d.pnlUsd]), [["2026-02-20", 0.09], [
      "2026-02-21",
      0.31,
    ]]);
    const check = (name: string) => g5.checks.find((c) => c.name.startsWith(name))!;
    // 3 between ticks, and AAA and CCC stop for the rest of Friday while BBB trades on Saturday.
    assert.equal(check("critical gaps").value, 5);
    assert.equal(check("critical gaps").pass, false);
    near(check("shadow PnL").value, 0.4, "PnL");
    near(check("Sharpe").value, (0.2 / Math.sqrt(2 * 0.11 ** 2)) * Math.sqrt(365), "Sharpe");
    assert.equal(check("cancel/fill").value, 50);
    assert.equal(check("cancel/fill").pass, false);
    assert.equal(check("stall").pass, true);
    assert.equal(check("shadow days").value, 2);
    assert.equal(check("shadow days").pass, false);
    assert.equal(g5.go, false);

    for (
      const f of [
        "gate1.json",
        "gate5.json",
        "gate1_edge_per_coin.svg",
        "gate2_spread_by_hour.svg",
        "gate5_cumulative_shadow_pnl.svg",
      ]
    ) {
      assert.ok((await Deno.stat(`${dir}/reports/${f}`)).size > 0, f);
    }
    assert.match(await Deno.readTextFile(`${dir}/reports/gate2_spread_by_hour.svg`), /^<svg/);
    assert.match(out.join("\n"), /NO-GO/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--coin and --from/--to narrow what the gates see", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await dataset(dir);
    const [g1] = await analyze({ dataDir: dir, gate: 1, filter: { coin: "AAA" }, print: () => {} });
    assert.deepEqual((g1.result as Gate1Result).coins.map((c) => c.coin), ["AAA"]);
    const [g4] = await analyze({
      dataDir: dir,
      gate: 4,
      filter: { from: "2026-02-21", to: "2026-02-21" },
      print: () => {},
    });
    assert.deepEqual((g4.result as Gate4Result).rows.map((r) => [r.coin, r.dayType]), [[
      "BBB",
      "weekend",
    ]]);
    await assert.rejects(analyze({ dataDir: dir, gate: 6, print: () => {} }), /--gate 6/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

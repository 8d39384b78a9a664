import assert from "node:assert/strict";
import { formatTickLine, formatTradeLine, TICK_HEADER, TRADE_HEADER } from "../engine/csv_rows.ts";
import { RegimeGovernor } from "../engine/regime.ts";
import { analyze } from "../tools/analyze.ts";
import { convert } from "../tools/csv_to_parquet.ts";
import { openDatabase } from "../tools/analysis/duckdb.ts";
import { quantileSorted } from "../tools/analysis/gate.ts";
import type { Gate1Result } from "../tools/analysis/gate1.ts";
import type { Gate2Result } from "../tools/analysis/gate2.ts";
import type { Gate3Result } from "../tools/analysis/gate3.ts";
import type { Gate4Result } from "../tools/analysis/gate4.ts";
import { dailyPnl, type Gate5Result } from "../tools/analysis/gate5.ts";
import { loadData } from "../tools/analysis/load.ts";

const FRI = Date.parse("2026-02-20T00:00:00Z");
const SAT = Date.parse("2026-02-21T00:00:00Z");
const COINS = ["LOW", "MID", "WIDE"];

/**
 * Three coins over a Friday and a Saturday, ticks every 7 s from 08:00 to about 10:55 UTC, with
 * very different spread levels (about 1, 5 and 12 bps), so a statistic combined wrongly across
 * coins (say, the mean of per-coin deviations) visibly differs from the whole-data one. A trade
 * every 3rd tick, half of them at the tick's own timestamp ("as of" includes that tick); LOW has
 * a trade before its first tick (not measurable). MID is converted to Parquet, the others stay CSV.
 */
async function dataset(dir: string): Promise<void> {
  for (const [c, coin] of COINS.entries()) {
    let state = 12345 + c * 977;
    let px = 20 + c * 15;
    for (const dayStart of [FRI, SAT]) {
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const ticks = [TICK_HEADER + "\n"], trades = [TRADE_HEADER + "\n"];
      if (coin === "LOW" && dayStart === FRI) {
        trades.push(formatTradeLine(dayStart + 8 * 3_600_000 - 5_000, coin, "B", px, 1, 1));
      }
      for (let i = 0; i < 1500; i++) {
        state = (state * 1664525 + 1013904223) >>> 0;
        px = Math.max(1, px * (1 + ((state % 41) - 20) * 2e-5));
        const t = dayStart + 8 * 3_600_000 + i * 7_000 + c * 13;
        const spreadBps = [1, 5, 12][c] * (1 + (state % 7) / 4) * (dayStart === SAT ? 1.5 : 1);
        const bid = Math.round(px * 1e4) / 1e4;
        ticks.push(
          formatTickLine(t, coin, bid, Math.round(bid * (1 + spreadBps / 1e4) * 1e4) / 1e4),
        );
        if (i % 3 === 0) {
          const side = state & 8 ? "B" : "A";
          trades.push(formatTradeLine(t + (i % 2 ? 0 : 2_500), coin, side, bid, 1, i + 2));
        }
      }
      for (const [kind, lines] of [["ticks", ticks], ["trades", trades]] as const) {
        await Deno.mkdir(`${dir}/${kind}/${coin}`, { recursive: true });
        await Deno.writeTextFile(`${dir}/${kind}/${coin}/${day}.csv`, lines.join(""));
      }
    }
  }
  const fill = (timeMs: number, coin: string, side: string, px: number) =>
    JSON.stringify({ timeMs, coin, side, level: 0, px, sz: 1, notional: px, feeUsd: 0.001 });
  await Deno.mkdir(`${dir}/shadow`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/shadow/fills.jsonl`,
    [
      fill(FRI + 9 * 3_600_000, "LOW", "bid", 20),
      fill(FRI + 9.5 * 3_600_000, "WIDE", "ask", 50),
      fill(SAT + 9 * 3_600_000, "LOW", "ask", 20.1),
    ].map((l) => l + "\n").join(""),
  );
  await convert({
    dataDir: dir,
    all: true,
    coin: "MID",
    nowMs: SAT + 2 * 86_400_000,
    print: () => {},
    tty: false,
  });
}

/** Adverse selection per coin and day type, straight from the definition (one ASOF join each). */
const REFERENCE_ADVERSE_SQL = `
WITH f AS (
  SELECT coin, timestamp_ms AS ts, CASE WHEN side = 'B' THEN 1.0 ELSE -1.0 END AS sgn,
    isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7) AS weekend, row_number() OVER () AS fid
  FROM trades
),
probes AS (SELECT f.*, v.h, f.ts + v.h AS pt FROM f, (VALUES (0), (1000), (10000), (60000)) v(h)),
at_probe AS (
  SELECT p.fid, p.h, t.mid FROM probes p ASOF JOIN ticks t ON p.coin = t.coin AND p.pt >= t.timestamp_ms
),
mids AS (
  SELECT fid, max(mid) FILTER (WHERE h = 0) AS m0, max(mid) FILTER (WHERE h = 1000) AS m1,
    max(mid) FILTER (WHERE h = 10000) AS m10, max(mid) FILTER (WHERE h = 60000) AS m60
  FROM at_probe GROUP BY fid
),
last_tick AS (SELECT coin, max(timestamp_ms) AS last_ts FROM ticks GROUP BY coin),
moves AS (
  SELECT f.coin, f.weekend,
    CASE WHEN f.ts + 1000 <= l.last_ts THEN f.sgn * (m.m1 - m.m0) / m.m0 * 1e4 END AS a1,
    CASE WHEN f.ts + 10000 <= l.last_ts THEN f.sgn * (m.m10 - m.m0) / m.m0 * 1e4 END AS a10,
    CASE WHEN f.ts + 60000 <= l.last_ts THEN f.sgn * (m.m60 - m.m0) / m.m0 * 1e4 END AS a60
  FROM f JOIN mids m USING (fid) JOIN last_tick l USING (coin) WHERE m.m0 IS NOT NULL
)
SELECT coin, weekend, avg(a1) AS a1, avg(a10) AS a10, avg(a60) AS a60, count(a10) AS n10
FROM moves GROUP BY GROUPING SETS ((coin), (coin, weekend))
`;

/** Spread by UTC hour over every tick of every coin at once. */
const REFERENCE_HOURLY_SQL = `
SELECT CAST((timestamp_ms // 3600000) % 24 AS INTEGER) AS hour_utc, count(*) AS ticks,
  avg(spread_bps) AS avg_bps, stddev_pop(spread_bps) AS std_bps
FROM ticks GROUP BY hour_utc ORDER BY hour_utc
`;

/** Per coin: the mean of its hourly deviations (the wrong way to combine, for contrast). */
const NAIVE_HOURLY_STD_SQL = `
SELECT hour_utc, avg(std_bps) AS std_bps FROM (
  SELECT coin, CAST((timestamp_ms // 3600000) % 24 AS INTEGER) AS hour_utc,
    stddev_pop(spread_bps) AS std_bps
  FROM ticks GROUP BY ALL
) GROUP BY hour_utc ORDER BY hour_utc
`;

/**
 * The ATR fraction the regime governor itself holds at the end of every one-minute bar, fed one
 * coin's ticks in time order: the reference for gates 2 and 3.
 */
function governorBars(ticks: Record<string, unknown>[]): number[] {
  const governor = new RegimeGovernor(["X"]);
  const inputs = { cancelFillRatio: 0, fills: 0, latencyP95Ms: 0 };
  const out: number[] = [];
  const closeBar = () => {
    governor.evaluate(0, inputs);
    out.push(governor.decision(0).atrFraction);
  };
  let bar = -1;
  for (const tick of ticks) {
    const t = Number(tick.timestamp_ms);
    if (bar >= 0 && Math.floor(t / 60_000) > bar) closeBar();
    governor.recordMid(0, tick.mid as number, t);
    bar = Math.floor(t / 60_000);
  }
  closeBar();
  return out;
}

const REFERENCE_SPREAD_SQL = `
SELECT coin, isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7) AS weekend, count(*) AS ticks,
  avg(spread_bps) AS avg_bps, stddev_pop(spread_bps) AS std_bps, median(spread_bps) AS median_bps
FROM ticks GROUP BY GROUPING SETS ((coin), (coin, weekend), (weekend)) ORDER BY coin, weekend
`;

/** Fills per coin-day joined with each coin-day's last mid, over everything at once. */
const REFERENCE_FILL_DAYS_SQL = `
WITH f AS (
  SELECT coin, time_ms, strftime(make_timestamp(time_ms * 1000), '%Y-%m-%d') AS day,
    CASE WHEN side = 'bid' THEN sz ELSE -sz END AS d_inventory,
    CASE WHEN side = 'bid' THEN -notional ELSE notional END - fee_usd AS d_cash, px
  FROM shadow_fills
),
per_day AS (
  SELECT coin, day, sum(d_inventory) AS d_inventory, sum(d_cash) AS d_cash,
    arg_max(px, time_ms) AS last_fill_px, count(*) AS fills
  FROM f GROUP BY coin, day
),
marks AS (
  SELECT coin, strftime(make_timestamp(timestamp_ms * 1000), '%Y-%m-%d') AS day,
    arg_max(mid, timestamp_ms) AS close_mid
  FROM ticks WHERE coin IN (SELECT DISTINCT coin FROM shadow_fills) GROUP BY ALL
)
SELECT coalesce(p.coin, m.coin) AS coin, coalesce(p.day, m.day) AS day,
  coalesce(p.d_inventory, 0) AS d_inventory, coalesce(p.d_cash, 0) AS d_cash,
  p.last_fill_px, m.close_mid, coalesce(p.fills, 0) AS fills
FROM per_day p FULL OUTER JOIN marks m ON p.coin = m.coin AND p.day = m.day
ORDER BY day, coin
`;

const near = (actual: number | null, expected: number | null, what: string) =>
  assert.ok(
    actual !== null && expected !== null && Math.abs(actual - expected) < 2e-6,
    `${what}: ${actual} != ${expected}`,
  );

Deno.test("coin-by-coin gates equal the same statistics computed over all coins at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await dataset(dir);
    const reports = await analyze({
      dataDir: dir,
      nowMs: SAT + 3 * 86_400_000,
      print: () => {},
    });
    const [g1, g2, g3, g4, g5] = reports.map((r) => r.result) as [
      Gate1Result,
      Gate2Result,
      Gate3Result,
      Gate4Result,
      Gate5Result,
    ];

    const db = await openDatabase();
    try {
      await loadData(db, dir);
      const adverse = db.query(REFERENCE_ADVERSE_SQL);
      const spread = db.query(REFERENCE_SPREAD_SQL);
      for (const coin of COINS) {
        const mine = g1.coins.find((c) => c.coin === coin)!;
        const ref = adverse.find((r) => r.coin === coin && r.weekend === null)!;
        near(mine.adverse1sBps, ref.a1 as number, `${coin} AS 1s`);
        near(mine.adverse10sBps, ref.a10 as number, `${coin} AS 10s`);
        near(mine.adverse60sBps, ref.a60 as number, `${coin} AS 60s`);
        assert.equal(mine.fills, ref.n10, `${coin} fills measured at 10 s`);
        const all = spread.find((r) => r.coin === coin && r.weekend === null)!;
        near(mine.avgSpreadBps, all.avg_bps as number, `${coin} spread`);
        near(
          g3.details.find((d) => d.coin === coin)!.medianSpreadBps,
          all.median_bps as number,
          `${coin} median spread`,
        );
        for (const weekend of [false, true]) {
          const row = g4.rows.find((r) =>
            r.coin === coin && r.dayType === (weekend ? "weekend" : "weekday")
          )!;
          const s = spread.find((r) => r.coin === coin && r.weekend === weekend)!;
          const a = adverse.find((r) => r.coin === coin && r.weekend === weekend)!;
          assert.equal(row.ticks, s.ticks);
          near(row.avgSpreadBps, s.avg_bps as number, `${coin} weekend=${weekend} avg`);
          near(row.stdSpreadBps, s.std_bps as number, `${coin} weekend=${weekend} std`);
          near(row.adverse10sBps, a.a10 as number, `${coin} weekend=${weekend} AS 10s`);
        }
      }
      // LOW has 1001 trades, but the one before its first tick is not measured.
      assert.deepEqual(g1.coins.map((c) => c.fills), [1000, 1000, 1000]);

      const hourly = db.query(REFERENCE_HOURLY_SQL);
      const naive = db.query(NAIVE_HOURLY_STD_SQL);
      assert.deepEqual(
        g2.hours.map((h) => [h.hourUtc, h.ticks]),
        hourly.map((r) => [r.hour_utc, r.ticks]),
      );
      for (const [i, h] of g2.hours.entries()) {
        near(h.avgSpreadBps, hourly[i].avg_bps as number, `hour ${h.hourUtc} avg`);
        near(h.stdSpreadBps, hourly[i].std_bps as number, `hour ${h.hourUtc} std`);
        // The dataset is one where combining per-coin deviations naively would be far off.
        assert.ok(Math.abs((h.stdSpreadBps as number) - (naive[i].std_bps as number)) > 1);
      }
      const bars = new Map(COINS.map((coin) => [
        coin,
        governorBars(
          db.query(`SELECT timestamp_ms, mid FROM ticks WHERE coin = '${coin}' ORDER BY 1`),
        ),
      ]));
      const all = [...bars.values()].flat().sort((a, b) => a - b);
      // Fractions of about 1e-4, written with 8 decimals: equal to 1e-8.
      const fraction = (actual: number | undefined, expected: number | null, what: string) =>
        assert.ok(Math.abs(actual! - expected!) <= 1e-8, `${what}: ${actual} != ${expected}`);
      fraction(g2.regimeOptions?.calmAtr, quantileSorted(all, 0.5), "calmAtr");
      fraction(g2.regimeOptions?.haltAtr, quantileSorted(all, 0.95), "haltAtr");
      assert.equal(g2.bars, all.length);
      for (const coin of COINS) {
        fraction(
          g3.configs.find((c) => c.coin === coin)!.atr_fraction,
          quantileSorted(bars.get(coin)!.sort((a, b) => a - b), 0.5),
          `${coin} median ATR fraction`,
        );
      }

      const overall = (weekend: boolean) =>
        spread.find((r) => r.coin === null && r.weekend === weekend)!.avg_bps as number;
      near(g4.weekendAvgSpreadBps, overall(true), "weekend avg");
      near(g4.weekdayAvgSpreadBps, overall(false), "weekday avg");
      assert.equal(g4.saturdaysSeen, 1);

      assert.deepEqual(g5.dailyPnl, dailyPnl(db.query(REFERENCE_FILL_DAYS_SQL)));
      assert.equal(g5.dailyPnl.length, 2);
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

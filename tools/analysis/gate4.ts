/**
 * Gate 4, weekend versus weekday (spec section 10): spread mean and deviation and adverse
 * selection at 10 s, split into weekend (Saturday and Sunday, UTC) and weekday, per coin; whether
 * any Saturday is in the data; and the weekend spread multiplier (weekend over weekday mean spread
 * over all selected coins) for the regime governor.
 */

import type { GateContext, GateReport } from "./gate.ts";
import { round } from "./gate.ts";
import { formatTable } from "./table.ts";

/** Spread and 10 s adverse selection per coin and day type; Saturdays seen. */
export const GATE4_SQL = `
WITH t AS (
  SELECT coin, timestamp_ms, mid, spread_bps,
    isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7) AS weekend
  FROM ticks
),
fills AS (
  SELECT coin, timestamp_ms AS ts, CASE WHEN side = 'B' THEN 1.0 ELSE -1.0 END AS sgn,
    isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7) AS weekend
  FROM trades
),
at_fill AS (
  SELECT f.*, k.mid AS mid0 FROM fills f ASOF JOIN ticks k ON f.coin = k.coin AND f.ts >= k.timestamp_ms
),
last_tick AS (SELECT coin, max(timestamp_ms) AS last_ts FROM ticks GROUP BY coin),
later AS (
  SELECT a.* FROM at_fill a JOIN last_tick l USING (coin) WHERE a.ts + 10000 <= l.last_ts
),
moves AS (
  SELECT l.coin, l.weekend, l.sgn * (k.mid - l.mid0) / l.mid0 * 1e4 AS adverse_bps
  FROM later l ASOF JOIN ticks k ON l.coin = k.coin AND l.ts + 10000 >= k.timestamp_ms
),
spread AS (
  SELECT coin, weekend, count(*) AS ticks, avg(spread_bps) AS avg_spread_bps,
    stddev_pop(spread_bps) AS std_spread_bps
  FROM t GROUP BY coin, weekend
),
adverse AS (SELECT coin, weekend, avg(adverse_bps) AS adverse_10s_bps FROM moves GROUP BY coin, weekend)
SELECT s.coin, s.weekend, s.ticks, s.avg_spread_bps, s.std_spread_bps, a.adverse_10s_bps
FROM spread s LEFT JOIN adverse a USING (coin, weekend)
ORDER BY s.coin, s.weekend
`;

/** Distinct Saturdays (UTC) with ticks, and the overall spread by day type. */
export const GATE4_DAYS_SQL = `
SELECT
  (SELECT count(DISTINCT timestamp_ms // 86400000) FROM ticks
     WHERE isodow(make_timestamp(timestamp_ms * 1000)) = 6) AS saturdays,
  (SELECT avg(spread_bps) FROM ticks WHERE isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7)) AS weekend_avg,
  (SELECT avg(spread_bps) FROM ticks WHERE isodow(make_timestamp(timestamp_ms * 1000)) NOT IN (6, 7)) AS weekday_avg
`;

/** One coin's statistics for one day type. */
export interface Gate4Row {
  coin: string;
  dayType: "weekday" | "weekend";
  ticks: number;
  avgSpreadBps: number | null;
  stdSpreadBps: number | null;
  adverse10sBps: number | null;
}

/** Gate 4's result. */
export interface Gate4Result {
  rows: Gate4Row[];
  saturdaysSeen: number;
  hasSaturday: boolean;
  weekendAvgSpreadBps: number | null;
  weekdayAvgSpreadBps: number | null;
  /** Weekend over weekday mean spread; null without both. */
  weekendSpreadMultiplier: number | null;
}

/** Gate 4 report. */
export function gate4(ctx: GateContext): GateReport<Gate4Result> {
  const rows = ctx.db.query(GATE4_SQL).map((r): Gate4Row => ({
    coin: r.coin as string,
    dayType: r.weekend ? "weekend" : "weekday",
    ticks: r.ticks as number,
    avgSpreadBps: round(r.avg_spread_bps as number),
    stdSpreadBps: round(r.std_spread_bps as number),
    adverse10sBps: round(r.adverse_10s_bps as number | null),
  }));
  const d = ctx.db.query(GATE4_DAYS_SQL)[0];
  const we = d.weekend_avg as number | null, wd = d.weekday_avg as number | null;
  const result: Gate4Result = {
    rows,
    saturdaysSeen: d.saturdays as number,
    hasSaturday: (d.saturdays as number) > 0,
    weekendAvgSpreadBps: round(we),
    weekdayAvgSpreadBps: round(wd),
    weekendSpreadMultiplier: we !== null && wd !== null && wd > 0 ? round(we / wd) : null,
  };
  const table = formatTable(
    ["coin", "days", "ticks", "avg spread bps", "std bps", "AS 10s bps"],
    rows.map((r) => [r.coin, r.dayType, r.ticks, r.avgSpreadBps, r.stdSpreadBps, r.adverse10sBps]),
  );
  return {
    gate: 4,
    title: "Weekend vs weekday",
    text: `${table}\n\nSaturday in the data: ${
      result.hasSaturday ? `yes (${result.saturdaysSeen})` : "NO: run through a Saturday first"
    }\nweekend spread multiplier: ${
      result.weekendSpreadMultiplier ?? "- (needs weekend and weekday data)"
    }`,
    result,
    charts: {},
  };
}

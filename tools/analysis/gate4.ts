/**
 * Gate 4, weekend versus weekday (spec section 10): spread mean and deviation and adverse
 * selection at 10 s, split into weekend (Saturday and Sunday, UTC) and weekday, per coin; whether
 * any Saturday is in the data; and the weekend spread multiplier (weekend over weekday mean spread
 * over all selected coins) for the regime governor.
 */

import { ensureFillMoves } from "./fill_moves.ts";
import type { GateContext, GateReport } from "./gate.ts";
import { round } from "./gate.ts";
import { formatTable } from "./table.ts";

/** Spread and 10 s adverse selection (fill_moves.ts) per coin and day type. */
export const GATE4_SQL = `
WITH spread AS (
  SELECT coin, isodow(make_timestamp(timestamp_ms * 1000)) IN (6, 7) AS weekend, count(*) AS ticks,
    avg(spread_bps) AS avg_spread_bps, stddev_pop(spread_bps) AS std_spread_bps
  FROM ticks GROUP BY ALL
),
adverse AS (SELECT coin, weekend, avg(adverse_10s_bps) AS adverse_10s_bps FROM fill_moves GROUP BY ALL)
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
  ensureFillMoves(ctx);
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

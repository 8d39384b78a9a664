/**
 * Gate 2, hourly regime profiling (spec section 10): mean and standard deviation of the spread
 * by UTC hour over the selected coins. An hour is "chaotic" when both its mean and its deviation
 * exceed 1.5x the median over the hours seen. ATR thresholds for the regime governor come from
 * each coin-hour's price range as a fraction of its mean mid (an hourly ATR proxy): calm = the
 * median coin-hour, chaotic = the 95th percentile.
 */

import type { GateContext, GateReport } from "./gate.ts";
import { round } from "./gate.ts";
import { barChart } from "./svg.ts";
import { formatTable } from "./table.ts";

/** How far above the median hour a chaotic hour's mean and deviation both are. */
export const CHAOTIC_FACTOR = 1.5;

/** Spread statistics by UTC hour of day. */
export const GATE2_HOURLY_SQL = `
SELECT CAST((timestamp_ms // 3600000) % 24 AS INTEGER) AS hour_utc, count(*) AS ticks,
  avg(spread_bps) AS avg_spread_bps, stddev_pop(spread_bps) AS std_spread_bps
FROM ticks GROUP BY hour_utc ORDER BY hour_utc
`;

/** Hourly range fraction (ATR proxy): per coin and clock hour, (max - min) / mean of the mid. */
export const GATE2_ATR_SQL = `
WITH coin_hours AS (
  SELECT coin, timestamp_ms // 3600000 AS hour_index, (max(mid) - min(mid)) / avg(mid) AS range_fraction
  FROM ticks GROUP BY coin, hour_index
)
SELECT quantile_cont(range_fraction, 0.5) AS calm_atr, quantile_cont(range_fraction, 0.95) AS chaotic_atr,
  count(*) AS coin_hours
FROM coin_hours
`;

/** One UTC hour. */
export interface Gate2Hour {
  hourUtc: number;
  ticks: number;
  avgSpreadBps: number | null;
  stdSpreadBps: number | null;
  chaotic: boolean;
}

/** Gate 2's result. */
export interface Gate2Result {
  hours: Gate2Hour[];
  chaoticHours: number[];
  medianHourAvgBps: number | null;
  medianHourStdBps: number | null;
  /** Suggested RegimeGovernor calm ATR threshold (fraction of price). */
  calmAtrThreshold: number | null;
  /** Suggested RegimeGovernor chaotic (halt) ATR threshold (fraction of price). */
  chaoticAtrThreshold: number | null;
  coinHours: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Gate 2 report. */
export function gate2(ctx: GateContext): GateReport<Gate2Result> {
  const rows = ctx.db.query(GATE2_HOURLY_SQL);
  const medAvg = median(rows.map((r) => r.avg_spread_bps as number));
  const medStd = median(rows.map((r) => r.std_spread_bps as number));
  const hours = rows.map((r): Gate2Hour => {
    const avg = r.avg_spread_bps as number, std = r.std_spread_bps as number;
    return {
      hourUtc: r.hour_utc as number,
      ticks: r.ticks as number,
      avgSpreadBps: round(avg),
      stdSpreadBps: round(std),
      chaotic: medAvg !== null && medStd !== null && avg > CHAOTIC_FACTOR * medAvg &&
        std > CHAOTIC_FACTOR * medStd,
    };
  });
  const atr = ctx.db.query(GATE2_ATR_SQL)[0] ?? {};
  const result: Gate2Result = {
    hours,
    chaoticHours: hours.filter((h) => h.chaotic).map((h) => h.hourUtc),
    medianHourAvgBps: round(medAvg),
    medianHourStdBps: round(medStd),
    calmAtrThreshold: round(atr.calm_atr as number | null, 8),
    chaoticAtrThreshold: round(atr.chaotic_atr as number | null, 8),
    coinHours: (atr.coin_hours as number) ?? 0,
  };
  const table = formatTable(
    ["hour UTC", "ticks", "avg spread bps", "std bps", "regime"],
    hours.map((
      h,
    ) => [
      String(h.hourUtc).padStart(2, "0"),
      h.ticks,
      h.avgSpreadBps,
      h.stdSpreadBps,
      h.chaotic ? "CHAOTIC" : "calm",
    ]),
  );
  const pct = (v: number | null) => v === null ? "-" : `${(v * 100).toFixed(4)}%`;
  return {
    gate: 2,
    title: "Hourly regime profiling",
    text: `${table}\n\nchaotic hours (UTC): ${
      result.chaoticHours.length ? result.chaoticHours.join(", ") : "none"
    }\nsuggested calm_atr_threshold ${pct(result.calmAtrThreshold)}, chaotic_atr_threshold ${
      pct(result.chaoticAtrThreshold)
    } (from ${result.coinHours} coin-hours)`,
    result,
    charts: {
      "gate2_spread_by_hour.svg": barChart(
        "Average spread by UTC hour",
        "bps",
        hours.map((h) => String(h.hourUtc).padStart(2, "0")),
        hours.map((h) => h.avgSpreadBps ?? 0),
      ),
    },
  };
}

/**
 * Gate 4, weekend versus weekday (README, "The five gates"): spread mean and deviation and adverse
 * selection at 10 s, split into weekend (Saturday and Sunday, UTC) and weekday, per coin; whether
 * any Saturday is in the data; and the weekend spread multiplier (weekend over weekday mean spread
 * over all selected coins) for the regime governor.
 */

import { type FillMoves, meanAdverse } from "./fill_moves.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport } from "./gate.ts";
import { partialsOf, round, SATURDAY_SQL, WEEKEND_SQL } from "./gate.ts";
import { formatTable } from "./table.ts";

/** One coin's spread statistics by day type (table `ticks` holds one coin). */
export const GATE4_SQL = `
SELECT ${WEEKEND_SQL} AS weekend, count(*) AS ticks, avg(spread_bps) AS avg_spread_bps,
  stddev_pop(spread_bps) AS std_spread_bps
FROM ticks GROUP BY weekend ORDER BY weekend
`;

/** The Saturdays (UTC day index since 1970) with ticks of one coin. */
export const GATE4_DAYS_SQL = `
SELECT DISTINCT timestamp_ms // 86400000 AS day_index FROM ticks WHERE ${SATURDAY_SQL}
`;

/** One coin's gate 4 inputs. */
export interface Gate4Partial {
  /** Weekday first, then weekend; only day types with ticks. */
  spread: { weekend: boolean; ticks: number; avgSpreadBps: number; stdSpreadBps: number }[];
  saturdays: number[];
  moves: FillMoves;
}

/** Gate 4's per-coin step. */
export function gate4Coin(pass: CoinPass, into: CoinPartials): void {
  into.gate4 = {
    spread: pass.db.query(GATE4_SQL).map((r) => ({
      weekend: r.weekend as boolean,
      ticks: r.ticks as number,
      avgSpreadBps: r.avg_spread_bps as number,
      stdSpreadBps: r.std_spread_bps as number,
    })),
    saturdays: pass.db.query(GATE4_DAYS_SQL).map((r) => r.day_index as number),
    moves: pass.moves(),
  };
}

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
  const rows: Gate4Row[] = [];
  const saturdays = new Set<number>();
  const total = { weekday: { n: 0, sum: 0 }, weekend: { n: 0, sum: 0 } };
  for (const { coin, partial: p } of partialsOf(ctx, "gate4")) {
    for (const s of p.spread) {
      const dayType = s.weekend ? "weekend" : "weekday";
      rows.push({
        coin,
        dayType,
        ticks: s.ticks,
        avgSpreadBps: round(s.avgSpreadBps),
        stdSpreadBps: round(s.stdSpreadBps),
        adverse10sBps: round(meanAdverse([p.moves[dayType]], 1)),
      });
      total[dayType].n += s.ticks;
      total[dayType].sum += s.avgSpreadBps * s.ticks;
    }
    for (const day of p.saturdays) saturdays.add(day);
  }
  const mean = (t: { n: number; sum: number }) => t.n > 0 ? t.sum / t.n : null;
  const we = mean(total.weekend), wd = mean(total.weekday);
  const result: Gate4Result = {
    rows,
    saturdaysSeen: saturdays.size,
    hasSaturday: saturdays.size > 0,
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

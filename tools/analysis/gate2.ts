/**
 * Gate 2, hourly regime profiling (README, "The five gates"): mean and standard deviation of the
 * spread by UTC hour over the selected coins (per coin in SQL, combined exactly across coins: see
 * {@link combineMoments}). An hour is "chaotic" when both its mean and its deviation exceed 1.5x
 * the median over the hours seen. The governor's ATR thresholds are suggested on the governor's own
 * scale: from the ATR fraction it holds at the end of every one-minute bar (engine/atr.ts),
 * `calmAtr` = the median bar, `haltAtr` = the 95th percentile, written as the RegimeOptions keys of
 * engine/regime.ts in `reports/regime_options.json`.
 */

import type { RegimeOptions } from "../../engine/regime.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport, Moments } from "./gate.ts";
import { combineMoments, partialsOf, quantileSorted, round, stdPop } from "./gate.ts";
import { barSpec, chartSvg } from "./charts.ts";
import { formatTable } from "./table.ts";

/** How far above the median hour a chaotic hour's mean and deviation both are. */
export const CHAOTIC_FACTOR = 1.5;

/** One coin's spread moments by UTC hour of day (table `ticks` holds one coin). */
export const GATE2_HOURLY_SQL = `
SELECT CAST((timestamp_ms // 3600000) % 24 AS INTEGER) AS hour_utc, count(*) AS ticks,
  avg(spread_bps) AS avg_spread_bps, var_pop(spread_bps) * count(*) AS m2
FROM ticks GROUP BY hour_utc
`;

/** One coin's gate 2 inputs. */
export interface Gate2Partial {
  /** Spread moments by UTC hour (0..23), for the hours with ticks. */
  hours: Map<number, Moments>;
  /** The governor's ATR fraction at the end of each one-minute bar. */
  atrFractions: Float64Array;
}

/** Gate 2's per-coin step. */
export function gate2Coin(pass: CoinPass, into: CoinPartials): void {
  const hours = new Map<number, Moments>();
  for (const r of pass.db.query(GATE2_HOURLY_SQL)) {
    hours.set(r.hour_utc as number, {
      n: r.ticks as number,
      mean: r.avg_spread_bps as number,
      m2: r.m2 as number,
    });
  }
  into.gate2 = { hours, atrFractions: pass.atr() };
}

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
  /**
   * Suggested governor thresholds under their RegimeOptions names (fractions of price): calm
   * below `calmAtr`, halt above `haltAtr`; null without a bar.
   */
  regimeOptions: Pick<RegimeOptions, "calmAtr" | "haltAtr"> | null;
  /** One-minute bars the suggestion is drawn from, over every coin. */
  bars: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Gate 2 report. */
export async function gate2(ctx: GateContext): Promise<GateReport<Gate2Result>> {
  const byHour = new Map<number, Moments>();
  const partials = partialsOf(ctx, "gate2");
  const atrFractions = new Float64Array(
    partials.reduce((n, p) => n + p.partial.atrFractions.length, 0),
  );
  let at = 0;
  for (const { partial } of partials) {
    for (const [hour, m] of partial.hours) {
      byHour.set(hour, combineMoments(byHour.get(hour) ?? { n: 0, mean: 0, m2: 0 }, m));
    }
    atrFractions.set(partial.atrFractions, at);
    at += partial.atrFractions.length;
  }
  atrFractions.sort();
  const rows = [...byHour].sort((a, b) => a[0] - b[0]).map(([hour, m]) => ({
    hour,
    ticks: m.n,
    avg: m.mean,
    std: stdPop(m) as number,
  }));
  const medAvg = median(rows.map((r) => r.avg));
  const medStd = median(rows.map((r) => r.std));
  const hours = rows.map(({ hour, ticks, avg, std }): Gate2Hour => {
    return {
      hourUtc: hour,
      ticks,
      avgSpreadBps: round(avg),
      stdSpreadBps: round(std),
      chaotic: medAvg !== null && medStd !== null && avg > CHAOTIC_FACTOR * medAvg &&
        std > CHAOTIC_FACTOR * medStd,
    };
  });
  const result: Gate2Result = {
    hours,
    chaoticHours: hours.filter((h) => h.chaotic).map((h) => h.hourUtc),
    medianHourAvgBps: round(medAvg),
    medianHourStdBps: round(medStd),
    regimeOptions: atrFractions.length === 0 ? null : {
      calmAtr: round(quantileSorted(atrFractions, 0.5), 8) as number,
      haltAtr: round(quantileSorted(atrFractions, 0.95), 8) as number,
    },
    bars: atrFractions.length,
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
  const pct = (v: number | undefined) => v === undefined ? "-" : `${(v * 100).toFixed(4)}%`;
  const options = result.regimeOptions;
  return {
    gate: 2,
    title: "Hourly regime profiling",
    text:
      `${table}\n\nchaotic hours (UTC): ${
        result.chaoticHours.length ? result.chaoticHours.join(", ") : "none"
      }\nsuggested governor thresholds (RegimeOptions, on its scale: mean true range of 14 ` +
      `one-minute bars plus the bar in progress / mid): calmAtr ${pct(options?.calmAtr)}, ` +
      `haltAtr ${pct(options?.haltAtr)} (median and 95th percentile of ${result.bars} bars)`,
    result,
    files: options === null
      ? {}
      : { "regime_options.json": JSON.stringify(options, null, 2) + "\n" },
    charts: {
      "gate2_spread_by_hour.svg": await chartSvg(barSpec(
        "Average spread by UTC hour",
        { field: "hour", title: "hour (UTC)" },
        { field: "spread", title: "spread (bps)" },
        hours.map((h) => ({
          hour: String(h.hourUtc).padStart(2, "0"),
          spread: h.avgSpreadBps ?? 0,
        })),
      )),
    },
  };
}

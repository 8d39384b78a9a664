/**
 * The adverse selection measurement shared by gates 1 and 4, defined once. Every public trade is
 * treated as a fill of the resting side: a taker buy (B) filled a resting ask (we sold), so a
 * later rise of the mid is adverse. Adverse selection at a horizon = the signed mid move from the
 * trade to the horizon, in bps of the mid at the trade (mids as of each time: the last tick at or
 * before it). A trade before the coin's first tick is not measured, nor a horizon past its last
 * tick.
 */

import type { CoinSeries } from "./coin_series.ts";
import { isWeekend } from "./gate.ts";

/** The horizons, in ms: 1 s, 10 s, 60 s. */
export const HORIZONS_MS = [1_000, 10_000, 60_000] as const;

/** Sums of adverse selection over trades, one entry per horizon of {@link HORIZONS_MS}. */
export interface AdverseSums {
  /** Trades measured at the horizon. */
  count: number[];
  /** Sum of their adverse selection, bps. */
  sumBps: number[];
}

/** One coin's adverse selection sums, split by UTC day type of the trade. */
export interface FillMoves {
  weekday: AdverseSums;
  weekend: AdverseSums;
}

function emptySums(): AdverseSums {
  return { count: HORIZONS_MS.map(() => 0), sumBps: HORIZONS_MS.map(() => 0) };
}

/**
 * One coin's adverse selection sums. Ticks and trades are time-sorted, so every "mid as of"
 * lookup is a cursor moving forward through the ticks: one merge pass per horizon, O(ticks +
 * trades), where duckdb-wasm needed a sort of ticks and probes together.
 */
export function fillMoves(series: CoinSeries): FillMoves {
  const { tickMs, mid, tradeMs, buyerTaker } = series;
  const moves: FillMoves = { weekday: emptySums(), weekend: emptySums() };
  const n = tickMs.length;
  if (n === 0) return moves;
  const lastMs = tickMs[n - 1];
  // cursor[0] for the trade time, cursor[1 + h] for horizon h: the first tick after the probe.
  const cursor = new Array<number>(HORIZONS_MS.length + 1).fill(0);
  for (let j = 0; j < tradeMs.length; j++) {
    const t = tradeMs[j];
    let c = cursor[0];
    while (c < n && tickMs[c] <= t) c++;
    cursor[0] = c;
    if (c === 0) continue;
    const m0 = mid[c - 1];
    const sign = buyerTaker[j] === 1 ? 1 : -1;
    const sums = isWeekend(t) ? moves.weekend : moves.weekday;
    for (let h = 0; h < HORIZONS_MS.length; h++) {
      const probe = t + HORIZONS_MS[h];
      if (probe > lastMs) continue;
      let k = Math.max(cursor[h + 1], c);
      while (k < n && tickMs[k] <= probe) k++;
      cursor[h + 1] = k;
      sums.count[h]++;
      sums.sumBps[h] += sign * (mid[k - 1] - m0) / m0 * 1e4;
    }
  }
  return moves;
}

/** Mean adverse selection (bps) at horizon index `h` over several sums; null when none measured. */
export function meanAdverse(sums: AdverseSums[], h: number): number | null {
  let count = 0, sum = 0;
  for (const s of sums) {
    count += s.count[h];
    sum += s.sumBps[h];
  }
  return count > 0 ? sum / count : null;
}

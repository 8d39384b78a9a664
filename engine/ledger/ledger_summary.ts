/**
 * The ledger summed per coin and grid level: real against predicted filled volume, the orders
 * only one of them filled, and how far the predicted first fill lies from the real one. Shown in
 * the session report, the status heartbeat and the metrics, and judged by Gate 5.
 */
import type { LedgerRecord } from "./ledger.ts";

/** One coin and level (or all of them: coin "all", level 0). */
export interface LedgerRow {
  coin: string;
  /** Grid level, 1-based; 0 for a total. */
  level: number;
  /** Ledger orders (live orders that rested and ended). */
  orders: number;
  /** Volume the exchange filled, USD. */
  realUsd: number;
  /** Volume the configured shadow model predicted on the same orders, USD. */
  predictedUsd: number;
  /** Orders filled (in part) only in reality. */
  onlyReal: number;
  /** Orders filled (in part) only in prediction. */
  onlyPredicted: number;
  /** Orders filled in both. */
  both: number;
  /**
   * Median of predicted minus real first fill time over the latest 1,000 orders both filled, ms
   * (null: none).
   */
  medianLeadMs: number | null;
}

/** real / predicted filled volume (NaN when nothing was predicted). */
export function realOverPredicted(row: LedgerRow): number {
  return row.predictedUsd > 0 ? row.realUsd / row.predictedUsd : NaN;
}

/** Timing leads kept per row for the median (the latest ones). */
const MAX_LEADS = 1_000;

interface Sums {
  row: LedgerRow;
  leads: number[];
}

function emptyRow(coin: string, level: number): LedgerRow {
  return {
    coin,
    level,
    orders: 0,
    realUsd: 0,
    predictedUsd: 0,
    onlyReal: 0,
    onlyPredicted: 0,
    both: 0,
    medianLeadMs: null,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Running sums of ledger records per coin and level. */
export class LedgerSummary {
  readonly #rows = new Map<string, Sums>();
  readonly #total: Sums = { row: emptyRow("all", 0), leads: [] };

  /** Adds one record. */
  add(record: LedgerRecord): void {
    const key = `${record.coin}\u0000${record.level}`;
    let sums = this.#rows.get(key);
    if (sums === undefined) {
      sums = { row: emptyRow(record.coin, record.level), leads: [] };
      this.#rows.set(key, sums);
    }
    for (const s of [sums, this.#total]) {
      const row = s.row;
      row.orders++;
      row.realUsd += record.realSz * record.px;
      row.predictedUsd += record.predictedSz * record.px;
      const real = record.realSz > 0;
      const predicted = record.predictedSz > 0;
      if (real && predicted) {
        row.both++;
        if (record.realFirstMs !== null && record.predictedFirstMs !== null) {
          // The latest leads only: the median of a day's orders, not of every order since start.
          if (s.leads.length >= MAX_LEADS) s.leads.shift();
          s.leads.push(record.predictedFirstMs - record.realFirstMs);
        }
      } else if (real) row.onlyReal++;
      else if (predicted) row.onlyPredicted++;
    }
  }

  /** Rows per coin and level, by coin then level, with their medians. */
  rows(): LedgerRow[] {
    return [...this.#rows.values()]
      .map(withMedian)
      .sort((a, b) => a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : a.level - b.level);
  }

  /** Every order together. */
  total(): LedgerRow {
    return withMedian(this.#total);
  }
}

function withMedian(s: Sums): LedgerRow {
  return { ...s.row, medianLeadMs: median(s.leads) };
}

/** The ledger as report lines: a header, one line per coin and level, and the total. */
export function formatLedger(rows: readonly LedgerRow[], total: LedgerRow): string[] {
  const line = (r: LedgerRow) =>
    `${r.level === 0 ? "all" : `${r.coin} L${r.level}`}: ${r.orders} orders, real $${
      r.realUsd.toFixed(2)
    } vs predicted $${r.predictedUsd.toFixed(2)} (real/predicted ${
      formatRatio(realOverPredicted(r))
    }), only real ${r.onlyReal}, only predicted ${r.onlyPredicted}, both ${r.both}, ` +
    `predicted first fill ${
      r.medianLeadMs === null ? "n/a" : `${(r.medianLeadMs / 1000).toFixed(2)} s`
    } after the real one (median)`;
  return [
    "Ledger of live orders and their shadow twins (real against predicted fills):",
    ...rows.map(line),
    line(total),
  ];
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(2) : "n/a";
}

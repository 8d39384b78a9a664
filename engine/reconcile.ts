/**
 * Reconciliation after a stall or reconnect (README, "Risk gates", stall panic): compare
 * the venue's positions with our inventory, book the dark fills the venue reports, adopt the
 * venue's position where it still differs, and say what was found in the `[RECONCILE]`
 * lines. Pure functions of (our inventory, the venue's report), so they are the same on every
 * run (a lesson from nautilus #3878).
 */
import type { Fill, ReconcileReport } from "./venue/venue.ts";

/** A coin whose position still differs after the dark fills were booked. */
export interface PositionMismatch {
  coin: string;
  ours: number;
  venue: number;
}

/** What a reconciliation found. */
export interface ReconcileOutcome {
  darkFills: Fill[];
  mismatches: PositionMismatch[];
  orphanOrdersCancelled: number;
  /** Log lines, most important first. */
  lines: string[];
  /** True when nothing had changed behind our back. */
  clean: boolean;
}

// Positions closer than this (coin units) are equal: sizes are whole lots of at least 1e-8.
const EPSILON = 1e-9;

/** Our positions (coin units, signed) once `fills` are booked. */
export function positionsAfter(
  ours: ReadonlyMap<string, number>,
  fills: readonly Fill[],
): Map<string, number> {
  const after = new Map(ours);
  for (const fill of fills) {
    after.set(fill.coin, (after.get(fill.coin) ?? 0) + (fill.side === "bid" ? fill.sz : -fill.sz));
  }
  return after;
}

/** Whether our positions plus `fills` equal the venue's, coin by coin. */
export function positionsAgree(
  ours: ReadonlyMap<string, number>,
  fills: readonly Fill[],
  venue: ReadonlyMap<string, number>,
): boolean {
  const after = positionsAfter(ours, fills);
  for (const coin of new Set([...after.keys(), ...venue.keys()])) {
    if (Math.abs((after.get(coin) ?? 0) - (venue.get(coin) ?? 0)) > EPSILON) return false;
  }
  return true;
}

/** Compares our inventory (before booking dark fills) with the venue's report. */
export function reconcileInventory(
  ours: ReadonlyMap<string, number>,
  report: ReconcileReport,
): ReconcileOutcome {
  const after = positionsAfter(ours, report.darkFills);
  const mismatches: PositionMismatch[] = [];
  const coins = [...new Set([...after.keys(), ...report.positions.keys()])].sort();
  for (const coin of coins) {
    const mine = after.get(coin) ?? 0;
    const venue = report.positions.get(coin) ?? 0;
    if (Math.abs(mine - venue) > EPSILON) mismatches.push({ coin, ours: mine, venue });
  }
  const lines: string[] = [];
  if (report.darkFills.length > 0) {
    const byCoin = new Map<string, number>();
    for (const f of report.darkFills) byCoin.set(f.coin, (byCoin.get(f.coin) ?? 0) + 1);
    lines.push(
      `[RECONCILE] ⚠️ ${report.darkFills.length} dark fill(s) detected: ${
        [...byCoin].map(([coin, n]) => `${coin}×${n}`).join(", ")
      }. Inventory updated.`,
    );
  }
  for (const m of mismatches) {
    lines.push(
      `[RECONCILE] ⚠️ ${m.coin} position differs: engine ${m.ours} vs venue ${m.venue}. ` +
        `Adopting the venue's (a dark fill of ${signed(m.venue - m.ours)}).`,
    );
  }
  if (report.orphanOrdersCancelled > 0) {
    lines.push(`[RECONCILE] Cancelled ${report.orphanOrdersCancelled} untracked order(s).`);
  }
  const clean = lines.length === 0;
  if (clean) lines.push("[RECONCILE] ✅ Inventory matches. No dark fills detected.");
  return {
    darkFills: report.darkFills,
    mismatches,
    orphanOrdersCancelled: report.orphanOrdersCancelled,
    lines,
    clean,
  };
}

/**
 * The fill that moves our position onto the venue's after a mismatch: booked at `px` (the mid)
 * without a fee, so the inventory driving the skew is the exchange's. Throws naming the coin
 * when there is no price to book it at.
 */
export function adoptionFill(mismatch: PositionMismatch, px: number, timeMs: number): Fill {
  if (!(px > 0)) {
    throw new Error(`cannot adopt the venue's ${mismatch.coin} position: no price to book it at`);
  }
  const delta = mismatch.venue - mismatch.ours;
  return {
    coin: mismatch.coin,
    side: delta > 0 ? "bid" : "ask",
    level: -1,
    px,
    sz: Math.abs(delta),
    timeMs,
    feeUsd: 0,
    cause: "exchange",
    orderId: "reconcile",
  };
}

function signed(x: number): string {
  return `${x > 0 ? "+" : ""}${Number(x.toPrecision(12))}`;
}

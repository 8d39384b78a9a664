/**
 * Reconciliation after a stall or reconnect (spec 8.2, `reconcile_after_reconnect`): compare
 * the venue's positions with our inventory, book the dark fills the venue reports, and say
 * what was found in the spec's `[RECONCILE]` lines. A pure function of (our inventory, the
 * venue's report), so it is the same on every run (a lesson from nautilus #3878).
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

/** Compares our inventory (before booking dark fills) with the venue's report. */
export function reconcileInventory(
  ours: ReadonlyMap<string, number>,
  report: ReconcileReport,
): ReconcileOutcome {
  const after = new Map(ours);
  for (const fill of report.darkFills) {
    after.set(fill.coin, (after.get(fill.coin) ?? 0) + (fill.side === "bid" ? fill.sz : -fill.sz));
  }
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
      `[RECONCILE] ⚠️ ${m.coin} position differs: engine ${m.ours} vs venue ${m.venue}.`,
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

/**
 * Reconcile for the live venue: compares the exchange's positions and orders with the venue's,
 * catching up on fills missed (dark fills), reading positions, and cancelling resting orders no
 * slot tracks. The venue (live.ts) runs it one at a time with cancel-all.
 */
import type { FillFeed } from "./live_fill_source.ts";
import { cancelListed } from "./live_cancel_all.ts";
import type { LiveContext } from "./live_context.ts";
import { positionsAgree } from "../reconcile.ts";
import type { Fill, ReconcileReport } from "./venue.ts";

// How many times reconcile re-reads fills while the exchange's position and ours disagree.
const RECONCILE_FILL_CHECKS = 3;

/**
 * One reconcile against `inventory` (the engine's positions by coin). `pending` returns the
 * venue's list of fills not drained yet: they are taken into the comparison, and put back if the
 * reconcile fails. Throws when an untracked order could not be cancelled.
 */
export async function reconcileAccount(
  ctx: LiveContext,
  feed: FillFeed,
  pending: () => Fill[],
  inventory: ReadonlyMap<string, number>,
): Promise<ReconcileReport> {
  await feed.catchUp();
  // Fills received that the engine has not drained yet are part of this comparison too:
  // left behind, they would be booked again after the exchange's position was adopted.
  const darkFills = pending().splice(0);
  try {
    const state = await ctx.info.clearinghouseState(ctx.user);
    const positions = new Map<string, number>();
    for (const p of state.positions) if (p.szi !== 0) positions.set(p.coin, p.szi);
    // The fill list can trail the position by a block: while they disagree, read the fills
    // again before the caller adopts the difference, or a late fill would be booked twice.
    for (let check = 0; check < RECONCILE_FILL_CHECKS; check++) {
      if (positionsAgree(inventory, darkFills, positions)) break;
      await ctx.sleep(ctx.retryMs);
      await feed.catchUp();
      darkFills.push(...pending().splice(0));
    }
    const open = await ctx.info.openOrders(ctx.user);
    const orphans = open.filter((o) => !ctx.slots.tracks(o.cloid, o.oid));
    let cancelled = 0;
    if (orphans.length > 0) {
      ctx.log.warn(`[LIVE] reconcile: ${orphans.length} untracked order(s) at the exchange`);
      const outcomes = await cancelListed(ctx, orphans, "reconcile");
      cancelled = outcomes.filter((o) => o.kind === "success").length;
      const gone = cancelled + outcomes.filter((o) => o.kind === "missing").length;
      if (gone < orphans.length) {
        throw new Error(`${orphans.length - gone} untracked order(s) could not be cancelled`);
      }
    }
    return { positions, darkFills, orphanOrdersCancelled: cancelled };
  } catch (error) {
    // Fills taken here are booked at the next drain rather than lost.
    pending().unshift(...darkFills);
    throw error;
  }
}

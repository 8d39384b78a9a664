/**
 * Outcome resolution for the live venue: an order or cancel whose answer never came is
 * "unknown", never taken as placed or refused. Once its action's `expiresAfter` has passed it
 * can no longer land, and `orderStatus` by cloid says what became of it. Every due slot is
 * asked at once, with `safety` priority (weight 2 each).
 */
import type { LiveContext } from "./live_context.ts";

/** Asks what became of every unknown order whose action has expired; true when all answered. */
export async function resolveExpired(ctx: LiveContext): Promise<boolean> {
  const now = ctx.now();
  const due = ctx.slots.all.filter((s) => s.state === "unknown" && s.expiresMs < now);
  let failed = false;
  await Promise.all(due.map(async (s) => {
    const cloid = s.cloid;
    try {
      const status = await ctx.info.orderStatus(ctx.user, cloid);
      if (s.cloid !== cloid || s.state !== "unknown") return;
      if (status.status === "order" && status.orderStatus === "open") {
        s.state = "resting";
        if (s.oid === 0) ctx.stats.placed++;
        ctx.slots.track(s, status.order.oid);
      } else {
        // An unsure cancel of a placed order that did go through counts as a cancel.
        if (s.oid !== 0 && status.status === "order" && status.orderStatus === "canceled") {
          ctx.stats.cancels++;
        }
        // Filled, cancelled or never placed: past its expiry the action can no longer land.
        ctx.slots.release(s);
      }
    } catch (error) {
      failed = true;
      ctx.log.warn(`[LIVE] orderStatus ${cloid} failed: ${(error as Error).message}`);
    }
  }));
  return !failed;
}

/** When the earliest unknown order's action expires, ms, or Infinity when none is unknown. */
export function nextExpiry(ctx: LiveContext): number {
  let due = Infinity;
  for (const s of ctx.slots.all) if (s.state === "unknown") due = Math.min(due, s.expiresMs);
  return due;
}

/**
 * Outcome resolution for the live venue: an order or cancel whose answer never came is
 * "unknown", never taken as placed or refused. Once its action's `expiresAfter` has passed it
 * can no longer land, so what rests now is final. A few due slots are asked one `orderStatus`
 * each (weight 2); once they would weigh more than one `openOrders` (weight 20), that single
 * listing answers them all — a lost 180-order batch costs 20 weight, not 360. Both go out with
 * `safety` priority.
 */
import { orderStatusKind } from "../hyperliquid/order_status.ts";
import { infoWeight } from "../hyperliquid/weight_budget.ts";
import type { LiveContext } from "./live_context.ts";
import type { LiveSlot } from "./live_slots.ts";
import { errorMessage } from "../util/errors.ts";

/** Asks what became of every unknown order whose action has expired; true when all answered. */
export function resolveExpired(ctx: LiveContext): Promise<boolean> {
  const now = ctx.now();
  const due = ctx.slots.all.filter((s) => s.state === "unknown" && s.expiresMs < now);
  if (due.length * infoWeight("orderStatus") > infoWeight("openOrders")) {
    return resolveByListing(ctx, due);
  }
  return resolveOneByOne(ctx, due);
}

/** When the earliest unknown order's action expires, ms, or Infinity when none is unknown. */
export function nextExpiry(ctx: LiveContext): number {
  let due = Infinity;
  for (const s of ctx.slots.all) if (s.state === "unknown") due = Math.min(due, s.expiresMs);
  return due;
}

async function resolveOneByOne(ctx: LiveContext, due: LiveSlot[]): Promise<boolean> {
  let failed = false;
  const undecided: LiveSlot[] = [];
  await Promise.all(due.map(async (s) => {
    const cloid = s.cloid;
    try {
      const status = await ctx.info.orderStatus(ctx.user, cloid);
      if (s.cloid !== cloid || s.state !== "unknown") return;
      if (status.status === "unknownOid") {
        settle(ctx, s, false);
        return;
      }
      const kind = orderStatusKind(status.orderStatus);
      if (kind === "open") {
        adoptResting(ctx, s, status.order.oid);
      } else if (kind === "unknown") {
        // A status the client does not know: the order may rest, so the listing decides.
        ctx.unknownStatuses.note("orderStatus status", status.orderStatus);
        undecided.push(s);
      } else {
        // An unsure cancel of a placed order that did go through counts as a cancel.
        settle(ctx, s, status.orderStatus === "canceled");
      }
    } catch (error) {
      failed = true;
      ctx.log.warn(`[LIVE] orderStatus ${cloid} failed: ${errorMessage(error)}`);
    }
  }));
  if (undecided.length > 0 && !await resolveByListing(ctx, undecided)) failed = true;
  return !failed;
}

async function resolveByListing(ctx: LiveContext, due: LiveSlot[]): Promise<boolean> {
  const asked = due.map((s) => ({ slot: s, cloid: s.cloid }));
  let resting: Map<string, number>;
  try {
    const open = await ctx.info.openOrders(ctx.user);
    resting = new Map(open.flatMap((o) => o.cloid === undefined ? [] : [[o.cloid, o.oid]]));
  } catch (error) {
    ctx.log.warn(
      `[LIVE] openOrders for ${due.length} unknown outcomes failed: ${errorMessage(error)}`,
    );
    return false;
  }
  for (const { slot, cloid } of asked) {
    if (slot.cloid !== cloid || slot.state !== "unknown") continue;
    const oid = resting.get(cloid);
    // Not listed: filled, cancelled or never placed. The fill feed books a fill; an unsure
    // cancel of a placed order is counted as sent, as the exchange would have charged it.
    if (oid !== undefined) adoptResting(ctx, slot, oid);
    else settle(ctx, slot, slot.oid !== 0);
  }
  return true;
}

/** The order rests: track it under its exchange id. */
function adoptResting(ctx: LiveContext, s: LiveSlot, oid: number): void {
  s.state = "resting";
  if (s.oid === 0) ctx.stats.placed++;
  ctx.slots.track(s, oid);
}

/** Past its expiry the action can no longer land: the slot is free again. */
function settle(ctx: LiveContext, s: LiveSlot, countCancel: boolean): void {
  if (s.oid !== 0 && countCancel) ctx.stats.cancels++;
  ctx.slots.release(s);
}

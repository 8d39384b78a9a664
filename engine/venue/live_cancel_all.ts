/**
 * Cancel-all for the live venue: every open order of the account on any coin of the universe,
 * tracked or not, cancelled by oid in one action per round and listed again until `openOrders`
 * is empty and no order action can still land. Every request goes with `safety` priority, so
 * the weight budget always has room for it.
 */
import type { CancelOutcome } from "../hyperliquid/exchange_outcomes.ts";
import type { OpenOrder } from "../hyperliquid/info_answers.ts";
import type { LiveContext } from "./live_context.ts";
import { errorMessage } from "../util/errors.ts";

/** Cancels listed orders by oid in one action; frees the slots of those confirmed gone. */
export async function cancelListed(
  ctx: LiveContext,
  open: readonly { coin: string; oid: number }[],
  reason: string,
): Promise<CancelOutcome[]> {
  const cancellable = open.filter((o) => ctx.assetIndex.has(o.coin));
  for (const o of open) {
    if (!ctx.assetIndex.has(o.coin)) {
      ctx.log.error(
        `[LIVE] cancel_all (${reason}): order ${o.oid} on ${o.coin} cannot be cancelled: ` +
          "the coin is not in the exchange's universe",
      );
    }
  }
  let outcomes: CancelOutcome[];
  try {
    const cancels = cancelsFor(ctx, cancellable);
    ctx.spend(cancels.length);
    for (const o of cancellable) ctx.cancelSent(o.oid);
    outcomes = await ctx.exchange.cancel(cancels, { priority: "safety", fast: ctx.fastCancel });
  } catch (error) {
    outcomes = cancellable.map(() => ({ kind: "unknown", reason: errorMessage(error) }));
  }
  outcomes.forEach((o, i) => {
    const order = cancellable[i];
    const slot = ctx.slots.find(order.oid);
    if (o.kind === "success" || o.kind === "missing") {
      if (o.kind === "success") {
        ctx.stats.cancels++;
        ctx.slots.forgetLevel(order.oid);
      }
      if (slot) ctx.slots.release(slot);
    } else {
      ctx.log.error(
        `[LIVE] cancel of ${order.coin} order ${order.oid} (${reason}) ${o.kind}: ${
          o.kind === "rejected" ? o.message : o.reason
        }`,
      );
    }
  });
  return cancellable.length < open.length
    ? [...outcomes, { kind: "rejected", message: "coin not in the universe" }]
    : outcomes;
}

/** Cancel requests by asset id and oid for listed orders (coins outside the universe skipped). */
export function cancelsFor(
  ctx: LiveContext,
  open: readonly { coin: string; oid: number }[],
): { asset: number; oid: number }[] {
  const out: { asset: number; oid: number }[] = [];
  for (const o of open) {
    const asset = ctx.assetIndex.get(o.coin);
    if (asset !== undefined) out.push({ asset, oid: o.oid });
  }
  return out;
}

/**
 * Cancels until `openOrders` lists nothing and no order action can still land, retrying with
 * backoff (an error line each failed round). The tracked orders go out at once, while the
 * listing is on its way. Returns early only when the venue closes.
 */
export async function cancelUntilEmpty(ctx: LiveContext, reason: string): Promise<void> {
  let failures = 0;
  const tracked = ctx.slots.all.filter((s) => s.state === "resting" && s.oid !== 0)
    .map((s) => ({ coin: s.coin, oid: s.oid }));
  let early = tracked.length > 0 ? cancelListed(ctx, tracked, reason) : null;
  while (!ctx.isClosed()) {
    const askedMs = ctx.now();
    let open: OpenOrder[];
    try {
      open = await ctx.info.openOrders(ctx.user);
    } catch (error) {
      failures++;
      ctx.log.error(
        `[LIVE] cancel_all (${reason}): openOrders failed: ${errorMessage(error)}; ` +
          `not quoting, retrying in ${ctx.backoffMs(failures)} ms`,
      );
      await ctx.sleep(ctx.backoffMs(failures));
      continue;
    }
    if (early !== null) {
      await early;
      early = null;
      const sent = new Set(tracked.map((o) => o.oid));
      open = open.filter((o) => !sent.has(o.oid));
      // Listed before those cancels landed: the next listing tells what is left.
      if (open.length === 0) continue;
    }
    if (open.length === 0) {
      if (settleAbsent(ctx, askedMs)) return;
      // An order action is still in flight or unexpired: it may yet land.
      await ctx.sleep(ctx.retryMs);
      continue;
    }
    ctx.log.warn(`[LIVE] cancel_all (${reason}): ${open.length} open order(s)`);
    const outcomes = await cancelListed(ctx, open, reason);
    if (outcomes.some((o) => o.kind === "rejected" || o.kind === "unknown")) {
      failures++;
      ctx.log.error(
        `[LIVE] cancel_all (${reason}): orders may still rest; not quoting, retrying in ${
          ctx.backoffMs(failures)
        } ms`,
      );
      await ctx.sleep(ctx.backoffMs(failures));
    }
  }
}

/**
 * `openOrders` asked at `askedMs` listed nothing: frees every slot whose order is therefore
 * gone. Returns false while an order action may still land (in flight, or unexpired).
 */
function settleAbsent(ctx: LiveContext, askedMs: number): boolean {
  let pending = false;
  for (const s of ctx.slots.all) {
    if (s.state === "empty") continue;
    // An order that could still reach the exchange after the listing was taken (in flight, or
    // unknown or resting with an unexpired action) may be missing from it only because the
    // listing came first: list again rather than forget an order that may rest.
    if (
      s.state === "placing" ||
      ((s.state === "unknown" || s.state === "resting") && s.expiresMs >= askedMs)
    ) {
      pending = true;
      continue;
    }
    // Resting or being cancelled but not listed: filled or cancelled already.
    if (s.state === "cancelling") continue;
    ctx.slots.release(s);
  }
  return !pending && !ctx.slots.all.some((s) => s.state === "cancelling");
}

/**
 * What one requote batch sends, decided the same way by the shadow and the live venue so that
 * both spend the same requests at the same moments:
 *
 * - **Protective cancels** go at once, whatever the pace, with `safety` priority: a withdrawn
 *   level's order, and one the market moved toward beyond its room (the side that gets picked
 *   off). Waiting for the pace would leave it to be filled.
 * - **Ordinary moves** (an order the market moved away from) are cancelled only when the pace
 *   allows a batch and their weight fits under the `quote` ceiling; when a protective cancel
 *   goes anyway they ride along in the same action.
 * - **Placing** waits for the pace, and goes only while its action's weight fits under the
 *   `quote` ceiling (protective cancels may have spent the window meanwhile).
 */
import { exchangeWeight, type RequestPriority } from "../hyperliquid/weight_budget.ts";
import type { RequestGovernor } from "./request_governor.ts";
import { keepsOrder, type LevelWant, type RestingQuote, targetDistance } from "./requote.ts";

/** Weight the pace assumes for one batch: one cancel action and one order action. */
export const BATCH_WEIGHT = 2;

/** The cancels of one batch, as {@link planCancels} decides them. */
export interface CancelPlan {
  /** True: cancel every moved order; false: only the protective ones. */
  cancelMoved: boolean;
  /** True when the pace allows a batch now (placing may follow the cancels). */
  paced: boolean;
  /** Priority of the cancel action: `safety` when it carries a protective cancel. */
  priority: RequestPriority;
}

/**
 * Whether an order the requote rule does not keep must go whatever the pace: its level is
 * withdrawn, or it is nearer to mid than wanted (the market or a wider spread brought it there).
 */
export function isProtectiveMove(order: RestingQuote, want: LevelWant): boolean {
  return !(want.sz > 0) || Math.abs(order.px - want.mid) < targetDistance(want);
}

/** Whether a resting order must go whatever the pace: not kept, and a protective move. */
export function isProtective(
  order: RestingQuote,
  want: LevelWant,
  nowMs: number,
  lot: number,
): boolean {
  return isProtectiveMove(order, want) && !keepsOrder(order, want, nowMs, lot);
}

/** Decides the cancels of a batch at `nowMs` with `moved` orders to move, `protective` of them urgent. */
export function planCancels(
  governor: RequestGovernor,
  nowMs: number,
  moved: number,
  protective: number,
): CancelPlan {
  const paced = governor.batchDelayMs(nowMs, BATCH_WEIGHT) === 0;
  const fits = governor.weight.waitMs(exchangeWeight(moved), "quote") === 0;
  return {
    cancelMoved: paced && (fits || protective > 0),
    paced,
    priority: protective > 0 ? "safety" : "quote",
  };
}

/** How long an order action of `orders` orders must wait for the `quote` ceiling, ms (0: now). */
export function placingWaitMs(governor: RequestGovernor, orders: number): number {
  return governor.weight.waitMs(exchangeWeight(orders), "quote");
}

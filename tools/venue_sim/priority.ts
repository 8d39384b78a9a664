/**
 * Priority fees on `order` actions (docs "Priority fees", engine/hyperliquid/wire_reference.md): a grouping
 * `{"p": N}` pays N × 1e-8 of each order's notional, is accepted only when every order is
 * post-only and not reduce-only, or every order is IOC, and keeps a post-only order ahead of
 * later orders at its price that paid less (the crowd's priority payers of market.ts skip it).
 * Post-only orders pay on their resting notional at placement, filled or not; IOC orders on what
 * they fill. The exchange takes the fee in HYPE from the staking balance; the venue counts it in
 * USD on the account.
 */
import { priorityFeeUsd as feeOf } from "../../engine/fees.ts";
import type { OrderStatus, WireOrder } from "./simulator.ts";

/** The priority rate of an action's grouping, in 1e-8 of notional (0 = none). */
export function priorityRate(grouping: unknown): number {
  if (typeof grouping !== "object" || grouping === null) return 0;
  const p = (grouping as { p?: unknown }).p;
  return typeof p === "number" ? p : 0;
}

/**
 * Why a priority grouping is refused for these orders, or null. The exchange's text for it is not
 * documented; the venue's says what the docs require.
 */
export function priorityRefusal(orders: readonly WireOrder[], rate: number): string | null {
  if (rate === 0) return null;
  const tif = (o: WireOrder) => o.t?.limit?.tif;
  const allPostOnly = orders.every((o) => tif(o) === "Alo" && o.r === false);
  const allIoc = orders.every((o) => tif(o) === "Ioc");
  if (allPostOnly || allIoc) return null;
  return "Priority fee orders must all be post-only and not reduce-only, or all IOC.";
}

/** The priority fee, USD, of orders placed with rate `rate` given their statuses. */
export function priorityFeeUsd(
  orders: readonly WireOrder[],
  statuses: readonly OrderStatus[],
  rate: number,
): number {
  let fee = 0;
  statuses.forEach((status, i) => {
    const o = orders[i];
    if ("resting" in status) fee += feeOf(Number(o.p) * Number(o.s), rate);
    else if ("filled" in status) {
      fee += feeOf(Number(status.filled.avgPx) * Number(status.filled.totalSz), rate);
    }
  });
  return fee;
}

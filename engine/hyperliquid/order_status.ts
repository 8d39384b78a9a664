/**
 * What an order status of `orderStatus` (engine/hyperliquid/README.md § Info requests) and
 * `orderUpdates` (§ User streams) means for the order: still resting, filled, triggered, or ended
 * without a fill. The table holds every status of the exchange's documentation ("Info endpoint",
 * `orderStatus`, December 2026) and the three the community TS SDK v0.33 adds
 * (`outcomeSettledCanceled`, `internalCancel`, `tooManyOpenOrdersRejected`); see README "Where this
 * differs from the specification".
 *
 * A status not in the table is "unknown": it is never taken as an end (the order may still
 * rest), and {@link UnknownStatuses} logs each new one once.
 */
import type { Logger } from "../log.ts";

/** An order status's meaning: resting, done by a fill, triggered, ended without a fill, or not known. */
export type OrderStatusKind = "open" | "filled" | "triggered" | "canceled" | "rejected" | "unknown";

/** Every order status the exchange documents, with its meaning. */
export const ORDER_STATUSES: Readonly<Record<string, Exclude<OrderStatusKind, "unknown">>> = {
  open: "open",
  filled: "filled",
  triggered: "triggered",
  canceled: "canceled",
  marginCanceled: "canceled",
  vaultWithdrawalCanceled: "canceled",
  openInterestCapCanceled: "canceled",
  selfTradeCanceled: "canceled",
  reduceOnlyCanceled: "canceled",
  siblingFilledCanceled: "canceled",
  delistedCanceled: "canceled",
  liquidatedCanceled: "canceled",
  scheduledCancel: "canceled",
  outcomeSettledCanceled: "canceled",
  internalCancel: "canceled",
  rejected: "rejected",
  tickRejected: "rejected",
  minTradeNtlRejected: "rejected",
  perpMarginRejected: "rejected",
  reduceOnlyRejected: "rejected",
  badAloPxRejected: "rejected",
  iocCancelRejected: "rejected",
  badTriggerPxRejected: "rejected",
  marketOrderNoLiquidityRejected: "rejected",
  positionIncreaseAtOpenInterestCapRejected: "rejected",
  positionFlipAtOpenInterestCapRejected: "rejected",
  tooAggressiveAtOpenInterestCapRejected: "rejected",
  openInterestIncreaseRejected: "rejected",
  insufficientSpotBalanceRejected: "rejected",
  oracleRejected: "rejected",
  perpMaxPositionRejected: "rejected",
  tooManyOpenOrdersRejected: "rejected",
};

/** The meaning of an order status; "unknown" for one the table does not hold. */
export function orderStatusKind(status: string): OrderStatusKind {
  return Object.hasOwn(ORDER_STATUSES, status) ? ORDER_STATUSES[status] : "unknown";
}

/** Whether a status ends the order without a fill (cancelled or refused by anyone). */
export function endsWithoutFill(status: string): boolean {
  const kind = orderStatusKind(status);
  return kind === "canceled" || kind === "rejected";
}

/** Logs each status or message the client does not know, once per process part that holds it. */
export class UnknownStatuses {
  readonly #seen = new Set<string>();
  readonly #log: Logger;

  /** Logs through `log` at warn level. */
  constructor(log: Logger) {
    this.#log = log;
  }

  /** Warns the first time `value` is met in `where`; later meetings are silent. */
  note(where: string, value: string): void {
    const key = `${where}\u0000${value}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#log.warn(
      `[HL] unknown ${where} ${JSON.stringify(value)}: treated as an unknown outcome ` +
        "(the order may still rest); logged once",
    );
  }
}

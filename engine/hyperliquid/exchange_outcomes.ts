/**
 * Reading `/exchange` answers into per-order outcomes (engine/hyperliquid/README.md § Exchange
 * actions). An answer that cannot be read, or no answer at all, is an "unknown" outcome: the order
 * may or may not exist, and the caller must reconcile before trusting its book of orders.
 */
import { HttpError } from "./http.ts";
import { rejectionType } from "./rejections.ts";
import { WeightBudgetError } from "./weight_budget.ts";
import { isRecord } from "../util/guards.ts";
import { clip, errorMessage } from "../util/errors.ts";

/** Characters of an unreadable exchange answer quoted in an error: enough to see its shape. */
const ANSWER_EXCERPT_CHARS = 200;
/** What became of one order (placed, amended): resting, filled, refused, or not known. */
export type OrderOutcome =
  | { kind: "resting"; oid: number; cloid?: string }
  | { kind: "filled"; oid: number; totalSz: number; avgPx: number; cloid?: string }
  | { kind: "postOnlyRejected"; message: string }
  | { kind: "rejected"; message: string }
  /** Not known; `error` is the exchange's text when it answered with an error it does not document. */
  | { kind: "unknown"; reason: string; error?: string };

/** What became of one cancel; `missing` = the order was never placed, already canceled or filled. */
export type CancelOutcome =
  | { kind: "success" }
  | { kind: "missing"; message: string }
  | { kind: "rejected"; message: string }
  | { kind: "unknown"; reason: string };

/** What became of an action without per-item statuses (scheduleCancel, updateLeverage, noop, approveAgent). */
export type ActionOutcome =
  | { kind: "ok" }
  | { kind: "rejected"; message: string }
  | { kind: "unknown"; reason: string };

// Hyperliquid error prefixes; live strings carry suffixes such as "bbo was 1@2. asset=0".
const POST_ONLY_PREFIX = "Post only order would have immediately matched";
const MISSING_ORDER_PREFIX = "Order was never placed, already canceled, or filled";
function excerpt(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return clip(text, ANSWER_EXCERPT_CHARS);
}

/** A refusal: a whole-request `err` (whatever its text) or a documented per-order error. */
function orderError(message: string): OrderOutcome {
  return message.startsWith(POST_ONLY_PREFIX)
    ? { kind: "postOnlyRejected", message }
    : { kind: "rejected", message };
}

/**
 * One order's `{"error": …}`: a documented refusal, or else an unknown outcome (issue 15): a text
 * the client does not know is not taken as proof that nothing rests.
 */
function orderStatusError(message: string): OrderOutcome {
  if (rejectionType(message) !== undefined) return orderError(message);
  return {
    kind: "unknown",
    reason: `unrecognized order error ${excerpt(message)}`,
    error: message,
  };
}

function cancelError(message: string): CancelOutcome {
  return message.startsWith(MISSING_ORDER_PREFIX)
    ? { kind: "missing", message }
    : { kind: "rejected", message };
}

function decimal(value: unknown): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function isOid(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Reads one entry of `response.data.statuses` of an `order` or `batchModify` answer. */
export function orderOutcomeOf(status: unknown): OrderOutcome {
  if (isRecord(status)) {
    if (typeof status.error === "string") return orderStatusError(status.error);
    const resting = status.resting;
    if (isRecord(resting) && isOid(resting.oid)) {
      return typeof resting.cloid === "string"
        ? { kind: "resting", oid: resting.oid, cloid: resting.cloid }
        : { kind: "resting", oid: resting.oid };
    }
    const filled = status.filled;
    if (isRecord(filled) && isOid(filled.oid)) {
      const totalSz = decimal(filled.totalSz);
      const avgPx = decimal(filled.avgPx);
      if (totalSz !== null && avgPx !== null) {
        const outcome: OrderOutcome = { kind: "filled", oid: filled.oid, totalSz, avgPx };
        if (typeof filled.cloid === "string") outcome.cloid = filled.cloid;
        return outcome;
      }
    }
  }
  // "waitingForFill" / "waitingForTrigger" (trigger orders) and anything new: not a known state.
  return { kind: "unknown", reason: `unrecognized order status ${excerpt(status)}` };
}

/** Reads one entry of `response.data.statuses` of a `cancel` or `cancelByCloid` answer. */
export function cancelOutcomeOf(status: unknown): CancelOutcome {
  if (status === "success") return { kind: "success" };
  if (isRecord(status) && typeof status.error === "string") return cancelError(status.error);
  return { kind: "unknown", reason: `unrecognized cancel status ${excerpt(status)}` };
}

/**
 * Maps an answer's statuses onto `count` items. A whole-request `status:"err"` and a single
 * pre-validation error for a batch apply to every item; a missing status is unknown.
 */
function parseStatuses<T>(
  body: unknown,
  count: number,
  responseType: string,
  parseOne: (status: unknown) => T,
  onError: (message: string) => T,
  unknown: (reason: string) => T,
): T[] {
  const all = (outcome: T) => Array.from({ length: count }, () => outcome);
  if (!isRecord(body)) return all(unknown(`unreadable answer ${excerpt(body)}`));
  if (body.status === "err") {
    return all(onError(typeof body.response === "string" ? body.response : excerpt(body.response)));
  }
  const response = body.response;
  const statuses = isRecord(response) && response.type === responseType && isRecord(response.data)
    ? response.data.statuses
    : undefined;
  if (body.status !== "ok" || !Array.isArray(statuses)) {
    return all(unknown(`unexpected answer ${excerpt(body)}`));
  }
  // A lone "missing" is about one order, so it never closes the others: they stay unknown.
  if (statuses.length === 1 && count > 1) {
    const only = parseOne(statuses[0]);
    const kind = (only as { kind: string }).kind;
    if (kind === "rejected" || kind === "postOnlyRejected") return all(only);
  }
  return Array.from(
    { length: count },
    (_, i) =>
      i < statuses.length
        ? parseOne(statuses[i])
        : unknown(`exchange returned ${statuses.length} statuses for ${count} items`),
  );
}

/** Per-order outcomes of an `order` or `batchModify` answer for `count` orders. */
export function parseOrderResponse(body: unknown, count: number): OrderOutcome[] {
  return parseStatuses(body, count, "order", orderOutcomeOf, orderError, (reason) => ({
    kind: "unknown",
    reason,
  }));
}

/** Per-cancel outcomes of a `cancel` or `cancelByCloid` answer for `count` cancels. */
export function parseCancelResponse(body: unknown, count: number): CancelOutcome[] {
  // A whole-request error never means the orders are gone: it refuses the cancels.
  return parseStatuses(
    body,
    count,
    "cancel",
    cancelOutcomeOf,
    (message) => ({ kind: "rejected", message }),
    (reason) => ({ kind: "unknown", reason }),
  );
}

/** Outcome of an action answered with `{"status":"ok","response":{"type":"default"}}` or an error. */
export function parseDefaultResponse(body: unknown): ActionOutcome {
  if (isRecord(body)) {
    if (body.status === "ok") return { kind: "ok" };
    if (body.status === "err") {
      return {
        kind: "rejected",
        message: typeof body.response === "string" ? body.response : excerpt(body.response),
      };
    }
  }
  return { kind: "unknown", reason: `unexpected answer ${excerpt(body)}` };
}

/** A request that got no usable answer: refused (before or by the exchange), or of unknown fate. */
export type FailureOutcome = { kind: "rejected"; message: string } | {
  kind: "unknown";
  reason: string;
};

/**
 * Classifies a failed request. Not sent (weight budget) and HTTP 4xx other than 408/429 mean
 * the exchange did not take the action; timeouts, transport errors, 408, 429, 5xx and unreadable
 * bodies leave it unknown.
 */
export function failureOutcome(err: unknown): FailureOutcome {
  if (err instanceof WeightBudgetError) {
    return { kind: "rejected", message: `not sent: ${err.message}` };
  }
  if (err instanceof HttpError) {
    const s = err.status;
    if (err.kind === "status" && s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429) {
      return { kind: "rejected", message: err.message };
    }
    return { kind: "unknown", reason: err.message };
  }
  return { kind: "unknown", reason: errorMessage(err) };
}

/**
 * Every order status and refusal the exchange returns reads as the right outcome (issue 15): one
 * fixture entry per documented status (`orderStatus`, `orderUpdates`) and per documented order
 * error, with the live suffixes. What the docs do not list reads as unknown, never as refused
 * or cancelled, and is logged once.
 */
import assert from "node:assert/strict";
import { parseOrderResponse } from "../engine/hyperliquid/exchange_outcomes.ts";
import { parseOrderStatus } from "../engine/hyperliquid/info_answers.ts";
import { parseOrderUpdate } from "../engine/hyperliquid/user_events.ts";
import {
  endsWithoutFill,
  ORDER_STATUSES,
  orderStatusKind,
  UnknownStatuses,
} from "../engine/hyperliquid/order_status.ts";
import { collectingLogger } from "./helpers/log.ts";

const FIXTURES = new URL("./fixtures/hyperliquid/statuses/", import.meta.url);

interface StatusCase {
  status: string;
  kind: string;
  orderStatus: unknown;
  orderUpdate: unknown;
}
interface ErrorCase {
  message: string;
  kind: string;
  answer: unknown;
}

const statuses: StatusCase[] = JSON.parse(
  await Deno.readTextFile(new URL("order_statuses.json", FIXTURES)),
).cases;
const errors: ErrorCase[] = JSON.parse(
  await Deno.readTextFile(new URL("order_errors.json", FIXTURES)),
).cases;

for (const c of statuses) {
  Deno.test(`orderStatus and orderUpdates "${c.status}" read as ${c.kind}`, () => {
    const answer = parseOrderStatus(c.orderStatus);
    assert.equal(answer.status, "order");
    const status = answer.status === "order" ? answer.orderStatus : "";
    assert.equal(status, c.status);
    assert.equal(orderStatusKind(status), c.kind);
    assert.equal(
      endsWithoutFill(status),
      c.kind === "canceled" || c.kind === "rejected",
      "only a cancel or a refusal frees the order's slot",
    );
    const update = parseOrderUpdate(c.orderUpdate, "orderUpdates[0]");
    assert.equal(orderStatusKind(update.status), c.kind, "orderUpdates reads it the same");
  });
}

Deno.test("the fixture holds every status the client knows", () => {
  const known = statuses.filter((c) => c.kind !== "unknown").map((c) => c.status).sort();
  assert.deepEqual(known, Object.keys(ORDER_STATUSES).sort());
});

Deno.test("an undocumented status is unknown even when it ends in Canceled or Rejected", () => {
  assert.equal(orderStatusKind("priorityFeeCanceled"), "unknown");
  assert.equal(orderStatusKind("someFutureRejected"), "unknown");
  assert.equal(endsWithoutFill("someFutureRejected"), false);
  assert.equal(orderStatusKind("toString"), "unknown", "not an inherited property");
});

for (const c of errors) {
  Deno.test(`order answer ${JSON.stringify(c.message.slice(0, 48))}… reads as ${c.kind}`, () => {
    const [outcome] = parseOrderResponse(c.answer, 1);
    assert.equal(outcome.kind, c.kind);
    if (outcome.kind === "unknown") {
      assert.equal(outcome.error, c.message, "the exchange's text is kept for the log");
    } else if (outcome.kind === "rejected" || outcome.kind === "postOnlyRejected") {
      assert.equal(outcome.message, c.message);
    }
  });
}

Deno.test("an unknown status or error text is logged once, however often it comes", () => {
  const log = collectingLogger();
  const unknown = new UnknownStatuses(log);
  for (let i = 0; i < 5; i++) unknown.note("orderUpdates status", "priorityFeeCanceled");
  unknown.note("order error", "Something new");
  unknown.note("orderStatus status", "priorityFeeCanceled");
  assert.deepEqual(log.lines, [
    'WARN [HL] unknown orderUpdates status "priorityFeeCanceled": treated as an unknown outcome ' +
    "(the order may still rest); logged once",
    'WARN [HL] unknown order error "Something new": treated as an unknown outcome ' +
    "(the order may still rest); logged once",
    'WARN [HL] unknown orderStatus status "priorityFeeCanceled": treated as an unknown outcome ' +
    "(the order may still rest); logged once",
  ]);
});

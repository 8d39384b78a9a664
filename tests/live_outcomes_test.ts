/**
 * What the live venue makes of `orderStatus` for an order whose placing answer was lost (issue
 * 15): `open` adopts it, a documented end frees its slot, and a status the client does not know
 * is never taken as an end: the `openOrders` listing decides, and the status is logged once.
 */
import assert from "node:assert/strict";
import type { InfoClient } from "../engine/hyperliquid/info.ts";
import type { OpenOrder, OrderStatusResult } from "../engine/hyperliquid/info_answers.ts";
import { UnknownStatuses } from "../engine/hyperliquid/order_status.ts";
import type { AssetInfo } from "../engine/hyperliquid/types.ts";
import type { LiveContext } from "../engine/venue/live_context.ts";
import { resolveExpired } from "../engine/venue/live_outcomes.ts";
import { LiveSlots } from "../engine/venue/live_slots.ts";
import { collectingLogger } from "./helpers/log.ts";

const ETH: AssetInfo = {
  name: "ETH",
  assetIndex: 1,
  szDecimals: 4,
  maxLeverage: 25,
  fundingHourly: 0,
  markPx: 2400,
  midPx: 2400,
} as AssetInfo;
const CLOID = "0x8d1c2a3b4c5d6e7f8091000000000001";
const OID = 9_000_000_001;

/** One slot whose order's fate is unknown, and an exchange that answers as scripted. */
function unknownOrder(status: string, listed: boolean) {
  const log = collectingLogger();
  const slots = new LiveSlots([ETH]);
  const slot = slots.all[0];
  slot.state = "unknown";
  slot.expiresMs = 0;
  slots.assignCloid(slot, CLOID);
  const asked: string[] = [];
  const info = {
    orderStatus: (): Promise<OrderStatusResult> => {
      asked.push("orderStatus");
      return Promise.resolve({
        status: "order",
        order: { oid: OID } as OpenOrder,
        orderStatus: status,
        statusTimestampMs: 1,
      } as OrderStatusResult);
    },
    openOrders: (): Promise<OpenOrder[]> => {
      asked.push("openOrders");
      return Promise.resolve(listed ? [{ oid: OID, cloid: CLOID } as OpenOrder] : []);
    },
  } as unknown as InfoClient;
  const stats = { placed: 0, cancels: 0, fills: 0, requests: 0 };
  const ctx = {
    info,
    user: "0x" + "1".repeat(40),
    slots,
    log,
    unknownStatuses: new UnknownStatuses(log),
    stats,
    now: () => 1_000,
  } as unknown as LiveContext;
  return { ctx, slot, asked, log, stats };
}

Deno.test("orderStatus open: the order is adopted as resting", async () => {
  const { ctx, slot, asked, stats } = unknownOrder("open", true);
  assert.equal(await resolveExpired(ctx), true);
  assert.deepEqual([slot.state, slot.oid, stats.placed, asked], ["resting", OID, 1, [
    "orderStatus",
  ]]);
});

Deno.test("orderStatus marginCanceled: the slot is free again", async () => {
  const { ctx, slot, asked } = unknownOrder("marginCanceled", true);
  assert.equal(await resolveExpired(ctx), true);
  assert.deepEqual([slot.state, asked], ["empty", ["orderStatus"]]);
});

Deno.test("an unknown orderStatus status: the listing decides, and it is logged once", async () => {
  const resting = unknownOrder("priorityFeeCanceled", true);
  assert.equal(await resolveExpired(resting.ctx), true);
  assert.deepEqual([resting.slot.state, resting.slot.oid], ["resting", OID], "still listed");
  assert.deepEqual(resting.asked, ["orderStatus", "openOrders"]);
  assert.match(resting.log.lines.join("\n"), /unknown orderStatus status "priorityFeeCanceled"/);

  const gone = unknownOrder("priorityFeeCanceled", false);
  assert.equal(await resolveExpired(gone.ctx), true);
  assert.equal(gone.slot.state, "empty", "not listed: gone");
});

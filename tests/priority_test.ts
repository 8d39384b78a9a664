/**
 * Priority fees and fast cancels: the order action's `{p}` grouping and the cancel's `f: true`,
 * built strictly (engine/hyperliquid/wire_reference.md § Priority), signed, and accepted by the venue
 * simulator, which charges the fee on the resting notional, also on a builder dex's coin.
 */
import assert from "node:assert/strict";
import {
  buildCancelAction,
  buildCancelByCloidAction,
  buildOrderAction,
} from "../engine/hyperliquid/exchange_actions.ts";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import {
  cloidFromInt,
  floatToWire,
  priceTick,
  roundPerpPrice,
} from "../engine/hyperliquid/wire.ts";
import {
  postSignedAction,
  startTestVenue,
  TEST_PRIVATE_KEY,
  venueEndpoints,
} from "./helpers/venue.ts";

const ALO = { asset: 0, isBuy: true, px: "60000", sz: "0.001" };

Deno.test("a priority rate is sent as grouping {p} only on all-post-only (not reduce-only) or all-IOC orders", () => {
  assert.deepEqual(buildOrderAction([ALO], { p: 10_000 }).grouping, { p: 10_000 });
  assert.deepEqual(buildOrderAction([{ ...ALO, tif: "Ioc" }], { p: 1 }).grouping, { p: 1 });
  const mixed = [ALO, { ...ALO, tif: "Gtc" as const }];
  assert.throws(() => buildOrderAction(mixed, { p: 10_000 }), /every order post-only/);
  assert.throws(
    () => buildOrderAction([{ ...ALO, reduceOnly: true }], { p: 10_000 }),
    /not reduce-only/,
  );
  assert.throws(
    () => buildOrderAction([ALO], { p: 0 }),
    /priority rate 0 must be an integer from 1/,
  );
  assert.throws(() => buildOrderAction([ALO], { p: 100_000_001 }), /from 1 to 100000000/);
  assert.equal(buildOrderAction([ALO]).grouping, "na");
});

Deno.test("a fast cancel carries f: true last; an ordinary cancel carries no f at all", () => {
  const fast = buildCancelAction([{ asset: 0, oid: 7 }], true);
  assert.deepEqual(Object.keys(fast), ["type", "cancels", "f"]);
  assert.equal(fast.f, true);
  assert.equal("f" in buildCancelAction([{ asset: 0, oid: 7 }], false), false);
  const byCloid = buildCancelByCloidAction(
    [{ asset: 110_000, cloid: cloidFromInt(2n ** 127n) }],
    true,
  );
  assert.equal(byCloid.f, true);
});

Deno.test("the simulator accepts a priority post-only order on xyz:XYZ100 (asset 110000), charges it, and takes its fast cancel", async () => {
  const venue = await startTestVenue();
  try {
    const endpoints = venueEndpoints(venue);
    const exchange = new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY });
    const info = new InfoClient({ endpoints, dexes: ["", "xyz"] });
    const coin = "xyz:XYZ100";
    const best = Number(venue.sim.l2Book(coin).levels[0][0].px);
    const px = roundPerpPrice(best - 10 * priceTick(best, 4), 4, "down");
    const cloid = cloidFromInt(2n ** 127n + 1n);
    const [placed] = await exchange.placeOrders(
      [{ asset: 110_000, isBuy: true, px: floatToWire(px), sz: "0.01", cloid }],
      { grouping: { p: 10_000 } },
    );
    assert.equal(placed.kind, "resting");
    // 1 bp of the resting notional, filled or not.
    const fee = Number(venue.state().priorityFeesUsd);
    assert.ok(Math.abs(fee - px * 0.01 * 1e-4) < 1e-6, `priority fee ${fee} for $${px * 0.01}`);
    const open = await info.openOrders(venue.account);
    assert.deepEqual(open.map((o) => [o.coin, o.cloid]), [[coin, cloid]]);
    const [cancelled] = await exchange.cancelByCloid([{ asset: 110_000, cloid }], { fast: true });
    assert.equal(cancelled.kind, "success");
    assert.equal(venue.state().openOrders.length, 0);
  } finally {
    await venue.close();
  }
});

Deno.test("the simulator refuses f: false and a priority grouping on a mixed batch, as the stricter reading", async () => {
  const venue = await startTestVenue();
  try {
    const send = async (action: unknown, nonce: number) => {
      const res = await postSignedAction(venue.apiUrl, action, nonce);
      return { status: res.status, body: await res.text() };
    };
    const nonce = Date.now();
    const notFast = await send({ type: "cancel", cancels: [{ a: 0, o: 1 }], f: false }, nonce);
    assert.equal(notFast.status, 422);
    const wire = (tif: string) => ({
      a: 0,
      b: true,
      p: "1000",
      s: "0.001",
      r: false,
      t: { limit: { tif } },
    });
    const mixed = await send(
      { type: "order", orders: [wire("Alo"), wire("Gtc")], grouping: { p: 10_000 } },
      nonce + 1,
    );
    assert.match(mixed.body, /"status":"err".*post-only and not reduce-only, or all IOC/);
    assert.equal(venue.state().openOrders.length, 0);
  } finally {
    await venue.close();
  }
});

/**
 * The venue's address-based request budget (engine/hyperliquid/README.md § Rate limits) as a client
 * observes it: counted per order and cancel, served by `userRateLimit`, enforced with the
 * exchange's whole-request error (one request per 10 s past the cap, cancels up to their larger
 * allowance), and set through the start option or `/control`.
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { floatToWire, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import { farEthBids } from "./helpers/live_grid.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY, venueEndpoints } from "./helpers/venue.ts";

const ETH = 1;
const LIMITED =
  /^Too many cumulative requests sent \(\d+ > \d+\) for cumulative volume traded \$\d+\.\d\d\. Place taker orders to free up 1 request per USDC traded\.$/;

Deno.test("past the request cap orders are refused as the exchange does; cancels still go through", async () => {
  const venue = await startTestVenue({ requestsUsed: 9_998 });
  const endpoints = venueEndpoints(venue);
  const exchange = new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY });
  const info = new InfoClient({ endpoints });
  try {
    const order = farEthBids(venue);
    assert.deepEqual(await info.userRateLimit(TEST_ACCOUNT), {
      cumVlm: 0,
      nRequestsUsed: 9_998,
      nRequestsCap: 10_000,
      nRequestsSurplus: 0,
    });

    const placed = await exchange.placeOrders([order(10), order(11)]);
    assert.deepEqual(placed.map((o) => o.kind), ["resting", "resting"], "two requests fit");
    assert.equal((await info.userRateLimit(TEST_ACCOUNT)).nRequestsUsed, 10_000);

    const refused = await exchange.placeOrders([order(12), order(13)]);
    const message = "Too many cumulative requests sent (10002 > 10000) for cumulative volume " +
      "traded $0.00. Place taker orders to free up 1 request per USDC traded.";
    assert.deepEqual(refused, [
      { kind: "rejected", message },
      { kind: "rejected", message },
    ]);
    assert.equal(venue.state().openOrders.length, 2, "nothing of the refused batch rests");

    // Limited: one request every 10 s of market time.
    assert.equal((await exchange.placeOrders([order(14)]))[0].kind, "resting");
    const again = await exchange.placeOrders([order(15)]);
    assert.equal(again[0].kind, "rejected");
    assert.match(again[0].kind === "rejected" ? again[0].message : "", LIMITED);
    venue.advance(10_000);
    assert.equal((await exchange.placeOrders([order(15)]))[0].kind, "resting");

    // Cancels have min(cap + 100,000, 2 × cap) = 20,000 here: the account can still clear out.
    assert.equal(venue.state().openOrders.length, 4);
    const oids = venue.state().openOrders.map((o) => ({ asset: ETH, oid: o.oid }));
    const cancelled = await exchange.cancel(oids);
    assert.deepEqual(cancelled.map((c) => c.kind), ["success", "success", "success", "success"]);
    assert.equal(venue.state().openOrders.length, 0);
    assert.equal(venue.state().requestsUsed, 10_006, "every order and cancel counted");
  } finally {
    await venue.close();
  }
});

Deno.test("the request cap grows by one per USDC traded; control sets the count", async () => {
  const venue = await startTestVenue();
  const endpoints = venueEndpoints(venue);
  const exchange = new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY });
  const info = new InfoClient({ endpoints });
  const control = async (body: unknown) => {
    const res = await fetch(`${venue.apiUrl}/control`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    const ask = Number(venue.sim.l2Book("ETH").levels[1][0].px);
    const px = floatToWire(roundPerpPrice(ask * 1.01, 4, "up"));
    const [taken] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px,
      sz: "0.05",
      tif: "Ioc",
    }]);
    assert.equal(taken.kind, "filled", JSON.stringify(taken));
    const budget = await info.userRateLimit(TEST_ACCOUNT);
    assert.ok(budget.cumVlm > 0);
    assert.equal(budget.nRequestsCap, 10_000 + Math.floor(budget.cumVlm));
    assert.equal(budget.nRequestsUsed, 1);

    const set = await control({ requestsUsed: 50_000 });
    assert.equal(set.status, 200);
    assert.equal(set.body.state.requestsUsed, 50_000);
    assert.equal((await info.userRateLimit(TEST_ACCOUNT)).nRequestsUsed, 50_000);
    venue.setRequestsUsed(0);
    assert.equal(venue.state().requestsUsed, 0);

    const bad = await control({ requestsUsed: -3 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /requestsUsed must be a non-negative integer, got -3/);
    await assert.rejects(
      () => startTestVenue({ requestsUsed: 1.5 }),
      /requestsUsed must be a non-negative integer, got 1\.5/,
    );
  } finally {
    await venue.close();
  }
});

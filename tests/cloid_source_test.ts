/**
 * Client order ids use the full 128 bits: a random per-run prefix and a counter. A cloid below
 * 2^53 is read as an exchange oid by `@nktkas/hyperliquid`'s `orderStatus`, so an operator looking
 * an order up by cloid would get another order's status (issue 15).
 */
import { HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import assert from "node:assert/strict";
import { CloidSource } from "../engine/hyperliquid/cloid_source.ts";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import {
  cloidFromInt,
  cloidToBigInt,
  floatToWire,
  isValidCloid,
  priceTick,
  roundPerpPrice,
} from "../engine/hyperliquid/wire.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY, venueEndpoints } from "./helpers/venue.ts";

const RUNS = 200;
const ORDERS_PER_RUN = 500;

Deno.test("cloids of many runs are valid, at least 2^127 and never collide", () => {
  const seen = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    const cloids = new CloidSource();
    for (let i = 0; i < ORDERS_PER_RUN; i++) {
      const cloid = cloids.next();
      assert.ok(isValidCloid(cloid), `${cloid} is 0x + 32 lowercase hex digits`);
      assert.ok(cloidToBigInt(cloid) >= 2n ** 127n, `${cloid} is at least 2^127`);
      assert.ok(!seen.has(cloid), `${cloid} was handed out twice`);
      seen.add(cloid);
    }
  }
  assert.equal(seen.size, RUNS * ORDERS_PER_RUN);
});

Deno.test("two restarts share no cloid: the prefix is random, not the start time", () => {
  const first = new CloidSource();
  const second = new CloidSource();
  const a = Array.from({ length: 1000 }, () => first.next());
  const b = new Set(Array.from({ length: 1000 }, () => second.next()));
  assert.ok(a.every((cloid) => !b.has(cloid)));
  assert.notEqual(a[0].slice(0, 22), [...b][0].slice(0, 22), "the runs' 80-bit prefixes differ");
});

Deno.test("within a run the prefix stays and the low 48 bits count up from 1", () => {
  const zeros = new CloidSource((bytes) => bytes.fill(0));
  assert.equal(zeros.next(), "0x80000000000000000000000000000001");
  assert.equal(zeros.next(), "0x80000000000000000000000000000002");

  const ones = new CloidSource((bytes) => bytes.fill(0xff));
  assert.equal(ones.next(), "0xffffffffffffffffffff000000000001");
});

Deno.test("an operator's SDK finds the engine's order by cloid; a small-integer cloid it misreads as an oid", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  const sdk = new InfoClient({ transport: new HttpTransport({ apiUrl: venue.apiUrl }) });
  try {
    const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
    const px = (k: number) => floatToWire(roundPerpPrice(bid - k * priceTick(bid, 4), 4, "down"));
    const small = cloidFromInt(1);
    const ours = new CloidSource().next();
    const placed = await exchange.placeOrders([
      { asset: 1, isBuy: true, px: px(20), sz: "0.01", tif: "Alo", cloid: small },
      { asset: 1, isBuy: true, px: px(40), sz: "0.01", tif: "Alo", cloid: ours },
    ]);
    assert.deepEqual(placed.map((o) => o.kind), ["resting", "resting"]);

    const found = await sdk.orderStatus({ user: TEST_ACCOUNT, oid: ours });
    assert.equal(found.status, "order");
    assert.equal(found.status === "order" ? found.order.order.cloid : null, ours);

    // The SDK sends 0x…01 as oid 1: the order that has this cloid is not found.
    const lost = await sdk.orderStatus({ user: TEST_ACCOUNT, oid: small });
    assert.equal(lost.status, "unknownOid");
  } finally {
    await venue.close();
  }
});

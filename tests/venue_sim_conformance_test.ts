/**
 * The venue simulator driven by a Hyperliquid client nobody here wrote: the community SDK
 * `@nktkas/hyperliquid` ([NK] in engine/hyperliquid/README.md, pinned in deno.json as a test-only
 * import). Its InfoClient asks every info question the engine and a client at start-up ask, its
 * ExchangeClient signs every trading action with the SDK's own code (the official SDK test key),
 * its SubscriptionClient subscribes to every channel the venue serves, and the same clients run
 * over WebSocket `post`.
 *
 * Every answer and every pushed event is checked against the SDK's own declared type: the
 * `…Response`/`…Event` types it ships are turned into JSON Schema with ts-json-schema-generator
 * and validated with ajv, as the SDK's own test suite checks the live API. So every field the
 * type declares must be there with its type and `@pattern` (decimal strings, hex, dates), and
 * nothing it does not declare may be. The SDK validates only requests at run time (valibot),
 * not responses, so its types are the whole of its word on responses.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { createGenerator, type SchemaGenerator } from "ts-json-schema-generator";
import {
  ApiRequestError,
  ExchangeClient,
  HttpTransport,
  InfoClient,
  SubscriptionClient,
  WebSocketTransport,
} from "@nktkas/hyperliquid";
import { privateKeyToAccount } from "viem/accounts";
import { floatToWire, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY } from "./helpers/venue.ts";

const ETH = 1;
const USER = TEST_ACCOUNT.toLowerCase() as `0x${string}`;
// Client order ids: one for the orders `trade` leaves resting, one for `checkExchange`. The
// second is above 2^53 on purpose: the SDK (0.33.3) reads a modify's `oid` as an integer first,
// and `Number("0x…2b")` is 43, so a small cloid would go out as oid 43 and the exchange would
// answer "Cannot modify canceled or filled order", as the venue does.
const CLOID = "0x0000000000000000000000000000002a";
const CLOID2 = "0x0123456789abcdef0123456789abcdef";
const wallet = privateKeyToAccount(TEST_PRIVATE_KEY);

// ---- The SDK's types as validators ----

// The SDK's module directory (esm/), where its .d.ts files sit next to the code.
const SDK_DIR = fileURLToPath(new URL(".", import.meta.resolve("@nktkas/hyperliquid")));
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();
let generator: SchemaGenerator | undefined;

/** Asserts that `value` is a `typeName` as the SDK declares it (an exported response/event type). */
function assertSdkType(typeName: string, value: unknown): void {
  let validate = validators.get(typeName);
  if (!validate) {
    // Built once, on first use: a TypeScript program over the SDK's three API modules.
    generator ??= createGenerator({
      path: `${SDK_DIR}api/{info,exchange,subscription}/mod.d.ts`,
      skipTypeCheck: true,
      jsDoc: "extended",
      additionalProperties: false,
      strictTuples: true,
      expose: "export",
      topRef: false,
      type: "*",
    });
    validate = ajv.compile(generator.createSchema(typeName));
    validators.set(typeName, validate);
  }
  if (!validate(value)) {
    assert.fail(
      `not a ${typeName}: ${ajv.errorsText(validate.errors)}\n${
        JSON.stringify(value).slice(0, 1_500)
      }`,
    );
  }
}

/** The raw answer of a request the SDK refused to call a success (ApiRequestError). */
async function refusal(request: Promise<unknown>): Promise<unknown> {
  try {
    await request;
  } catch (e) {
    if (e instanceof ApiRequestError) return e.response;
    throw e;
  }
  assert.fail("expected the exchange to refuse");
}

// ---- Market helpers ----

/** ETH prices on its tick grid: `k` times the best bid (down) or the best ask (up). */
function eth(venue: VenueSim) {
  const [bid, ask] = venue.sim.bbo(venue.sim.coins[ETH]);
  return {
    below: (k: number) => floatToWire(roundPerpPrice(bid! * k, 4, "down")),
    above: (k: number) => floatToWire(roundPerpPrice(ask! * k, 4, "up")),
  };
}

/** The same decimal with a trailing zero: "3341.5" → "3341.50", "3341" → "3341.0". */
function trailingZero(decimal: string): string {
  return decimal.includes(".") ? `${decimal}0` : `${decimal}.0`;
}

const alo = { limit: { tif: "Alo" as const } };
const ioc = { limit: { tif: "Ioc" as const } };

/**
 * Puts the account in a state every answer has something to show: a long from a taker fill, a
 * maker fill, and two resting bids, one with a cloid.
 */
async function trade(venue: VenueSim, exchange: ExchangeClient): Promise<void> {
  const px = eth(venue);
  await exchange.order({
    orders: [{ a: ETH, b: true, p: px.above(1.01), s: "0.05", r: false, t: ioc }],
    grouping: "na",
  });
  await exchange.order({
    orders: [{ a: ETH, b: false, p: px.above(1), s: "0.01", r: false, t: alo }],
    grouping: "na",
  });
  venue.takerTrade("ETH", "B", 500);
  await exchange.order({
    orders: [
      { a: ETH, b: true, p: px.below(0.98), s: "0.01", r: false, t: alo, c: CLOID },
      { a: ETH, b: true, p: px.below(0.97), s: "0.01", r: false, t: alo },
    ],
    grouping: "na",
  });
}

/** Asks every info question and checks each answer against the SDK's type. */
async function checkInfo(info: InfoClient, venue: VenueSim): Promise<void> {
  assertSdkType("MetaResponse", await info.meta());
  assertSdkType("MetaAndAssetCtxsResponse", await info.metaAndAssetCtxs());
  assertSdkType("SpotMetaResponse", await info.spotMeta());
  assertSdkType("SpotMetaAndAssetCtxsResponse", await info.spotMetaAndAssetCtxs());
  assertSdkType("AllMidsResponse", await info.allMids());
  assertSdkType("ExchangeStatusResponse", await info.exchangeStatus());
  assertSdkType("RecentTradesResponse", await info.recentTrades({ coin: "ETH" }));
  for (
    const params of [{}, { nSigFigs: 3 as const }, { nSigFigs: 5 as const, mantissa: 5 as const }]
  ) {
    assertSdkType("L2BookResponse", await info.l2Book({ coin: "ETH", ...params }));
  }
  assert.equal(await info.l2Book({ coin: "NOPE" }), null);

  const open = await info.openOrders({ user: USER });
  assertSdkType("OpenOrdersResponse", open);
  assert.equal(open.length, 2);
  assert.equal(open[0].cloid, CLOID);
  assertSdkType("FrontendOpenOrdersResponse", await info.frontendOpenOrders({ user: USER }));
  const fills = await info.userFills({ user: USER });
  assertSdkType("UserFillsResponse", fills);
  assert.ok(fills.length >= 2);
  const byTime = await info.userFillsByTime({ user: USER, startTime: 0 });
  assertSdkType("UserFillsByTimeResponse", byTime);
  assert.deepEqual(byTime.map((f) => f.tid), fills.map((f) => f.tid).reverse());
  for (const oid of [open[1].oid, CLOID, fills[0].oid, 12345] as const) {
    assertSdkType("OrderStatusResponse", await info.orderStatus({ user: USER, oid }));
  }
  const state = await info.clearinghouseState({ user: USER });
  assertSdkType("ClearinghouseStateResponse", state);
  assert.equal(state.assetPositions[0].position.coin, "ETH");
  assertSdkType("UserFeesResponse", await info.userFees({ user: USER }));
  const limit = await info.userRateLimit({ user: USER });
  assertSdkType("UserRateLimitResponse", limit);
  assert.equal(limit.nRequestsUsed, venue.state().requestsUsed);
}

/** Runs every trading action through the SDK and checks each answer against its type. */
async function checkExchange(exchange: ExchangeClient, venue: VenueSim): Promise<void> {
  const px = eth(venue);
  const placed = await exchange.order({
    orders: [{ a: ETH, b: true, p: px.below(0.96), s: "0.01", r: false, t: alo, c: CLOID2 }],
    grouping: "na",
  });
  assertSdkType("OrderSuccessResponse", placed);
  const [resting] = placed.response.data.statuses;
  assert.ok(typeof resting === "object" && "resting" in resting);
  assert.equal(resting.resting.cloid, CLOID2);

  // The SDK writes decimals in their one canonical form before it signs ("0.010" goes out as
  // "0.01"), so the exchange's re-encoding recovers the same signer.
  const zeroed = await exchange.order({
    orders: [{ a: ETH, b: true, p: trailingZero(px.below(0.96)), s: "0.010", r: false, t: alo }],
    grouping: "na",
  });
  assertSdkType("OrderSuccessResponse", zeroed);

  const filled = await exchange.order({
    orders: [{ a: ETH, b: true, p: px.above(1.01), s: "0.01", r: false, t: ioc }],
    grouping: "na",
  });
  assertSdkType("OrderSuccessResponse", filled);

  const crossing = await refusal(exchange.order({
    orders: [{ a: ETH, b: true, p: px.above(1.001), s: "0.01", r: false, t: alo }],
    grouping: "na",
  }));
  assertSdkType("OrderResponse", crossing);
  assert.match(JSON.stringify(crossing), /Post only order would have immediately matched.*asset=1/);

  const moved = await exchange.batchModify({
    modifies: [{
      oid: CLOID2,
      order: { a: ETH, b: true, p: px.below(0.95), s: "0.02", r: false, t: alo, c: CLOID2 },
    }],
  });
  assertSdkType("BatchModifySuccessResponse", moved);
  const [movedStatus] = moved.response.data.statuses;
  assert.ok(typeof movedStatus === "object" && "resting" in movedStatus);
  const movedOid = movedStatus.resting.oid;
  assertSdkType(
    "ModifySuccessResponse",
    await exchange.modify({
      oid: movedOid,
      order: { a: ETH, b: true, p: px.below(0.94), s: "0.02", r: false, t: alo, c: CLOID2 },
    }),
  );
  assertSdkType(
    "CancelByCloidSuccessResponse",
    await exchange.cancelByCloid({ cancels: [{ asset: ETH, cloid: CLOID2 }] }),
  );

  const another = await exchange.order({
    orders: [{ a: ETH, b: true, p: px.below(0.96), s: "0.01", r: false, t: alo }],
    grouping: "na",
  });
  const [other] = another.response.data.statuses;
  assert.ok(typeof other === "object" && "resting" in other);
  const cancel = { cancels: [{ a: ETH, o: other.resting.oid }] };
  assertSdkType("CancelSuccessResponse", await exchange.cancel(cancel));
  const gone = await refusal(exchange.cancel(cancel));
  assertSdkType("CancelResponse", gone);
  assert.match(
    JSON.stringify(gone),
    /Order was never placed, already canceled, or filled\. asset=1/,
  );

  assertSdkType(
    "UpdateLeverageSuccessResponse",
    await exchange.updateLeverage({ asset: ETH, isCross: true, leverage: 5 }),
  );
  // A noop is signed with the nonce it marks used; this one is far from any other.
  const nonce = Date.now() + 60_000;
  assertSdkType("NoopSuccessResponse", await exchange.noop({ nonce }));
  const gate = await refusal(exchange.scheduleCancel({ time: Date.now() + 60_000 }));
  assertSdkType("ScheduleCancelResponse", gate);

  // A key the venue does not know: the exchange's whole-request refusal.
  const stranger = new ExchangeClient({
    transport: exchange.config_.transport,
    wallet: privateKeyToAccount(`0x${"88".repeat(32)}`),
  });
  const unknown = await refusal(stranger.noop({ nonce }));
  assertSdkType("NoopResponse", unknown);
  assert.match(JSON.stringify(unknown), /User or API Wallet 0x[0-9a-f]{40} does not exist\./);
}

/** Waits until `ready()` holds (the SDK's socket delivers events asynchronously). */
async function until(ready: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Closes the SDK's WebSocket transport and waits for its socket to be gone. */
async function closeSocket(transport: WebSocketTransport): Promise<void> {
  const closed = new Promise((resolve) => transport.socket.addEventListener("close", resolve));
  transport.close();
  await closed;
}

Deno.test("the SDK's info requests are answered in the shapes its types declare", async () => {
  const venue = await startTestVenue();
  const transport = new HttpTransport({ apiUrl: venue.apiUrl });
  try {
    await trade(venue, new ExchangeClient({ transport, wallet }));
    await checkInfo(new InfoClient({ transport }), venue);
  } finally {
    await venue.close();
  }
});

Deno.test("the SDK's signed actions are accepted and answered in the shapes its types declare", async () => {
  const venue = await startTestVenue();
  const transport = new HttpTransport({ apiUrl: venue.apiUrl });
  try {
    await checkExchange(new ExchangeClient({ transport, wallet }), venue);
  } finally {
    await venue.close();
  }
});

Deno.test("the SDK's scheduleCancel arms and clears the dead man's switch once volume allows it", async () => {
  const venue = await startTestVenue({ scheduleCancelMinVolumeUsd: 0 });
  const exchange = new ExchangeClient({
    transport: new HttpTransport({ apiUrl: venue.apiUrl }),
    wallet,
  });
  try {
    assertSdkType(
      "ScheduleCancelSuccessResponse",
      await exchange.scheduleCancel({ time: venue.sim.now + 10_000 }),
    );
    assertSdkType("ScheduleCancelSuccessResponse", await exchange.scheduleCancel());
  } finally {
    await venue.close();
  }
});

Deno.test("every subscription the venue serves pushes events the SDK's types declare", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    transport: new HttpTransport({ apiUrl: venue.apiUrl }),
    wallet,
  });
  const transport = new WebSocketTransport({ url: venue.wsUrl });
  const subs = new SubscriptionClient({ transport });
  const events = new Map<string, unknown[]>();
  const on = (type: string) => (data: unknown) => {
    if (!events.has(type)) events.set(type, []);
    events.get(type)!.push(data);
  };
  const count = (type: string) => events.get(type)?.length ?? 0;
  try {
    const subscriptions = [
      await subs.l2Book({ coin: "ETH" }, on("L2BookEvent")),
      await subs.l2Book({ coin: "BTC", nSigFigs: 2 }, on("L2BookEvent")),
      await subs.l2Book({ coin: "SOL", fast: true }, on("L2BookEvent")),
      await subs.trades({ coin: "ETH" }, on("TradesEvent")),
      await subs.bbo({ coin: "ETH" }, on("BboEvent")),
      await subs.allMids(on("AllMidsEvent")),
      await subs.orderUpdates({ user: USER }, on("OrderUpdatesEvent")),
      await subs.userFills({ user: USER }, on("UserFillsEvent")),
      await subs.userEvents({ user: USER }, on("UserEventsEvent")),
    ];
    await until(() => count("UserFillsEvent") === 1, "the userFills snapshot");
    await trade(venue, exchange);
    venue.advance(6_000);
    for (
      const type of [
        "L2BookEvent",
        "TradesEvent",
        "BboEvent",
        "AllMidsEvent",
        "OrderUpdatesEvent",
        "UserFillsEvent",
        "UserEventsEvent",
      ]
    ) {
      await until(() => count(type) >= 2, `${type}s`);
    }
    for (const [type, list] of events) for (const event of list) assertSdkType(type, event);
    assert.equal((events.get("UserFillsEvent")![0] as { isSnapshot?: boolean }).isSnapshot, true);
    for (const s of subscriptions) await s.unsubscribe();
  } finally {
    await closeSocket(transport);
    await venue.close();
  }
});

Deno.test("WebSocket post carries the SDK's info requests and signed actions alike", async () => {
  const venue = await startTestVenue();
  const transport = new WebSocketTransport({ url: venue.wsUrl });
  try {
    const exchange = new ExchangeClient({ transport, wallet });
    await trade(venue, exchange);
    await checkInfo(new InfoClient({ transport }), venue);
    await checkExchange(exchange, venue);
  } finally {
    await closeSocket(transport);
    await venue.close();
  }
});

/**
 * The venue's per-IP request weight (engine/hyperliquid/README.md § Rate limits) and its
 * user-stream faults, as a client meets them: requests weighed by type and batch, HTTP 429 past
 * 1200 weight a minute with the request not run, a sliding window, WS `post` requests on the same
 * budget, and `dropWs` / `silence` aimed at the sockets that carry the account's user data.
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { signL1Action } from "../engine/hyperliquid/signing.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { parseFaultSpec } from "../tools/venue_sim/faults.ts";
import {
  startTestVenue,
  startVenueProcess,
  TEST_ACCOUNT,
  TEST_PRIVATE_KEY,
  venueEndpoints,
  WsProbe,
} from "./helpers/venue.ts";

const ETH = 1;
// Hyperliquid: metaAndAssetCtxs weighs 20, so 60 of them fill the 1200 a minute
// (engine/hyperliquid/README.md § Rate limits).
const META = { type: "metaAndAssetCtxs" };
const USER_STREAMS = ["userFills", "orderUpdates", "userEvents"];

let lastNonce = 0;

/** POSTs a JSON body to the venue's `/info` or `/exchange`; returns the status and body text. */
async function post(
  venue: VenueSim,
  path: "info" | "exchange",
  body: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${venue.apiUrl}/${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Signs an L1 action as the test account; returns the `/exchange` body (to send, or resend). */
async function signed(action: Record<string, unknown>): Promise<string> {
  const nonce = lastNonce = Math.max(Date.now(), lastNonce + 1);
  const signature = await signL1Action({
    privateKey: TEST_PRIVATE_KEY,
    action,
    nonce,
    isMainnet: true,
  });
  return JSON.stringify({ action, nonce, signature, vaultAddress: null });
}

/**
 * An `order` action of `n` post-only ETH bids of 0.01, 500 ticks (about 1.4 %) under the best
 * bid: far enough to still rest after a minute of market moves.
 */
function bids(venue: VenueSim, n: number) {
  const ticks = 500;
  const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
  const px = floatToWire(roundPerpPrice(bid - ticks * priceTick(bid, 4), 4, "down"));
  const order = { a: ETH, b: true, p: px, s: "0.01", r: false, t: { limit: { tif: "Alo" } } };
  return { type: "order", orders: Array.from({ length: n }, () => order), grouping: "na" };
}

/** The weight a step spends, read from the venue's counter. */
async function weightOf(venue: VenueSim, step: () => Promise<unknown>): Promise<number> {
  const before = venue.state().ipWeight.usedLastMinute;
  await step();
  return venue.state().ipWeight.usedLastMinute - before;
}

/** Sends `n` metaAndAssetCtxs requests (20 weight each) and asserts each was answered. */
async function spend(venue: VenueSim, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.equal((await post(venue, "info", META)).status, 200);
}

/** Sends a WS post request and waits for its answer's `response`. */
async function wsPost(probe: WsProbe, id: number, request: unknown): Promise<unknown> {
  const from = probe.frames.length;
  probe.send({ method: "post", id, request });
  const answer = await probe.waitFor(
    (f) => f.json?.channel === "post" && (f.json.data as { id: number }).id === id,
    from,
  );
  return (answer.json!.data as { response: unknown }).response;
}

/** Waits until the venue has read `n` more frames from its clients than `before`. */
async function venueRead(venue: VenueSim, before: number, n = 1): Promise<void> {
  while (venue.state().stats.framesReceived < before + n) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A socket on the account's user streams and one on ETH's book, both subscribed. */
async function userAndMarketSockets(venue: VenueSim): Promise<[WsProbe, WsProbe]> {
  const user = await WsProbe.connect(venue.wsUrl);
  for (const type of USER_STREAMS) await user.subscribe({ type, user: TEST_ACCOUNT });
  const market = await WsProbe.connect(venue.wsUrl);
  await market.subscribe({ type: "l2Book", coin: "ETH" });
  return [user, market];
}

Deno.test("each request costs the exchange's weight: info by type and items returned, actions by batch size", async () => {
  const venue = await startTestVenue();
  try {
    const info = (body: Record<string, unknown>) =>
      weightOf(venue, () => post(venue, "info", body));
    assert.equal(await info({ type: "l2Book", coin: "ETH" }), 2);
    assert.equal(await info({ type: "allMids" }), 2);
    assert.equal(await info({ type: "clearinghouseState", user: TEST_ACCOUNT }), 2);
    assert.equal(await info({ type: "orderStatus", user: TEST_ACCOUNT, oid: 1 }), 2);
    assert.equal(await info({ type: "exchangeStatus" }), 2);
    assert.equal(await info(META), 20);
    assert.equal(await info({ type: "openOrders", user: TEST_ACCOUNT }), 20);
    assert.equal(await info({ type: "userRateLimit", user: TEST_ACCOUNT }), 20);

    // An action weighs 1 + floor(n / 40) for n orders or cancels in it, however many n are.
    const act = (action: Record<string, unknown>) =>
      weightOf(
        venue,
        async () => assert.equal((await post(venue, "exchange", await signed(action))).status, 200),
      );
    assert.equal(await act(bids(venue, 1)), 1);
    assert.equal(await act(bids(venue, 39)), 1);
    assert.equal(await act(bids(venue, 40)), 2);
    assert.equal(await act(bids(venue, 80)), 3);
    const open = venue.state().openOrders;
    assert.equal(open.length, 160);
    assert.equal(
      await act({ type: "cancel", cancels: open.slice(0, 79).map((o) => ({ a: ETH, o: o.oid })) }),
      2,
    );
    assert.equal(await act({ type: "noop" }), 1);

    // userFills adds 1 per 20 fills returned: 81 fills cost 20 + 4.
    venue.inject({ kind: "fillResting" });
    assert.equal(venue.state().fills, 81);
    assert.equal(await info({ type: "userFills", user: TEST_ACCOUNT }), 24);
  } finally {
    await venue.close();
  }
});

Deno.test("past 1200 weight a minute the venue answers 429 and runs nothing; the window slides", async () => {
  const venue = await startTestVenue();
  try {
    await spend(venue, 30);
    venue.advance(30_000);
    await spend(venue, 30);
    assert.equal(venue.state().ipWeight.usedLastMinute, 1200);

    // The 1201st weight: a lone order. Refused before it runs, so it rests nowhere.
    const order = await signed(bids(venue, 1));
    assert.deepEqual(await post(venue, "exchange", order), {
      status: 429,
      text: "Too Many Requests",
    });
    assert.equal((await post(venue, "info", { type: "l2Book", coin: "ETH" })).status, 429);
    assert.deepEqual(venue.state().openOrders, []);
    assert.equal(venue.state().ipWeight.usedLastMinute, 1200, "refusals spend nothing");

    // A minute after the first 600, those free up; the 600 from 30 s later still count.
    venue.advance(29_999);
    assert.equal((await post(venue, "exchange", order)).status, 429);
    venue.advance(1);
    assert.equal(venue.state().ipWeight.usedLastMinute, 600);
    // Not run the first time, the very same signed order (its nonce unused) now rests.
    const placed = await post(venue, "exchange", order);
    assert.equal(placed.status, 200);
    assert.match(placed.text, /"resting"/);
    assert.equal(venue.state().openOrders.length, 1);
    await spend(venue, 29);
    assert.equal((await post(venue, "info", META)).status, 429, "600 freed, not the whole 1200");
  } finally {
    await venue.close();
  }
});

Deno.test("GET /control reports the weight limit, the last minute, the peak minute and refusals", async () => {
  const venue = await startTestVenue();
  try {
    await spend(venue, 50);
    assert.equal((await post(venue, "exchange", await signed(bids(venue, 1)))).status, 200);
    venue.advance(60_000);
    await spend(venue, 60);
    assert.equal((await post(venue, "info", { type: "allMids" })).status, 429);
    assert.equal((await post(venue, "info", META)).status, 429);
    const state = await (await fetch(`${venue.apiUrl}/control`)).json();
    assert.deepEqual(state.ipWeight, {
      limit: 1200,
      usedLastMinute: 1200,
      peakPerMinute: 1200,
      refusals: 2,
      byEndpoint: { info: 2200, exchange: 1, post: 0 },
    });
    venue.advance(60_000);
    assert.deepEqual(venue.state().ipWeight, { ...state.ipWeight, usedLastMinute: 0 });
  } finally {
    await venue.close();
  }
});

Deno.test("ipWeightLimit: 0 turns the limit off; the weight is still counted", async () => {
  const venue = await startTestVenue({ ipWeightLimit: 0 });
  try {
    await spend(venue, 70);
    assert.deepEqual(venue.state().ipWeight, {
      limit: 0,
      usedLastMinute: 1400,
      peakPerMinute: 1400,
      refusals: 0,
      byEndpoint: { info: 1400, exchange: 0, post: 0 },
    });
  } finally {
    await venue.close();
  }
  await assert.rejects(startTestVenue({ ipWeightLimit: -5 }), /ipWeightLimit must be/);
});

Deno.test("WebSocket post requests draw on the same weight; over it they get a post error", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    const book = await wsPost(probe, 1, {
      type: "info",
      payload: { type: "l2Book", coin: "ETH" },
    }) as { type: string };
    assert.equal(book.type, "info");
    assert.equal(venue.state().ipWeight.byEndpoint.post, 2);

    const placed = await wsPost(probe, 2, {
      type: "action",
      payload: JSON.parse(await signed(bids(venue, 1))),
    }) as { payload: { status: string } };
    assert.equal(placed.payload.status, "ok");
    assert.equal(venue.state().ipWeight.byEndpoint.post, 3);

    // REST fills the rest of the minute but 17.
    await spend(venue, 59);
    assert.equal((await post(venue, "info", { type: "l2Book", coin: "ETH" })).status, 200);
    assert.equal(venue.state().ipWeight.usedLastMinute, 1185);
    assert.deepEqual(await wsPost(probe, 3, { type: "info", payload: META }), {
      type: "error",
      payload: "Too Many Requests",
    });
    // Eight more l2Book leave 1; a batch of 40 orders weighs 2.
    for (let i = 0; i < 7; i++) {
      assert.equal((await post(venue, "info", { type: "l2Book", coin: "ETH" })).status, 200);
    }
    const refusedOrder = await wsPost(probe, 4, {
      type: "action",
      payload: JSON.parse(await signed(bids(venue, 40))),
    });
    assert.deepEqual(refusedOrder, { type: "error", payload: "Too Many Requests" });
    assert.equal(venue.state().openOrders.length, 1, "the refused batch placed nothing");
    assert.deepEqual(venue.state().ipWeight, {
      limit: 1200,
      usedLastMinute: 1199,
      peakPerMinute: 1199,
      refusals: 2,
      byEndpoint: { info: 1196, exchange: 0, post: 3 },
    });
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("dropWs scope=user closes only the sockets on user streams; scope=market only the others", async () => {
  const venue = await startTestVenue();
  try {
    const [user, market] = await userAndMarketSockets(venue);
    venue.inject(parseFaultSpec("dropWs:scope=user,closeFrame=false"));
    assert.equal((await user.waitClosed()).wasClean, false);
    await market.sync();
    assert.equal(market.closed, null, "the market socket stays open");

    const [user2, market2] = await userAndMarketSockets(venue);
    venue.inject({ kind: "dropWs", scope: "market", closeFrame: true });
    assert.equal((await market2.waitClosed()).code, 1001);
    assert.equal((await market.waitClosed()).code, 1001);
    await user2.sync();
    assert.equal(user2.closed, null, "the user socket stays open");
    await user2.close();
  } finally {
    await venue.close();
  }
});

Deno.test("silence scope=user: the user socket gets no pongs, fills or post answers, while books flow on another", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  const [user, market] = await userAndMarketSockets(venue);
  try {
    const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
    const px = floatToWire(roundPerpPrice(bid * 0.97, 4, "down"));
    const [placed] = await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]);
    assert.equal(placed.kind, "resting");
    await user.sync();

    venue.inject(parseFaultSpec("silence:scope=user,seconds=20"));
    assert.equal(venue.state().faults.silence, "user");
    const silentFrom = user.frames.length;
    const booksFrom = market.frames.length;
    const read = venue.state().stats.framesReceived;
    user.send({ method: "ping" });
    user.send({ method: "post", id: 7, request: { type: "info", payload: { type: "allMids" } } });
    await venueRead(venue, read, 2);
    venue.inject({ kind: "fillResting" });
    assert.equal(venue.state().fills, 1, "the order filled during the silence");
    venue.advance(5_000);
    await market.sync();
    assert.ok(market.channel("l2Book", booksFrom).length > 0, "books flow on the market socket");
    assert.equal(user.frames.length, silentFrom, "nothing at all on the user socket");

    venue.advance(16_000);
    await user.sync();
    assert.equal(user.closed, null, "the silence kept the socket open");
    assert.equal(user.channel("pong", silentFrom).length, 1, "only the pong after the silence");
    assert.equal(user.channel("post", silentFrom).length, 0, "the post answer was lost");
    for (const channel of ["userFills", "orderUpdates", "user"]) {
      assert.equal(user.channel(channel, silentFrom).length, 0, `the ${channel} frame was lost`);
    }
  } finally {
    await user.close();
    await market.close();
    await venue.close();
  }
});

Deno.test("a client reconnecting after a user-stream silence finds the fill it missed in the userFills snapshot", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  const user = await WsProbe.connect(venue.wsUrl);
  try {
    await user.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
    const px = floatToWire(roundPerpPrice(bid * 0.97, 4, "down"));
    const [placed] = await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]);
    const oid = (placed as { oid: number }).oid;
    venue.inject({ kind: "silence", scope: "user" });
    venue.inject({ kind: "fillResting" });
    venue.advance(2_000);
    // The client gives up on the silent socket and connects again once the venue talks.
    await user.close();
    venue.clear("silence");
    const back = await WsProbe.connect(venue.wsUrl);
    await back.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    const snapshot = back.channel("userFills")[0].json!.data as {
      isSnapshot: boolean;
      fills: { oid: number; px: string; sz: string }[];
    };
    assert.equal(snapshot.isSnapshot, true);
    assert.deepEqual(
      snapshot.fills.map((f) => [f.oid, f.px, f.sz]),
      [[oid, px, "0.01"]],
    );
    await back.close();
  } finally {
    await user.close();
    await venue.close();
  }
});

Deno.test("every fill, maker or taker, is sent on userFills, userEvents and orderUpdates (filled)", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  const [user, market] = await userAndMarketSockets(venue);
  try {
    const [bid, ask] = venue.sim.l2Book("ETH").levels.map((side) => Number(side[0].px));
    const low = floatToWire(roundPerpPrice(bid * 0.97, 4, "down"));
    const lower = floatToWire(roundPerpPrice(bid * 0.96, 4, "down"));
    const through = floatToWire(roundPerpPrice(ask * 1.01, 4, "up"));
    const from = user.frames.length;
    const resting = await exchange.placeOrders([
      { asset: ETH, isBuy: true, px: low, sz: "0.01" },
      { asset: ETH, isBuy: true, px: lower, sz: "0.01" },
    ]);
    const [taker] = await exchange.placeOrders([
      { asset: ETH, isBuy: true, px: through, sz: "0.01", tif: "Ioc" },
    ]);
    assert.equal(taker.kind, "filled");
    venue.inject({ kind: "fillResting" });
    await user.sync();

    const byOid = (a: number, b: number) => a - b;
    const oids = [taker, ...resting].map((o) => (o as { oid: number }).oid).sort(byOid);
    const fillOids = (frames: typeof user.frames) =>
      frames.flatMap((f) => (f.json!.data as { fills: { oid: number }[] }).fills.map((x) => x.oid))
        .sort(byOid);
    assert.deepEqual(fillOids(user.channel("userFills", from)), oids);
    assert.deepEqual(fillOids(user.channel("user", from)), oids);
    const filled = user.channel("orderUpdates", from).flatMap((f) =>
      (f.json!.data as { order: { oid: number }; status: string }[])
        .filter((u) => u.status === "filled").map((u) => u.order.oid)
    );
    assert.deepEqual(filled.sort(byOid), oids);
  } finally {
    await user.close();
    await market.close();
    await venue.close();
  }
});

Deno.test("the venue-sim task takes --ip-weight-limit and scoped socket faults from the command line", async () => {
  const venue = await startVenueProcess([
    "--coins",
    "2",
    "--ip-weight-limit",
    "0",
    "--fault",
    "silence:scope=user,seconds=20",
  ]);
  try {
    const state = await (await fetch(`${venue.apiUrl}/control`)).json();
    assert.equal(state.ipWeight.limit, 0);
    assert.equal(state.faults.silence, "user");
  } finally {
    await venue.close();
  }
  assert.throws(
    () => parseFaultSpec("silence:scope=users"),
    /scope must be one of all, market, user/,
  );
});

/**
 * The venue simulator's checks, each where the exchange's own rule is stricter than a forgiving
 * local server would be: signatures recovered over the action as the exchange re-encodes it,
 * decimals in their one canonical form, reduce-only orders that can never flip a position, the
 * 80 % price band, the live `asset=N` suffix, and info answers in the exact shapes clients
 * expect (`openOrders` without `cloid: null`, the full `userFees`, `l2Book` null for an unknown
 * coin and aggregated by `nSigFigs`, `spotMeta`, the `allMids` feed, `userFillsByTime` paging).
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { signL1Action } from "../engine/hyperliquid/signing.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import {
  startTestVenue,
  TEST_ACCOUNT,
  TEST_PRIVATE_KEY,
  venueEndpoints,
  WsProbe,
} from "./helpers/venue.ts";

const BTC = 0;
const ETH = 1;
const ACCOUNT = TEST_ACCOUNT.toLowerCase();

function clients(venue: VenueSim) {
  const endpoints = venueEndpoints(venue);
  return {
    exchange: new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY }),
    info: new InfoClient({ endpoints }),
  };
}

/** POSTs a JSON body and returns the HTTP status and the parsed answer (or the text). */
async function post(venue: VenueSim, path: "/info" | "/exchange", body: unknown) {
  const res = await fetch(`${venue.apiUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the exchange's plain-text 422.
  }
  return { status: res.status, body: json };
}

let lastNonce = 0;

/** Signs `signed` with the account's key and sends `sent` (the same action unless given). */
async function act(
  venue: VenueSim,
  signed: Record<string, unknown>,
  sent: Record<string, unknown> = signed,
) {
  const nonce = lastNonce = Math.max(Date.now(), lastNonce + 1);
  const signature = await signL1Action({
    privateKey: TEST_PRIVATE_KEY,
    action: signed,
    nonce,
    isMainnet: true,
  });
  return await post(venue, "/exchange", { action: sent, nonce, signature });
}

/** A bid `fraction` below the best bid, on ETH's tick grid, as a wire string. */
function bidBelow(venue: VenueSim, fraction: number): string {
  const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
  return floatToWire(roundPerpPrice(bid * (1 - fraction), 4, "down"));
}

/** The `status` of an `/exchange` answer ("ok" or "err"). */
function statusOf(answer: { body: unknown }): string {
  return (answer.body as { status: string }).status;
}

const UNKNOWN_SIGNER = /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/;

function assertUnknownSigner(answer: { status: number; body: unknown }): void {
  assert.equal(answer.status, 200);
  const body = answer.body as { status: string; response: string };
  assert.equal(body.status, "err");
  assert.match(body.response, UNKNOWN_SIGNER);
  assert.ok(!body.response.includes(ACCOUNT), "the account itself is never named");
}

Deno.test("a signature over the action's keys in another order recovers another address", async () => {
  const venue = await startTestVenue();
  try {
    const px = bidBelow(venue, 0.01);
    const reordered = {
      type: "order",
      orders: [{ b: true, a: ETH, p: px, s: "0.01", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    };
    assertUnknownSigner(await act(venue, reordered));
    assert.equal(venue.state().openOrders.length, 0);

    // Signed in the exchange's order, the same JSON keys in any order are the same request.
    const canonical = {
      type: "order",
      orders: [{ a: ETH, b: true, p: px, s: "0.01", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    };
    assert.equal(statusOf(await act(venue, canonical, reordered)), "ok");
    assert.equal(venue.state().openOrders.length, 1);
  } finally {
    await venue.close();
  }
});

Deno.test("an unknown key in a signed action is refused, signed along or slipped in after", async () => {
  const venue = await startTestVenue();
  try {
    const px = bidBelow(venue, 0.01);
    const order = { a: ETH, b: true, p: px, s: "0.01", r: false, t: { limit: { tif: "Alo" } } };
    const action = { type: "order", orders: [order], grouping: "na" };
    const withExtra = { type: "order", orders: [{ ...order, x: 1 }], grouping: "na" };
    assertUnknownSigner(await act(venue, withExtra));
    assertUnknownSigner(await act(venue, action, withExtra));
    assertUnknownSigner(await act(venue, { ...action, memo: "hi" }));
    assert.equal(venue.state().openOrders.length, 0);
    assert.equal(statusOf(await act(venue, action)), "ok");
  } finally {
    await venue.close();
  }
});

Deno.test("prices and sizes with trailing zeros are refused; a price that is no decimal is a 422", async () => {
  const venue = await startTestVenue();
  try {
    const px = bidBelow(venue, 0.01);
    const zeroed = px.includes(".") ? `${px}0` : `${px}.0`;
    const order = (p: string, s: string) => ({
      type: "order",
      orders: [{ a: ETH, b: true, p, s, r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    });
    // The exchange hashes "3440.2" where "3440.20" was signed.
    assertUnknownSigner(await act(venue, order(zeroed, "0.01")));
    assertUnknownSigner(await act(venue, order(px, "0.010")));
    // Signed in canonical form but sent with the zero: refused too (the stricter reading).
    assertUnknownSigner(await act(venue, order(px, "0.01"), order(zeroed, "0.01")));
    assert.equal(venue.state().openOrders.length, 0);

    for (const bad of ["1e3", "-5", ".5", "3440.", ""]) {
      const answer = await act(venue, order(bad, "0.01"));
      assert.deepEqual(answer, {
        status: 422,
        body: "Failed to deserialize the JSON body into the target type",
      });
    }
    assert.equal(statusOf(await act(venue, order(px, "0.01"))), "ok");
  } finally {
    await venue.close();
  }
});

Deno.test("a reduce-only order can only close: never open, grow or flip a position", async () => {
  const venue = await startTestVenue();
  const { exchange, info } = clients(venue);
  try {
    const ask = Number(venue.sim.l2Book("ETH").levels[1][0].px);
    const far = (k: number) => floatToWire(roundPerpPrice(ask * k, 4, k > 1 ? "up" : "down"));
    const reduceOnly = `Reduce only order would increase position. asset=${ETH}`;

    // Flat: nothing to reduce.
    assert.deepEqual(
      await exchange.placeOrders([{
        asset: ETH,
        isBuy: false,
        px: far(1.05),
        sz: "0.01",
        reduceOnly: true,
      }]),
      [{ kind: "rejected", message: reduceOnly }],
    );

    // Long 0.02: a reduce-only sell may close up to 0.02, in total over its resting orders.
    const [bought] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: far(1.01),
      sz: "0.02",
      tif: "Ioc",
    }]);
    assert.equal(bought.kind, "filled");
    const sell = (px: string, sz: string, reduceOnly = true) =>
      exchange.placeOrders([{ asset: ETH, isBuy: false, px, sz, reduceOnly }]);
    assert.deepEqual(await sell(far(1.05), "0.03"), [{ kind: "rejected", message: reduceOnly }]);
    assert.deepEqual(
      await exchange.placeOrders([{
        asset: ETH,
        isBuy: true,
        px: far(0.95),
        sz: "0.01",
        reduceOnly: true,
      }]),
      [{ kind: "rejected", message: reduceOnly }],
    );
    const [first] = await sell(far(1.05), "0.015");
    assert.equal(first.kind, "resting");
    assert.deepEqual(await sell(far(1.06), "0.01"), [{ kind: "rejected", message: reduceOnly }]);
    const [second] = await sell(far(1.06), "0.005");
    assert.equal(second.kind, "resting");

    // A plain sell closer to the market fills first when the market jumps through all three;
    // the reduce-only orders behind it may then close only the 0.01 left, and what they could
    // not fill is cancelled rather than filled into a short.
    assert.equal((await sell(far(1.04), "0.01", false))[0].kind, "resting");
    venue.steer("ETH", { jump: 0.08 });
    assert.deepEqual((await info.clearinghouseState(TEST_ACCOUNT)).positions, [], "flat");
    const oids = [first, second].map((o) => (o as { oid: number }).oid);
    for (const oid of oids) {
      const status = await info.orderStatus(TEST_ACCOUNT, oid);
      assert.equal(status.status === "order" && status.orderStatus, "reduceOnlyCanceled");
    }
    const closed = (await info.userFills(TEST_ACCOUNT)).filter((f) => oids.includes(f.oid));
    assert.deepEqual(closed.map((f) => f.sz), [0.01]);
  } finally {
    await venue.close();
  }
});

Deno.test("a resting reduce-only order is cancelled once another fill leaves it nothing to close", async () => {
  const venue = await startTestVenue();
  const { exchange, info } = clients(venue);
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "orderUpdates", user: TEST_ACCOUNT });
    const book = venue.sim.l2Book("ETH");
    const ask = Number(book.levels[1][0].px);
    const bid = Number(book.levels[0][0].px);
    const px = (x: number, dir: "up" | "down") => floatToWire(roundPerpPrice(x, 4, dir));
    await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: px(ask * 1.01, "up"),
      sz: "0.02",
      tif: "Ioc",
    }]);
    const [resting] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: false,
      px: px(ask * 1.05, "up"),
      sz: "0.02",
      reduceOnly: true,
    }]);
    const oid = (resting as { oid: number }).oid;
    // Half the long is sold by a plain order: 0.02 no longer fits in the 0.01 left.
    await exchange.placeOrders([{
      asset: ETH,
      isBuy: false,
      px: px(bid * 0.99, "down"),
      sz: "0.01",
      tif: "Ioc",
    }]);
    const status = await info.orderStatus(TEST_ACCOUNT, oid);
    assert.equal(status.status === "order" && status.orderStatus, "reduceOnlyCanceled");
    await probe.waitFor((f) => f.raw.includes('"reduceOnlyCanceled"'));
    assert.deepEqual(await info.openOrders(TEST_ACCOUNT), []);
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("an order more than 80% from the reference price is refused, after the tick check", async () => {
  const venue = await startTestVenue();
  const { exchange } = clients(venue);
  try {
    const mid = venue.sim.mark("ETH");
    const band = "Order price cannot be more than 80% away from the reference price";
    const at = (k: number, dir: "up" | "down") => floatToWire(roundPerpPrice(mid * k, 4, dir));
    const [low, high, offTick, inside] = await exchange.placeOrders([
      { asset: ETH, isBuy: true, px: at(0.19, "down"), sz: "0.1" },
      { asset: ETH, isBuy: false, px: at(1.81, "up"), sz: "0.1" },
      { asset: ETH, isBuy: true, px: floatToWire(mid * 0.1 + 0.001), sz: "0.1" },
      { asset: ETH, isBuy: true, px: at(0.21, "up"), sz: "0.1" },
    ]);
    assert.deepEqual(low, { kind: "rejected", message: band });
    assert.deepEqual(high, { kind: "rejected", message: band });
    assert.deepEqual(offTick, {
      kind: "rejected",
      message: `Price must be divisible by tick size. asset=${ETH}`,
    });
    assert.equal(inside.kind, "resting");
  } finally {
    await venue.close();
  }
});

Deno.test("per-order refusals carry the live `. asset=N` suffix, as on the exchange", async () => {
  const venue = await startTestVenue({ balanceUsd: 1_000 });
  const { exchange } = clients(venue);
  try {
    const btc = Number(venue.sim.l2Book("BTC").levels[0][0].px);
    const btcBid = floatToWire(roundPerpPrice(btc * 0.99, 5, "down"));
    const btcAsk = floatToWire(roundPerpPrice(btc * 1.01, 5, "up"));
    const eth = Number(venue.sim.l2Book("ETH").levels[0][0].px);
    const ethBid = floatToWire(roundPerpPrice(eth * 0.99, 4, "down"));
    const offTick = floatToWire(Number(ethBid) + priceTick(eth, 4) / 10);
    const outcomes = await exchange.placeOrders([
      { asset: BTC, isBuy: true, px: btcBid, sz: "0.00001" },
      { asset: ETH, isBuy: true, px: offTick, sz: "0.01" },
      { asset: BTC, isBuy: true, px: btcBid, sz: "1" },
      { asset: ETH, isBuy: true, px: ethBid, sz: "0.01", tif: "Ioc" },
      { asset: BTC, isBuy: false, px: btcAsk, sz: "0.001", reduceOnly: true },
    ]);
    assert.deepEqual(outcomes.map((o) => (o as { message: string }).message), [
      `Order must have minimum value of $10. asset=${BTC}`,
      `Price must be divisible by tick size. asset=${ETH}`,
      `Insufficient margin to place order. asset=${BTC}`,
      `Order could not immediately match against any resting orders. asset=${ETH}`,
      `Reduce only order would increase position. asset=${BTC}`,
    ]);
    assert.deepEqual(await exchange.cancel([{ asset: ETH, oid: 123 }]), [{
      kind: "missing",
      message: `Order was never placed, already canceled, or filled. asset=${ETH}`,
    }]);
  } finally {
    await venue.close();
  }
});

Deno.test("openOrders leaves cloid and reduceOnly out where they do not apply", async () => {
  const venue = await startTestVenue();
  const { exchange } = clients(venue);
  try {
    const cloid = "0x0000000000000000000000000000002a";
    await exchange.placeOrders([
      { asset: ETH, isBuy: true, px: bidBelow(venue, 0.01), sz: "0.01", cloid },
      { asset: ETH, isBuy: true, px: bidBelow(venue, 0.02), sz: "0.01" },
    ]);
    const { body } = await post(venue, "/info", { type: "openOrders", user: TEST_ACCOUNT });
    const [withCloid, without] = body as Record<string, unknown>[];
    assert.deepEqual(Object.keys(withCloid).sort(), [
      "cloid",
      "coin",
      "limitPx",
      "oid",
      "origSz",
      "side",
      "sz",
      "timestamp",
    ]);
    assert.equal(withCloid.cloid, cloid);
    assert.ok(!("cloid" in without) && !("reduceOnly" in without));
  } finally {
    await venue.close();
  }
});

Deno.test("userFees answers all twelve of its fields, with the venue's rates and the day's volume", async () => {
  const venue = await startTestVenue({ makerFeeRate: 0.0001, takerFeeRate: 0.0004 });
  const { exchange } = clients(venue);
  try {
    const ask = Number(venue.sim.l2Book("ETH").levels[1][0].px);
    await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: floatToWire(roundPerpPrice(ask * 1.01, 4, "up")),
      sz: "0.01",
      tif: "Ioc",
    }]);
    const { body } = await post(venue, "/info", { type: "userFees", user: TEST_ACCOUNT });
    const fees = body as Record<string, unknown> & {
      dailyUserVlm: { date: string; userCross: string; userAdd: string }[];
    };
    assert.deepEqual(Object.keys(fees), [
      "dailyUserVlm",
      "feeSchedule",
      "userCrossRate",
      "userAddRate",
      "userSpotCrossRate",
      "userSpotAddRate",
      "activeReferralDiscount",
      "trial",
      "feeTrialEscrow",
      "nextTrialAvailableTimestamp",
      "stakingLink",
      "activeStakingDiscount",
    ]);
    assert.equal(fees.userCrossRate, "0.0004");
    assert.equal(fees.userAddRate, "0.0001");
    const today = fees.dailyUserVlm.at(-1)!;
    assert.equal(today.date, new Date(venue.sim.now).toISOString().slice(0, 10));
    assert.ok(Math.abs(Number(today.userCross) - ask * 0.01) < ask * 0.0002);
    assert.equal(today.userAdd, "0");
  } finally {
    await venue.close();
  }
});

Deno.test("l2Book of an unknown coin answers null with HTTP 200; bad aggregation is a 422", async () => {
  const venue = await startTestVenue();
  try {
    assert.deepEqual(await post(venue, "/info", { type: "l2Book", coin: "NOPE" }), {
      status: 200,
      body: null,
    });
    for (
      const bad of [{ nSigFigs: 6 }, { nSigFigs: 4, mantissa: 2 }, { nSigFigs: 5, mantissa: 1 }]
    ) {
      const answer = await post(venue, "/info", { type: "l2Book", coin: "BTC", ...bad });
      assert.equal(answer.status, 422, JSON.stringify(bad));
    }
  } finally {
    await venue.close();
  }
});

Deno.test("nSigFigs and mantissa aggregate the book over REST and WebSocket alike", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    type Book = { levels: { px: string; sz: string; n: number }[][] };
    const full = venue.sim.l2Book("BTC", Infinity);
    const book = async (params: Record<string, unknown>) =>
      (await post(venue, "/info", { type: "l2Book", coin: "BTC", ...params })).body as Book;

    // Two figures on a ~97,000 book: buckets of 1,000, bids rounded down and asks up, and the
    // bucket holds every level that falls in it.
    const two = await book({ nSigFigs: 2 });
    const [bids, asks] = two.levels;
    assert.ok(bids.every((l) => Number(l.px) % 1_000 === 0));
    assert.ok(asks.every((l) => Number(l.px) % 1_000 === 0));
    assert.ok(Number(bids[0].px) <= Number(full.levels[0][0].px));
    assert.ok(Number(asks[0].px) >= Number(full.levels[1][0].px));
    const inTopBid = full.levels[0].filter((l) => Number(l.px) >= Number(bids[0].px));
    assert.equal(bids[0].n, inTopBid.reduce((n, l) => n + l.n, 0));
    const sumSz = inTopBid.reduce((s, l) => s + Number(l.sz), 0);
    assert.ok(Math.abs(Number(bids[0].sz) - sumSz) < 1e-6);

    // Five figures with mantissa 5: buckets of 5 dollars.
    const five = await book({ nSigFigs: 5, mantissa: 5 });
    assert.ok(five.levels.flat().every((l) => Number(l.px) % 5 === 0));

    // The same aggregation over a subscription, acked in its normalized form.
    await probe.subscribe({ type: "l2Book", coin: "BTC", nSigFigs: 2 });
    assert.deepEqual(probe.channel("subscriptionResponse")[0].json!.data, {
      method: "subscribe",
      subscription: { type: "l2Book", coin: "BTC", nSigFigs: 2, mantissa: null, fast: false },
    });
    const pushed = await probe.waitFor((f) => f.json?.channel === "l2Book");
    assert.deepEqual((pushed.json!.data as Book).levels, two.levels);

    // mantissa 1 (docs) is outside the SDK's 2|5: the exchange may drop the socket, so it does.
    probe.send({
      method: "subscribe",
      subscription: { type: "l2Book", coin: "BTC", nSigFigs: 5, mantissa: 1 },
    });
    await probe.waitClosed();
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("spotMeta and spotMetaAndAssetCtxs answer an empty spot universe with USDC as token 0", async () => {
  const venue = await startTestVenue();
  try {
    const spot = (await post(venue, "/info", { type: "spotMeta" })).body as {
      universe: unknown[];
      tokens: { name: string; index: number }[];
    };
    assert.deepEqual(spot.universe, []);
    assert.deepEqual(spot.tokens.map((t) => [t.name, t.index]), [["USDC", 0]]);
    assert.deepEqual((await post(venue, "/info", { type: "spotMetaAndAssetCtxs" })).body, [
      spot,
      [],
    ]);
  } finally {
    await venue.close();
  }
});

Deno.test("the allMids subscription sends the mids at once and then every 5 s", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "allMids" });
    assert.deepEqual(probe.channel("subscriptionResponse")[0].json!.data, {
      method: "subscribe",
      subscription: { type: "allMids" },
    });
    const first = await probe.waitFor((f) => f.json?.channel === "allMids");
    const rest = (await post(venue, "/info", { type: "allMids" })).body;
    assert.deepEqual(first.json!.data, { mids: rest });
    venue.advance(15_000);
    await probe.sync();
    assert.equal(probe.channel("allMids").length, 4);
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("userFillsByTime pages oldest first, 2,000 at a time, so paging forward skips no fill", async () => {
  const venue = await startTestVenue({ coins: 2 });
  const { info } = clients(venue);
  try {
    // Over 5,000 taker fills in a minute and a half of market time, alternating sides.
    for (let i = 0; i < 2_600; i++) {
      const [bid, ask] = venue.sim.bbo(venue.sim.coins[ETH]);
      for (const isBuy of [true, false]) {
        const px = isBuy ? ask! * 1.001 : bid! * 0.999;
        venue.sim.placeOrder({
          a: ETH,
          b: isBuy,
          p: floatToWire(roundPerpPrice(px, 4, isBuy ? "up" : "down")),
          s: "0.01",
          r: false,
          t: { limit: { tif: "Ioc" } },
        });
      }
      venue.advance(37);
    }
    const all = venue.sim.account.fills;
    assert.ok(all.length > 5_000);

    const seen = new Map<number, number>();
    let start = 0;
    let pages = 0;
    for (;;) {
      const page = await info.userFillsByTime(TEST_ACCOUNT, start);
      pages++;
      assert.ok(page.length <= 2_000);
      assert.ok(page.every((f, i) => i === 0 || f.timeMs >= page[i - 1].timeMs), "oldest first");
      assert.ok(page.every((f) => f.timeMs >= start));
      for (const f of page) seen.set(f.tid, f.timeMs);
      if (page.length < 2_000) break;
      start = page.at(-1)!.timeMs;
    }
    assert.ok(pages >= 3);
    assert.equal(seen.size, all.length, "every fill found once paging forward");

    // userFills is the other way round: the 2,000 newest, newest first.
    const newest = await info.userFills(TEST_ACCOUNT);
    assert.equal(newest.length, 2_000);
    assert.equal(newest[0].tid, all.at(-1)!.tid);
  } finally {
    await venue.close();
  }
});

/**
 * The venue simulator as the engine meets it: orders signed by the project's ExchangeClient,
 * answers read by its InfoClient and frame parser, and a reproducible market stream.
 */
import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { parseFrame } from "../engine/hyperliquid/parse.ts";
import { signL1Action } from "../engine/hyperliquid/signing.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import {
  postSignedAction,
  startTestVenue,
  TEST_ACCOUNT,
  TEST_PRIVATE_KEY,
  venueEndpoints,
  WsProbe,
} from "./helpers/venue.ts";

const OTHER_KEY = "0x8888888888888888888888888888888888888888888888888888888888888888";
const ETH = 1;

function clients(
  venue: { apiUrl: string; wsUrl: string },
  privateKey = TEST_PRIVATE_KEY,
  accountAddress?: string,
) {
  const endpoints = venueEndpoints(venue);
  return {
    exchange: new ExchangeClient({ endpoints, privateKey, accountAddress }),
    info: new InfoClient({ endpoints }),
  };
}

/** A price `ticks` ticks below the best bid (or above the best ask), valid on the tick grid. */
function away(px: number, ticks: number, szDecimals: number, dir: "down" | "up"): string {
  const step = priceTick(px, szDecimals) * ticks;
  return floatToWire(roundPerpPrice(dir === "down" ? px - step : px + step, szDecimals, dir));
}

Deno.test("a signed post-only bid rests, shows in the book, is filled by a taker trading through it, and appears on userFills and in clearinghouseState", async () => {
  const venue = await startTestVenue();
  const { exchange, info } = clients(venue);
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    await probe.subscribe({ type: "orderUpdates", user: TEST_ACCOUNT });
    const snapshot = probe.channel("userFills")[0].json!.data as {
      isSnapshot: boolean;
      fills: unknown[];
    };
    assert.equal(snapshot.isSnapshot, true);
    assert.deepEqual(snapshot.fills, []);

    const book = await info.l2Book("ETH");
    const px = away(book.bids[0].px, 2, 4, "down");
    const [outcome] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px,
      sz: "0.01",
      tif: "Alo",
    }]);
    assert.equal(outcome.kind, "resting");
    const oid = (outcome as { oid: number }).oid;

    const withOrder = await info.l2Book("ETH");
    const level = withOrder.bids.find((l) => l.px === Number(px));
    const crowd = book.bids.find((l) => l.px === Number(px));
    assert.ok(level, "our price level is in the served book");
    assert.equal(level.n, (crowd?.n ?? 0) + 1);
    assert.ok(Math.abs(level.sz - ((crowd?.sz ?? 0) + 0.01)) < 1e-9);
    const [open] = await info.openOrders(TEST_ACCOUNT);
    assert.equal(open.oid, oid);
    assert.equal(venue.state().openOrders[0].queueAhead, floatToWire(crowd?.sz ?? 0));

    const from = probe.frames.length;
    const prints = venue.takerTrade("ETH", "A", 500);
    assert.ok(
      prints.some((t) => t.px === px && t.users[0] === TEST_ACCOUNT.toLowerCase()),
      "a print at our price names us as buyer",
    );
    const fillFrame = await probe.waitFor((f) => f.json?.channel === "userFills", from);
    const fills = fillFrame.json!.data as {
      isSnapshot?: boolean;
      fills: Record<string, unknown>[];
    };
    assert.equal(fills.isSnapshot, undefined);
    assert.equal(fills.fills.length, 1);
    assert.equal(fills.fills[0].oid, oid);
    assert.equal(fills.fills[0].px, px);
    assert.equal(fills.fills[0].sz, "0.01");
    assert.equal(fills.fills[0].side, "B");
    assert.equal(fills.fills[0].crossed, false);
    assert.equal(fills.fills[0].dir, "Open Long");
    // Hyperliquid tier 0: the maker pays 0.015 %.
    assert.ok(Math.abs(Number(fills.fills[0].fee) - Number(px) * 0.01 * 0.00015) < 1e-6);
    const update = await probe.waitFor(
      (f) => f.json?.channel === "orderUpdates" && JSON.stringify(f.json.data).includes('"filled"'),
      from,
    );
    assert.equal((update.json!.data as { order: { oid: number } }[])[0].order.oid, oid);

    const state = await info.clearinghouseState(TEST_ACCOUNT);
    assert.equal(state.positions.length, 1);
    assert.equal(state.positions[0].coin, "ETH");
    assert.equal(state.positions[0].szi, 0.01);
    assert.equal(state.positions[0].entryPx, Number(px));
    const restFills = await info.userFills(TEST_ACCOUNT);
    assert.equal(restFills[0].oid, oid);
    assert.deepEqual(await info.openOrders(TEST_ACCOUNT), []);
    const status = await info.orderStatus(TEST_ACCOUNT, oid);
    assert.equal(status.status === "order" && status.orderStatus, "filled");
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("an order joining the best bid waits behind the displayed queue until crowd takers reach it", async () => {
  const venue = await startTestVenue({ seed: 11 });
  const { exchange, info } = clients(venue);
  try {
    const book = await info.l2Book("BTC");
    const px = floatToWire(book.bids[0].px);
    const [outcome] = await exchange.placeOrders([{
      asset: 0,
      isBuy: true,
      px,
      sz: "0.001",
      tif: "Alo",
    }]);
    assert.equal(outcome.kind, "resting");
    const ahead = Number(venue.state().openOrders[0].queueAhead);
    assert.equal(ahead, book.bids[0].sz);
    let steps = 0;
    while (venue.state().openOrders.length > 0 && steps < 3_000) {
      venue.advance(200);
      steps++;
    }
    assert.equal(venue.state().openOrders.length, 0, "filled within 10 virtual minutes");
    const fills = await info.userFills(TEST_ACCOUNT);
    assert.ok(fills.every((f) => f.px === Number(px) && !f.crossed && f.oid === fills[0].oid));
    assert.ok(
      Math.abs(fills.reduce((s, f) => s + f.sz, 0) - 0.001) < 1e-12,
      "fills add up to the order",
    );
    const status = await info.orderStatus(TEST_ACCOUNT, fills[0].oid);
    assert.equal(status.status === "order" && status.orderStatus, "filled");
  } finally {
    await venue.close();
  }
});

Deno.test("a forged or tampered signature is refused as an unknown user or API wallet", async () => {
  const venue = await startTestVenue();
  const forger = clients(venue, OTHER_KEY, TEST_ACCOUNT);
  const { info } = clients(venue);
  try {
    const book = await info.l2Book("ETH");
    const px = away(book.bids[0].px, 3, 4, "down");
    const [outcome] = await forger.exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px,
      sz: "0.01",
    }]);
    const forgerAddress = privateKeyToAccount(OTHER_KEY).address.toLowerCase();
    assert.deepEqual(outcome, {
      kind: "rejected",
      message: `User or API Wallet ${forgerAddress} does not exist.`,
    });

    // Signed by the account, then the price changed: the signature recovers some other address.
    const action = {
      type: "order",
      orders: [{ a: ETH, b: true, p: px, s: "0.01", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    };
    const nonce = Date.now();
    const signature = await signL1Action({
      privateKey: TEST_PRIVATE_KEY,
      action,
      nonce,
      isMainnet: true,
    });
    const tampered = { ...action, orders: [{ ...action.orders[0], s: "0.02" }] };
    const res = await fetch(`${venue.apiUrl}/exchange`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: tampered, nonce, signature, vaultAddress: null }),
    });
    const body = await res.json();
    assert.equal(body.status, "err");
    assert.match(body.response, /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    assert.ok(!body.response.includes(TEST_ACCOUNT.toLowerCase()));

    // A testnet signature does not verify on a mainnet venue either.
    const testnetSig = await signL1Action({
      privateKey: TEST_PRIVATE_KEY,
      action,
      nonce: nonce + 1,
      isMainnet: false,
    });
    const res2 = await fetch(`${venue.apiUrl}/exchange`, {
      method: "POST",
      body: JSON.stringify({ action, nonce: nonce + 1, signature: testnetSig, vaultAddress: null }),
    });
    assert.match((await res2.json()).response, /does not exist\.$/);
    assert.equal(venue.state().openOrders.length, 0);
  } finally {
    await venue.close();
  }
});

Deno.test("a crossing post-only order is refused with the bbo, and bad prices and sizes with the exchange's messages", async () => {
  const venue = await startTestVenue();
  const { exchange, info } = clients(venue);
  try {
    const book = await info.l2Book("ETH");
    const bid = floatToWire(book.bids[0].px);
    const ask = floatToWire(book.asks[0].px);
    const outcomes = await exchange.placeOrders([
      { asset: ETH, isBuy: true, px: ask, sz: "0.01", tif: "Alo" },
      { asset: ETH, isBuy: false, px: bid, sz: "0.01", tif: "Alo" },
      {
        asset: ETH,
        isBuy: true,
        px: floatToWire(book.bids[0].px + priceTick(book.bids[0].px, 4) / 10),
        sz: "0.01",
      },
      { asset: ETH, isBuy: true, px: bid, sz: "0.001" },
      { asset: ETH, isBuy: true, px: bid, sz: "0.00001" },
    ]);
    const postOnly =
      `Post only order would have immediately matched, bbo was ${bid}@${ask}. asset=${ETH}`;
    assert.deepEqual(outcomes[0], { kind: "postOnlyRejected", message: postOnly });
    assert.deepEqual(outcomes[1], { kind: "postOnlyRejected", message: postOnly });
    assert.deepEqual(outcomes[2], {
      kind: "rejected",
      message: `Price must be divisible by tick size. asset=${ETH}`,
    });
    assert.deepEqual(outcomes[3], {
      kind: "rejected",
      message: `Order must have minimum value of $10. asset=${ETH}`,
    });
    assert.deepEqual(outcomes[4], {
      kind: "rejected",
      message: `Order must have minimum value of $10. asset=${ETH}`,
    });
    assert.equal(venue.state().openOrders.length, 0);
  } finally {
    await venue.close();
  }
});

Deno.test("nonces: a reused nonce and one outside (T - 2 days, T + 1 day) are refused", async () => {
  const venue = await startTestVenue();
  const post = async (nonce: number) =>
    await (await postSignedAction(venue.apiUrl, { type: "noop" }, nonce)).json();
  try {
    const nonce = Date.now();
    assert.deepEqual(await post(nonce), { status: "ok", response: { type: "default" } });
    assert.deepEqual(await post(nonce), {
      status: "err",
      response: `Invalid nonce: duplicate nonce ${nonce}`,
    });
    const stale = nonce - 3 * 86_400_000;
    assert.match(
      (await post(stale)).response,
      /^Invalid nonce: nonce \d+ is outside the allowed window/,
    );
    const future = nonce + 2 * 86_400_000;
    assert.match((await post(future)).response, /^Invalid nonce/);
    for (let i = 1; i <= 100; i++) assert.equal((await post(nonce + i)).status, "ok");
    // The set now holds nonce+1..nonce+100: anything at or below its smallest is too low.
    assert.equal(
      (await post(nonce - 5)).response,
      `Invalid nonce: nonce too low ${nonce - 5} < ${nonce + 1}`,
    );
  } finally {
    await venue.close();
  }
});

Deno.test("an API wallet may trade once the account approved it, and not before", async () => {
  const venue = await startTestVenue();
  const agentAddress = privateKeyToAccount(OTHER_KEY).address;
  const agent = clients(venue, OTHER_KEY, TEST_ACCOUNT);
  const owner = clients(venue);
  try {
    const book = await owner.info.l2Book("ETH");
    const order = { asset: ETH, isBuy: true, px: away(book.bids[0].px, 4, 4, "down"), sz: "0.01" };
    assert.equal((await agent.exchange.placeOrders([order]))[0].kind, "rejected");
    assert.deepEqual(await owner.exchange.approveAgent({ agentAddress, agentName: "mm" }), {
      kind: "ok",
    });
    const [placed] = await agent.exchange.placeOrders([order]);
    assert.equal(placed.kind, "resting");
    assert.deepEqual(await agent.exchange.noop(), { kind: "ok" });
  } finally {
    await venue.close();
  }
});

Deno.test("cancel, cancelByCloid, batchModify, orderStatus and updateLeverage answer like the exchange", async () => {
  const venue = await startTestVenue();
  const { exchange, info } = clients(venue);
  const cloid = "0x0000000000000000000000000000002a";
  try {
    const book = await info.l2Book("ETH");
    const px1 = away(book.bids[0].px, 5, 4, "down");
    const px2 = away(book.bids[0].px, 6, 4, "down");
    const [first] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: px1,
      sz: "0.01",
      cloid,
    }]);
    assert.equal(first.kind, "resting");
    assert.equal((first as { cloid?: string }).cloid, cloid);
    const [moved] = await exchange.batchModify([{
      oid: cloid,
      order: { asset: ETH, isBuy: true, px: px2, sz: "0.02", cloid },
    }]);
    assert.equal(moved.kind, "resting");
    const movedOid = (moved as { oid: number }).oid;
    assert.notEqual(movedOid, (first as { oid: number }).oid);
    const [open] = await info.frontendOpenOrders(TEST_ACCOUNT);
    assert.equal(open.limitPx, Number(px2));
    assert.equal(open.origSz, 0.02);
    const byCloid = await info.orderStatus(TEST_ACCOUNT, cloid);
    assert.equal(byCloid.status === "order" && byCloid.orderStatus, "open");
    assert.deepEqual(await exchange.cancelByCloid([{ asset: ETH, cloid }]), [{ kind: "success" }]);
    const [again] = await exchange.cancel([{ asset: ETH, oid: movedOid }]);
    assert.equal(again.kind, "missing");
    assert.equal((await info.orderStatus(TEST_ACCOUNT, 12345)).status, "unknownOid");
    assert.deepEqual(await exchange.updateLeverage(ETH, true, 5), { kind: "ok" });
    assert.equal((await exchange.updateLeverage(ETH, true, 500)).kind, "rejected");
    const gate = await exchange.scheduleCancel(Date.now() + 60_000);
    assert.equal(gate.kind, "rejected");
    assert.match(
      (gate as { message: string }).message,
      /^Cannot set scheduled cancel time until enough volume traded\. Required: \$1000000\. Traded: \$0\.$/,
    );
  } finally {
    await venue.close();
  }
});

Deno.test("scheduleCancel cancels every resting order when its time comes", async () => {
  const venue = await startTestVenue({ startTimeMs: Date.now(), scheduleCancelMinVolumeUsd: 0 });
  const { exchange, info } = clients(venue);
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "orderUpdates", user: TEST_ACCOUNT });
    const book = await info.l2Book("ETH");
    // 5 % below the bid: out of reach of 11 s of market moves.
    const px = floatToWire(roundPerpPrice(book.bids[0].px * 0.95, 4, "down"));
    assert.equal(
      (await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]))[0].kind,
      "resting",
    );
    assert.equal((await exchange.scheduleCancel(venue.sim.now + 1_000)).kind, "rejected");
    assert.deepEqual(await exchange.scheduleCancel(venue.sim.now + 10_000), { kind: "ok" });
    venue.advance(11_000);
    await probe.waitFor((f) =>
      f.json?.channel === "orderUpdates" && f.raw.includes('"scheduledCancel"')
    );
    assert.deepEqual(await info.openOrders(TEST_ACCOUNT), []);
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("the same seed yields the same market stream byte for byte; another seed does not", async () => {
  const record = async (seed: number) => {
    const venue = await startTestVenue({ seed, coins: 8 });
    const probe = await WsProbe.connect(venue.wsUrl);
    try {
      for (const coin of ["BTC", "ETH", "kPEPE"]) {
        await probe.subscribe({ type: "l2Book", coin });
        await probe.subscribe({ type: "trades", coin });
      }
      for (let i = 0; i < 100; i++) venue.advance(100);
      await probe.sync();
      return probe.frames.map((f) => f.raw).filter((r) => r !== '{"channel":"pong"}');
    } finally {
      await probe.close();
      await venue.close();
    }
  };
  const a = await record(7);
  const b = await record(7);
  const c = await record(8);
  const books = a.filter((r) => r.startsWith('{"channel":"l2Book"'));
  // 10 s at one update per ~540 ms per coin (the recorded cadence), 3 coins, plus the snapshots.
  assert.ok(books.length >= 45, `expected ≥45 book frames, got ${books.length}`);
  assert.ok(a.some((r) => r.startsWith('{"channel":"trades"')), "trades were printed");
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const raw of a) {
    const parsed = parseFrame(raw);
    assert.notEqual(parsed.type, "malformed", raw.slice(0, 200));
    if (parsed.type === "book") {
      assert.equal(parsed.problem, null);
      assert.equal(parsed.book.bids.length, 20);
      assert.equal(parsed.book.asks.length, 20);
    }
  }
});

Deno.test("metaAndAssetCtxs lists at least 40 coins with valid prices from 0.00001 to 100,000", async () => {
  const venue = await startTestVenue();
  try {
    const res = await fetch(`${venue.apiUrl}/info`, {
      method: "POST",
      body: JSON.stringify({ type: "metaAndAssetCtxs" }),
    });
    const [meta, ctxs] = await res.json();
    assert.ok(meta.universe.length >= 40);
    assert.equal(meta.universe[0].name, "BTC");
    const marks = ctxs.map((c: { markPx: string }) => Number(c.markPx));
    assert.ok(Math.min(...marks) < 0.0001 && Math.max(...marks) > 50_000);
    for (const c of ctxs) {
      assert.ok(Number(c.dayNtlVlm) > 0);
      assert.ok(Number.isFinite(Number(c.funding)));
    }
    const bad = await fetch(`${venue.apiUrl}/info`, {
      method: "POST",
      body: JSON.stringify({ type: "nope" }),
    });
    assert.equal(bad.status, 422);
    assert.equal(await bad.text(), "Failed to deserialize the JSON body into the target type");
  } finally {
    await venue.close();
  }
});

Deno.test("a crossing Gtc order takes liquidity at the taker fee; Ioc, reduce-only and margin are enforced", async () => {
  const venue = await startTestVenue({ balanceUsd: 1_000 });
  const { exchange, info } = clients(venue);
  try {
    const book = await info.l2Book("ETH");
    const ask = book.asks[0].px;
    const [taken] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: away(ask, 3, 4, "up"),
      sz: "0.01",
      tif: "Gtc",
    }]);
    assert.equal(taken.kind, "filled");
    const filled = taken as { totalSz: number; avgPx: number };
    assert.equal(filled.totalSz, 0.01);
    assert.equal(filled.avgPx, ask);
    const [fill] = await info.userFills(TEST_ACCOUNT);
    assert.equal(fill.crossed, true);
    // Hyperliquid tier 0 taker fee: 0.045 %.
    assert.ok(Math.abs(fill.fee - ask * 0.01 * 0.00045) < 1e-6);

    const far = away(book.bids[0].px * 0.9, 0, 4, "down");
    assert.deepEqual(
      await exchange.placeOrders([{ asset: ETH, isBuy: true, px: far, sz: "0.01", tif: "Ioc" }]),
      [{
        kind: "rejected",
        message: `Order could not immediately match against any resting orders. asset=${ETH}`,
      }],
    );
    assert.deepEqual(
      await exchange.placeOrders([{
        asset: ETH,
        isBuy: true,
        px: far,
        sz: "0.01",
        reduceOnly: true,
      }]),
      [{ kind: "rejected", message: `Reduce only order would increase position. asset=${ETH}` }],
    );
    const [reduce] = await exchange.placeOrders([{
      asset: ETH,
      isBuy: false,
      px: away(ask, 50, 4, "up"),
      sz: "0.01",
      reduceOnly: true,
    }]);
    assert.equal(reduce.kind, "resting");
    // $1,000 at the default 20x leverage (ETH allows 25x) carries at most ~$20,000 of orders.
    assert.deepEqual(
      await exchange.placeOrders([{ asset: ETH, isBuy: true, px: far, sz: "10" }]),
      [{ kind: "rejected", message: `Insufficient margin to place order. asset=${ETH}` }],
    );
  } finally {
    await venue.close();
  }
});

Deno.test("l2Book subscriptions echo the normalized form; fast books carry 5 levels; bbo on change; userEvents and funding", async () => {
  const venue = await startTestVenue({ coins: 2 });
  const { exchange, info } = clients(venue);
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "l2Book", coin: "BTC", fast: true });
    const ack = probe.channel("subscriptionResponse")[0].json!.data;
    assert.deepEqual(ack, {
      method: "subscribe",
      subscription: { type: "l2Book", coin: "BTC", nSigFigs: null, mantissa: null, fast: true },
    });
    const [fast] = probe.channel("l2Book");
    const levels = (fast.json!.data as { levels: unknown[][] }).levels;
    assert.equal(levels[0].length, 5);
    assert.equal(levels[1].length, 5);

    await probe.subscribe({ type: "bbo", coin: "BTC" });
    const fromBbo = probe.frames.length;
    venue.advance(10_000);
    await probe.sync();
    const bbos = probe.channel("bbo").map((f) =>
      JSON.stringify((f.json!.data as { bbo: unknown }).bbo)
    );
    assert.ok(bbos.length >= 2);
    assert.ok(
      bbos.every((b, i) => i === 0 || b !== bbos[i - 1]),
      "bbo is only sent when it changes",
    );
    const books = probe.channel("l2Book", fromBbo).map((f) =>
      f.json!.data as { levels: unknown[][] }
    );
    assert.deepEqual(JSON.parse(bbos.at(-1)!), [
      books.at(-1)!.levels[0][0],
      books.at(-1)!.levels[1][0],
    ]);

    await probe.subscribe({ type: "userEvents", user: TEST_ACCOUNT });
    const from = probe.frames.length;
    const book = await info.l2Book("ETH");
    await exchange.placeOrders([{
      asset: ETH,
      isBuy: true,
      px: away(book.bids[0].px, 1, 4, "down"),
      sz: "0.1",
    }]);
    venue.takerTrade("ETH", "A", 1_000);
    const event = await probe.waitFor((f) => f.json?.channel === "user", from);
    assert.equal((event.json!.data as { fills: unknown[] }).fills.length, 1);

    // An hour of funding is charged on the open long (hourly, at the simulated rate).
    const before = await info.clearinghouseState(TEST_ACCOUNT);
    assert.equal(before.positions[0].cumFundingSinceOpen, 0);
    venue.advance(3_600_000);
    const after = await info.clearinghouseState(TEST_ACCOUNT);
    assert.notEqual(after.positions[0].cumFundingSinceOpen, 0);
  } finally {
    await probe.close();
    await venue.close();
  }
});

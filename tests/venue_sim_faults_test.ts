/**
 * Every fault the venue injects, switched on and off, as a client observes it.
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { HttpError, postJson } from "../engine/hyperliquid/http.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { WeightBudgetError } from "../engine/hyperliquid/weight_budget.ts";
import { parseFrame } from "../engine/hyperliquid/parse.ts";
import { MarketDataFeed } from "../engine/hyperliquid/ws.ts";
import { createLogger } from "../engine/log.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import { parseFaultSpec } from "../tools/venue_sim/faults.ts";
import {
  startTestVenue,
  TEST_ACCOUNT,
  TEST_PRIVATE_KEY,
  venueEndpoints,
  WsProbe,
} from "./helpers/venue.ts";

const ETH = 1;

async function info(apiUrl: string, body: unknown): Promise<Response> {
  return await fetch(`${apiUrl}/info`, { method: "POST", body: JSON.stringify(body) });
}

Deno.test("dropWs without a close frame ends the socket abnormally; with one, cleanly", async () => {
  const venue = await startTestVenue();
  try {
    const abrupt = await WsProbe.connect(venue.wsUrl);
    await abrupt.subscribe({ type: "l2Book", coin: "BTC" });
    venue.inject({ kind: "dropWs", closeFrame: false });
    const a = await abrupt.waitClosed();
    assert.equal(a.wasClean, false);

    const polite = await WsProbe.connect(venue.wsUrl);
    await polite.subscribe({ type: "l2Book", coin: "BTC" });
    venue.inject({ kind: "dropWs", closeFrame: true });
    const p = await polite.waitClosed();
    assert.equal(p.wasClean, true);
    assert.equal(p.code, 1001);

    // The venue takes new connections straight away.
    const again = await WsProbe.connect(venue.wsUrl);
    await again.subscribe({ type: "l2Book", coin: "BTC" });
    await again.close();
  } finally {
    await venue.close();
  }
});

Deno.test("silence stops every frame (pongs too) without closing; clearing it resumes the stream", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "l2Book", coin: "BTC" });
    venue.advance(2_000);
    await probe.sync();
    const silentFrom = venue.sim.now;
    venue.inject({ kind: "silence" });
    const before = probe.frames.length;
    venue.advance(5_000);
    const received = venue.state().stats.framesReceived;
    probe.send({ method: "ping" });
    while (venue.state().stats.framesReceived === received) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const silentTo = venue.sim.now;
    venue.clear("silence");
    venue.advance(2_000);
    await probe.sync();
    assert.equal(probe.closed, null, "the socket stayed open");
    const books = probe.channel("l2Book", before).map((f) =>
      (f.json!.data as { time: number }).time
    );
    assert.ok(books.length > 0, "books flow again after the silence");
    assert.ok(
      books.every((t) => t <= silentFrom || t > silentTo),
      "no book from inside the silence",
    );
    // The ping sent during the silence was never answered; only the sync's pong arrived.
    assert.equal(probe.channel("pong", before).length, 1);

    // A silence with a duration ends by itself on the virtual clock.
    venue.inject({ kind: "silence", seconds: 1 });
    const mid = probe.frames.length;
    venue.advance(3_000);
    await probe.sync();
    assert.ok(probe.channel("l2Book", mid).length > 0);
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("malformed frames reach the client and the parser flags them; the stream goes on", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "l2Book", coin: "ETH" });
    const from = probe.frames.length;
    venue.inject({ kind: "malformed", count: 5 });
    venue.advance(1_000);
    await probe.sync();
    const kinds = probe.frames.slice(from).map((f) => parseFrame(f.raw).type);
    assert.ok(kinds.includes("malformed"), `parser saw ${kinds.join(",")}`);
    assert.ok(
      probe.frames.slice(from).some((f) => f.json === undefined),
      "a non-JSON frame arrived",
    );
    assert.ok(kinds.includes("book"), "good books follow the bad frames");
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("httpError answers REST with 429 or 5xx until cleared or expired", async () => {
  const venue = await startTestVenue();
  try {
    venue.inject({ kind: "httpError", status: 429 });
    const limited = await info(venue.apiUrl, { type: "metaAndAssetCtxs" });
    assert.equal(limited.status, 429);
    await limited.body?.cancel();
    const client = new InfoClient({ endpoints: venueEndpoints(venue) });
    await assert.rejects(
      client.l2Book("BTC"),
      (e: unknown) => e instanceof HttpError && e.status === 429,
    );
    venue.clear("httpError");
    // After a 429 the client holds back all but safety requests for 10 s (weight_budget.ts).
    await assert.rejects(client.l2Book("BTC"), WeightBudgetError);
    assert.equal((await client.withPriority("safety").l2Book("BTC")).coin, "BTC");

    venue.inject({ kind: "httpError", status: 502, seconds: 2 });
    const down = await info(venue.apiUrl, { type: "l2Book", coin: "BTC" });
    assert.equal(down.status, 502);
    await down.body?.cancel();
    venue.advance(2_500);
    assert.equal((await info(venue.apiUrl, { type: "l2Book", coin: "BTC" })).status, 200);
  } finally {
    await venue.close();
  }
});

Deno.test("delay holds responses long enough for a client's timeout to fire; cleared, it answers", async () => {
  const venue = await startTestVenue();
  try {
    venue.inject({ kind: "delay", ms: 1_500 });
    await assert.rejects(
      postJson(`${venue.apiUrl}/info`, JSON.stringify({ type: "l2Book", coin: "BTC" }), {
        timeoutMs: 100,
      }),
      (e: unknown) => e instanceof HttpError && e.kind === "timeout",
    );
    venue.clear("delay");
    const book = await postJson(
      `${venue.apiUrl}/info`,
      JSON.stringify({ type: "l2Book", coin: "BTC" }),
      {
        timeoutMs: 1_000,
      },
    ) as { coin: string };
    assert.equal(book.coin, "BTC");
  } finally {
    // Let the held response finish before the server closes.
    await new Promise((r) => setTimeout(r, 1_600));
    await venue.close();
  }
});

Deno.test("rejectOrders refuses orders with an exchange error until cleared", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  try {
    const book = venue.sim.l2Book("ETH");
    const bid = Number(book.levels[0][0].px);
    const px = floatToWire(roundPerpPrice(bid - 10 * priceTick(bid, 4), 4, "down"));
    venue.inject({ kind: "rejectOrders", fraction: 1 });
    assert.deepEqual(await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]), [
      { kind: "rejected", message: "Insufficient margin to place order." },
    ]);
    venue.clear("rejectOrders");
    assert.equal(
      (await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]))[0].kind,
      "resting",
    );
  } finally {
    await venue.close();
  }
});

Deno.test("dark fills: resting orders fill while nobody listens, and the reconnecting client finds them", async () => {
  const venue = await startTestVenue();
  const exchange = new ExchangeClient({
    endpoints: venueEndpoints(venue),
    privateKey: TEST_PRIVATE_KEY,
  });
  const infoClient = new InfoClient({ endpoints: venueEndpoints(venue) });
  try {
    const listener = await WsProbe.connect(venue.wsUrl);
    await listener.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    const bid = (await infoClient.l2Book("ETH")).bids[0].px;
    const px = floatToWire(roundPerpPrice(bid * 0.97, 4, "down"));
    const [placed] = await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]);
    assert.equal(placed.kind, "resting");
    venue.inject({ kind: "darkFills" });
    venue.advance(2_000);
    assert.equal(venue.state().openOrders.length, 1, "no dark fill while the account is watched");

    await listener.close();
    venue.advance(2_000);
    assert.equal(venue.state().openOrders.length, 0, "filled while disconnected");

    const back = await WsProbe.connect(venue.wsUrl);
    await back.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    const snap = back.channel("userFills")[0].json!.data as {
      isSnapshot: boolean;
      fills: { oid: number }[];
    };
    assert.equal(snap.isSnapshot, true);
    assert.equal(snap.fills[0].oid, (placed as { oid: number }).oid);
    const state = await infoClient.clearinghouseState(TEST_ACCOUNT);
    assert.equal(state.positions[0].szi, 0.01);
    const status = await infoClient.orderStatus(TEST_ACCOUNT, (placed as { oid: number }).oid);
    assert.equal(status.status === "order" && status.orderStatus, "filled");
    await back.close();

    // Cleared: nobody listens, yet the order rests. Then one-shot: fill whatever rests now.
    venue.clear("darkFills");
    await exchange.placeOrders([{ asset: ETH, isBuy: true, px, sz: "0.01" }]);
    venue.advance(2_000);
    assert.equal(venue.state().openOrders.length, 1);
    venue.inject({ kind: "fillResting" });
    assert.equal(venue.state().openOrders.length, 0);
    assert.equal((await infoClient.clearinghouseState(TEST_ACCOUNT)).positions[0].szi, 0.02);
  } finally {
    await venue.close();
  }
});

Deno.test("the /control endpoint injects and clears faults and reports what the venue believes", async () => {
  const venue = await startTestVenue();
  const control = async (body: unknown) => {
    const res = await fetch(`${venue.apiUrl}/control`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    const on = await control({ fault: { kind: "httpError", status: 503 } });
    assert.equal(on.status, 200);
    assert.equal(on.body.state.faults.httpError, 503);
    const refused = await info(venue.apiUrl, { type: "l2Book", coin: "BTC" });
    assert.equal(refused.status, 503);
    await refused.body?.cancel();
    assert.equal((await control({ clear: "all" })).body.state.faults.httpError, null);
    assert.equal((await info(venue.apiUrl, { type: "l2Book", coin: "BTC" })).status, 200);

    const before = (await (await fetch(`${venue.apiUrl}/control`)).json()).time;
    const stepped = await control({ advance: 1_000 });
    assert.equal(stepped.body.state.time, before + 1_000);
    const taker = await control({ takerTrade: { coin: "BTC", side: "B", sz: 0.5 } });
    assert.ok(taker.body.trades.length > 0);
    assert.ok(taker.body.trades.every((t: { side: string }) => t.side === "B"));

    const bad = await control({ fault: { kind: "earthquake" } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /fault\.kind must be one of/);
    const state = await (await fetch(`${venue.apiUrl}/control/state`)).json();
    assert.equal(state.account, TEST_ACCOUNT.toLowerCase());
    assert.deepEqual(state.positions, []);
  } finally {
    await venue.close();
  }
});

Deno.test("a periodic fault repeats on the virtual clock (CLI form dropWs:every=5)", async () => {
  const venue = await startTestVenue({
    faults: [parseFaultSpec("dropWs:closeFrame=false,every=5")],
  });
  try {
    const first = await WsProbe.connect(venue.wsUrl);
    venue.advance(4_000);
    await first.sync();
    venue.advance(1_500);
    assert.equal((await first.waitClosed()).wasClean, false);
    const second = await WsProbe.connect(venue.wsUrl);
    venue.advance(5_000);
    assert.equal((await second.waitClosed()).wasClean, false);
    assert.throws(() => parseFaultSpec("httpError:status=404"), /status must be 429 or 5xx/);
    assert.throws(() => parseFaultSpec("meteor"), /kind must be one of/);
  } finally {
    await venue.close();
  }
});

Deno.test("an unknown coin closes the socket silently; a malformed request answers on the error channel", async () => {
  const venue = await startTestVenue();
  try {
    const probe = await WsProbe.connect(venue.wsUrl);
    probe.ws.send("{not json");
    const err = await probe.waitFor((f) => f.json?.channel === "error");
    assert.equal(err.json!.data, "Error parsing JSON into valid websocket request: {not json");
    await probe.subscribe({ type: "trades", coin: "ETH" });
    probe.send({ method: "subscribe", subscription: { type: "trades", coin: "ETH" } });
    const dup = await probe.waitFor((f) =>
      f.json?.channel === "error" && String(f.json.data).startsWith("Already")
    );
    assert.equal(dup.json!.data, 'Already subscribed: {"type":"trades","coin":"ETH"}');
    const from = probe.frames.length;
    probe.send({ method: "subscribe", subscription: { type: "l2Book", coin: "btc" } });
    const closed = await probe.waitClosed();
    assert.equal(closed.wasClean, false);
    assert.equal(probe.frames.length, from, "no error frame before the close");
  } finally {
    await venue.close();
  }
});

Deno.test("a socket the server sent nothing on for 60 s is dropped; pings keep it alive", async () => {
  const venue = await startTestVenue();
  try {
    const idle = await WsProbe.connect(venue.wsUrl);
    const pinging = await WsProbe.connect(venue.wsUrl);
    for (let s = 0; s < 70; s += 10) {
      await pinging.sync();
      venue.advance(10_000);
    }
    assert.equal((await idle.waitClosed()).wasClean, false);
    await pinging.sync();
    assert.equal(pinging.closed, null);
    await pinging.close();
  } finally {
    await venue.close();
  }
});

Deno.test("the engine's market-data feed reconnects after a dropped socket and flags a silent stall", async () => {
  const venue = await startTestVenue({
    clock: "realtime",
    startTimeMs: undefined,
    rate: 10,
    coins: 2,
  });
  let books = 0;
  let stalls = 0;
  let reconnects = 0;
  const feed = new MarketDataFeed({
    url: venue.wsUrl,
    coins: ["BTC", "ETH"],
    stallTimeoutMs: 400,
    backoff: { initialMs: 20, maxMs: 100 },
    logger: createLogger({ level: "error" }),
    onBook: () => books++,
    onTrades: () => {},
    onStall: () => stalls++,
    onReconnected: () => reconnects++,
  });
  const until = async (what: string, done: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    feed.start();
    await until("books", () => books > 5);
    venue.inject({ kind: "dropWs", closeFrame: false });
    await until("a reconnect", () => reconnects >= 1 && feed.isConnected);
    venue.inject({ kind: "silence" });
    await until("the stall flag", () => feed.isStalled);
    assert.ok(stalls >= 1);
    venue.clear("silence");
    await until("the end of the stall", () => !feed.isStalled);
  } finally {
    await feed.close();
    await venue.close();
  }
});

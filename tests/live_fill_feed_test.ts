/**
 * The live venue's fill feed against the venue simulator: fills pushed by the exchange instead
 * of polled, each delivered once whichever way it came (userFills, userEvents, a reconnect's
 * snapshot, REST), health that follows the socket, and REST asked only at start-up, after a
 * reconnect and on demand. The venue's clock is manual, so fills happen only when a test says.
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import type { FetchLike } from "../engine/hyperliquid/http.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { type UserFill } from "../engine/hyperliquid/info_answers.ts";
import { loadUniverse } from "../engine/hyperliquid/universe.ts";
import type { OrderUpdate } from "../engine/hyperliquid/user_events.ts";
import { floatToWire, priceTick } from "../engine/hyperliquid/wire.ts";
import type { WebSocketConstructor } from "../engine/hyperliquid/ws.ts";
import { LiveFillFeed, type LiveFillFeedOptions } from "../engine/venue/live_fill_feed.ts";
import { collectingLogger } from "./helpers/log.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY, venueEndpoints } from "./helpers/venue.ts";

const USER = TEST_ACCOUNT.toLowerCase();

async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A venue with the test account; the feed's REST client counts its `userFillsByTime` requests. */
async function account() {
  const venue = await startTestVenue({ coins: 2, seed: 5 });
  const endpoints = venueEndpoints(venue);
  const info = new InfoClient({ endpoints });
  const exchange = new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY });
  const { selected } = await loadUniverse((body) => info.post(body as { type: string }), {
    topN: 2,
  });
  const asset = selected[1];
  const fillRequests = { sent: 0, inFlight: 0, maxInFlight: 0 };
  const countingFetch: FetchLike = async (input, init) => {
    if (JSON.parse(String(init.body)).type !== "userFillsByTime") return fetch(input, init);
    fillRequests.sent++;
    fillRequests.maxInFlight = Math.max(fillRequests.maxInFlight, ++fillRequests.inFlight);
    try {
      return await fetch(input, init);
    } finally {
      fillRequests.inFlight--;
    }
  };
  const feedInfo = new InfoClient({ endpoints, fetch: countingFetch });
  /** Rests a bid and an ask (about $15 each) 4 ticks outside the touch; returns their oids. */
  const restBidAndAsk = async () => {
    const book = await info.l2Book(asset.name);
    const bid = book.bids[0].px, ask = book.asks[0].px;
    const tick = priceTick(bid, asset.szDecimals);
    const lot = 10 ** -asset.szDecimals;
    const sz = floatToWire(Number((Math.ceil(15 / bid / lot) * lot).toFixed(8)));
    const px = (x: number) => floatToWire(Number(x.toFixed(8)));
    const outcomes = await exchange.placeOrders([
      { asset: asset.assetIndex, isBuy: true, px: px(bid - 4 * tick), sz },
      { asset: asset.assetIndex, isBuy: false, px: px(ask + 4 * tick), sz },
    ]);
    return outcomes.map((o) => {
      assert.equal(o.kind, "resting", JSON.stringify(o));
      return (o as { oid: number }).oid;
    });
  };
  return { venue, feedInfo, fillRequests, restBidAndAsk };
}

/** A fill feed on the account, recording everything it reports. */
function fillFeed(
  a: Awaited<ReturnType<typeof account>>,
  options: Partial<LiveFillFeedOptions> = {},
) {
  const log = collectingLogger();
  const fills: UserFill[] = [];
  const updates: OrderUpdate[] = [];
  const health: { healthy: boolean; reason: string; atMs: number }[] = [];
  const feed = new LiveFillFeed({
    user: USER,
    wsUrl: a.venue.wsUrl,
    info: a.feedInfo,
    log,
    // The venue's market clock is virtual: fills carry its times.
    fillsSinceMs: a.venue.sim.now,
    onFills: (f) => fills.push(...f),
    onOrderUpdates: (u) => updates.push(...u),
    onNonUserCancel: () => {},
    onHealth: (healthy, reason) => health.push({ healthy, reason, atMs: performance.now() }),
    ...options,
  });
  const isHealthy = () => health.at(-1)?.healthy === true;
  return { feed, log, fills, updates, health, isHealthy };
}

const tids = (fills: UserFill[]) => fills.map((f) => f.tid).sort((x, y) => x - y);

Deno.test("fill feed: start-up delivers the fills since fillsSinceMs, later fills are pushed with no REST poll", async () => {
  const a = await account();
  await a.restBidAndAsk();
  a.venue.inject({ kind: "fillResting" });
  a.venue.advance(1_000);
  const before = await a.restBidAndAsk();
  a.venue.inject({ kind: "fillResting" });
  const f = fillFeed(a);
  try {
    await f.feed.start();
    assert.deepEqual(f.fills.map((x) => x.oid).sort(), before.sort(), "only this run's fills");
    assert.equal(a.fillRequests.sent, 1, "one REST catch-up at start-up");
    assert.deepEqual(f.health.map((h) => h.healthy), [true]);
    assert.match(f.health[0].reason, /user stream up, start-up catch-up/);

    const later = await a.restBidAndAsk();
    a.venue.inject({ kind: "fillResting" });
    await until("the pushed fills", () => f.fills.length === 4);
    assert.deepEqual(f.fills.slice(2).map((x) => x.oid).sort(), later.sort());
    await until(
      "their orders reported filled",
      () => later.every((oid) => f.updates.some((u) => u.oid === oid && u.status === "filled")),
    );
    assert.equal(a.fillRequests.sent, 1, "no REST request since start-up");
    assert.equal(f.feed.stats.streamFills, 4);
    assert.ok(f.feed.healthy);
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

Deno.test("fill feed: a fill streamed on userFills, again on userEvents and again over REST is delivered once; catch-ups run one at a time", async () => {
  const a = await account();
  const f = fillFeed(a);
  try {
    await f.feed.start();
    await a.restBidAndAsk();
    a.venue.inject({ kind: "fillResting" });
    await until("the fills", () => f.fills.length === 2);
    await until("the userEvents copies", () => f.feed.stats.duplicates === 2);

    await Promise.all([f.feed.catchUp(), f.feed.catchUp(), f.feed.catchUp()]);
    assert.equal(a.fillRequests.sent, 1 + 3);
    assert.equal(a.fillRequests.maxInFlight, 1, "one catch-up at a time");
    assert.equal(f.fills.length, 2, "nothing delivered twice");
    assert.equal(new Set(tids(f.fills)).size, 2);
    assert.deepEqual(f.feed.stats, {
      streamFills: 2,
      restFills: 0,
      duplicates: 2 + 3 * 2,
      reconnects: 0,
    });
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

Deno.test("fill feed: a dropped socket turns it unhealthy at once; fills made while down arrive once after the reconnect", async () => {
  const a = await account();
  // A fixed 300 ms before the reconnect leaves time to fill orders while nobody listens.
  const f = fillFeed(a, { backoff: { initialMs: 300, maxMs: 300, jitter: 0 } });
  try {
    const resting = await a.restBidAndAsk();
    await f.feed.start();
    assert.ok(f.feed.healthy);

    a.venue.inject({ kind: "dropWs", closeFrame: false, scope: "user" });
    await until("unhealthy", () => !f.isHealthy());
    assert.match(f.health[1].reason, /^user stream down \((closed|error)\)/);
    assert.equal(a.venue.state().accountWatched, false, "nobody listens now");
    a.venue.inject({ kind: "fillResting" });
    assert.equal(f.fills.length, 0);

    await until("healthy again", () => f.isHealthy());
    assert.deepEqual(f.health.map((h) => h.healthy), [true, false, true]);
    assert.match(f.health[2].reason, /after \d+\.\d s down; reconnect catch-up/);
    assert.deepEqual(f.fills.map((x) => x.oid).sort(), resting.sort(), "each fill once");
    assert.equal(a.fillRequests.sent, 2, "start-up and reconnect");
    assert.deepEqual(f.feed.stats, {
      // The reconnect's snapshot brought them; the reconnect's REST catch-up found them again.
      streamFills: 2,
      restFills: 0,
      duplicates: 2,
      reconnects: 1,
    });
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

Deno.test("fill feed: a silent socket turns it unhealthy within pingInterval + pongTimeout", async () => {
  const a = await account();
  const pingIntervalMs = 200, pongTimeoutMs = 200;
  const f = fillFeed(a, {
    pingIntervalMs,
    pongTimeoutMs,
    ackTimeoutMs: 300,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  try {
    await f.feed.start();
    const silentFromMs = performance.now();
    a.venue.inject({ kind: "silence", scope: "user" });
    await until("unhealthy", () => !f.isHealthy());
    assert.match(f.health[1].reason, /^user stream down \(pong-timeout\)/);
    const noticedAfterMs = f.health[1].atMs - silentFromMs;
    // The bound itself, plus slack for two shared cores.
    assert.ok(
      noticedAfterMs < pingIntervalMs + pongTimeoutMs + 600,
      `noticed after ${noticedAfterMs} ms`,
    );

    a.venue.clear("silence");
    await until("healthy again", () => f.isHealthy());
    assert.deepEqual(f.health.map((h) => h.healthy), [true, false, true]);
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

Deno.test("fill feed: a failing REST catch-up is retried with backoff; start() waits for it, close() ends it", async () => {
  const a = await account();
  const f = fillFeed(a, { backoff: { initialMs: 50, maxMs: 100 } });
  try {
    const resting = await a.restBidAndAsk();
    a.venue.inject({ kind: "fillResting" });
    a.venue.inject({ kind: "httpError", status: 503 });
    let started = false;
    const start = f.feed.start().then(() => started = true);
    await until("two failed attempts", () => a.fillRequests.sent >= 2);
    assert.match(
      f.log.lines.join("\n"),
      /start-up catch-up failed \(attempt 1\): .*503.*retrying in/,
    );
    assert.ok(!started, "start() waits for the catch-up");
    assert.ok(!f.feed.healthy, "the socket is up, but fills are not known to be complete");

    a.venue.clear("httpError");
    await start;
    assert.deepEqual(f.health.map((h) => h.healthy), [true]);
    assert.deepEqual(f.fills.map((x) => x.oid).sort(), resting.sort(), "each fill once");

    a.venue.inject({ kind: "httpError", status: 503 });
    const sent = a.fillRequests.sent;
    const pending = f.feed.catchUp();
    await until("a failed on-demand attempt", () => a.fillRequests.sent > sent);
    await f.feed.close();
    await assert.rejects(pending, /live fill feed closed/);
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

/** Sockets that ack and answer pings like the exchange, and carry the frames the test sends. */
function scriptedExchange() {
  const sockets: ScriptedSocket[] = [];
  class ScriptedSocket {
    readyState = 0;
    onopen: (() => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    constructor(readonly url: string) {
      sockets.push(this);
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.();
      });
    }
    send(text: string): void {
      const message = JSON.parse(text);
      if (message.method === "subscribe") {
        this.deliver({ channel: "subscriptionResponse", data: message });
      } else if (message.method === "ping") this.deliver({ channel: "pong" });
    }
    deliver(frame: unknown): void {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }
    /** The server drops the connection without a close frame. */
    drop(): void {
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: "" });
    }
    close(): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code: 1000, reason: "" }));
    }
  }
  return { WebSocket: ScriptedSocket as unknown as WebSocketConstructor, sockets };
}

Deno.test("fill feed: a snapshot reaching back beyond the kept ids redelivers nothing", async () => {
  const a = await account();
  const exchange = scriptedExchange();
  const t0 = a.venue.sim.now;
  const f = fillFeed(a, { WebSocket: exchange.WebSocket, backoff: { initialMs: 20, maxMs: 20 } });
  /**
   * A fill of ours as the exchange writes it (engine/hyperliquid/README.md § User streams),
   * `minutes` after t0.
   */
  const wireFill = (tid: number, minutes: number) => ({
    coin: "ETH",
    px: "2412.7",
    sz: "0.01",
    side: "B",
    time: t0 + minutes * 60_000,
    startPosition: "0.0",
    dir: "Open Long",
    closedPnl: "0.0",
    hash: "0x" + "ab".repeat(32),
    oid: 90_000 + tid,
    crossed: false,
    fee: "0.0036",
    tid,
    feeToken: "USDC",
  });
  const userFills = (fills: unknown[], isSnapshot?: true) => ({
    channel: "userFills",
    data: { isSnapshot, user: USER, fills },
  });
  try {
    await f.feed.start();
    const socket = exchange.sockets[0];
    socket.deliver(userFills([], true));
    socket.deliver(userFills([wireFill(1, 0)]));
    // Twenty minutes of fill time later, the first fill's id is past the ten minutes kept.
    socket.deliver(userFills([wireFill(2, 20)]));
    assert.deepEqual(tids(f.fills), [1, 2]);

    socket.drop();
    await until("healthy again", () => f.health.length === 3 && f.isHealthy());
    exchange.sockets.at(-1)!.deliver(userFills([wireFill(1, 0), wireFill(2, 20)], true));
    exchange.sockets.at(-1)!.deliver(userFills([wireFill(3, 21)]));
    assert.deepEqual(tids(f.fills), [1, 2, 3], "the snapshot's fills were delivered before");
    assert.equal(f.feed.stats.duplicates, 2);
  } finally {
    await f.feed.close();
    await a.venue.close();
  }
});

/**
 * The account's own stream (`userFills`, `orderUpdates`, `userEvents`): against the venue
 * simulator for what the exchange does (acks, a snapshot on subscribe, fills and order updates as
 * they happen, a dropped socket, a silent one), and against a fake socket for what it should
 * never do but might (malformed frames, every userEvents kind, acks that never come).
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { type UserFill } from "../engine/hyperliquid/info_answers.ts";
import { loadUniverse } from "../engine/hyperliquid/universe.ts";
import {
  UserStream,
  type UserStreamDownReason,
  type UserStreamOptions,
} from "../engine/hyperliquid/user_stream.ts";
import {
  type Liquidation,
  type NonUserCancel,
  type OrderUpdate,
  type UserFunding,
} from "../engine/hyperliquid/user_events.ts";
import { floatToWire, priceTick } from "../engine/hyperliquid/wire.ts";
import type { WebSocketConstructor } from "../engine/hyperliquid/ws.ts";
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

/** Everything a stream reported, in order. */
function recorder() {
  const logger = collectingLogger();
  const seen = {
    fills: [] as { fills: UserFill[]; snapshot: boolean }[],
    updates: [] as OrderUpdate[],
    cancels: [] as NonUserCancel[],
    liquidations: [] as Liquidation[],
    fundings: [] as UserFunding[],
    downs: [] as { reason: UserStreamDownReason; detail: string; atMs: number }[],
    ups: 0,
  };
  const handlers: Partial<UserStreamOptions> = {
    onFills: (fills, { snapshot }) => seen.fills.push({ fills, snapshot }),
    onOrderUpdates: (updates) => seen.updates.push(...updates),
    onNonUserCancel: (cancels) => seen.cancels.push(...cancels),
    onLiquidation: (l) => seen.liquidations.push(l),
    onFunding: (f) => seen.fundings.push(f),
    onDown: (reason, detail) => seen.downs.push({ reason, detail, atMs: performance.now() }),
    onUp: () => seen.ups++,
    logger,
  };
  return { seen, handlers, logger };
}

/** A venue with the test account, clients pointed at it, and a way to rest one bid and one ask. */
async function account() {
  const venue = await startTestVenue({ coins: 2, seed: 5 });
  const endpoints = venueEndpoints(venue);
  const info = new InfoClient({ endpoints });
  const exchange = new ExchangeClient({ endpoints, privateKey: TEST_PRIVATE_KEY });
  const { selected } = await loadUniverse((body) => info.post(body as { type: string }), {
    topN: 2,
  });
  const asset = selected[1];
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
    }) as [number, number];
  };
  return { venue, exchange, asset, restBidAndAsk };
}

Deno.test("user stream: on subscribe a fills snapshot, then order updates and fills as they happen", async () => {
  const a = await account();
  const { seen, handlers } = recorder();
  const stream = new UserStream({ url: a.venue.wsUrl, user: USER, ...handlers });
  try {
    stream.start();
    await until("all three subscriptions acked", () => stream.isUp);
    assert.equal(seen.ups, 1);
    await until("the snapshot", () => seen.fills.length === 1);
    assert.deepEqual(seen.fills[0], { fills: [], snapshot: true }, "no fills yet");

    const [bid, ask] = await a.restBidAndAsk();
    await until("both orders open", () => seen.updates.length === 2);
    assert.deepEqual(seen.updates.map((u) => [u.oid, u.status]), [[bid, "open"], [ask, "open"]]);

    const cancelled = await a.exchange.cancel([{ asset: a.asset.assetIndex, oid: ask }]);
    assert.deepEqual(cancelled, [{ kind: "success" }]);
    await until("the cancel reported", () => seen.updates.some((u) => u.status === "canceled"));
    a.venue.inject({ kind: "fillResting" });
    await until("the fill reported", () => seen.updates.some((u) => u.status === "filled"));
    await until("the fill on both channels", () => seen.fills.length === 3);

    const last = (oid: number) => seen.updates.findLast((u) => u.oid === oid)!;
    assert.equal(last(ask).status, "canceled");
    assert.equal(last(bid).status, "filled");
    assert.equal(last(bid).sz, 0, "nothing left of the filled order");
    assert.equal(last(bid).side, "B");
    const streamed = seen.fills.slice(1);
    assert.ok(streamed.every((f) => !f.snapshot));
    // userFills and userEvents both carry it: a consumer must deduplicate by tid.
    assert.deepEqual(streamed[0].fills, streamed[1].fills);
    const [fill] = streamed[0].fills;
    assert.equal(fill.oid, bid);
    assert.equal(fill.side, "B");
    assert.equal(fill.sz, last(bid).origSz);
    assert.equal(stream.stats.reconnects, 0);
    assert.deepEqual(stream.stats.malformed, {});
  } finally {
    await stream.close();
    await a.venue.close();
  }
});

Deno.test("user stream: a dropped socket is reported once, resubscribed, and its snapshot holds the fills made meanwhile", async () => {
  const a = await account();
  const { seen, handlers } = recorder();
  const stream = new UserStream({
    url: a.venue.wsUrl,
    user: USER,
    // A fixed 300 ms before the reconnect leaves time to fill orders while nobody listens.
    backoff: { initialMs: 300, maxMs: 300, jitter: 0 },
    ...handlers,
  });
  try {
    const [bid, ask] = await a.restBidAndAsk();
    stream.start();
    await until("up", () => stream.isUp);

    a.venue.inject({ kind: "dropWs", closeFrame: false, scope: "user" });
    await until("the loss reported", () => seen.downs.length === 1);
    assert.ok(!stream.isUp);
    assert.match(seen.downs[0].reason, /^(closed|error)$/);
    assert.equal(a.venue.state().accountWatched, false, "nobody listens now");
    a.venue.inject({ kind: "fillResting" });

    await until("up again", () => seen.ups === 2);
    await until("the new snapshot", () => seen.fills.filter((f) => f.snapshot).length === 2);
    const snapshot = seen.fills.filter((f) => f.snapshot)[1].fills;
    assert.deepEqual(snapshot.map((f) => f.oid).sort(), [bid, ask].sort());
    assert.equal(seen.downs.length, 1, "one loss, one report");
    assert.equal(stream.stats.reconnects, 1);
  } finally {
    await stream.close();
    await a.venue.close();
  }
});

Deno.test("user stream: a silent socket is caught by the heartbeat within pingInterval + pongTimeout", async () => {
  const a = await account();
  const { seen, handlers } = recorder();
  const pingIntervalMs = 200, pongTimeoutMs = 200;
  const stream = new UserStream({
    url: a.venue.wsUrl,
    user: USER,
    pingIntervalMs,
    pongTimeoutMs,
    ackTimeoutMs: 300,
    backoff: { initialMs: 50, maxMs: 200 },
    ...handlers,
  });
  try {
    stream.start();
    await until("up", () => stream.isUp);
    const silentFromMs = performance.now();
    a.venue.inject({ kind: "silence", scope: "user" });
    await until("the silence noticed", () => seen.downs.length === 1);
    assert.equal(seen.downs[0].reason, "pong-timeout");
    const noticedAfterMs = seen.downs[0].atMs - silentFromMs;
    assert.ok(noticedAfterMs >= pongTimeoutMs, `noticed after ${noticedAfterMs} ms`);
    // The bound itself, plus slack for two shared cores.
    assert.ok(
      noticedAfterMs < pingIntervalMs + pongTimeoutMs + 600,
      `noticed after ${noticedAfterMs} ms`,
    );

    // Reconnects during the silence are not acked: still one reported loss.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(seen.downs.length, 1);
    a.venue.clear("silence");
    await until("up again", () => stream.isUp);
    assert.equal(seen.ups, 2);
  } finally {
    await stream.close();
    await a.venue.close();
  }
});

// ---- a fake exchange socket: frames the real one should never send --------------------------

/** The WebSocket surface the stream uses, scripted by the test. */
class FakeSocket {
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  /** What the client sent, parsed. */
  readonly sent: { method?: string; subscription?: Record<string, unknown> }[] = [];

  constructor(readonly url: string, readonly acks: boolean) {
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }

  send(text: string): void {
    const message = JSON.parse(text);
    this.sent.push(message);
    if (!this.acks) return;
    if (message.method === "subscribe") {
      this.deliver({ channel: "subscriptionResponse", data: message });
    } else if (message.method === "ping") this.deliver({ channel: "pong" });
  }

  /** A frame from the server: an object is sent as JSON, a string or bytes as they are. */
  deliver(frame: unknown): void {
    const data = typeof frame === "string" || frame instanceof Uint8Array
      ? frame
      : JSON.stringify(frame);
    this.onmessage?.({ data });
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: 1000, reason: "" }));
  }
}

/** A WebSocket class whose sockets the test drives. */
function fakeExchange(options: { acks?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const acks = options.acks ?? true;
  class Socket extends FakeSocket {
    constructor(url: string) {
      super(url, acks);
      sockets.push(this);
    }
  }
  return { WebSocket: Socket as unknown as WebSocketConstructor, sockets };
}

/** A fill as the exchange writes it (engine/hyperliquid/README.md § User streams). */
function wireFill(tid: number, overrides: Record<string, unknown> = {}) {
  return {
    coin: "ETH",
    px: "2412.7",
    sz: "0.01",
    side: "B",
    time: 1_790_000_000_000 + tid,
    startPosition: "0.0",
    dir: "Open Long",
    closedPnl: "0.0",
    hash: "0x" + "ab".repeat(32),
    oid: 90_000 + tid,
    crossed: false,
    fee: "0.0036",
    tid,
    feeToken: "USDC",
    twapId: null,
    ...overrides,
  };
}

async function fakeStream(options: { acks?: boolean } & Partial<UserStreamOptions> = {}) {
  const fake = fakeExchange(options);
  const { seen, handlers, logger } = recorder();
  const stream = new UserStream({
    url: "ws://fake.invalid/ws",
    user: TEST_ACCOUNT,
    WebSocket: fake.WebSocket,
    ...handlers,
    ...options,
  });
  stream.start();
  await until("the socket open", () => fake.sockets[0]?.readyState === 1);
  return { stream, seen, logger, fake, socket: () => fake.sockets.at(-1)! };
}

Deno.test("user stream: malformed frames are counted, logged at most once a minute per kind, and skipped", async () => {
  const { stream, seen, logger, socket } = await fakeStream();
  try {
    assert.ok(stream.isUp);
    assert.deepEqual(
      socket().sent.map((m) => m.subscription),
      [
        { type: "userFills", user: USER },
        { type: "orderUpdates", user: USER },
        { type: "userEvents", user: USER },
      ],
    );
    const bad = [
      "Websocket connection established.", // a greeting: ignored, not an error
      '{"channel":"userFills","data":{"user":"' + USER + '","fills":[',
      { channel: "userFills", data: { user: USER, fills: [wireFill(1, { px: "abc" })] } },
      { channel: "userFills", data: { user: USER, fills: [wireFill(2, { tid: "2" })] } },
      { channel: "userFills", data: { user: "0x" + "9".repeat(40), fills: [wireFill(3)] } },
      { channel: "orderUpdates", data: { not: "an array" } },
      { channel: "orderUpdates", data: [{ order: { coin: "ETH", side: "X" }, status: "open" }] },
      { channel: "user", data: { nonUserCancel: [{ coin: "ETH", oid: "12" }] } },
      { channel: "unknownChannel", data: null },
      new Uint8Array([0xff, 0xfe, 0xfd]),
    ];
    for (const frame of bad) socket().deliver(frame);
    socket().deliver({ channel: "userFills", data: { user: USER, fills: [wireFill(4)] } });

    assert.deepEqual(stream.stats.malformed, {
      "bad-json": 1,
      "bad-userFills": 3,
      "bad-orderUpdates": 2,
      "bad-user": 1,
      "unknown-channel": 1,
      "binary-frame": 1,
    });
    const warnings = logger.lines.filter((l) => l.startsWith("WARN user stream: malformed frame"));
    assert.equal(warnings.length, 6, "one line per kind:\n" + warnings.join("\n"));
    assert.match(warnings.join("\n"), /\(bad-userFills\): info userFills: field \[0\]\.px/);
    assert.deepEqual(seen.fills.map((f) => f.fills.map((x) => x.tid)), [[4]], "the good frame");
    assert.ok(stream.isUp, "bad frames do not drop the connection");
    assert.equal(seen.downs.length, 0);
    assert.equal(seen.updates.length, 0);
    assert.equal(seen.cancels.length, 0);
  } finally {
    await stream.close();
  }
});

Deno.test("user stream: userEvents bring fills, exchange cancels, liquidations and funding; other kinds are logged once", async () => {
  const { stream, seen, logger, socket } = await fakeStream();
  try {
    const events = [
      { fills: [wireFill(7, { cloid: "0x" + "0".repeat(31) + "7" })] },
      { nonUserCancel: [{ coin: "ETH", oid: 123 }, { coin: "SOL", oid: 456 }] },
      {
        liquidation: {
          lid: 5,
          liquidator: "0x" + "1".repeat(40),
          liquidated_user: USER,
          liquidated_ntl_pos: "1000.5",
          liquidated_account_value: "50.0",
        },
      },
      {
        funding: {
          time: 1_790_000_360_000,
          coin: "ETH",
          usdc: "-0.25",
          szi: "1.5",
          fundingRate: "0.0000125",
        },
      },
      { twapHistory: [] },
      { twapHistory: [] },
    ];
    for (const data of events) socket().deliver({ channel: "user", data });

    assert.equal(seen.fills.length, 1);
    assert.equal(seen.fills[0].snapshot, false);
    assert.equal(seen.fills[0].fills[0].tid, 7);
    assert.equal(seen.fills[0].fills[0].cloid, "0x" + "0".repeat(31) + "7");
    assert.deepEqual(seen.cancels, [{ coin: "ETH", oid: 123 }, { coin: "SOL", oid: 456 }]);
    assert.deepEqual(seen.liquidations, [{
      lid: 5,
      liquidator: "0x" + "1".repeat(40),
      liquidatedUser: USER,
      liquidatedNtlPos: 1000.5,
      liquidatedAccountValue: 50,
    }]);
    assert.deepEqual(seen.fundings, [{
      timeMs: 1_790_000_360_000,
      coin: "ETH",
      usdc: -0.25,
      szi: 1.5,
      fundingRate: 0.0000125,
    }]);
    const unknown = logger.lines.filter((l) => l.includes('"twapHistory"'));
    assert.deepEqual(unknown, [
      'INFO user stream: userEvents kind "twapHistory" is not read here; ignored',
    ]);
    assert.deepEqual(stream.stats.malformed, {});
  } finally {
    await stream.close();
  }
});

Deno.test("user stream: subscriptions never acked count as a lost connection, reported once", async () => {
  const { stream, seen, fake } = await fakeStream({
    acks: false,
    ackTimeoutMs: 50,
    backoff: { initialMs: 20, maxMs: 20 },
  });
  try {
    await until("a second socket", () => fake.sockets.length >= 3);
    assert.ok(!stream.isUp);
    assert.equal(seen.downs.length, 1);
    assert.equal(seen.downs[0].reason, "ack-timeout");
    assert.match(seen.downs[0].detail, /userFills, orderUpdates, userEvents/);
    assert.equal(seen.ups, 0);
    assert.ok(fake.sockets.slice(0, -1).every((s) => s.readyState === 3), "old sockets closed");
  } finally {
    await stream.close();
  }
});

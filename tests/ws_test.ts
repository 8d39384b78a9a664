/**
 * The market-data feed against a local WebSocket server that speaks the exchange's protocol:
 * subscriptions and acks, heartbeat, the stall/reconnect cycle, dropped sockets, reconnect
 * storms, malformed frames and a clean shutdown. Timeouts are tens of ms so the file runs fast;
 * nothing asserts on elapsed time (the storm test only counts attempts against the schedule).
 */
import assert from "node:assert/strict";
import { backoffDelayMs, type BackoffOptions } from "../engine/util/backoff.ts";
import {
  MarketDataFeed,
  type MarketDataFeedOptions,
  type ReconnectReport,
  type WebSocketConstructor,
} from "../engine/hyperliquid/ws.ts";
import type { BookProblem } from "../engine/hyperliquid/frame_checks.ts";
import type { BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import type { Logger } from "../engine/log.ts";
import { collectingLogger } from "./helpers/log.ts";

// ---- a tiny exchange ----------------------------------------------------------------------

interface Connection {
  index: number;
  socket: WebSocket;
  /** Every JSON message the client sent on this connection. */
  received: Record<string, unknown>[];
  /** Resolves when the connection has closed (either side). */
  closed: Promise<void>;
  isClosed: boolean;
}

interface ServerOptions {
  /** Answers one client message; the default behaves like the exchange. */
  onMessage?: (conn: Connection, message: Record<string, unknown>) => void;
  /** Runs when a connection opens. */
  onOpen?: (conn: Connection) => void;
}

interface TestServer {
  url: string;
  connections: Connection[];
  close(): Promise<void>;
}

function startServer(options: ServerOptions = {}): TestServer {
  const connections: Connection[] = [];
  const onMessage = options.onMessage ?? exchange;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    let markClosed = () => {};
    const conn: Connection = {
      index: connections.length,
      socket,
      received: [],
      closed: new Promise((resolve) => markClosed = resolve),
      isClosed: false,
    };
    connections.push(conn);
    socket.onopen = () => options.onOpen?.(conn);
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      conn.received.push(message);
      onMessage(conn, message);
    };
    socket.onclose = () => {
      conn.isClosed = true;
      markClosed();
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    connections,
    async close() {
      for (const conn of connections) {
        if (conn.socket.readyState === WebSocket.OPEN) conn.socket.close();
      }
      await Promise.all(connections.map((conn) => conn.closed));
      await server.shutdown();
    },
  };
}

const BOOKS: Record<string, BookSnapshot> = {
  BTC: {
    coin: "BTC",
    timeMs: 1790232236546,
    bids: [{ px: 84143, sz: 10.25923, n: 36 }],
    asks: [{ px: 84144, sz: 50.66449, n: 18 }],
  },
  ETH: {
    coin: "ETH",
    timeMs: 1790232236546,
    bids: [{ px: 3007.1, sz: 2.7954, n: 1 }],
    asks: [{ px: 3040.1, sz: 3.9499, n: 1 }],
  },
  kPEPE: {
    coin: "kPEPE",
    timeMs: 1790232236546,
    bids: [{ px: 0.012328, sz: 141922, n: 22 }],
    asks: [{ px: 0.01233, sz: 90546, n: 10 }],
  },
};

function bookFrame(coin: string): string {
  const book = BOOKS[coin];
  const side = (levels: BookSnapshot["bids"]) =>
    levels.map((l) => ({ px: String(l.px), sz: String(l.sz), n: l.n }));
  return JSON.stringify({
    channel: "l2Book",
    data: { coin, time: book.timeMs, levels: [side(book.bids), side(book.asks)] },
  });
}

function tradesFrame(coin: string): string {
  const px = String(BOOKS[coin].asks[0].px);
  return JSON.stringify({
    channel: "trades",
    data: [{ coin, side: "B", px, sz: "1", time: 1790232216193, hash: "0x00", tid: 7, users: [] }],
  });
}

/** Acks a subscription the way the exchange does (normalized echo), then sends its snapshot. */
function ackAndSnapshot(conn: Connection, message: Record<string, unknown>): void {
  const subscription = message.subscription as { type: string; coin: string };
  const echo = subscription.type === "l2Book"
    ? { nSigFigs: null, mantissa: null, fast: false, ...subscription }
    : subscription;
  conn.socket.send(JSON.stringify({
    channel: "subscriptionResponse",
    data: { method: "subscribe", subscription: echo },
  }));
  const coin = subscription.coin;
  conn.socket.send(subscription.type === "l2Book" ? bookFrame(coin) : tradesFrame(coin));
}

/** The default server behaviour: ack + snapshot per subscription, pong per ping. */
function exchange(conn: Connection, message: Record<string, unknown>): void {
  if (message.method === "subscribe") ackAndSnapshot(conn, message);
  else if (message.method === "ping") conn.socket.send('{"channel":"pong"}');
}

// ---- the feed under test ------------------------------------------------------------------

interface Recorded {
  books: {
    book: BookSnapshot;
    receivedAtNs: number;
    problem: BookProblem | null;
    frameText: string;
  }[];
  trades: Trade[][];
  events: string[];
  reconnects: ReconnectReport[];
  unconfirmed: string[][];
  logger: Logger & { lines: string[] };
}

function startFeed(
  url: string,
  options: Partial<MarketDataFeedOptions> = {},
): { feed: MarketDataFeed; seen: Recorded } {
  const seen: Recorded = {
    books: [],
    trades: [],
    events: [],
    reconnects: [],
    unconfirmed: [],
    logger: collectingLogger(),
  };
  const feed: MarketDataFeed = new MarketDataFeed({
    url,
    coins: ["BTC", "ETH"],
    stallTimeoutMs: 10_000,
    pingIntervalMs: 10_000,
    pongTimeoutMs: 10_000,
    backoff: { initialMs: 20, maxMs: 200, jitter: 0.2 },
    logger: seen.logger,
    onBook: (book, receivedAtNs, problem, frameText) =>
      seen.books.push({ book, receivedAtNs, problem, frameText }),
    onTrades: (trades) => seen.trades.push(trades),
    onStall: () => seen.events.push(`stall (isStalled ${feed.isStalled})`),
    onDisconnected: (reason) => seen.events.push(`disconnected (${reason})`),
    onReconnected: (report) => {
      seen.events.push(`reconnected (isStalled ${feed.isStalled})`);
      seen.reconnects.push(report);
    },
    onUnconfirmed: (subscriptions) => seen.unconfirmed.push(subscriptions),
    ...options,
  });
  feed.start();
  return { feed, seen };
}

/** Waits (on timers) until `condition` holds; the limit only guards against a hung test. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const limit = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > limit) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function subscriptionsOf(conn: Connection): string[] {
  return conn.received.filter((m) => m.method === "subscribe").map((m) => JSON.stringify(m))
    .sort();
}

const EXPECTED_SUBSCRIPTIONS = (coins: string[]) =>
  coins.flatMap((coin) => [
    JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin } }),
    JSON.stringify({ method: "subscribe", subscription: { type: "trades", coin } }),
  ]).sort();

// ---- tests ----------------------------------------------------------------------------------

Deno.test("one socket subscribes l2Book and trades for every coin, confirms each ack, delivers data", async () => {
  const server = startServer();
  const coins = ["BTC", "ETH", "kPEPE"];
  const { feed, seen } = startFeed(server.url, { coins });
  await eventually(
    () => seen.books.length === 3 && seen.trades.length === 3,
    "a book and a trade per coin",
  );
  assert.equal(server.connections.length, 1);
  assert.deepEqual(subscriptionsOf(server.connections[0]), EXPECTED_SUBSCRIPTIONS(coins));
  assert.deepEqual(feed.unconfirmedSubscriptions, []);
  for (const { book, receivedAtNs, problem } of seen.books) {
    assert.deepEqual(book, BOOKS[book.coin]);
    assert.equal(problem, null);
    assert.ok(receivedAtNs > 0 && Number.isFinite(receivedAtNs));
  }
  assert.deepEqual(seen.trades.flat().map((t) => [t.coin, t.side, t.px, t.sz, t.tid]).sort(), [
    ["BTC", "B", 84144, 1, 7],
    ["ETH", "B", 3040.1, 1, 7],
    ["kPEPE", "B", 0.01233, 1, 7],
  ]);
  const stats = feed.stats;
  assert.equal(stats.connects, 1);
  assert.equal(stats.books, 3);
  assert.equal(stats.tradeFrames, 3);
  assert.equal(stats.frames, 12); // 6 acks, 3 books, 3 trades
  await feed.close();
  await server.close();
});

Deno.test("fastBook subscribes the 0.5 s l2Book, and each book comes with its frame text for depth harvesting", async () => {
  const server = startServer();
  const { feed, seen } = startFeed(server.url, { coins: ["ETH"], fastBook: true });
  await eventually(() => seen.books.length === 1, "the ETH book");
  const subscriptions = server.connections[0].received.filter((m) => m.method === "subscribe");
  assert.deepEqual(subscriptions.map((m) => m.subscription), [
    { type: "l2Book", coin: "ETH", fast: true },
    { type: "trades", coin: "ETH" },
  ]);
  assert.equal(seen.books[0].frameText, bookFrame("ETH"));
  await feed.close();
  await server.close();
});

Deno.test("the heartbeat pings the server and pongs keep the socket", async () => {
  const server = startServer();
  const { feed } = startFeed(server.url, { pingIntervalMs: 15, pongTimeoutMs: 500 });
  await eventually(() => feed.stats.pongs >= 3, "three pongs");
  const pings = server.connections[0].received.filter((m) => m.method === "ping");
  assert.ok(pings.length >= 3);
  assert.deepEqual(pings[0], { method: "ping" });
  assert.equal(feed.stats.connects, 1);
  await feed.close();
  await server.close();
});

Deno.test("an unanswered ping drops the socket; the feed reconnects and resubscribes", async () => {
  const server = startServer({
    onMessage(conn, message) {
      if (message.method === "ping" && conn.index === 0) return; // the first connection is deaf
      exchange(conn, message);
    },
  });
  const { feed, seen } = startFeed(server.url, { pingIntervalMs: 15, pongTimeoutMs: 40 });
  await eventually(() => seen.reconnects.length === 1, "a reconnect");
  assert.equal(seen.reconnects[0].reason, "pong-timeout");
  assert.equal(seen.reconnects[0].attempt, 1);
  await server.connections[0].closed;
  assert.deepEqual(subscriptionsOf(server.connections[1]), EXPECTED_SUBSCRIPTIONS(["BTC", "ETH"]));
  assert.equal(feed.stats.stalls, 0);
  await feed.close();
  await server.close();
});

Deno.test("stall cycle: silence raises the flag, the socket is replaced, data resumes, the flag clears", async () => {
  // The first connection acks and sends its snapshots, then goes silent without closing (it
  // still answers pings: a server that only answers pings is stalled too).
  const server = startServer();
  const { feed, seen } = startFeed(server.url, { stallTimeoutMs: 120, pingIntervalMs: 20 });
  await eventually(() => seen.books.length === 2, "the first snapshots");
  assert.equal(feed.isStalled, false);
  await eventually(() => seen.reconnects.length === 1, "the reconnect after the stall");
  assert.deepEqual(seen.events, [
    "stall (isStalled true)",
    "disconnected (stall)",
    "reconnected (isStalled false)",
  ]);
  const [first, second] = server.connections;
  await first.closed; // the feed closed the silent socket itself
  assert.deepEqual(subscriptionsOf(second), EXPECTED_SUBSCRIPTIONS(["BTC", "ETH"]));
  const report = seen.reconnects[0];
  assert.equal(report.reason, "stall");
  assert.equal(report.attempt, 1);
  assert.ok(report.downtimeMs >= 0);
  assert.equal(feed.isStalled, false);
  await eventually(() => seen.books.length === 4, "books from the new socket");
  assert.deepEqual(seen.books.slice(2).map((b) => b.book), [BOOKS.BTC, BOOKS.ETH]);
  assert.equal(feed.stats.stalls, 1);
  assert.equal(feed.stats.reconnects, 1);
  assert.ok(seen.logger.lines.some((line) => line.startsWith("WARN market data stalled")));
  await feed.close();
  await server.close();
});

Deno.test("a dropped socket reconnects with backoff and resubscribes; a short drop is no stall", async () => {
  const server = startServer({
    onMessage(conn, message) {
      exchange(conn, message);
      // The first connection is dropped by the server once it has sent both snapshots.
      if (conn.index === 0 && conn.received.length === 4) conn.socket.close(1012, "restart");
    },
  });
  const { feed, seen } = startFeed(server.url);
  await eventually(() => seen.reconnects.length === 1, "a reconnect");
  assert.equal(seen.reconnects[0].reason, "closed");
  assert.deepEqual(subscriptionsOf(server.connections[1]), EXPECTED_SUBSCRIPTIONS(["BTC", "ETH"]));
  assert.deepEqual(seen.events, ["disconnected (closed)", "reconnected (isStalled false)"]);
  assert.equal(feed.stats.stalls, 0);
  assert.ok(
    seen.logger.lines.some((line) => /connection lost \(closed\).*1012, restart/.test(line)),
  );
  await feed.close();
  await server.close();
});

/**
 * Most connection attempts the schedule (initial delay doubling to the cap, each shortened by
 * at most the jitter fraction) allows within `elapsedMs`.
 */
function attemptsAllowed(backoff: BackoffOptions, elapsedMs: number): number {
  let attempts = 1; // the first connection is immediate
  let earliest = 0;
  for (;;) {
    const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempts - 1));
    earliest += base * (1 - backoff.jitter);
    if (earliest > elapsedMs) return attempts;
    attempts++;
  }
}

Deno.test("a server that drops every connection at once gets retries only as the backoff allows", async () => {
  const server = startServer({ onOpen: (conn) => conn.socket.close() });
  const backoff = { initialMs: 5, maxMs: 40, jitter: 0.5 };
  const startedAt = performance.now();
  const { feed, seen } = startFeed(server.url, { backoff });
  await eventually(() => feed.stats.connects >= 6, "six attempts");
  const attempts = feed.stats.connects;
  const allowed = attemptsAllowed(backoff, performance.now() - startedAt);
  assert.ok(attempts <= allowed, `${attempts} attempts where the schedule allows ${allowed}`);
  assert.equal(seen.reconnects.length, 0);
  await feed.close();
  await server.close();
});

Deno.test("a refused connection is retried as the backoff allows, and close() ends the retries", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now: every attempt is refused
  const backoff = { initialMs: 5, maxMs: 40, jitter: 0.5 };
  const startedAt = performance.now();
  const { feed } = startFeed(`ws://127.0.0.1:${port}/ws`, { backoff });
  await eventually(() => feed.stats.connects >= 4, "four attempts");
  const attempts = feed.stats.connects;
  const allowed = attemptsAllowed(backoff, performance.now() - startedAt);
  assert.ok(attempts <= allowed, `${attempts} attempts where the schedule allows ${allowed}`);
  await feed.close();
  assert.equal(feed.isConnected, false);
});

/** Counts live timers (set, neither fired nor cleared) while installed. */
function trackTimers(): { live: Set<unknown>; restore(): void } {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    const id = realSet(() => {
      live.delete(id);
      callback();
    }, ms);
    live.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: number) => {
    live.delete(id);
    realClear(id);
  }) as typeof clearTimeout;
  return {
    live,
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

Deno.test("close() leaves no timer behind, whether connected or waiting to retry", async () => {
  const timers = trackTimers();
  try {
    const server = startServer({ onMessage: () => {} }); // never acks: the ack timer stays armed
    const connected = startFeed(server.url, { pingIntervalMs: 5_000, ackTimeoutMs: 5_000 });
    await eventually(() => server.connections[0]?.received.length === 4, "the subscriptions");
    assert.ok(timers.live.size >= 3, "watchdog, ping and ack timers should be armed");
    await connected.feed.close();
    await server.connections[0].closed;
    assert.equal(timers.live.size, 0, "timers left after closing a connected feed");
    await server.close();

    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const retrying = startFeed(`ws://127.0.0.1:${port}/ws`, {
      backoff: { initialMs: 20, maxMs: 5_000, jitter: 0 },
    });
    const losses = () =>
      retrying.seen.logger.lines.filter((line) => line.includes("connection lost")).length;
    // Two refusals: the third attempt now waits 40 ms on a retry timer.
    await eventually(() => losses() === 2, "two refused attempts");
    await retrying.feed.close();
    assert.equal(timers.live.size, 0, "timers left after closing a retrying feed");
  } finally {
    timers.restore();
  }
});

Deno.test("subscriptions never acked are reported by name", async () => {
  const server = startServer({
    onMessage(conn, message) {
      const subscription = message.subscription as { type: string; coin: string } | undefined;
      if (subscription?.type === "trades" && subscription.coin === "kPEPE") return;
      exchange(conn, message);
    },
  });
  const { feed, seen } = startFeed(server.url, { coins: ["BTC", "kPEPE"], ackTimeoutMs: 40 });
  await eventually(() => seen.unconfirmed.length === 1, "the unconfirmed report");
  assert.deepEqual(seen.unconfirmed[0], ["trades:kPEPE"]);
  assert.deepEqual(feed.unconfirmedSubscriptions, ["trades:kPEPE"]);
  assert.ok(seen.logger.lines.some((line) => line.includes("trades:kPEPE")));
  await feed.close();
  await server.close();
});

Deno.test("malformed frames are counted and logged by kind; unusable books arrive flagged", async () => {
  const badFrames = [
    '{"channel":"l2Book","data":{"coin":"BTC"',
    '{"channel":"l3Book","data":{}}',
    '{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[],[]]}}',
    '{"channel":"l2Book","data":{"coin":"BTC","time":2,"levels":[[{"px":"101","sz":"1","n":1}],' +
    '[{"px":"100","sz":"1","n":1}]]}}',
    '{"channel":"trades","data":[{"coin":"BTC","side":"B","px":"1","sz":"-2","time":1,"tid":1}]}',
    '{"channel":"error","data":"Invalid subscription {\\"type\\":\\"l2Book\\"}"}',
    "Websocket connection established.",
  ];
  const server = startServer({
    onOpen(conn) {
      for (const frame of badFrames) conn.socket.send(frame);
      conn.socket.send(new Uint8Array([1, 2, 3]));
    },
  });
  const { feed, seen } = startFeed(server.url, { coins: ["BTC"] });
  await eventually(() => seen.books.some((b) => b.problem === null), "a sane book");
  assert.deepEqual(feed.stats.malformed, {
    "bad-json": 1,
    "unknown-channel": 1,
    "empty-side": 1,
    "crossed-book": 1,
    "nan-or-negative-size": 1,
    "binary-frame": 1,
  });
  assert.equal(feed.stats.serverErrors, 1);
  assert.deepEqual(seen.books.map((b) => b.problem), ["empty-side", "crossed-book", null]);
  assert.deepEqual(seen.books[1].book.bids, [{ px: 101, sz: 1, n: 1 }]);
  const warnings = seen.logger.lines.filter((line) => line.startsWith("WARN malformed frame"));
  assert.equal(warnings.length, 6);
  assert.ok(
    warnings.includes(
      "WARN malformed frame (crossed-book): BTC: best bid 101, best ask 100, 1/1 levels",
    ),
  );
  assert.ok(
    seen.logger.lines.some((line) => line.includes("server error (error): Invalid subscription")),
  );
  assert.equal(feed.isConnected, true);
  await feed.close();
  await server.close();
});

Deno.test("a handler that throws is logged and does not stop the feed", async () => {
  const server = startServer();
  const trades: Trade[][] = [];
  const { feed, seen } = startFeed(server.url, {
    onBook: () => {
      throw new Error("engine bug");
    },
    onTrades: (batch) => trades.push(batch),
  });
  await eventually(() => trades.length === 2, "trades after the throwing book handler");
  assert.ok(
    seen.logger.lines.some((line) => line.includes("handler threw (onBook): Error: engine bug")),
  );
  assert.equal(feed.stats.connects, 1);
  await feed.close();
  await server.close();
});

Deno.test("a WebSocket that cannot even be constructed is retried on the backoff schedule", async () => {
  let constructed = 0;
  // A constructor that throws, as `new WebSocket` does for a URL it cannot use.
  const Unreachable = function (url: string) {
    constructed++;
    throw new Error(`no route to ${url}`);
  } as unknown as WebSocketConstructor;
  const { feed, seen } = startFeed("ws://127.0.0.1:9/ws", {
    WebSocket: Unreachable,
    backoff: { initialMs: 5, maxMs: 20, jitter: 0 },
  });
  await eventually(() => constructed >= 3, "three attempts");
  await feed.close();
  assert.equal(feed.stats.connects, constructed);
  assert.ok(
    seen.logger.lines.includes(
      "WARN market data: cannot open ws://127.0.0.1:9/ws: no route to ws://127.0.0.1:9/ws",
    ),
  );
  assert.throws(() => feed.start(), /already started or closed/);
});

Deno.test("bad options are refused with the name of what is wrong", () => {
  const make = (options: Partial<MarketDataFeedOptions>) =>
    new MarketDataFeed({
      url: "ws://127.0.0.1:1/ws",
      coins: ["BTC"],
      onBook() {},
      onTrades() {},
      ...options,
    });
  assert.throws(() => make({ url: "http://127.0.0.1/ws" }), /must start with ws:\/\/ or wss:\/\//);
  assert.throws(() => make({ coins: [] }), /at least one coin/);
  assert.throws(() => make({ coins: ["BTC", "BTC"] }), /"BTC" is listed twice/);
  assert.throws(() => make({ coins: [" btc"] }), /" btc" is not a coin name/);
  assert.throws(() => make({ stallTimeoutMs: 0 }), /stallTimeoutMs must be a positive number/);
  assert.throws(() => make({ backoff: { jitter: 1.5 } }), /backoff.jitter 1.5/);
});

Deno.test("the backoff doubles from the initial delay to the cap, minus at most the jitter", () => {
  const backoff = { initialMs: 250, maxMs: 10_000, jitter: 0.2 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelayMs(attempt, backoff, 0)),
    [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000],
  );
  assert.equal(backoffDelayMs(1, backoff, 1), 200);
  assert.equal(backoffDelayMs(9, backoff, 0.5), 9_000);
});

/**
 * The WebSocket side of the venue: subscriptions (acked with the server's normalized echo),
 * ping/pong, `post` requests, and publishing of `l2Book` (aggregated by `nSigFigs`/`mantissa`
 * when asked), `bbo`, `trades`, `allMids`, `orderUpdates`, `userFills` and `userEvents`. Each
 * frame is serialized once and written to every subscriber. Like the exchange, it closes the
 * socket without a word when a subscription names an unknown coin, and answers malformed
 * requests on the `error` channel without an id.
 */
import { Buffer } from "node:buffer";
import type { WsFill } from "./account.ts";
import { type Aggregation, readAggregation } from "./aggregation.ts";
import type { FaultState, SocketScope } from "./faults.ts";
import { BOOK_DEPTH } from "./market.ts";
import type { Simulator, VenueEvents, WsOrder, WsTrade } from "./simulator.ts";
import type { WsConnection } from "./websocket.ts";
import { errorMessage } from "../../engine/util/errors.ts";

/** Answers a `post` request: info requests return data, actions the `/exchange` body. */
export type PostHandler = (type: "info" | "action", payload: unknown) => Promise<unknown>;

interface Session {
  conn: WsConnection;
  /** Normalized subscription JSON → channel key. */
  subs: Map<string, string>;
  /** Virtual time of the last frame sent on this socket. */
  lastSent: number;
  /** Subscriptions to user-data channels: a socket with any is a `user` socket to faults. */
  userSubs: number;
}

// Hyperliquid: `fast` l2Book subscriptions carry 5 levels per side, the default 20.
const FAST_DEPTH = 5;
// Trades replayed to a new `trades` subscriber (the exchange sends recent trades first).
const RECENT_TRADES = 30;
// Fills in the first (isSnapshot) userFills message.
const SNAPSHOT_FILLS = 2000;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
// Hyperliquid: "The server will close any connection if it hasn't sent a message to it in the
// last 60 seconds" (observed as an abnormal close, code 1006).
const IDLE_CLOSE_MS = 60_000;
const IDLE_CHECK_MS = 1_000;
// Channels (keys `channel:user`) that carry an account's data; userEvents arrive on `user`.
const USER_CHANNELS = new Set(["orderUpdates", "userFills", "user"]);
// Hyperliquid pushes allMids about every 5 s (engine/hyperliquid/README.md § Books and trades,
// § Update cadence).
const ALL_MIDS_EVERY_MS = 5_000;
const ALL_MIDS_KEY = "allMids:";

/** One l2Book feed of a coin: its depth and aggregation (one channel key each). */
interface BookFeed {
  key: string;
  depth: number;
  aggregation: Aggregation | null;
}

/** Counters for the bench and the control endpoint. */
export interface StreamStats {
  framesSent: number;
  bytesSent: number;
  /** Distinct frames serialized (each may go to several sockets). */
  framesBuilt: number;
  /** Text frames received from clients. */
  framesReceived: number;
}

/** Every open WebSocket session and what it subscribed to. */
export class StreamHub implements VenueEvents {
  readonly sessions = new Set<Session>();
  readonly stats: StreamStats = { framesSent: 0, bytesSent: 0, framesBuilt: 0, framesReceived: 0 };
  readonly #channels = new Map<string, Set<Session>>();
  readonly #recentTrades = new Map<string, WsTrade[]>();
  /** Per coin, every l2Book feed ever subscribed (few: 2 depths × 7 aggregations at most). */
  readonly #bookFeeds = new Map<string, Map<string, BookFeed>>();
  readonly #lastBbo = new Map<string, string>();
  readonly #sim: Simulator;
  readonly #faults: FaultState;
  readonly #post: PostHandler;
  readonly #delay: (ms: number) => Promise<void>;

  /** Creates the hub over a simulator; `post` answers WS post requests. */
  constructor(
    sim: Simulator,
    faults: FaultState,
    post: PostHandler,
    delay: (ms: number) => Promise<void>,
  ) {
    this.#sim = sim;
    this.#faults = faults;
    this.#post = post;
    this.#delay = delay;
    sim.setEvents(this);
    sim.isAccountWatched = () => this.accountWatched();
    sim.every(IDLE_CHECK_MS, () => this.#closeIdle());
    sim.every(ALL_MIDS_EVERY_MS, () => this.#broadcast(ALL_MIDS_KEY, () => this.#allMids()));
  }

  #allMids(): string {
    return JSON.stringify({ channel: "allMids", data: { mids: this.#sim.allMids() } });
  }

  /** Drops sockets the server has sent nothing on for 60 s (unless a silence fault holds them). */
  #closeIdle(): void {
    const now = this.#sim.now;
    for (const s of [...this.sessions]) {
      if (now - s.lastSent >= IDLE_CLOSE_MS && !this.#silent(s)) s.conn.drop();
    }
  }

  #silent(session: Session): boolean {
    return this.#faults.silent(this.#sim.now, socketKind(session));
  }

  /** Registers a new connection; returns the handler for its incoming text. */
  attach(conn: WsConnection): { onText: (t: string) => void; onClose: () => void } {
    const session: Session = { conn, subs: new Map(), lastSent: this.#sim.now, userSubs: 0 };
    this.sessions.add(session);
    // A silenced socket answers not even protocol-level pings: nothing at all leaves it.
    conn.mute = () => this.#silent(session);
    return {
      onText: (text) => this.#onText(session, text),
      onClose: () => this.#detach(session),
    };
  }

  /** Whether any session watches the account's user streams. */
  accountWatched(): boolean {
    const me = this.#sim.account.address;
    for (const key of [`orderUpdates:${me}`, `userFills:${me}`, `user:${me}`]) {
      if ((this.#channels.get(key)?.size ?? 0) > 0) return true;
    }
    return false;
  }

  /** Drops the open sockets in `scope` (default all), with or without a close frame. */
  dropAll(closeFrame: boolean, scope: SocketScope = "all"): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (scope !== "all" && socketKind(s) !== scope) continue;
      n++;
      if (closeFrame) s.conn.close(1001, "going away");
      else s.conn.drop();
    }
    return n;
  }

  /** Sends `count` malformed frames to every socket (cycling through kinds of damage). */
  sendMalformed(count: number): void {
    const bad = [
      '{"channel":"l2Book","data":{"coin":',
      "Websocket connection established.",
      '{"channel":"l2Book","data":{"coin":"BTC","time":"soon","levels":[[{"px":"abc","sz":null,"n":-1}],7]}}',
      '{"channel":"trades","data":{"not":"an array"}}',
      '{"channel":"unknownChannel","data":null}',
    ];
    for (const s of this.sessions) {
      for (let i = 0; i < count; i++) {
        s.conn.sendText(bad[i % bad.length]);
        this.stats.framesSent++;
      }
      // One binary frame with invalid UTF-8, which a text-only client must survive.
      s.conn.sendRaw(Buffer.from([0x82, 0x03, 0xff, 0xfe, 0xfd]));
    }
  }

  #detach(session: Session): void {
    this.sessions.delete(session);
    for (const key of session.subs.values()) this.#channels.get(key)?.delete(session);
    session.subs.clear();
  }

  #send(session: Session, text: string): void {
    if (this.#silent(session)) return;
    session.conn.sendText(text);
    session.lastSent = this.#sim.now;
    this.stats.framesSent++;
    this.stats.bytesSent += text.length;
  }

  #broadcast(key: string, build: () => string): void {
    const subs = this.#channels.get(key);
    if (!subs || subs.size === 0 || this.#faults.silent(this.#sim.now)) return;
    const text = build();
    this.stats.framesBuilt++;
    for (const s of subs) this.#send(s, text);
  }

  #onText(session: Session, text: string): void {
    this.stats.framesReceived++;
    let msg: { method?: unknown; subscription?: unknown; id?: unknown; request?: unknown };
    try {
      msg = JSON.parse(text);
      if (typeof msg !== "object" || msg === null) throw new Error("not an object");
    } catch {
      this.#send(
        session,
        JSON.stringify({
          channel: "error",
          data: `Error parsing JSON into valid websocket request: ${text}`,
        }),
      );
      return;
    }
    if (msg.method === "ping") {
      this.#send(session, '{"channel":"pong"}');
    } else if (msg.method === "subscribe" || msg.method === "unsubscribe") {
      this.#subscription(session, msg.method, msg.subscription);
    } else if (msg.method === "post" && typeof msg.id === "number") {
      this.#handlePost(session, msg.id, msg.request).catch(() => {});
    } else {
      this.#send(
        session,
        JSON.stringify({
          channel: "error",
          data: `Error parsing JSON into valid websocket request: ${text}`,
        }),
      );
    }
  }

  async #handlePost(session: Session, id: number, request: unknown): Promise<void> {
    const req = request as { type?: unknown; payload?: unknown } | undefined;
    let response: unknown;
    if (!req || (req.type !== "info" && req.type !== "action") || typeof req.payload !== "object") {
      response = { type: "error", payload: `Invalid post request: ${JSON.stringify(request)}` };
    } else {
      try {
        const data = await this.#post(req.type, req.payload);
        const infoType = (req.payload as { type?: unknown }).type;
        response = req.type === "info"
          ? { type: "info", payload: { type: infoType, data } }
          : { type: "action", payload: data };
      } catch (e) {
        response = { type: "error", payload: errorMessage(e) };
      }
    }
    const delay = this.#faults.delay(this.#sim.now);
    if (delay > 0) await this.#delay(delay);
    if (session.conn.open) {
      this.#send(session, JSON.stringify({ channel: "post", data: { id, response } }));
    }
  }

  /** Normalizes a subscription; null means "close the socket" (as the exchange does). */
  #normalize(
    sub: Record<string, unknown>,
  ): { norm: Record<string, unknown>; key: string } | "invalid" | null {
    const coinOk = (c: unknown) => typeof c === "string" && this.#sim.byName.has(c);
    switch (sub.type) {
      case "l2Book": {
        if (!coinOk(sub.coin)) return null;
        const aggregation = readAggregation(sub.nSigFigs, sub.mantissa);
        if (aggregation === "invalid") return null;
        const fast = sub.fast === true;
        const depth = fast ? FAST_DEPTH : BOOK_DEPTH;
        const key = `l2Book:${sub.coin}:${depth}:${aggregation?.nSigFigs ?? ""}:${
          aggregation?.mantissa ?? ""
        }`;
        let feeds = this.#bookFeeds.get(sub.coin as string);
        if (!feeds) this.#bookFeeds.set(sub.coin as string, feeds = new Map());
        if (!feeds.has(key)) feeds.set(key, { key, depth, aggregation });
        const norm = {
          type: "l2Book",
          coin: sub.coin,
          nSigFigs: aggregation?.nSigFigs ?? null,
          mantissa: aggregation?.mantissa ?? null,
          fast,
        };
        return { norm, key };
      }
      case "allMids":
        // Only the validator-operated dex is simulated: another `dex` names nothing here.
        if (sub.dex !== undefined && sub.dex !== null && sub.dex !== "") return "invalid";
        return { norm: { type: "allMids" }, key: ALL_MIDS_KEY };
      case "trades":
        if (!coinOk(sub.coin)) return null;
        return { norm: { type: "trades", coin: sub.coin }, key: `trades:${sub.coin}` };
      case "bbo":
        if (!coinOk(sub.coin)) return null;
        return { norm: { type: "bbo", coin: sub.coin }, key: `bbo:${sub.coin}` };
      case "orderUpdates":
      case "userFills":
      case "userEvents": {
        if (typeof sub.user !== "string" || !ADDRESS_RE.test(sub.user)) return "invalid";
        const user = sub.user.toLowerCase();
        const norm: Record<string, unknown> = { type: sub.type, user };
        if (sub.type === "userFills") norm.aggregateByTime = sub.aggregateByTime === true;
        const channel = sub.type === "userEvents" ? "user" : sub.type;
        // Other users have no activity here; they get acks and (for userFills) an empty snapshot.
        return { norm, key: `${channel}:${user}` };
      }
      default:
        return "invalid";
    }
  }

  #subscription(session: Session, method: "subscribe" | "unsubscribe", raw: unknown): void {
    if (typeof raw !== "object" || raw === null) {
      this.#send(
        session,
        JSON.stringify({ channel: "error", data: `Invalid subscription ${JSON.stringify(raw)}` }),
      );
      return;
    }
    const result = this.#normalize(raw as Record<string, unknown>);
    if (result === null) {
      session.conn.drop();
      return;
    }
    if (result === "invalid") {
      this.#send(
        session,
        JSON.stringify({ channel: "error", data: `Invalid subscription ${JSON.stringify(raw)}` }),
      );
      return;
    }
    const { norm, key } = result;
    const id = JSON.stringify(norm);
    if (method === "subscribe") {
      if (session.subs.has(id)) {
        this.#send(
          session,
          JSON.stringify({ channel: "error", data: `Already subscribed: ${id}` }),
        );
        return;
      }
      session.subs.set(id, key);
      if (isUserKey(key)) session.userSubs++;
      let set = this.#channels.get(key);
      if (!set) this.#channels.set(key, set = new Set());
      set.add(session);
    } else {
      if (!session.subs.has(id)) {
        this.#send(
          session,
          JSON.stringify({ channel: "error", data: `Already unsubscribed: ${id}` }),
        );
        return;
      }
      session.subs.delete(id);
      if (isUserKey(key)) session.userSubs--;
      this.#channels.get(key)?.delete(session);
    }
    this.#send(
      session,
      JSON.stringify({ channel: "subscriptionResponse", data: { method, subscription: norm } }),
    );
    if (method === "subscribe") this.#initial(session, norm, key);
  }

  /** What a new subscriber receives first: the book, recent trades, the fills snapshot. */
  #initial(session: Session, norm: Record<string, unknown>, key: string): void {
    if (norm.type === "l2Book") {
      const coin = norm.coin as string;
      this.#send(session, this.#book(coin, this.#bookFeeds.get(coin)!.get(key)!));
    } else if (norm.type === "allMids") {
      this.#send(session, this.#allMids());
    } else if (norm.type === "bbo") {
      const coin = norm.coin as string;
      const bbo = this.#bbo(coin);
      // The next bbo goes out only when the top of book differs from this one.
      this.#lastBbo.set(coin, JSON.stringify(bbo.bbo));
      this.#send(session, JSON.stringify({ channel: "bbo", data: bbo }));
    } else if (norm.type === "trades") {
      const recent = this.#recentTrades.get(norm.coin as string);
      if (recent?.length) this.#send(session, JSON.stringify({ channel: "trades", data: recent }));
    } else if (norm.type === "userFills") {
      const user = norm.user as string;
      const fills = user === this.#sim.account.address
        ? this.#sim.account.fills.slice(-SNAPSHOT_FILLS)
        : [];
      this.#send(
        session,
        JSON.stringify({ channel: "userFills", data: { isSnapshot: true, user, fills } }),
      );
    }
  }

  #book(coin: string, feed: BookFeed): string {
    const data = this.#sim.l2Book(coin, feed.depth, feed.aggregation);
    return JSON.stringify({ channel: "l2Book", data });
  }

  /** VenueEvents: a coin's book changed. */
  book(coin: string): void {
    for (const feed of this.#bookFeeds.get(coin)?.values() ?? []) {
      this.#broadcast(feed.key, () => this.#book(coin, feed));
    }
    if ((this.#channels.get(`bbo:${coin}`)?.size ?? 0) === 0) return;
    // Hyperliquid sends bbo only when the best bid or ask changed.
    const bbo = this.#bbo(coin);
    const key = JSON.stringify(bbo.bbo);
    if (this.#lastBbo.get(coin) === key) return;
    this.#lastBbo.set(coin, key);
    this.#broadcast(`bbo:${coin}`, () => JSON.stringify({ channel: "bbo", data: bbo }));
  }

  #bbo(coin: string) {
    const book = this.#sim.l2Book(coin, 1);
    return { coin, time: book.time, bbo: [book.levels[0][0] ?? null, book.levels[1][0] ?? null] };
  }

  /** VenueEvents: trades printed on a coin. */
  trades(coin: string, trades: WsTrade[]): void {
    let recent = this.#recentTrades.get(coin);
    if (!recent) this.#recentTrades.set(coin, recent = []);
    recent.push(...trades);
    if (recent.length > RECENT_TRADES) recent.splice(0, recent.length - RECENT_TRADES);
    this.#broadcast(`trades:${coin}`, () => JSON.stringify({ channel: "trades", data: trades }));
  }

  /** Recent trades of a coin (for the `recentTrades` info request). */
  recentTrades(coin: string): WsTrade[] {
    return this.#recentTrades.get(coin) ?? [];
  }

  /** VenueEvents: the account was filled. */
  fills(fills: WsFill[]): void {
    const me = this.#sim.account.address;
    this.#broadcast(
      `userFills:${me}`,
      () => JSON.stringify({ channel: "userFills", data: { user: me, fills } }),
    );
    this.#broadcast(`user:${me}`, () => JSON.stringify({ channel: "user", data: { fills } }));
  }

  /** VenueEvents: the account's orders changed status. */
  orderUpdates(updates: WsOrder[]): void {
    const me = this.#sim.account.address;
    this.#broadcast(
      `orderUpdates:${me}`,
      () => JSON.stringify({ channel: "orderUpdates", data: updates }),
    );
  }
}

/** What a socket is to the scoped faults: on any user-data channel (`user`) or not (`market`). */
function socketKind(session: Session): "user" | "market" {
  return session.userSubs > 0 ? "user" : "market";
}

function isUserKey(key: string): boolean {
  return USER_CHANNELS.has(key.slice(0, key.indexOf(":")));
}

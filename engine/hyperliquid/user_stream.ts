/**
 * One account's own events over one self-healing WebSocket
 * (engine/hyperliquid/README.md § User streams): `userFills`, `orderUpdates` and `userEvents`
 * (channel `user`), with subscription acks tracked, a ping/pong heartbeat and reconnection with
 * backoff (engine/hyperliquid/README.md § WebSocket, § Reconnecting).
 *
 * User channels are quiet: they carry only the account's own events, so an account with
 * nothing resting may get no frame for hours. Silence proves nothing, and the heartbeat is the
 * only way to tell a dead socket from a quiet account: a ping every 5 s, a pong missing for 5 s
 * drops the socket. That is 12 messages a minute, well inside the 2,000 per minute per IP, and it
 * also keeps the server's 60 s idle cut-off away (engine/hyperliquid/README.md § WebSocket).
 *
 * Every frame is read strictly (user_events.ts). Fills go through the same validation as the REST
 * answers (info_answers.ts `parseUserFills`); a frame with any field out of shape is counted,
 * logged at most once a minute per kind (frame_errors.ts) and skipped whole. Nothing a server
 * sends can throw out of this class.
 *
 * Longer than 400 lines because {@link UserStream} is one connection's state machine (socket,
 * subscription acks, heartbeat, reconnection) whose timers share its private state; the frame
 * readers already live apart in user_events.ts.
 */
import { createLogger, type Logger } from "../log.ts";
import { FrameErrorLog } from "./frame_errors.ts";
import type { UserFill } from "./info_answers.ts";
import { parseFrame } from "./parse.ts";
import { assertAddress } from "./signing.ts";
import {
  array,
  type Liquidation,
  type NonUserCancel,
  type OrderUpdate,
  parseFills,
  parseFunding,
  parseLiquidation,
  parseNonUserCancel,
  parseOrderUpdate,
  record,
  ShapeError,
  type UserFunding,
} from "./user_events.ts";
import { RECONNECT_BACKOFF, type WebSocketConstructor } from "./ws.ts";
import { backoffDelayMs, type BackoffOptions, checkBackoff } from "../util/backoff.ts";
import { errorMessage } from "../util/errors.ts";

/** Why the stream lost its connection. */
export type UserStreamDownReason = "closed" | "error" | "pong-timeout" | "ack-timeout";

/** Counters of a {@link UserStream}. */
export interface UserStreamStats {
  /** Every message received. */
  frames: number;
  /** Skipped frames by kind (`bad-json`, `bad-userFills`, `unknown-channel`, …). */
  malformed: Record<string, number>;
  /** Answers to our pings. */
  pongs: number;
  /** Sockets opened, the first one included. */
  connects: number;
  /** Times the stream was up again (all three subscriptions acked) after a lost connection. */
  reconnects: number;
}

/** Options of {@link UserStream}. */
export interface UserStreamOptions {
  /** e.g. `wss://api.hyperliquid.xyz/ws`, or the venue simulator. */
  url: string;
  /**
   * The account (master or sub-account address, never an API wallet:
   * engine/hyperliquid/README.md § WebSocket).
   */
  user: string;
  /** Heartbeat period, ms (default 5,000). */
  pingIntervalMs?: number;
  /** A ping unanswered this long drops the socket, ms (default 5,000). */
  pongTimeoutMs?: number;
  /** All three subscriptions must be acked this long after a socket is opened, ms (default 10,000). */
  ackTimeoutMs?: number;
  /** Defaults: 250 ms doubling to 10,000 ms, jitter 0.2 (as ws.ts's market-data feed). */
  backoff?: Partial<BackoffOptions>;
  /** Where losses and bad frames are reported (default: a stdout logger). */
  logger?: Logger;
  /** WebSocket constructor (default the global one); tests inject a scripted one. */
  WebSocket?: WebSocketConstructor;
  /** Random source for the jitter (default Math.random). */
  random?: () => number;
  /**
   * Fills from `userFills` and again from `userEvents` (each fill usually arrives twice: callers
   * deduplicate by `tid`). `snapshot` marks the first `userFills` message after each subscribe: the
   * account's recent fills, which overlap what was already seen
   * (engine/hyperliquid/README.md § Reconnecting).
   */
  onFills?: (fills: UserFill[], info: { snapshot: boolean }) => void;
  /**
   * Order status changes; there is no snapshot of open orders
   * (engine/hyperliquid/README.md § Reconnecting).
   */
  onOrderUpdates?: (updates: OrderUpdate[]) => void;
  /** Orders the exchange cancelled on its own. */
  onNonUserCancel?: (cancels: NonUserCancel[]) => void;
  /** A liquidation involving the account. */
  onLiquidation?: (liquidation: Liquidation) => void;
  /** An hourly funding payment of the account. */
  onFunding?: (funding: UserFunding) => void;
  /**
   * The connection was lost or never came up: once per outage, before any reconnect. Anything
   * the account did from now until {@link UserStreamOptions.onUp} may be missing from the
   * stream (the next `userFills` snapshot holds only recent fills).
   */
  onDown?: (reason: UserStreamDownReason, detail: string) => void;
  /** All three subscriptions are acked on a new socket (the first one or after an outage). */
  onUp?: () => void;
}

type Timer = ReturnType<typeof setTimeout>;

const PING = JSON.stringify({ method: "ping" });
/** How long close() waits for the socket to finish its closing handshake, ms. */
const CLOSE_WAIT_MS = 2_000;
/**
 * The subscription types, which are also what their acks echo back
 * (engine/hyperliquid/README.md § WebSocket).
 */
const SUBSCRIPTIONS = ["userFills", "orderUpdates", "userEvents"] as const;
/** userEvents kinds this module reads (engine/hyperliquid/README.md § User streams). */
const EVENT_KINDS = new Set(["fills", "nonUserCancel", "liquidation", "funding"]);

/** The account's fills, order updates and events over one self-healing WebSocket. */
export class UserStream {
  readonly #url: string;
  readonly #user: string;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #ackTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #logger: Logger;
  readonly #WebSocket: WebSocketConstructor;
  readonly #random: () => number;
  readonly #handlers: UserStreamOptions;
  readonly #frameErrors: FrameErrorLog;
  readonly #serverErrors: FrameErrorLog;
  readonly #handlerErrors: FrameErrorLog;
  /** userEvents kinds not read here, each logged the first time it is seen. */
  readonly #unknownEvents = new Set<string>();

  #socket: WebSocket | null = null;
  readonly #pending = new Set<string>();
  readonly #closing = new Set<Promise<void>>();
  #started = false;
  #closed = false;
  #up = false;
  #everUp = false;
  /** Set from a lost connection until the stream is up again (onDown is not repeated). */
  #down = false;
  #upAtMs = 0;
  #backoffAttempt = 0;

  #reconnectTimer: Timer | undefined;
  #pingTimer: Timer | undefined;
  #pongTimer: Timer | undefined;
  #ackTimer: Timer | undefined;

  readonly #stats: Omit<UserStreamStats, "malformed"> = {
    frames: 0,
    pongs: 0,
    connects: 0,
    reconnects: 0,
  };

  /** Checks the options; nothing connects before {@link start}. */
  constructor(options: UserStreamOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`user stream URL "${options.url}" is not a URL`);
    }
    if (url.protocol !== "ws:" && url.protocol !== "wss:") {
      throw new Error(`user stream URL "${options.url}" must start with ws:// or wss://`);
    }
    assertAddress(options.user, "user stream: user");
    this.#url = options.url;
    // The exchange writes addresses in lowercase in its frames and acks.
    this.#user = options.user.toLowerCase();
    this.#pingIntervalMs = positive("pingIntervalMs", options.pingIntervalMs ?? 5_000);
    this.#pongTimeoutMs = positive("pongTimeoutMs", options.pongTimeoutMs ?? 5_000);
    this.#ackTimeoutMs = positive("ackTimeoutMs", options.ackTimeoutMs ?? 10_000);
    this.#backoff = checkBackoff("user stream", { ...RECONNECT_BACKOFF, ...options.backoff });
    this.#logger = options.logger ?? createLogger();
    this.#WebSocket = options.WebSocket ?? WebSocket;
    this.#random = options.random ?? Math.random;
    this.#handlers = options;
    this.#frameErrors = new FrameErrorLog({
      logger: this.#logger,
      label: "user stream: malformed frame",
    });
    this.#serverErrors = new FrameErrorLog({
      logger: this.#logger,
      label: "user stream: server error",
    });
    this.#handlerErrors = new FrameErrorLog({
      logger: this.#logger,
      label: "user stream: handler threw",
    });
  }

  /** Connects and subscribes; the stream then keeps itself connected until close(). */
  start(): void {
    if (this.#started || this.#closed) {
      throw new Error("user stream already started or closed: make a new one");
    }
    this.#started = true;
    this.#connect();
  }

  /** Stops for good: clears every timer and closes the socket (resolves once it has closed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#dropSocket();
    if (this.#closing.size === 0) return;
    let timer: Timer | undefined;
    const waited = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS));
    await Promise.race([Promise.all(this.#closing), waited]);
    clearTimeout(timer);
  }

  /** True while the socket is open and all three subscriptions are acked. */
  get isUp(): boolean {
    return this.#up;
  }

  /** A snapshot of the counters. */
  get stats(): UserStreamStats {
    return { ...this.#stats, malformed: this.#frameErrors.counts() };
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (this.#closed) return;
    this.#stats.connects++;
    let socket: WebSocket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#logger.warn(`user stream: cannot open ${this.#url}: ${errorMessage(error)}`);
      this.#scheduleReconnect("error", errorMessage(error));
      return;
    }
    this.#socket = socket;
    this.#pending.clear();
    for (const type of SUBSCRIPTIONS) this.#pending.add(type);
    // Counted from the connect, not the open: a handshake that hangs is caught too.
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#lose(
        "ack-timeout",
        `no subscriptionResponse within ${this.#ackTimeoutMs} ms for ${
          [...this.#pending].join(", ")
        }`,
      );
    }, this.#ackTimeoutMs);
    socket.onopen = () => this.#onOpen(socket);
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#onMessage(event.data);
    };
    socket.onerror = () => {
      if (socket === this.#socket) this.#lose("error", "socket error");
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) {
        this.#lose(
          "closed",
          `closed by peer (code ${event.code}${event.reason ? `, ${event.reason}` : ""})`,
        );
      }
    };
  }

  #onOpen(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    for (const type of SUBSCRIPTIONS) {
      socket.send(
        JSON.stringify({ method: "subscribe", subscription: { type, user: this.#user } }),
      );
    }
    this.#pingTimer = setTimeout(() => this.#ping(), this.#pingIntervalMs);
  }

  #onMessage(data: unknown): void {
    this.#stats.frames++;
    if (typeof data !== "string") {
      this.#frameErrors.record("binary-frame", "a binary message on a JSON text stream");
      return;
    }
    const frame = parseFrame(data);
    switch (frame.type) {
      case "passthrough":
        this.#onChannel(frame.channel, frame.data);
        return;
      case "subscriptionResponse":
        this.#onAck(frame.method, frame.subscription);
        return;
      case "pong":
        this.#stats.pongs++;
        clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
        return;
      case "error":
        this.#serverErrors.record("error", frame.message);
        return;
      case "malformed":
        this.#frameErrors.record(frame.kind, frame.detail);
        return;
      case "greeting":
        // A non-JSON text frame such as "Websocket connection established."
        // (engine/hyperliquid/README.md § WebSocket).
        return;
      default:
        this.#frameErrors.record("unexpected-channel", `a ${frame.type} frame on the user stream`);
    }
  }

  #onAck(method: string, subscription: Record<string, unknown>): void {
    const type = subscription.type;
    const user = typeof subscription.user === "string" ? subscription.user.toLowerCase() : null;
    if (method !== "subscribe" || typeof type !== "string" || user !== this.#user) return;
    if (!this.#pending.delete(type) || this.#pending.size > 0) return;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#up = true;
    this.#upAtMs = performance.now();
    const wasDown = this.#down;
    this.#down = false;
    if (this.#everUp) this.#stats.reconnects++;
    this.#everUp = true;
    if (wasDown) this.#logger.info("user stream: up again, all three subscriptions acked");
    this.#call("onUp", () => this.#handlers.onUp?.());
  }

  #onChannel(channel: string, data: unknown): void {
    try {
      switch (channel) {
        case "userFills": {
          const body = record(data, "userFills data");
          if (typeof body.user !== "string" || body.user.toLowerCase() !== this.#user) {
            throw new ShapeError(`userFills for user ${JSON.stringify(body.user)}, not ours`);
          }
          const fills = parseFills(body.fills, "userFills");
          // `isSnapshot` is absent, not false, on streaming messages
          // (engine/hyperliquid/README.md § User streams).
          const snapshot = body.isSnapshot === true;
          if (fills.length > 0 || snapshot) {
            this.#call("onFills", () => this.#handlers.onFills?.(fills, { snapshot }));
          }
          return;
        }
        case "orderUpdates": {
          const updates = array(data, "orderUpdates data").map((u, i) =>
            parseOrderUpdate(u, `orderUpdates[${i}]`)
          );
          if (updates.length > 0) {
            this.#call("onOrderUpdates", () => this.#handlers.onOrderUpdates?.(updates));
          }
          return;
        }
        case "user":
          this.#onUserEvent(record(data, "userEvents data"));
          return;
        default:
          this.#frameErrors.record("unexpected-channel", `channel "${channel}" on the user stream`);
      }
    } catch (error) {
      // A ShapeError or info_answers.ts's InfoResponseError; handlers run inside #call and never land here.
      this.#frameErrors.record(`bad-${channel}`, errorMessage(error));
    }
  }

  /** One `userEvents` message: `{fills}`, `{funding}`, `{liquidation}` or `{nonUserCancel}`. */
  #onUserEvent(event: Record<string, unknown>): void {
    for (const kind of Object.keys(event)) {
      if (EVENT_KINDS.has(kind) || this.#unknownEvents.has(kind)) continue;
      this.#unknownEvents.add(kind);
      this.#logger.info(`user stream: userEvents kind "${kind}" is not read here; ignored`);
    }
    // Every part is parsed before any is delivered, so a bad part skips the whole frame.
    const fills = event.fills === undefined ? null : parseFills(event.fills, "userEvents.fills");
    const cancels = event.nonUserCancel === undefined
      ? null
      : array(event.nonUserCancel, "nonUserCancel").map((c, i) =>
        parseNonUserCancel(c, `nonUserCancel[${i}]`)
      );
    const liquidation = event.liquidation === undefined
      ? null
      : parseLiquidation(event.liquidation);
    const funding = event.funding === undefined ? null : parseFunding(event.funding);
    if (fills !== null && fills.length > 0) {
      this.#call("onFills", () => this.#handlers.onFills?.(fills, { snapshot: false }));
    }
    if (cancels !== null && cancels.length > 0) {
      this.#call("onNonUserCancel", () => this.#handlers.onNonUserCancel?.(cancels));
    }
    if (liquidation !== null) {
      this.#call("onLiquidation", () => this.#handlers.onLiquidation?.(liquidation));
    }
    if (funding !== null) this.#call("onFunding", () => this.#handlers.onFunding?.(funding));
  }

  /** Runs a handler; a throw is counted and logged, never let into the socket's event loop. */
  #call(name: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#handlerErrors.record(name, String(error));
    }
  }

  #ping(): void {
    this.#pingTimer = undefined;
    const socket = this.#socket;
    if (socket === null || socket.readyState !== WebSocket.OPEN) return;
    socket.send(PING);
    if (this.#pongTimer === undefined) {
      this.#pongTimer = setTimeout(() => {
        this.#pongTimer = undefined;
        this.#lose("pong-timeout", `no pong within ${this.#pongTimeoutMs} ms`);
      }, this.#pongTimeoutMs);
    }
    this.#pingTimer = setTimeout(() => this.#ping(), this.#pingIntervalMs);
  }

  #lose(reason: UserStreamDownReason, detail: string): void {
    const upMs = this.#up ? performance.now() - this.#upAtMs : 0;
    this.#dropSocket();
    // A connection that stayed up for a full backoff period resets the backoff; a server that
    // accepts and then drops every connection keeps backing off, which also keeps us inside
    // 30 new connections a minute per IP (engine/hyperliquid/README.md § WebSocket).
    if (upMs >= this.#backoff.maxMs) this.#backoffAttempt = 0;
    this.#logger.warn(`user stream: connection lost (${reason}): ${detail}`);
    this.#scheduleReconnect(reason, detail);
  }

  #scheduleReconnect(reason: UserStreamDownReason, detail: string): void {
    if (this.#closed) return;
    if (!this.#down) {
      this.#down = true;
      this.#call("onDown", () => this.#handlers.onDown?.(reason, detail));
    }
    this.#backoffAttempt++;
    const delay = backoffDelayMs(this.#backoffAttempt, this.#backoff, this.#random());
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Detaches the current socket, stops its timers and closes it. */
  #dropSocket(): void {
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#ackTimer);
    this.#pingTimer = this.#pongTimer = this.#ackTimer = undefined;
    this.#pending.clear();
    this.#up = false;
    const socket = this.#socket;
    if (socket === null) return;
    this.#socket = null;
    socket.onopen = socket.onmessage = socket.onerror = null;
    if (socket.readyState === WebSocket.CLOSED) {
      socket.onclose = null;
      return;
    }
    const closed = new Promise<void>((resolve) => {
      socket.onclose = () => {
        this.#closing.delete(closed);
        resolve();
      };
    });
    this.#closing.add(closed);
    try {
      socket.close();
    } catch {
      // Already closing: the close event still comes.
    }
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new Error(`user stream: ${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

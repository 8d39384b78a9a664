/**
 * The market-data WebSocket: one socket carrying `l2Book` and `trades` for every selected coin,
 * with subscription acks tracked, a ping/pong heartbeat, a stall watcher and reconnection with
 * exponential backoff (engine/hyperliquid/README.md § WebSocket, § Reconnecting). Everything runs
 * on timers; no loop ever polls, so a server that refuses or drops every connection costs a few
 * timer callbacks per backoff period, not CPU.
 *
 * Longer than 400 lines because {@link MarketDataFeed} is one connection's state machine
 * (socket, subscription acks, heartbeat, stall watch, reconnection) whose timers share its
 * private state; frames are read apart, in parse.ts.
 */
import { createLogger, type Logger } from "../log.ts";
import { backoffDelayMs, type BackoffOptions, checkBackoff } from "../util/backoff.ts";
import { FrameErrorLog } from "./frame_errors.ts";
import { parseFrame } from "./parse.ts";
import { type BookProblem } from "./frame_checks.ts";
import type { BookSnapshot, Trade } from "./types.ts";
import { errorMessage } from "../util/errors.ts";

/** Why the feed dropped a connection. */
export type DisconnectReason = "stall" | "closed" | "error" | "pong-timeout";

/** One completed reconnect, reported when market data flows again. */
export interface ReconnectReport {
  /** From losing the connection to the first book or trades frame on the new one, ms. */
  downtimeMs: number;
  /** Connection attempts it took (1 = the first retry worked). */
  attempt: number;
  reason: DisconnectReason;
}

/** Counters of a {@link MarketDataFeed}. */
export interface FeedStats {
  /** Every message received. */
  frames: number;
  books: number;
  tradeFrames: number;
  /** Unusable frames and flagged books by kind (`bad-json`, `crossed-book`, …). */
  malformed: Record<string, number>;
  /** `{"channel":"error"}` messages from the server. */
  serverErrors: number;
  pongs: number;
  /** Sockets opened, the first one included. */
  connects: number;
  /** Completed reconnects (data flowing again after a loss). */
  reconnects: number;
  /** Times the stall flag was raised. */
  stalls: number;
}

/** What {@link MarketDataFeed} needs: a WebSocket constructor (injectable for tests). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Options of {@link MarketDataFeed}. */
export interface MarketDataFeedOptions {
  /** e.g. `wss://api.hyperliquid.xyz/ws`, or the local venue simulator. */
  url: string;
  /** Coin names exactly as in `meta` (validated beforehand by universe.ts). */
  coins: readonly string[];
  /** Subscribe `l2Book` with `fast: true` (5 levels every ~0.5 s instead of 20 every ~5 s). */
  fastBook?: boolean;
  /** No book or trades frame for this long raises the stall flag, ms (default 30,000). */
  stallTimeoutMs?: number;
  /** Heartbeat period, ms (default 20,000: well inside the server's 60 s idle cut-off). */
  pingIntervalMs?: number;
  /** A ping unanswered this long drops the socket, ms (default 10,000). */
  pongTimeoutMs?: number;
  /** Subscriptions not acked this long after connecting are reported, ms (default 10,000). */
  ackTimeoutMs?: number;
  /** Defaults: 250 ms doubling to 10,000 ms, jitter 0.2. */
  backoff?: Partial<BackoffOptions>;
  logger?: Logger;
  WebSocket?: WebSocketConstructor;
  /** Random source for the jitter (default Math.random). */
  random?: () => number;
  /**
   * Every `l2Book` snapshot, with its receive time (performance.now() in ns). A book with a
   * non-null `problem` (empty side, crossed, unsorted) must not be quoted on: pull that coin's
   * quotes until a book arrives with `problem === null`. `frameText` is the frame as received,
   * for full-depth harvesting (MM_HARVEST_DEPTH).
   */
  onBook: (
    book: BookSnapshot,
    receivedAtNs: number,
    problem: BookProblem | null,
    frameText: string,
  ) => void;
  /**
   * Every non-empty trades batch, with its receive time (performance.now() in ns) and the frame
   * as received (for harvesting frames in arrival order).
   */
  onTrades: (trades: Trade[], receivedAtNs: number, frameText: string) => void;
  /** The stall flag was raised (once per stall): cancel all and wait for onReconnected. */
  onStall?: () => void;
  /**
   * The connection was lost (closed, errored, stalled or no pong), once per lost connection and
   * before any reconnect: live trading pulls its quotes here rather than waiting for a stall.
   */
  onDisconnected?: (reason: DisconnectReason) => void;
  /** Data flows again after a lost connection; the stall flag is already cleared. */
  onReconnected?: (report: ReconnectReport) => void;
  /** Subscriptions (`type:coin`) still unconfirmed `ackTimeoutMs` after connecting. */
  onUnconfirmed?: (subscriptions: string[]) => void;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * Reconnect pacing of every Hyperliquid socket (market data, user stream, fill feed): 250 ms
 * doubling to 10 s, a fifth of each delay random, so a restarted fleet does not reconnect in step.
 */
export const RECONNECT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, jitter: 0.2 };
const PING = JSON.stringify({ method: "ping" });
/** How long close() waits for sockets to finish their closing handshake, ms. */
const CLOSE_WAIT_MS = 2_000;

/** Market data for a set of coins over one self-healing WebSocket. */
export class MarketDataFeed {
  readonly #url: string;
  readonly #coins: readonly string[];
  readonly #fastBook: boolean;
  #stallTimeoutMs: number;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #ackTimeoutMs: number;
  readonly #backoff: BackoffOptions;
  readonly #logger: Logger;
  readonly #WebSocket: WebSocketConstructor;
  readonly #random: () => number;
  readonly #handlers: Pick<
    MarketDataFeedOptions,
    "onBook" | "onTrades" | "onStall" | "onDisconnected" | "onReconnected" | "onUnconfirmed"
  >;
  readonly #frameErrors: FrameErrorLog;
  readonly #serverErrors: FrameErrorLog;
  readonly #handlerErrors: FrameErrorLog;

  #socket: WebSocket | null = null;
  #openedAtMs = 0;
  #gotData = false;
  readonly #pending = new Set<string>();
  readonly #closing = new Set<Promise<void>>();
  #started = false;
  #closed = false;
  #stalled = false;
  /** Last book/trades frame, or the last stall verdict: the stall clock starts from the later. */
  #watchFromMs = 0;
  /** Set while the connection is lost (from the loss until data flows again). */
  #lostAtMs: number | null = null;
  #lostReason: DisconnectReason = "closed";
  #attemptsSinceLoss = 0;
  #backoffAttempt = 0;

  #watchdogTimer: Timer | undefined;
  #reconnectTimer: Timer | undefined;
  #pingTimer: Timer | undefined;
  #pongTimer: Timer | undefined;
  #ackTimer: Timer | undefined;

  readonly #stats: Omit<FeedStats, "malformed"> = {
    frames: 0,
    books: 0,
    tradeFrames: 0,
    serverErrors: 0,
    pongs: 0,
    connects: 0,
    reconnects: 0,
    stalls: 0,
  };

  constructor(options: MarketDataFeedOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`market-data WebSocket URL "${options.url}" is not a URL`);
    }
    if (url.protocol !== "ws:" && url.protocol !== "wss:") {
      throw new Error(`market-data WebSocket URL "${options.url}" must start with ws:// or wss://`);
    }
    if (options.coins.length === 0) throw new Error("market-data feed needs at least one coin");
    const seen = new Set<string>();
    for (const coin of options.coins) {
      if (typeof coin !== "string" || coin.trim() === "" || coin !== coin.trim()) {
        throw new Error(`market-data feed: coin name ${JSON.stringify(coin)} is not a coin name`);
      }
      if (seen.has(coin)) throw new Error(`market-data feed: coin "${coin}" is listed twice`);
      seen.add(coin);
    }
    this.#url = options.url;
    this.#coins = [...options.coins];
    this.#fastBook = options.fastBook ?? false;
    this.#stallTimeoutMs = positive("stallTimeoutMs", options.stallTimeoutMs ?? 30_000);
    this.#pingIntervalMs = positive("pingIntervalMs", options.pingIntervalMs ?? 20_000);
    this.#pongTimeoutMs = positive("pongTimeoutMs", options.pongTimeoutMs ?? 10_000);
    this.#ackTimeoutMs = positive("ackTimeoutMs", options.ackTimeoutMs ?? 10_000);
    this.#backoff = checkBackoff("market-data feed", { ...RECONNECT_BACKOFF, ...options.backoff });
    this.#logger = options.logger ?? createLogger();
    this.#WebSocket = options.WebSocket ?? WebSocket;
    this.#random = options.random ?? Math.random;
    this.#handlers = options;
    this.#frameErrors = new FrameErrorLog({ logger: this.#logger, label: "malformed frame" });
    this.#serverErrors = new FrameErrorLog({ logger: this.#logger, label: "server error" });
    this.#handlerErrors = new FrameErrorLog({ logger: this.#logger, label: "handler threw" });
  }

  /** Connects and subscribes; the feed then keeps itself connected until close(). */
  start(): void {
    if (this.#started || this.#closed) {
      throw new Error("market-data feed already started or closed: make a new one");
    }
    this.#started = true;
    this.#watchFromMs = performance.now();
    this.#armWatchdog(this.#stallTimeoutMs);
    this.#connect();
  }

  /** Stops for good: clears every timer and closes the socket (resolves once it has closed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#watchdogTimer);
    clearTimeout(this.#reconnectTimer);
    this.#dropSocket();
    if (this.#closing.size === 0) return;
    let timer: Timer | undefined;
    const waited = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS));
    await Promise.race([Promise.all(this.#closing), waited]);
    clearTimeout(timer);
  }

  /**
   * Changes the stall timeout (the book cadence measured on this feed moves it, risk/stall.ts
   * `stallTimeoutFor`); the running watch keeps its start and ends at the new length.
   */
  setStallTimeoutMs(ms: number): void {
    this.#stallTimeoutMs = positive("stallTimeoutMs", ms);
  }

  /** True from a stall until market data flows again. */
  get isStalled(): boolean {
    return this.#stalled;
  }

  /** True while a socket is open. */
  get isConnected(): boolean {
    return this.#socket !== null && this.#socket.readyState === WebSocket.OPEN;
  }

  /** Subscriptions (`l2Book:BTC`, `trades:BTC`, …) sent on the current socket and not yet acked. */
  get unconfirmedSubscriptions(): string[] {
    return [...this.#pending];
  }

  /** A snapshot of the counters. */
  get stats(): FeedStats {
    return { ...this.#stats, malformed: this.#frameErrors.counts() };
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (this.#closed) return;
    this.#stats.connects++;
    if (this.#lostAtMs !== null) this.#attemptsSinceLoss++;
    let socket: WebSocket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#logger.warn(`market data: cannot open ${this.#url}: ${errorMessage(error)}`);
      this.#scheduleReconnect("error");
      return;
    }
    this.#socket = socket;
    this.#gotData = false;
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
    this.#openedAtMs = performance.now();
    this.#pending.clear();
    for (const coin of this.#coins) {
      const book = this.#fastBook ? { type: "l2Book", coin, fast: true } : { type: "l2Book", coin };
      for (const subscription of [book, { type: "trades", coin }]) {
        this.#pending.add(`${subscription.type}:${coin}`);
        socket.send(JSON.stringify({ method: "subscribe", subscription }));
      }
    }
    this.#ackTimer = setTimeout(() => this.#checkAcks(), this.#ackTimeoutMs);
    this.#pingTimer = setTimeout(() => this.#ping(), this.#pingIntervalMs);
  }

  #onMessage(data: unknown): void {
    const receivedAtNs = performance.now() * 1e6;
    this.#stats.frames++;
    if (typeof data !== "string") {
      this.#frameErrors.record("binary-frame", "a binary message on a JSON text feed");
      return;
    }
    const frame = parseFrame(data);
    switch (frame.type) {
      case "book":
        this.#stats.books++;
        this.#dataFlows();
        if (frame.problem !== null) {
          this.#frameErrors.record(frame.problem, describeBook(frame.book));
        }
        try {
          this.#handlers.onBook(frame.book, receivedAtNs, frame.problem, data);
        } catch (error) {
          this.#handlerErrors.record("onBook", String(error));
        }
        return;
      case "trades":
        this.#stats.tradeFrames++;
        this.#dataFlows();
        if (frame.trades.length === 0) return;
        try {
          this.#handlers.onTrades(frame.trades, receivedAtNs, data);
        } catch (error) {
          this.#handlerErrors.record("onTrades", String(error));
        }
        return;
      case "subscriptionResponse": {
        const { type, coin } = frame.subscription;
        if (frame.method === "subscribe") this.#pending.delete(`${type}:${coin}`);
        return;
      }
      case "pong":
        this.#stats.pongs++;
        clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
        return;
      case "error":
        this.#stats.serverErrors++;
        this.#serverErrors.record("error", frame.message);
        return;
      case "malformed":
        this.#frameErrors.record(frame.kind, frame.detail);
        return;
      default:
        // post answers, other channels and a greeting: nothing for the market-data path.
        return;
    }
  }

  /** A book or trades frame arrived: restart the stall clock and end any outage. */
  #dataFlows(): void {
    const now = performance.now();
    this.#watchFromMs = now;
    this.#gotData = true;
    if (this.#lostAtMs === null) return;
    const report: ReconnectReport = {
      downtimeMs: now - this.#lostAtMs,
      attempt: this.#attemptsSinceLoss,
      reason: this.#lostReason,
    };
    this.#lostAtMs = null;
    this.#attemptsSinceLoss = 0;
    this.#stats.reconnects++;
    const wasStalled = this.#stalled;
    this.#stalled = false;
    this.#logger.info(
      `market data flowing again after ${report.downtimeMs.toFixed(0)} ms (${report.reason}, ` +
        `attempt ${report.attempt})${wasStalled ? "; stall flag cleared" : ""}`,
    );
    try {
      this.#handlers.onReconnected?.(report);
    } catch (error) {
      this.#handlerErrors.record("onReconnected", String(error));
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

  #checkAcks(): void {
    this.#ackTimer = undefined;
    if (this.#pending.size === 0) return;
    const unconfirmed = [...this.#pending];
    this.#logger.warn(
      `market data: no subscriptionResponse within ${this.#ackTimeoutMs} ms for ${
        unconfirmed.join(", ")
      }`,
    );
    try {
      this.#handlers.onUnconfirmed?.(unconfirmed);
    } catch (error) {
      this.#handlerErrors.record("onUnconfirmed", String(error));
    }
  }

  /** The stall clock: re-armed lazily, so a busy feed costs no timer work per frame. */
  #armWatchdog(delayMs: number): void {
    this.#watchdogTimer = setTimeout(() => this.#watchdog(), delayMs);
  }

  #watchdog(): void {
    const now = performance.now();
    const quietMs = now - this.#watchFromMs;
    if (quietMs < this.#stallTimeoutMs) {
      this.#armWatchdog(this.#stallTimeoutMs - quietMs);
      return;
    }
    // Each stall verdict gives the next connection a full stall period to deliver data.
    this.#watchFromMs = now;
    this.#armWatchdog(this.#stallTimeoutMs);
    if (!this.#stalled) {
      this.#stalled = true;
      this.#stats.stalls++;
      this.#logger.warn(`market data stalled: no book or trades for ${quietMs.toFixed(0)} ms`);
      try {
        this.#handlers.onStall?.();
      } catch (error) {
        this.#handlerErrors.record("onStall", String(error));
      }
    }
    if (this.#socket !== null) this.#lose("stall", `silent for ${quietMs.toFixed(0)} ms`);
  }

  #lose(reason: DisconnectReason, detail: string): void {
    const socket = this.#socket;
    const hadData = this.#gotData;
    const upMs = performance.now() - this.#openedAtMs;
    this.#dropSocket();
    // A connection that carried data for a full backoff period resets the backoff; a server
    // that accepts and then drops every connection keeps backing off.
    if (socket !== null && hadData && upMs >= this.#backoff.maxMs) this.#backoffAttempt = 0;
    this.#logger.warn(`market data: connection lost (${reason}): ${detail}`);
    this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(reason: DisconnectReason): void {
    if (this.#closed) return;
    if (this.#lostAtMs === null) {
      this.#lostAtMs = performance.now();
      this.#lostReason = reason;
      try {
        this.#handlers.onDisconnected?.(reason);
      } catch (error) {
        this.#handlerErrors.record("onDisconnected", String(error));
      }
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
    throw new Error(`market-data feed: ${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

function describeBook(book: BookSnapshot): string {
  const bid = book.bids[0]?.px ?? "none";
  const ask = book.asks[0]?.px ?? "none";
  return `${book.coin}: best bid ${bid}, best ask ${ask}, ${book.bids.length}/${book.asks.length} levels`;
}

/**
 * The account's fills, each delivered exactly once, pushed by the exchange instead of polled.
 *
 * Fills come over one {@link UserStream} (engine/hyperliquid/README.md § User streams): `userFills`
 * and `userEvents` both carry every fill, and each (re)subscribe starts with a `userFills` snapshot
 * of recent fills, which is how fills made while the socket was down reach us
 * (engine/hyperliquid/README.md § WebSocket, § Reconnecting). All of them, and the REST answers
 * below, are deduplicated by `tid` ("unique trade id", § User streams).
 *
 * REST `userFillsByTime` (weight 20 + 1 per 20 fills, engine/hyperliquid/README.md § Rate limits)
 * is asked only at start-up (from `fillsSinceMs`), after each reconnect (from the last moment every
 * fill was known to have arrived) and when the caller asks ({@link LiveFillFeed.catchUp}). That
 * closes the one gap the snapshot leaves: more fills during an outage than the snapshot holds.
 *
 * Health: the feed is healthy while the socket is up and the REST catch-up that followed its
 * (re)connect has succeeded. It turns unhealthy at once when the socket drops or goes silent
 * (the heartbeat's pong timeout), so the live venue can pull its quotes.
 */
import { FILLS_PER_ANSWER } from "../hyperliquid/exchange_facts.ts";
import type { InfoClient } from "../hyperliquid/info.ts";
import type { UserFill } from "../hyperliquid/info_answers.ts";
import { UserStream, type UserStreamDownReason } from "../hyperliquid/user_stream.ts";
import {
  type Liquidation,
  type NonUserCancel,
  type OrderUpdate,
} from "../hyperliquid/user_events.ts";
import { RECONNECT_BACKOFF, type WebSocketConstructor } from "../hyperliquid/ws.ts";
import { backoffDelayMs, type BackoffOptions } from "../util/backoff.ts";
import type { Logger } from "../log.ts";
import { errorMessage } from "../util/errors.ts";

/** Options of {@link LiveFillFeed}. */
export interface LiveFillFeedOptions {
  /** The account (master or sub-account address). */
  user: string;
  /** e.g. `wss://api.hyperliquid.xyz/ws`, or the venue simulator. */
  wsUrl: string;
  /** For `userFillsByTime`; its weight budget charges every request. */
  info: InfoClient;
  /** Where outages, catch-ups and their failures are reported (prefix `[FILLS]`). */
  log: Logger;
  /** Fills before this exchange time (ms since the epoch) are not this run's and are ignored. */
  fillsSinceMs: number;
  /** Wall clock, ms (default Date.now); only times outages for the log. */
  now?: () => number;
  /** WebSocket constructor (default the global one); tests inject a scripted one. */
  WebSocket?: WebSocketConstructor;
  /** Heartbeat period, ms (default 5,000). */
  pingIntervalMs?: number;
  /** A ping unanswered this long counts as a dead socket, ms (default 5,000). */
  pongTimeoutMs?: number;
  /** Subscriptions not all acked this long after connecting count as a failed connect, ms (default 10,000). */
  ackTimeoutMs?: number;
  /** Reconnect and REST retry delays (default 250 ms doubling to 10,000 ms, jitter 0.2). */
  backoff?: Partial<BackoffOptions>;
  /** New fills, each exactly once, oldest first within a call. */
  onFills: (fills: UserFill[]) => void;
  /** Order status changes as the stream reports them (no snapshot after a reconnect). */
  onOrderUpdates: (updates: OrderUpdate[]) => void;
  /** Orders the exchange cancelled on its own. */
  onNonUserCancel: (cancels: NonUserCancel[]) => void;
  /** Every change of health (the feed starts unhealthy), with the reason in words. */
  onHealth: (healthy: boolean, reason: string) => void;
}

/** Counters of a {@link LiveFillFeed}. */
export interface LiveFillFeedStats {
  /** Fills first delivered from the stream (`userFills`, its snapshots, `userEvents`). */
  streamFills: number;
  /** Fills first delivered from a REST catch-up. */
  restFills: number;
  /** Fills received again and dropped (every streamed fill comes twice: userFills and userEvents). */
  duplicates: number;
  /** Times the stream was up again after a lost connection. */
  reconnects: number;
}

/**
 * How far below the "complete through" mark fill ids are kept, ms of exchange time. Every fill
 * older than that mark has been delivered, so an older fill arriving again is dropped by its time
 * alone and its id need not be kept. Fills come again (1) as userEvents' copy of a userFills
 * frame, milliseconds later, (2) in a REST page, which starts at the mark, and (3) in the snapshot
 * after a resubscribe, which can reach hours back: (3) is why old fills must be dropped by time
 * rather than looked up. The margin only has to cover fills delivered out of time order (a
 * block's fills split across frames, a REST page racing a stream frame: seconds at most), so ten
 * minutes is ample, and the set holds only the fills of the last ten minutes of fill time.
 */
const DEDUP_MARGIN_MS = 10 * 60_000;
/** Prune the id set when its horizon has moved this far since the last prune, ms. */
const PRUNE_STEP_MS = 60_000;

/** Thrown to callers waiting on a catch-up when the feed is closed. */
class FeedClosedError extends Error {
  constructor() {
    super("live fill feed closed");
    this.name = "FeedClosedError";
  }
}

/** The account's fills (exactly once) and order states, from the user stream plus rare REST. */
export class LiveFillFeed {
  readonly #user: string;
  readonly #info: InfoClient;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #backoff: BackoffOptions;
  readonly #fillsSinceMs: number;
  readonly #handlers: Pick<LiveFillFeedOptions, "onFills" | "onHealth">;
  readonly #stream: UserStream;
  /** Delivered fill ids with their times, at or above the horizon (see DEDUP_MARGIN_MS). */
  readonly #seen = new Map<number, number>();
  readonly #sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  readonly #stats: LiveFillFeedStats = {
    streamFills: 0,
    restFills: 0,
    duplicates: 0,
    reconnects: 0,
  };

  /** Every fill before this exchange time has been delivered (or precedes fillsSinceMs). */
  #completeMs: number;
  /** The horizon at the last prune. */
  #prunedAtMs: number;
  /** Newest fill time delivered, ms. */
  #newestMs: number;
  /** Counts the stream's ups: a catch-up makes the feed healthy only within the same one. */
  #upEpoch = 0;
  #everUp = false;
  #healthy = false;
  #downSinceMs: number | null = null;
  #started = false;
  #closed = false;
  /** Resolves the wait for the stream's first verdict (up or down) at start-up. */
  #firstVerdict: (() => void) | null = null;
  #reconnectCatchUpQueued = false;
  /** The last catch-up queued: catch-ups run one at a time. */
  #tail: Promise<void> = Promise.resolve();

  /** Checks the options and builds the stream; nothing connects before {@link start}. */
  constructor(options: LiveFillFeedOptions) {
    if (!Number.isSafeInteger(options.fillsSinceMs) || options.fillsSinceMs < 0) {
      throw new Error(
        `live fill feed: fillsSinceMs must be a non-negative integer ms, got ${options.fillsSinceMs}`,
      );
    }
    this.#user = options.user;
    this.#info = options.info;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#backoff = { ...RECONNECT_BACKOFF, ...options.backoff };
    this.#fillsSinceMs = options.fillsSinceMs;
    this.#completeMs = this.#prunedAtMs = this.#newestMs = options.fillsSinceMs;
    this.#handlers = options;
    this.#stream = new UserStream({
      url: options.wsUrl,
      user: options.user,
      pingIntervalMs: options.pingIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs,
      ackTimeoutMs: options.ackTimeoutMs,
      backoff: options.backoff,
      logger: options.log,
      WebSocket: options.WebSocket,
      onFills: (fills) => this.#ingest(fills, "stream"),
      onOrderUpdates: options.onOrderUpdates,
      onNonUserCancel: options.onNonUserCancel,
      onLiquidation: (l) => this.#onLiquidation(l),
      onDown: (reason, detail) => this.#onDown(reason, detail),
      onUp: () => this.#onUp(),
    });
  }

  /**
   * Opens the stream, waits for its first verdict (up, or a failed connect), then reads every
   * fill since `fillsSinceMs` over REST; resolves once that catch-up has delivered them, so
   * nothing between `fillsSinceMs` and the stream's first snapshot is missed. A failing REST
   * call is retried with backoff; rejects only if the feed is closed first.
   */
  async start(): Promise<void> {
    if (this.#started || this.#closed) {
      throw new Error("live fill feed already started or closed: make a new one");
    }
    this.#started = true;
    // Waiting for the verdict lets one REST call serve both start-up and the first connect.
    const verdict = new Promise<void>((resolve) => this.#firstVerdict = resolve);
    this.#stream.start();
    await verdict;
    await this.#queue("start-up");
  }

  /**
   * Reads fills over REST from the last moment every fill was known to have arrived, delivers
   * the new ones through `onFills`, then resolves. Calls run one at a time; a failing REST call
   * is retried with backoff. Rejects only if the feed is closed first.
   */
  catchUp(): Promise<void> {
    if (!this.#started) {
      return Promise.reject(new Error("live fill feed: catchUp() before start()"));
    }
    return this.#queue("on demand");
  }

  /** Stops the stream, any retry wait and any catch-up; resolves when nothing is left running. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#firstVerdict?.();
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.#sleepers.clear();
    await this.#stream.close();
    await this.#tail;
  }

  /** True while the socket is up and the catch-up after its (re)connect has succeeded. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** A snapshot of the counters. */
  get stats(): LiveFillFeedStats {
    return { ...this.#stats };
  }

  #onDown(reason: UserStreamDownReason, detail: string): void {
    this.#downSinceMs ??= this.#now();
    if (this.#firstVerdict !== null) {
      this.#firstVerdict();
      this.#firstVerdict = null;
    }
    if (this.#healthy) this.#setHealth(false, `user stream down (${reason}): ${detail}`);
  }

  #onUp(): void {
    this.#upEpoch++;
    if (this.#everUp) this.#stats.reconnects++;
    this.#everUp = true;
    if (this.#firstVerdict !== null) {
      // The start-up catch-up follows at once and counts for this connection.
      this.#firstVerdict();
      this.#firstVerdict = null;
      return;
    }
    // One queued catch-up serves any number of ups: it captures the epoch when it starts.
    if (this.#reconnectCatchUpQueued) return;
    this.#reconnectCatchUpQueued = true;
    this.#queue("reconnect").catch(() => {});
  }

  #onLiquidation(l: Liquidation): void {
    this.#log.error(
      `[FILLS] liquidation event ${l.lid}: user ${l.liquidatedUser}, position $${l.liquidatedNtlPos}, ` +
        `account value $${l.liquidatedAccountValue}, liquidator ${l.liquidator}`,
    );
  }

  #setHealth(healthy: boolean, reason: string): void {
    this.#healthy = healthy;
    if (healthy) this.#log.info(`[FILLS] healthy: ${reason}`);
    else this.#log.warn(`[FILLS] unhealthy: ${reason}`);
    try {
      this.#handlers.onHealth(healthy, reason);
    } catch (error) {
      this.#log.error(`[FILLS] onHealth threw: ${error}`);
    }
  }

  #queue(why: "start-up" | "reconnect" | "on demand"): Promise<void> {
    const run = this.#tail.then(() => {
      if (why === "reconnect") this.#reconnectCatchUpQueued = false;
      return this.#catchUp(why);
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** One catch-up, retried with backoff until it succeeds or the feed is closed. */
  async #catchUp(why: string): Promise<void> {
    for (let attempt = 1;; attempt++) {
      if (this.#closed) throw new FeedClosedError();
      // Only a catch-up that began on an acked socket, still the same one when it ends, proves
      // that REST (up to its answer) and the stream (from its subscribe) left no gap.
      const epoch = this.#stream.isUp ? this.#upEpoch : -1;
      const fromMs = this.#completeMs;
      let found: number;
      try {
        found = await this.#fetchSince(fromMs);
      } catch (error) {
        if (this.#closed) throw new FeedClosedError();
        const delayMs = Math.round(backoffDelayMs(attempt, this.#backoff, Math.random()));
        this.#log.warn(
          `[FILLS] ${why} catch-up failed (attempt ${attempt}): ${errorMessage(error)}; ` +
            `retrying in ${delayMs} ms`,
        );
        await this.#sleep(delayMs);
        continue;
      }
      if (this.#closed) throw new FeedClosedError();
      if (epoch !== this.#upEpoch || !this.#stream.isUp) return;
      this.#markComplete(this.#newestMs);
      if (!this.#healthy) {
        const outage = this.#downSinceMs === null
          ? ""
          : `after ${((this.#now() - this.#downSinceMs) / 1000).toFixed(1)} s down; `;
        this.#downSinceMs = null;
        this.#setHealth(
          true,
          `user stream up, ${outage}${why} catch-up from ${fromMs} found ${found} new fills`,
        );
      }
      return;
    }
  }

  /**
   * Delivers every fill at or after `fromMs` (inclusive), paging forward by time as the docs say
   * ("paginate with the last timestamp as the next startTime",
   * engine/hyperliquid/README.md § Info requests); returns how many were new.
   */
  async #fetchSince(fromMs: number): Promise<number> {
    let found = 0;
    let startMs = Math.floor(fromMs);
    for (;;) {
      const page = await this.#info.userFillsByTime(this.#user, startMs);
      if (this.#closed) return found;
      found += this.#ingest(page, "rest");
      if (page.length < FILLS_PER_ANSWER) return found;
      let lastMs = startMs;
      for (const f of page) lastMs = Math.max(lastMs, f.timeMs);
      if (Math.floor(lastMs) === startMs) {
        this.#log.warn(`[FILLS] ${page.length} fills in one millisecond: some may be missed`);
        return found;
      }
      startMs = Math.floor(lastMs);
    }
  }

  /** Delivers the fills not seen before (oldest first); returns how many there were. */
  #ingest(fills: UserFill[], source: "stream" | "rest"): number {
    if (this.#closed) return 0;
    const horizonMs = this.#horizonMs();
    const fresh: UserFill[] = [];
    for (const f of fills) {
      if (f.timeMs < this.#fillsSinceMs) continue;
      if (f.timeMs < horizonMs || this.#seen.has(f.tid)) {
        this.#stats.duplicates++;
        continue;
      }
      this.#seen.set(f.tid, f.timeMs);
      if (f.timeMs > this.#newestMs) this.#newestMs = f.timeMs;
      fresh.push(f);
    }
    // While healthy the stream is known to have missed nothing, so what it brings is complete.
    if (this.#healthy) this.#markComplete(this.#newestMs);
    if (fresh.length === 0) return 0;
    if (source === "stream") this.#stats.streamFills += fresh.length;
    else this.#stats.restFills += fresh.length;
    fresh.sort((a, b) => a.timeMs - b.timeMs || a.tid - b.tid);
    try {
      this.#handlers.onFills(fresh);
    } catch (error) {
      this.#log.error(`[FILLS] onFills threw: ${error}`);
    }
    return fresh.length;
  }

  #horizonMs(): number {
    return Math.max(this.#fillsSinceMs, this.#completeMs - DEDUP_MARGIN_MS);
  }

  /** Every fill before `ms` has been delivered: move the mark and prune ids below the horizon. */
  #markComplete(ms: number): void {
    if (ms <= this.#completeMs) return;
    this.#completeMs = ms;
    const horizonMs = this.#horizonMs();
    if (horizonMs - this.#prunedAtMs < PRUNE_STEP_MS) return;
    this.#prunedAtMs = horizonMs;
    for (const [tid, timeMs] of this.#seen) {
      if (timeMs < horizonMs) this.#seen.delete(tid);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }
}

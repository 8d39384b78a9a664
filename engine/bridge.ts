/**
 * The Redis bridge between the engine and the screener (README, "Redis bridge"): per-coin
 * configs come in on `mm:asset_config`; shadow fills and a heartbeat go out on
 * `mm:shadow_fills` and `mm:engine_status`.
 *
 * Redis is optional. Every call the quoting loop makes is synchronous and allocation-light:
 * `configFor` reads a map, `publishFill`/`publishStatus` push a string onto a bounded ring that
 * a background task drains, dropping (and counting) the oldest messages while Redis is slow or
 * down. Commands fail fast (no offline queue) and reconnection backs off quietly. The channels
 * and messages are bridge_messages.ts.
 *
 * Longer than 400 lines because {@link RedisBridge} owns two clients whose connect, outage and
 * close events drive both the config store and the outgoing ring through shared private state.
 */
import { Redis } from "ioredis";
import {
  type AssetDefaults,
  checkAssetConfig,
  DEFAULT_ASSET,
  defaultAssetConfig,
  type MmAssetConfig,
  sameAssetConfig,
} from "./asset_config.ts";
import {
  ASSET_CONFIG_CHANNEL,
  ASSET_CONFIG_KEY,
  CONFIG_TTL_MS,
  DEFAULT_REDIS_URL,
  ENGINE_STATUS_CHANNEL,
  type EngineStatusMessage,
  REDIS_UNAVAILABLE_LINE,
  SHADOW_FILLS_CHANNEL,
  shadowFillMessage,
} from "./bridge_messages.ts";
import { createLogger, type Logger } from "./log.ts";
import type { Fill } from "./venue/venue.ts";
import { backoffDelayMs, type BackoffOptions } from "./util/backoff.ts";
import { isRecord } from "./util/guards.ts";
import { errorMessage } from "./util/errors.ts";
/** Why a coin's config changed: a screener update, or a return to defaults on expiry. */
export type ConfigSource = "screener" | "default";

/** Called when a coin's config in force changes. */
export type ConfigListener = (coin: string, config: MmAssetConfig, source: ConfigSource) => void;

/** Options of {@link RedisBridge}. */
export interface BridgeOptions {
  /** `REDIS_URL` (default {@link DEFAULT_REDIS_URL}). */
  url?: string;
  /** Whether a coin is in the exchange universe; configs for other coins are rejected. */
  isKnownCoin: (coin: string) => boolean;
  /** Defaults for coins without a fresh config (engine/config.ts `asset`). */
  defaults?: AssetDefaults;
  logger?: Logger;
  /** Wall clock in ms (tests inject one to expire configs). */
  now?: () => number;
  /** Bound of the outgoing queue in messages (default 10,000). */
  maxQueued?: number;
  /** Config lifetime, ms (default {@link CONFIG_TTL_MS}). */
  configTtlMs?: number;
  /** Heartbeat source; when given, `start` publishes it every `statusIntervalMs`. */
  status?: () => EngineStatusMessage;
  /** Heartbeat period, ms (README, "Redis bridge": 5 s). */
  statusIntervalMs?: number;
  /** Longest pause between reconnection attempts, ms (default 2,000). */
  retryMaxDelayMs?: number;
}

/** Counters of the bridge, for the session report and tests. */
export interface BridgeStats {
  /** Messages Redis accepted. */
  published: number;
  /** Messages dropped: queue full while Redis was slow or down, or lost with a broken connection. */
  dropped: number;
  /** Messages waiting to be sent. */
  queued: number;
  /** Config entries applied. */
  acceptedConfigs: number;
  /** Config entries (or whole messages) rejected. */
  rejectedConfigs: number;
  /** Configs that expired back to defaults. */
  expiredConfigs: number;
  /** Whether the publishing connection is up. */
  connected: boolean;
}

interface HeldConfig {
  config: MmAssetConfig;
  /** When the screener produced it (envelope `ts_ms`) or, for a bare array, when it arrived. */
  atMs: number;
}

// Messages sent per pipeline round trip: big enough to drain a backlog quickly, small enough
// that one round trip stays short.
const FLUSH_BATCH = 256;
// How often expired configs are swept (so expiry is logged even for coins nobody asks about).
const SWEEP_INTERVAL_MS = 1_000;
// Redis reconnects: 100 ms doubling for five retries to 3.2 s at most (and never above
// `retryMaxDelayMs`); no jitter: one engine, one Redis, nobody to fall out of step with.
const REDIS_RETRY: BackoffOptions = { initialMs: 100, maxMs: 3_200, jitter: 0 };

/** The engine's side of Redis: config intake, fill and heartbeat publishing. */
export class RedisBridge {
  readonly #url: string;
  readonly #isKnownCoin: (coin: string) => boolean;
  readonly #defaults: AssetDefaults;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #options: BridgeOptions;
  readonly #held = new Map<string, HeldConfig>();
  readonly #defaultConfigs = new Map<string, MmAssetConfig>();
  readonly #listeners = new Set<ConfigListener>();
  // Outgoing ring buffer: parallel arrays, oldest at #head.
  readonly #ringChannel: string[];
  readonly #ringPayload: string[];
  #head = 0;
  #count = 0;
  #published = 0;
  #dropped = 0;
  #accepted = 0;
  #rejected = 0;
  #expired = 0;
  #pub: Redis | null = null;
  #sub: Redis | null = null;
  #connected = false;
  #everConnected = false;
  #unavailableLogged = false;
  #outageLogged = false;
  #flushing: Promise<void> | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #sweepTimer: ReturnType<typeof setTimeout> | null = null;
  #statusTimer: ReturnType<typeof setTimeout> | null = null;

  /** Creates a bridge; nothing connects until {@link start}. */
  constructor(options: BridgeOptions) {
    this.#options = options;
    this.#url = options.url ?? DEFAULT_REDIS_URL;
    this.#isKnownCoin = options.isKnownCoin;
    this.#defaults = options.defaults ?? DEFAULT_ASSET;
    this.#log = options.logger ?? createLogger();
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.configTtlMs ?? CONFIG_TTL_MS;
    const size = options.maxQueued ?? 10_000;
    if (!Number.isInteger(size) || size < 1) {
      throw new Error(`maxQueued=${size} is invalid: expected a positive integer`);
    }
    this.#ringChannel = new Array(size);
    this.#ringPayload = new Array(size);
  }

  /** Connects (in the background: returns at once) and starts the sweep and heartbeat timers. */
  start(): void {
    if (this.#pub) return;
    const maxDelay = this.#options.retryMaxDelayMs ?? 2_000;
    const common = {
      lazyConnect: true,
      // Fail fast: a command issued while disconnected errors at once instead of queueing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResubscribe: false,
      retryStrategy: (times: number) =>
        backoffDelayMs(times, { ...REDIS_RETRY, maxMs: Math.min(REDIS_RETRY.maxMs, maxDelay) }, 0),
    };
    const pub = new Redis(this.#url, { ...common, connectionName: "mm-engine-pub" });
    const sub = new Redis(this.#url, { ...common, connectionName: "mm-engine-sub" });
    this.#pub = pub;
    this.#sub = sub;

    pub.on("ready", () => this.#onReady(pub));
    pub.on("error", () => this.#onUnavailable());
    pub.on("close", () => this.#onClose());
    sub.on("ready", () => {
      sub.subscribe(ASSET_CONFIG_CHANNEL).catch(() => {});
    });
    // Errors are reported once through the publishing connection; these would repeat them.
    sub.on("error", () => {});
    sub.on("message", (_channel: string, text: string) => this.#onConfigText(text, "channel"));
    pub.connect().catch(() => {});
    sub.connect().catch(() => {});

    this.#sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    const status = this.#options.status;
    if (status) {
      this.#statusTimer = setInterval(() => {
        try {
          this.publishStatus(status());
        } catch (error) {
          this.#log.warn(`[BRIDGE] Heartbeat not built: ${errorMessage(error)}`);
        }
      }, this.#options.statusIntervalMs ?? 5_000);
    }
  }

  /** The config in force for `coin`: the screener's if fresh and valid, else the defaults. */
  configFor(coin: string): MmAssetConfig {
    const held = this.#held.get(coin);
    if (held) {
      if (this.#now() - held.atMs <= this.#ttlMs) return held.config;
      this.#expire(coin, held);
    }
    return this.#defaultFor(coin);
  }

  /** Registers a listener for config changes; returns a function that removes it. */
  onConfigChange(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues a shadow fill for `mm:shadow_fills`; never blocks. */
  publishFill(fill: Fill): void {
    this.#enqueue(SHADOW_FILLS_CHANNEL, JSON.stringify(shadowFillMessage(fill)));
  }

  /** Queues a heartbeat for `mm:engine_status`; never blocks. */
  publishStatus(status: EngineStatusMessage): void {
    this.#enqueue(ENGINE_STATUS_CHANNEL, JSON.stringify(status));
  }

  /** Expires every config older than the lifetime (also runs every second after `start`). */
  sweep(): void {
    const now = this.#now();
    for (const [coin, held] of this.#held) {
      if (now - held.atMs > this.#ttlMs) this.#expire(coin, held);
    }
  }

  /** Current counters. */
  get stats(): BridgeStats {
    return {
      published: this.#published,
      dropped: this.#dropped,
      queued: this.#count,
      acceptedConfigs: this.#accepted,
      rejectedConfigs: this.#rejected,
      expiredConfigs: this.#expired,
      connected: this.#connected,
    };
  }

  /** Sends what is queued (if connected), then closes both connections and every timer. */
  async close(): Promise<void> {
    for (const timer of [this.#flushTimer, this.#sweepTimer, this.#statusTimer]) {
      if (timer !== null) clearTimeout(timer);
    }
    this.#flushTimer = this.#sweepTimer = this.#statusTimer = null;
    const pub = this.#pub;
    const sub = this.#sub;
    if (!pub || !sub) return;
    while (this.#connected && this.#count > 0) await this.#flush();
    await this.#flushing;
    this.#pub = this.#sub = null;
    await Promise.all([closeClient(pub), closeClient(sub)]);
    this.#connected = false;
  }

  #defaultFor(coin: string): MmAssetConfig {
    let config = this.#defaultConfigs.get(coin);
    if (!config) {
      config = defaultAssetConfig(coin, this.#defaults);
      this.#defaultConfigs.set(coin, config);
    }
    return config;
  }

  #expire(coin: string, held: HeldConfig): void {
    this.#held.delete(coin);
    this.#expired++;
    const ageS = Math.round((this.#now() - held.atMs) / 1000);
    this.#log.info(
      `[SCREENER] ${coin} config expired (last update ${ageS} s ago, limit ${
        this.#ttlMs / 1000
      } s): back to defaults`,
    );
    this.#notify(coin, this.#defaultFor(coin), "default");
  }

  #notify(coin: string, config: MmAssetConfig, source: ConfigSource): void {
    for (const listener of this.#listeners) {
      try {
        listener(coin, config, source);
      } catch (error) {
        this.#log.error(`[BRIDGE] Config listener failed for ${coin}: ${errorMessage(error)}`);
      }
    }
  }

  #onReady(pub: Redis): void {
    this.#connected = true;
    this.#outageLogged = false;
    this.#log.info(`[SCREENER] Redis connected at ${redactUrl(this.#url)}`);
    this.#everConnected = true;
    // A restarting engine picks up the screener's latest configs without waiting 30 s.
    pub.get(ASSET_CONFIG_KEY).then(
      (text) => {
        if (text !== null) this.#onConfigText(text, "key");
      },
      () => {},
    );
    this.#scheduleFlush();
  }

  #onUnavailable(): void {
    if (this.#everConnected || this.#unavailableLogged) return;
    this.#unavailableLogged = true;
    this.#log.warn(REDIS_UNAVAILABLE_LINE);
  }

  #onClose(): void {
    if (this.#connected && !this.#outageLogged && this.#pub) {
      this.#outageLogged = true;
      this.#log.warn(
        `[SCREENER] Redis connection lost; retrying quietly. Outgoing messages are dropped when ` +
          `the queue is full; configs in force expire ${this.#ttlMs / 1000} s after their update.`,
      );
    }
    this.#connected = false;
  }

  #onConfigText(text: string, from: "channel" | "key"): void {
    const receivedMs = this.#now();
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.#rejectMessage(from, "not valid JSON");
      return;
    }
    let entries: unknown[];
    let atMs = receivedMs;
    if (Array.isArray(payload)) {
      entries = payload;
    } else if (isRecord(payload) && Array.isArray(payload.configs)) {
      const envelope = payload as { ts_ms?: unknown; configs: unknown[] };
      if (typeof envelope.ts_ms !== "number" || !Number.isFinite(envelope.ts_ms)) {
        this.#rejectMessage(from, "ts_ms is missing or not a number");
        return;
      }
      entries = envelope.configs;
      atMs = Math.min(envelope.ts_ms, receivedMs);
    } else {
      this.#rejectMessage(from, 'not an array of configs nor {"ts_ms", "configs"}');
      return;
    }
    if (receivedMs - atMs > this.#ttlMs) {
      this.#log.info(
        `[SCREENER] Ignored ${from} ${ASSET_CONFIG_CHANNEL}: written ${
          Math.round((receivedMs - atMs) / 1000)
        } s ago, older than ${this.#ttlMs / 1000} s`,
      );
      return;
    }
    entries.forEach((entry, index) => this.#applyEntry(entry, index, atMs));
  }

  #applyEntry(entry: unknown, index: number, atMs: number): void {
    const check = checkAssetConfig(entry, this.#isKnownCoin, this.#defaults);
    if (!check.ok) {
      this.#rejected++;
      const who = check.coin === null ? `entry #${index}` : check.coin;
      const kept = check.coin !== null && this.#held.has(check.coin)
        ? "the last good config stays"
        : "defaults stay";
      this.#log.warn(
        `[SCREENER] Rejected config for ${who}: field ${check.field}: ${check.reason}; ${kept}`,
      );
      return;
    }
    const config = check.config;
    const previous = this.#held.get(config.coin);
    // An older snapshot (the key read at reconnect) never overrides a newer channel message.
    if (previous && previous.atMs > atMs) return;
    this.#accepted++;
    this.#held.set(config.coin, { config, atMs });
    if (previous && sameAssetConfig(previous.config, config)) return;
    this.#log.info(
      `[SCREENER] ${config.coin}: base_spread_bps=${config.base_spread_bps} max_inv_usd=${config.max_inv_usd} ` +
        `min_order_usd=${config.min_order_usd} atr_fraction=${config.atr_fraction} regime=${config.regime}`,
    );
    this.#notify(config.coin, config, "screener");
  }

  #rejectMessage(from: "channel" | "key", why: string): void {
    this.#rejected++;
    this.#log.warn(`[SCREENER] Rejected ${from} ${ASSET_CONFIG_CHANNEL} message: ${why}`);
  }

  #enqueue(channel: string, payload: string): void {
    const size = this.#ringChannel.length;
    if (this.#count === size) {
      // Full: the oldest message goes, so what Redis sees when it returns is the newest.
      this.#head = (this.#head + 1) % size;
      this.#count--;
      this.#dropped++;
    }
    const tail = (this.#head + this.#count) % size;
    this.#ringChannel[tail] = channel;
    this.#ringPayload[tail] = payload;
    this.#count++;
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== null || !this.#connected || this.#count === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      this.#flush();
    }, 0);
  }

  /** Sends one batch; resolves when Redis has answered (or the connection failed). */
  #flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    const pub = this.#pub;
    if (!pub || !this.#connected || this.#count === 0) return Promise.resolve();
    const size = this.#ringChannel.length;
    const pipeline = pub.pipeline();
    const n = Math.min(this.#count, FLUSH_BATCH);
    for (let i = 0; i < n; i++) {
      const at = (this.#head + i) % size;
      pipeline.publish(this.#ringChannel[at], this.#ringPayload[at]);
      this.#ringPayload[at] = "";
    }
    this.#head = (this.#head + n) % size;
    this.#count -= n;
    this.#flushing = pipeline.exec().then(
      (results) => {
        for (const [error] of results ?? []) {
          if (error) this.#dropped++;
          else this.#published++;
        }
      },
      () => {
        this.#dropped += n;
      },
    ).finally(() => {
      this.#flushing = null;
      this.#scheduleFlush();
    });
    return this.#flushing;
  }
}

/** Closes an ioredis client and resolves once its socket is gone. */
function closeClient(client: Redis): Promise<void> {
  if (client.status === "end") return Promise.resolve();
  if (client.status === "reconnecting" || client.status === "wait") {
    // No socket is open: ioredis only cancels its reconnection timer and emits nothing.
    client.disconnect();
    return Promise.resolve();
  }
  const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
  if (client.status === "ready") {
    client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
  return ended;
}

/** The URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

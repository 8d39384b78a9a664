import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RedisBridge } from "../engine/bridge.ts";
import {
  ASSET_CONFIG_CHANNEL,
  ASSET_CONFIG_KEY,
  ENGINE_STATUS_CHANNEL,
  type EngineStatusMessage,
  REDIS_UNAVAILABLE_LINE,
  SHADOW_FILLS_CHANNEL,
} from "../engine/bridge_messages.ts";
import { createLogger } from "../engine/log.ts";
import type { Fill } from "../engine/venue/venue.ts";
import { freePort, redisTest, startRedis, waitFor } from "./helpers/redis.ts";

const UNIVERSE = new Set(["BTC", "ETH", "SOL"]);

function collectingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    timestamps: false,
    sink: (text) => {
      lines.push(...text.split("\n").filter((line) => line.length > 0));
    },
  });
  return { logger, lines };
}

function bridgeFor(url: string, extra: Partial<ConstructorParameters<typeof RedisBridge>[0]> = {}) {
  const { logger, lines } = collectingLogger();
  const bridge = new RedisBridge({
    url,
    isKnownCoin: (coin) => UNIVERSE.has(coin),
    logger,
    ...extra,
  });
  return { bridge, logger, lines };
}

/** A plain client, like a screener or a dashboard would use. */
async function client(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  await redis.connect();
  return redis;
}

async function closeAll(...clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((c) => c.quit()));
}

/** Waits until the bridge listens on the config channel (so a publish cannot be missed). */
async function subscribed(redis: Redis): Promise<void> {
  await waitFor("the bridge to subscribe", async () => {
    const reply = await redis.pubsub("NUMSUB", ASSET_CONFIG_CHANNEL) as [string, number];
    return Number(reply[1]) >= 1;
  });
}

const btc = {
  coin: "BTC",
  base_spread_bps: 3,
  max_inv_usd: 500,
  min_order_usd: 15,
  atr_fraction: 0.003,
  regime: "uncertain",
};

redisTest("bridge: configs published by a screener reach configFor", async () => {
  const server = await startRedis();
  const { bridge } = bridgeFor(server.url);
  const screener = await client(server.url);
  try {
    const changes: string[] = [];
    bridge.onConfigChange((coin, config, source) =>
      changes.push(`${coin}:${config.base_spread_bps}:${source}`)
    );
    assert.equal(bridge.configFor("BTC").base_spread_bps, 1.5, "defaults before any config");
    bridge.start();
    await subscribed(screener);

    await screener.publish(ASSET_CONFIG_CHANNEL, JSON.stringify([btc, { coin: "ETH" }]));
    await waitFor("BTC config", () => bridge.configFor("BTC").base_spread_bps === 3);

    assert.deepEqual(bridge.configFor("BTC"), btc);
    // Omitted fields take the engine's defaults.
    assert.deepEqual(bridge.configFor("ETH"), {
      coin: "ETH",
      base_spread_bps: 1.5,
      max_inv_usd: 200,
      min_order_usd: 12,
      atr_fraction: 0.002,
      regime: "calm",
    });
    assert.deepEqual(changes, ["BTC:3:screener", "ETH:1.5:screener"]);
    assert.equal(bridge.stats.acceptedConfigs, 2);

    // The same config again (the screener's next round) is not a change.
    await screener.publish(ASSET_CONFIG_CHANNEL, JSON.stringify([btc]));
    await waitFor("second round", () => bridge.stats.acceptedConfigs === 3);
    assert.equal(changes.length, 2);
  } finally {
    await bridge.close();
    await closeAll(screener);
    await server.stop();
  }
});

redisTest("bridge: a bad entry is rejected with one line naming coin and field", async () => {
  const server = await startRedis();
  const { bridge, logger, lines } = bridgeFor(server.url);
  const screener = await client(server.url);
  try {
    bridge.start();
    await subscribed(screener);
    await screener.publish(ASSET_CONFIG_CHANNEL, JSON.stringify([btc]));
    await waitFor("good BTC config", () => bridge.configFor("BTC").base_spread_bps === 3);

    await screener.publish(
      ASSET_CONFIG_CHANNEL,
      JSON.stringify([
        { ...btc, base_spread_bps: -2 },
        { coin: "ETH", regime: "wild" },
        { coin: "SOL", min_order_usd: 5 },
        { coin: "NOPE", base_spread_bps: 2 },
        { coin: "ETH", atr_fraction: "0.01" },
        { base_spread_bps: 2 },
        { coin: "SOL", base_spread_bps: 2.5 },
      ]),
    );
    await waitFor("the SOL update", () => bridge.configFor("SOL").base_spread_bps === 2.5);
    await logger.flush();

    const rejected = lines.filter((line) => line.includes("Rejected config"));
    assert.equal(rejected.length, 6, rejected.join("\n"));
    assert.match(rejected[0], /for BTC: field base_spread_bps: base_spread_bps=-2 .*last good/);
    assert.match(rejected[1], /for ETH: field regime: regime="wild" must be one of/);
    assert.match(rejected[2], /for SOL: field min_order_usd: .*\$10/);
    assert.match(rejected[3], /for NOPE: field coin: .*not a coin of the universe/);
    assert.match(rejected[4], /for ETH: field atr_fraction: atr_fraction="0.01"/);
    assert.match(rejected[5], /for entry #5: field coin/);
    assert.deepEqual(bridge.configFor("BTC"), btc, "the last good config stays");
    assert.equal(bridge.configFor("ETH").regime, "calm", "ETH keeps its defaults");
    assert.equal(bridge.stats.rejectedConfigs, 6);

    await screener.publish(ASSET_CONFIG_CHANNEL, "{not json");
    await waitFor("the malformed message", () => bridge.stats.rejectedConfigs === 7);
    assert.deepEqual(bridge.configFor("BTC"), btc);
  } finally {
    await bridge.close();
    await closeAll(screener);
    await server.stop();
  }
});

redisTest("bridge: a config expires back to defaults after 2 minutes", async () => {
  const server = await startRedis();
  let now = 1_000_000;
  const { bridge, logger, lines } = bridgeFor(server.url, { now: () => now });
  const screener = await client(server.url);
  try {
    const changes: string[] = [];
    bridge.onConfigChange((coin, config, source) =>
      changes.push(`${coin}:${config.regime}:${source}`)
    );
    bridge.start();
    await subscribed(screener);
    await screener.publish(ASSET_CONFIG_CHANNEL, JSON.stringify([btc]));
    await waitFor("BTC config", () => bridge.configFor("BTC").regime === "uncertain");

    now += 119_000;
    assert.equal(bridge.configFor("BTC").regime, "uncertain", "still fresh at 119 s");
    now += 2_000;
    assert.equal(bridge.configFor("BTC").regime, "calm", "expired at 121 s");
    assert.equal(bridge.stats.expiredConfigs, 1);
    assert.deepEqual(changes, ["BTC:uncertain:screener", "BTC:calm:default"]);
    await logger.flush();
    assert.equal(
      lines.filter((line) => /BTC config expired .*back to defaults/.test(line)).length,
      1,
    );

    // An envelope whose ts_ms is already older than the lifetime is ignored.
    await screener.publish(
      ASSET_CONFIG_CHANNEL,
      JSON.stringify({ ts_ms: now - 150_000, configs: [btc] }),
    );
    await screener.publish(
      ASSET_CONFIG_CHANNEL,
      JSON.stringify({ ts_ms: now - 100_000, configs: [{ coin: "ETH", regime: "halt" }] }),
    );
    await waitFor("ETH config", () => bridge.configFor("ETH").regime === "halt");
    assert.equal(bridge.configFor("BTC").regime, "calm");
    // ETH's envelope was written 100 s ago, so it has 20 s left.
    now += 21_000;
    bridge.sweep();
    assert.equal(bridge.configFor("ETH").regime, "calm");
  } finally {
    await bridge.close();
    await closeAll(screener);
    await server.stop();
  }
});

redisTest("bridge: a restarting engine picks up the latest configs from the key", async () => {
  const server = await startRedis();
  const screener = await client(server.url);
  const { bridge } = bridgeFor(server.url);
  try {
    await screener.set(
      ASSET_CONFIG_KEY,
      JSON.stringify({ ts_ms: Date.now() - 10_000, configs: [btc] }),
      "PX",
      120_000,
    );
    bridge.start();
    await waitFor("BTC from the key", () => bridge.configFor("BTC").base_spread_bps === 3);
  } finally {
    await bridge.close();
    await closeAll(screener);
    await server.stop();
  }
});

const fill: Fill = {
  coin: "ETH",
  side: "bid",
  level: 1,
  px: 3000.5,
  sz: 0.01,
  timeMs: 1_771_733_346_055,
  feeUsd: 0.0045,
  cause: "trade-through",
  orderId: "s-42",
};

const status: EngineStatusMessage = {
  ts_ms: 1_771_733_350_000,
  mode: "shadow",
  halted: false,
  halt_reason: null,
  session_pnl_usd: 1.25,
  latency_p95_us: 38,
  requests: {
    sent: 120,
    volume_usd: 600,
    per_usdc: 0.2,
    target_per_usdc: 0.5,
    economy_scale: 1,
    address_used: 120,
    address_cap: 10_600,
    address_left: 10_480,
    address_paused: false,
    ip_weight_last_minute: 40,
    ip_weight_peak: 90,
  },
  coins: { ETH: { regime: "calm", multiplier: 1, inventory: 0.01, inventory_usd: 30.005 } },
};

redisTest("bridge: fills and heartbeats arrive on their channels", async () => {
  const server = await startRedis();
  const listener = await client(server.url);
  const received: Array<[string, unknown]> = [];
  listener.on(
    "message",
    (channel: string, text: string) => received.push([channel, JSON.parse(text)]),
  );
  await listener.subscribe(SHADOW_FILLS_CHANNEL, ENGINE_STATUS_CHANNEL);
  const { bridge } = bridgeFor(server.url, { status: () => status, statusIntervalMs: 50 });
  try {
    bridge.start();
    await waitFor("connection", () => bridge.stats.connected);
    bridge.publishFill(fill);
    await waitFor(
      "a fill and a heartbeat",
      () =>
        received.some(([c]) => c === SHADOW_FILLS_CHANNEL) &&
        received.some(([c]) => c === ENGINE_STATUS_CHANNEL),
    );

    assert.deepEqual(received.find(([c]) => c === SHADOW_FILLS_CHANNEL)?.[1], {
      coin: "ETH",
      side: "bid",
      level: 1,
      px: 3000.5,
      sz: 0.01,
      notional_usd: 3000.5 * 0.01,
      fee_usd: 0.0045,
      time_ms: 1_771_733_346_055,
      cause: "trade-through",
      order_id: "s-42",
    });
    assert.deepEqual(received.find(([c]) => c === ENGINE_STATUS_CHANNEL)?.[1], status);
    assert.equal(bridge.stats.dropped, 0);
  } finally {
    await bridge.close();
    await closeAll(listener);
    await server.stop();
  }
});

redisTest(
  "bridge: without Redis it logs once, runs on defaults, and connects when Redis appears",
  async () => {
    const port = freePort();
    const { bridge, logger, lines } = bridgeFor(`redis://127.0.0.1:${port}`, {
      retryMaxDelayMs: 100,
    });
    let server: Awaited<ReturnType<typeof startRedis>> | null = null;
    try {
      bridge.start();
      bridge.publishFill(fill);
      assert.equal(bridge.configFor("BTC").base_spread_bps, 1.5);
      // Let several reconnection attempts fail.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await logger.flush();
      assert.equal(
        lines.filter((line) => line === REDIS_UNAVAILABLE_LINE).length,
        1,
        lines.join("\n"),
      );
      assert.equal(bridge.stats.connected, false);

      server = await startRedis(port);
      const screener = await client(server.url);
      try {
        // A screener round: the key (read if the bridge connects after this) and the channel
        // (heard if it connected before).
        await screener.set(ASSET_CONFIG_KEY, JSON.stringify([btc]), "PX", 120_000);
        await subscribed(screener);
        await screener.publish(ASSET_CONFIG_CHANNEL, JSON.stringify([btc]));
        await waitFor("the screener's config", () => bridge.configFor("BTC").base_spread_bps === 3);
        await waitFor("the queued fill to go out", () => bridge.stats.published === 1);
      } finally {
        await closeAll(screener);
      }
      await logger.flush();
      assert.equal(lines.filter((line) => line.includes("Redis unavailable")).length, 1);
    } finally {
      await bridge.close();
      await server?.stop();
    }
  },
);

redisTest(
  "bridge: Redis killed and restarted mid-run: publishing never blocks, configs flow again",
  async () => {
    const server = await startRedis();
    const { bridge, logger, lines } = bridgeFor(server.url, {
      maxQueued: 100,
      retryMaxDelayMs: 100,
    });
    const screener = await client(server.url);
    try {
      bridge.start();
      await subscribed(screener);
      await screener.quit();
      await server.kill();
      await waitFor("the bridge to notice", () => !bridge.stats.connected);

      // 1,000 publishes while Redis is gone: each returns at once; the queue keeps the newest 100.
      let yielded = false;
      const timer = setTimeout(() => {
        yielded = true;
      }, 0);
      for (let i = 0; i < 1_000; i++) {
        assert.equal(bridge.publishFill({ ...fill, orderId: `s-${i}` }), undefined);
      }
      assert.equal(yielded, false, "the publishing loop never waited for Redis");
      clearTimeout(timer);
      assert.equal(bridge.stats.queued, 100);
      assert.equal(bridge.stats.dropped, 900);

      await server.restart();
      const again = await client(server.url);
      const fills: string[] = [];
      const listener = await client(server.url);
      listener.on("message", (_c: string, text: string) => fills.push(JSON.parse(text).order_id));
      await listener.subscribe(SHADOW_FILLS_CHANNEL);
      try {
        await subscribed(again);
        await again.publish(
          ASSET_CONFIG_CHANNEL,
          JSON.stringify([{ coin: "SOL", base_spread_bps: 4 }]),
        );
        await waitFor("SOL after the restart", () => bridge.configFor("SOL").base_spread_bps === 4);
        bridge.publishFill({ ...fill, orderId: "after-restart" });
        await waitFor("a fill after the restart", () => fills.includes("after-restart"));
        assert.equal(bridge.stats.queued, 0);
      } finally {
        await closeAll(again, listener);
      }
      await logger.flush();
      assert.equal(lines.filter((line) => line.includes("Redis connection lost")).length, 1);
      assert.equal(
        lines.filter((line) => line.includes("Redis connected at")).length,
        2,
        "at start and after the restart",
      );
    } finally {
      await bridge.close();
      await server.stop();
    }
  },
);

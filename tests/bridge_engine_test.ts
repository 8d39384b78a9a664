/**
 * The screener's configs reach the quotes: a real redis-server, the Redis bridge and the engine on
 * the real kernel and shadow venue. A config published on `mm:asset_config` changes that coin's
 * grid at the next tick, a bad one leaves the grid as it was, and Redis dying mid-run neither stalls
 * the loop nor stops the grid from following the market.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RedisBridge } from "../engine/bridge.ts";
import { ASSET_CONFIG_CHANNEL } from "../engine/bridge_messages.ts";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { AssetInfo, BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { redisTest, startRedis, waitFor } from "./helpers/redis.ts";

// Each book is requoted at once, as live: these tests freeze the clock, so the venue does not
// pace its batches (the pace has its own tests in sim_venue_test.ts).
const UNPACED = { minIntervalMs: 0, weightPerMinute: 1e9 };

const kernel = await loadKernel();
const T0 = Date.UTC(2026, 1, 23, 12);
const COINS: AssetInfo[] = [["BTC", 5], ["ETH", 4]].map(([name, szDecimals], assetIndex) => ({
  name: name as string,
  assetIndex,
  szDecimals: szDecimals as number,
  maxLeverage: 20,
  fundingHourly: 0.00001,
  markPx: 0,
  midPx: null,
  dayNtlVlm: 0,
  isDelisted: false,
}));

function book(coin: string, bid: number, ask: number, timeMs: number): BookSnapshot {
  return { coin, timeMs, bids: [{ px: bid, sz: 5, n: 3 }], asks: [{ px: ask, sz: 5, n: 3 }] };
}

/** An engine whose per-coin configs come from the bridge, as main.ts wires it. */
function engineOn(url: string) {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const bridge = new RedisBridge({
    url,
    isKnownCoin: (coin) => COINS.some((c) => c.name === coin),
    logger: log,
  });
  const venue = new SimExchange({ szDecimals: { BTC: 5, ETH: 4 }, budget: UNPACED });
  const config = loadConfig({});
  const engine = new Engine({
    mode: "shadow",
    config,
    assets: COINS,
    kernel,
    venue,
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    log,
    now: () => T0,
    measureLatency: false,
    assetConfig: (coin) => bridge.configFor(coin),
    onFill: (fill) => bridge.publishFill(fill),
  });
  /** Best bid of a coin's grid, or null when it quotes no bid. */
  const topBid = (coin: string): number | null => {
    const bids = venue.openOrders(coin).filter((o) => o.side === "bid").map((o) => o.px);
    return bids.length === 0 ? null : Math.max(...bids);
  };
  /** Best ask of a coin's grid, or null when it quotes no ask. */
  const topAsk = (coin: string): number | null => {
    const asks = venue.openOrders(coin).filter((o) => o.side === "ask").map((o) => o.px);
    return asks.length === 0 ? null : Math.min(...asks);
  };
  const logged = async () => {
    await log.flush();
    return lines.join("");
  };
  return { bridge, engine, venue, topBid, topAsk, logged };
}

/** Distance of a price below the mid, in bps. */
const bpsBelow = (mid: number, px: number) => ((mid - px) / mid) * 1e4;

async function publish(url: string, configs: unknown): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  await redis.connect();
  await redis.publish(ASSET_CONFIG_CHANNEL, JSON.stringify(configs));
  await redis.quit();
}

async function subscribedBridge(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  await redis.connect();
  await waitFor("the bridge to subscribe", async () => {
    const reply = await redis.pubsub("NUMSUB", ASSET_CONFIG_CHANNEL) as [string, number];
    return Number(reply[1]) >= 1;
  });
  await redis.quit();
}

redisTest("a screener config on Redis changes that coin's grid; a bad one is refused", async () => {
  const server = await startRedis();
  const { bridge, engine, topBid, logged } = engineOn(server.url);
  try {
    bridge.start();
    await subscribedBridge(server.url);
    engine.onBook(book("BTC", 68020, 68021, T0));
    engine.onBook(book("ETH", 3000.1, 3000.2, T0));
    engine.tick(T0);
    const mid = 3000.15;
    const before = topBid("ETH")!;
    assert.ok(bpsBelow(mid, before) < 2, "ETH starts at the default 1.5 bps");
    const btcBefore = topBid("BTC");

    await publish(server.url, [{ coin: "ETH", base_spread_bps: 6 }]);
    await waitFor("the ETH config", () => bridge.configFor("ETH").base_spread_bps === 6);
    // A second later: the request governor sends one batch per tick at most.
    engine.tick(T0 + 1_000);
    const wider = topBid("ETH")!;
    assert.ok(bpsBelow(mid, wider) >= 6, `ETH bid ${wider} is 6 bps under the mid`);
    assert.equal(topBid("BTC"), btcBefore, "BTC keeps the defaults");

    await publish(server.url, [{ coin: "ETH", base_spread_bps: -3 }]);
    // The accepted config's line also names base_spread_bps: wait for the rejection's own line.
    await waitFor(
      "the rejection",
      async () => (await logged()).includes("Rejected config for ETH"),
    );
    engine.tick(T0 + 2_000);
    assert.equal(topBid("ETH"), wider, "the last good ETH config stays in force");
    assert.match(await logged(), /\[SCREENER\] Rejected config for ETH: field base_spread_bps/);

    await publish(server.url, [{ coin: "ETH", regime: "halt" }]);
    await waitFor("the ETH halt", () => bridge.configFor("ETH").regime === "halt");
    engine.tick(T0);
    assert.equal(topBid("ETH"), null, "a halted coin is not quoted");
    assert.equal(topBid("BTC"), btcBefore);
  } finally {
    engine.stop();
    await bridge.close();
    await server.stop();
  }
});

redisTest(
  "Redis killed mid-run: every tick still quotes and fills are queued, not awaited",
  async () => {
    const server = await startRedis();
    const { bridge, engine, topBid, topAsk } = engineOn(server.url);
    try {
      bridge.start();
      await subscribedBridge(server.url);
      await server.kill();
      await waitFor("the bridge to notice", () => !bridge.stats.connected);

      // A falling market with sellers hitting our bids, one tick per step, while Redis is gone. The
      // bids stop once the position reaches max_inv_usd; the asks (the exit) follow the market down.
      let tid = 1;
      let fills = 0;
      for (let step = 0; step < 50; step++) {
        const bid = 3000.1 - step * 0.05;
        const ask = bid + 0.1;
        engine.onBook(book("ETH", bid, ask, T0 + step * 100));
        engine.tick(T0 + step * 100);
        const exit = topAsk("ETH");
        assert.ok(
          exit !== null && exit > bid && exit < ask + 1,
          `step ${step}: ETH ask at ${exit}`,
        );
        const top = topBid("ETH");
        if (top !== null) {
          const trade: Trade = {
            coin: "ETH",
            side: "A",
            px: top - 0.5,
            sz: 0.05,
            timeMs: T0 + step * 100 + 50,
            tid: tid++,
          };
          engine.onTrades([trade]);
        }
        fills = engine.portfolio.totals().fills;
      }
      assert.ok(fills > 0, "the shadow venue filled bids during the outage");
      const { published, queued, dropped } = bridge.stats;
      assert.equal(published, 0, "nothing could be sent");
      assert.equal(queued + dropped, fills, "every fill was queued or counted as dropped");

      await server.restart();
      await waitFor("the fills queued during the outage", () => bridge.stats.published >= queued);
    } finally {
      engine.stop();
      await bridge.close();
      await server.stop();
    }
  },
);

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { checkAssetConfig } from "../engine/asset_config.ts";
import { RedisBridge } from "../engine/bridge.ts";
import { ASSET_CONFIG_CHANNEL, ASSET_CONFIG_KEY } from "../engine/bridge_messages.ts";
import type { AssetInfo } from "../engine/hyperliquid/types.ts";
import { createLogger } from "../engine/log.ts";
import {
  parseAssetContexts,
  parseScreenerArgs,
  readGateResults,
  screen,
  screenOnce,
} from "../tools/screener.ts";
import { redisTest, startRedis, waitFor } from "./helpers/redis.ts";

function asset(name: string, dayNtlVlm: number, fundingHourly = 0.0000125): AssetInfo {
  return {
    name,
    assetIndex: 0,
    szDecimals: 2,
    maxLeverage: 20,
    fundingHourly,
    markPx: 100,
    midPx: 100,
    dayNtlVlm,
    isDelisted: false,
  };
}

function quietLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    timestamps: false,
    sink: (text) => {
      lines.push(...text.split("\n").filter(Boolean));
    },
  });
  return { logger, lines };
}

const gate3 = (coin: string, base_spread_bps: number, regime = "calm") => ({
  coin,
  base_spread_bps,
  max_inv_usd: 200,
  min_order_usd: 12,
  atr_fraction: 0.001,
  regime,
});

Deno.test("screener: ranks by edge; negative or unmeasured edge halts instead of being omitted", () => {
  const result = screen({
    edges: new Map([
      ["BTC", { edgeBps: 0.8 }],
      ["ETH", { edgeBps: 2.4 }],
      ["DOGE", { edgeBps: -0.6 }],
      ["XRP", { edgeBps: null }],
    ]),
    recommended: new Map([
      ["BTC", gate3("BTC", 1.2)],
      ["ETH", gate3("ETH", 2.1, "uncertain")],
      ["DOGE", gate3("DOGE", 1.0, "halt")],
      ["XRP", gate3("XRP", 1.5, "halt")],
    ]),
  }, { topN: 30 });
  assert.deepEqual(
    result.map((s) => [s.config.coin, s.config.base_spread_bps, s.config.regime]),
    [["ETH", 2.1, "uncertain"], ["BTC", 1.2, "calm"], ["DOGE", 1.0, "halt"], ["XRP", 1.5, "halt"]],
  );
  assert.match(result[2].reason, /negative edge -0.6 bps/);
  assert.match(result[3].reason, /not measurable/);
});

Deno.test("screener: extreme funding halts; coins outside the top N and the universe are not quoted", () => {
  const result = screen({
    edges: new Map([
      ["BTC", { edgeBps: 3 }],
      ["ETH", { edgeBps: 2 }],
      ["SOL", { edgeBps: 1 }],
      ["GONE", { edgeBps: 5 }],
    ]),
    assets: [
      asset("BTC", 1e9, 0.0005), // 0.4% per 8 h
      asset("ETH", 5e8),
      asset("SOL", 1e8),
      { ...asset("GONE", 1e6), isDelisted: true },
    ],
  }, { topN: 1 });
  assert.deepEqual(result.map((s) => [s.config.coin, s.config.regime]), [
    ["BTC", "halt"],
    ["ETH", "calm"],
    ["SOL", "halt"],
  ]);
  assert.match(result[0].reason, /funding 0.400% per 8 h/);
  assert.match(result[2].reason, /below the top 1/);
});

Deno.test("screener: without gate results, the top N by volume at default spreads", () => {
  const result = screen({
    assets: [asset("SOL", 1e8), asset("BTC", 1e9), asset("ETH", 5e8), asset("PEPE", 1e3)],
  }, { topN: 3 });
  assert.deepEqual(result.map((s) => s.config.coin), ["BTC", "ETH", "SOL"]);
  assert.deepEqual(result[0].config, {
    coin: "BTC",
    base_spread_bps: 1.5,
    max_inv_usd: 200,
    min_order_usd: 12,
    atr_fraction: 0.002,
    regime: "calm",
  });
  assert.deepEqual(screen({}, { topN: 3 }), [], "no inputs, nothing to publish");
});

Deno.test("screener: every published entry passes the engine's validation", () => {
  const result = screen({
    recommended: new Map<string, unknown>([
      ["A", gate3("A", 0.4)],
      ["B", gate3("B", 250)],
      ["C", { ...gate3("C", 2), min_order_usd: 3 }],
    ]),
  }, { topN: 30 });
  const byCoin = new Map(result.map((s) => [s.config.coin, s]));
  assert.equal(byCoin.get("A")?.config.base_spread_bps, 1.0, "raised to the minimum viable");
  assert.equal(byCoin.get("B")?.config.base_spread_bps, 100, "capped at the bridge's bound");
  assert.equal(
    byCoin.get("C")?.config.min_order_usd,
    12,
    "an unusable entry falls back to defaults",
  );
  assert.match(byCoin.get("C")?.reason ?? "", /unusable \(min_order_usd\)/);
  for (const s of result) {
    assert.equal(checkAssetConfig(s.config, () => true).ok, true, s.config.coin);
  }
});

Deno.test("screener: parses metaAndAssetCtxs as the exchange sends it", () => {
  const assets = parseAssetContexts([
    {
      universe: [
        { name: "BTC", szDecimals: 5, maxLeverage: 50 },
        { name: "OLD", szDecimals: 0, maxLeverage: 3, isDelisted: true },
      ],
      marginTables: [],
      collateralToken: 0,
    },
    [
      {
        dayNtlVlm: "1169046.29406",
        funding: "0.0000125",
        impactPxs: ["14.3047", "14.3444"],
        markPx: "14.3161",
        midPx: "14.314",
        openInterest: "688.11",
        oraclePx: "14.32",
        premium: "0.00031774",
        prevDayPx: "15.322",
      },
      { dayNtlVlm: "0.0", funding: "0.0", markPx: "1.0", midPx: null, prevDayPx: "1.0" },
    ],
  ]);
  assert.deepEqual(assets[0], {
    name: "BTC",
    assetIndex: 0,
    szDecimals: 5,
    maxLeverage: 50,
    fundingHourly: 0.0000125,
    markPx: 14.3161,
    midPx: 14.314,
    dayNtlVlm: 1169046.29406,
    isDelisted: false,
  });
  assert.equal(assets[1].isDelisted, true);
  assert.equal(assets[1].midPx, null);
  assert.throws(
    () => parseAssetContexts([{ universe: [{ name: "X", szDecimals: 1, maxLeverage: 3 }] }, [{}]]),
    /X\.funding=undefined is not a number/,
  );
});

Deno.test("screener: reads gate 1 and gate 3 results as the analysis writes them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_reports_" });
  const { logger, lines } = quietLogger();
  try {
    assert.deepEqual(await readGateResults(dir, logger), {}, "no reports yet");
    await Deno.writeTextFile(
      `${dir}/gate1.json`,
      JSON.stringify({
        coins: [
          { coin: "BTC", ticks: 10, fills: 3, edgeBps: 1.25, exclude: false },
          { coin: "ETH", ticks: 10, fills: 0, edgeBps: null, exclude: true },
        ],
        exclude: ["ETH"],
      }),
    );
    await Deno.writeTextFile(`${dir}/mm_asset_config.json`, JSON.stringify([gate3("BTC", 1.8)]));
    const read = await readGateResults(dir, logger);
    assert.deepEqual(read.edges, new Map([["BTC", { edgeBps: 1.25 }], ["ETH", { edgeBps: null }]]));
    assert.deepEqual(read.recommended, new Map([["BTC", gate3("BTC", 1.8)]]));

    // Gate 3's full result is used when the ready-made list is missing.
    await Deno.remove(`${dir}/mm_asset_config.json`);
    await Deno.writeTextFile(
      `${dir}/gate3.json`,
      JSON.stringify({ configs: [gate3("SOL", 2)], details: [] }),
    );
    await Deno.writeTextFile(`${dir}/gate1.json`, "{ truncated");
    const second = await readGateResults(dir, logger);
    assert.equal(second.edges, undefined);
    assert.deepEqual([...second.recommended?.keys() ?? []], ["SOL"]);
    await logger.flush();
    assert.equal(lines.length, 1);
    assert.match(lines[0], /gate1\.json ignored/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("screener: bad command-line values are refused by name", () => {
  const env = (name: string) =>
    ({ REDIS_URL: "redis://127.0.0.1:7000", MM_DATA_DIR: "/srv/mm" })[name];
  assert.deepEqual(parseScreenerArgs(["--once"], env), {
    help: false,
    once: true,
    intervalS: 30,
    redisUrl: "redis://127.0.0.1:7000",
    reportsDir: "/srv/mm/reports",
    topN: 30,
  });
  assert.throws(() => parseScreenerArgs(["--interval-s", "0"], env), /--interval-s=0 is invalid/);
  assert.throws(() => parseScreenerArgs(["--top-n", "2.5"], env), /--top-n=2.5 is invalid/);
  assert.throws(() => parseScreenerArgs(["--fast"], env), /fast/);
});

redisTest("screener: one round reaches the engine's bridge over a real Redis", async () => {
  const server = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "mm_reports_" });
  const { logger } = quietLogger();
  const redis = new Redis(server.url, { lazyConnect: true, enableOfflineQueue: false });
  redis.on("error", () => {});
  const bridge = new RedisBridge({ url: server.url, isKnownCoin: () => true, logger });
  const watcher = new Redis(server.url, { lazyConnect: true });
  watcher.on("error", () => {});
  try {
    await redis.connect();
    await watcher.connect();
    bridge.start();
    await waitFor("the bridge to subscribe", async () => {
      const reply = await watcher.pubsub("NUMSUB", ASSET_CONFIG_CHANNEL) as [string, number];
      return Number(reply[1]) >= 1;
    });
    await Deno.writeTextFile(
      `${dir}/gate1.json`,
      JSON.stringify({ coins: [{ coin: "ETH", edgeBps: 2 }, { coin: "DOGE", edgeBps: -1 }] }),
    );
    await Deno.writeTextFile(
      `${dir}/mm_asset_config.json`,
      JSON.stringify([gate3("ETH", 2.2), gate3("DOGE", 1.1)]),
    );
    const published = await screenOnce({
      redis,
      reportsDir: dir,
      postInfo: () => Promise.reject(new Error("no network in this test")),
      topN: 30,
      log: logger,
      now: () => 1_771_733_346_000,
    });
    assert.deepEqual(published.map((s) => s.config.coin), ["ETH", "DOGE"]);

    await waitFor("ETH at the bridge", () => bridge.configFor("ETH").base_spread_bps === 2.2);
    assert.equal(bridge.configFor("DOGE").regime, "halt");
    const stored = JSON.parse(await watcher.get(ASSET_CONFIG_KEY) ?? "null");
    assert.equal(stored.ts_ms, 1_771_733_346_000);
    assert.deepEqual(stored.configs, published.map((s) => s.config));
    const ttl = await watcher.pttl(ASSET_CONFIG_KEY);
    assert.ok(ttl > 0 && ttl <= 120_000, `key expires with the configs (pttl ${ttl})`);
  } finally {
    await bridge.close();
    await redis.quit();
    await watcher.quit();
    await Deno.remove(dir, { recursive: true });
    await server.stop();
  }
});

redisTest(
  "screener: the task runs under its permission set against live asset contexts",
  async () => {
    const server = await startRedis();
    const ctxs = [
      {
        universe: [
          { name: "BTC", szDecimals: 5, maxLeverage: 50 },
          { name: "ETH", szDecimals: 4, maxLeverage: 25 },
        ],
      },
      [
        { dayNtlVlm: "900000000", funding: "0.0000125", markPx: "68000", midPx: "68000.5" },
        { dayNtlVlm: "500000000", funding: "0.0006", markPx: "3000", midPx: "3000.1" },
      ],
    ];
    const api = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
      const body = await req.json();
      return Response.json(body.type === "metaAndAssetCtxs" ? ctxs : null);
    });
    const watcher = new Redis(server.url, { lazyConnect: true });
    watcher.on("error", () => {});
    try {
      const child = await new Deno.Command("./deno", {
        args: [
          "run",
          "--quiet",
          "-P=screener",
          "tools/screener.ts",
          "--once",
          "--reports-dir",
          "data/no-such-reports-dir",
        ],
        env: {
          REDIS_URL: server.url,
          HL_API_URL: `http://127.0.0.1:${api.addr.port}`,
          NO_COLOR: "1",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(child.stdout) + new TextDecoder().decode(child.stderr);
      assert.equal(child.code, 0, out);
      await watcher.connect();
      const stored = JSON.parse(await watcher.get(ASSET_CONFIG_KEY) ?? "null");
      assert.deepEqual(
        stored.configs.map((c: { coin: string; regime: string }) => [c.coin, c.regime]),
        [["BTC", "calm"], ["ETH", "halt"]],
      );
      assert.match(out, /2 coins from live contexts only/);
    } finally {
      await api.shutdown();
      await watcher.quit();
      await server.stop();
    }
  },
);

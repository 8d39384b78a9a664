import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../engine/config.ts";

Deno.test("an empty environment gives the spec's defaults", () => {
  const config = loadConfig({});
  assert.equal(config.shadowMode, true);
  assert.equal(config.globalHaltDrawdownPct, 0.05);
  assert.equal(config.maxCancelFillRatio, 50);
  assert.equal(config.ofiHaltThreshold, 0.7);
  assert.equal(config.tickMs, 100);
  assert.equal(config.stallTimeoutS, 30);
  assert.equal(config.coinsTopN, 30);
  assert.equal(config.coins, null);
  assert.equal(config.network, "mainnet");
  assert.equal(config.redisUrl, "redis://127.0.0.1:6380");
  assert.equal(config.logLevel, "info");
  assert.equal(config.harvestTicks, true);
  assert.equal(config.l2Fast, true);
  assert.deepEqual(config.queue, { model: "queue", priorityShare: 0, turnoverS: 0 });
  assert.equal(config.requoteShare, 0.5);
  assert.equal(config.minRestMs, 1_000);
  assert.equal(config.maxRequestsPerUsdc, 0.5);
  assert.equal(config.addressRequestsUsed, 0);
  assert.equal(config.addressRequestsCap, 10_000);
  assert.equal(config.entryLatencyMs, 100);
  assert.equal(config.makerFeeRate, 0.00015);
  assert.deepEqual(config.asset, {
    baseSpreadBps: 1.5,
    maxInvUsd: 200,
    minOrderUsd: 12,
    atrFraction: 0.002,
    regime: "calm",
  });
});

Deno.test("every variable is honoured", () => {
  const config = loadConfig({
    MM_SHADOW_MODE: "false",
    MM_HARVEST_TICKS: "0",
    MM_HARVEST_DEPTH: "yes",
    MM_L2_FAST: "false",
    REDIS_URL: "redis://10.0.0.5:6379",
    RUST_LOG: "debug,hyper=warn",
    MM_COINS: "BTC, ETH,kPEPE",
    MM_COINS_TOP_N: "12",
    MM_STALL_TIMEOUT_S: "5",
    MM_TICK_MS: "250",
    MM_QUEUE_MODEL: "spec",
    MM_REQUOTE_SHARE: "0.25",
    MM_MIN_REST_MS: "2000",
    MM_MAX_REQUESTS_PER_USDC: "0.3",
    MM_ADDRESS_REQUESTS_USED: "9000",
    MM_ADDRESS_REQUESTS_CAP: "25000",
    MM_ENTRY_LATENCY_MS: "250",
    MM_DATA_DIR: "/tmp/mm",
    MM_MAKER_FEE_RATE: "-0.00003",
    MM_GLOBAL_HALT_DRAWDOWN_PCT: "0.02",
    MM_MAX_CANCEL_FILL_RATIO: "20",
    MM_OFI_HALT_THRESHOLD: "0.8",
    MM_STARTING_BALANCE_USD: "2500",
    MM_BASE_SPREAD_BPS: "2",
    MM_MAX_INV_USD: "500",
    MM_MIN_ORDER_USD: "15",
    MM_ATR_FRACTION: "0.003",
    MM_REGIME: "uncertain",
    HL_NETWORK: "testnet",
    HL_API_URL: "http://127.0.0.1:9000/",
    HL_WS_URL: "ws://127.0.0.1:9000/ws",
    HL_ADDRESS: "0x" + "Ab".repeat(20),
  });
  assert.equal(config.shadowMode, false);
  assert.equal(config.harvestTicks, false);
  assert.equal(config.harvestDepth, true);
  assert.equal(config.l2Fast, false);
  assert.equal(config.redisUrl, "redis://10.0.0.5:6379");
  assert.equal(config.logLevel, "debug");
  assert.deepEqual(config.coins, ["BTC", "ETH", "kPEPE"]);
  assert.equal(config.coinsTopN, 12);
  assert.equal(config.stallTimeoutS, 5);
  assert.equal(config.tickMs, 250);
  assert.equal(config.queue.model, "spec");
  assert.equal(config.requoteShare, 0.25);
  assert.equal(config.minRestMs, 2_000);
  assert.equal(config.maxRequestsPerUsdc, 0.3);
  assert.equal(config.addressRequestsUsed, 9_000);
  assert.equal(config.addressRequestsCap, 25_000);
  assert.equal(config.entryLatencyMs, 250);
  assert.equal(config.dataDir, "/tmp/mm");
  assert.equal(config.makerFeeRate, -0.00003);
  assert.equal(config.globalHaltDrawdownPct, 0.02);
  assert.equal(config.maxCancelFillRatio, 20);
  assert.equal(config.ofiHaltThreshold, 0.8);
  assert.equal(config.startingBalanceUsd, 2500);
  assert.deepEqual(config.asset, {
    baseSpreadBps: 2,
    maxInvUsd: 500,
    minOrderUsd: 15,
    atrFraction: 0.003,
    regime: "uncertain",
  });
  assert.equal(config.network, "testnet");
  assert.equal(config.apiUrl, "http://127.0.0.1:9000");
  assert.equal(config.wsUrl, "ws://127.0.0.1:9000/ws");
  assert.equal(config.address, "0x" + "ab".repeat(20));
});

Deno.test("MM_LOG_LEVEL wins over RUST_LOG", () => {
  assert.equal(loadConfig({ MM_LOG_LEVEL: "warn", RUST_LOG: "debug" }).logLevel, "warn");
});

Deno.test("a bad value names the variable, the value and what is allowed", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ MM_SHADOW_MODE: "maybe" }, /MM_SHADOW_MODE="maybe" is invalid: expected true or false/],
    [{ MM_TICK_MS: "fast" }, /MM_TICK_MS="fast" is invalid: expected an integer from 10 to 10000/],
    [{ MM_TICK_MS: "2.5" }, /MM_TICK_MS="2.5"/],
    [{ MM_GLOBAL_HALT_DRAWDOWN_PCT: "5" }, /MM_GLOBAL_HALT_DRAWDOWN_PCT="5".*0\.05 = 5%/],
    [{ MM_OFI_HALT_THRESHOLD: "NaN" }, /MM_OFI_HALT_THRESHOLD="NaN"/],
    [{ MM_QUEUE_MODEL: "fifo" }, /MM_QUEUE_MODEL="fifo" is invalid: expected one of spec, queue/],
    [{ HL_NETWORK: "devnet" }, /HL_NETWORK="devnet".*mainnet, testnet/],
    [{ HL_API_URL: "127.0.0.1:9000" }, /HL_API_URL="127\.0\.0\.1:9000".*http or https URL/],
    [{ HL_WS_URL: "http://x/ws" }, /HL_WS_URL.*ws or wss URL/],
    [{ HL_ADDRESS: "0x1234" }, /HL_ADDRESS="0x1234".*20-byte hex address/],
    [{ MM_MIN_ORDER_USD: "5" }, /MM_MIN_ORDER_USD="5".*minimum order is \$10/],
    [
      { MM_MAX_INV_USD: "11", MM_MIN_ORDER_USD: "12" },
      /MM_MAX_INV_USD="11".*at least MM_MIN_ORDER_USD/,
    ],
    [{ MM_REGIME: "wild" }, /MM_REGIME="wild".*calm, uncertain, halt/],
    [{ RUST_LOG: "loud" }, /RUST_LOG="loud".*error, warn, info, debug/],
    [{ MM_COINS: "BTC,BTC" }, /MM_COINS="BTC,BTC".*distinct coin names/],
    [{ MM_COINS_TOP_N: "0" }, /MM_COINS_TOP_N="0".*from 1 to 64/],
    [{ REDIS_URL: "localhost:6380" }, /REDIS_URL="localhost:6380".*redis or rediss URL/],
    [{ MM_MAKER_FEE_RATE: "0.015%" }, /MM_MAKER_FEE_RATE="0\.015%"/],
    [
      { MM_REQUOTE_SHARE: "1.5" },
      /MM_REQUOTE_SHARE="1.5".*from 0 to 0.9 \(a share of each level's distance from mid\)/,
    ],
    [{ MM_MIN_REST_MS: "-5" }, /MM_MIN_REST_MS="-5".*integer from 0 to 60000 \(ms\)/],
    [{ MM_MAX_REQUESTS_PER_USDC: "0" }, /MM_MAX_REQUESTS_PER_USDC="0".*from 0.01 to 100/],
    [{ MM_ADDRESS_REQUESTS_CAP: "lots" }, /MM_ADDRESS_REQUESTS_CAP="lots".*integer/],
    [{ MM_ENTRY_LATENCY_MS: "0.5" }, /MM_ENTRY_LATENCY_MS="0\.5".*integer from 0 to 5000 \(ms\)/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${JSON.stringify(env)} threw ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("MM_DATA_DIR outside what the task may write is refused, naming the variable", () => {
  // The deno tasks may write only under data/: that is what the permission check answers.
  const tasksMayWrite = (path: string) => path === "data" || path.startsWith("data/");
  assert.equal(loadConfig({ MM_DATA_DIR: "data/run1" }, tasksMayWrite).dataDir, "data/run1");
  assert.throws(
    () => loadConfig({ MM_DATA_DIR: "/var/mm" }, tasksMayWrite),
    /MM_DATA_DIR="\/var\/mm" is invalid: expected a folder inside data\//,
  );
  // Without a checker, this process's own write permission decides (tests may write /tmp).
  assert.equal(loadConfig({ MM_DATA_DIR: "/tmp/mm" }).dataDir, "/tmp/mm");
  assert.throws(() => loadConfig({ MM_DATA_DIR: "/etc/mm" }), /MM_DATA_DIR="\/etc\/mm"/);
});

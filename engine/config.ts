/**
 * The engine's configuration, in one place: every environment variable of the README's
 * "Configuration" (and the ones this build adds), with its default, parsed and validated at start.
 * A bad value stops the start with a {@link ConfigError} naming the variable, the value and what is
 * allowed.
 *
 * `HL_PRIVATE_KEY` is deliberately not here: it is read once by live mode and never stored in a
 * structure that might be printed. The variables' names are config_env.ts, their defaults
 * config_defaults.ts.
 *
 * Longer than 400 lines because {@link EngineConfig} and {@link loadConfig} describe the same
 * fields one for one, and loadConfig reads them all through readers that close over the one
 * environment (and cross-check some, e.g. maximum inventory against minimum order).
 */
import {
  ASSET_BOUNDS,
  type AssetDefaults,
  type Bound,
  MAX_AMOUNT_USD,
  type Regime,
  REGIMES,
} from "./asset_config.ts";
import { type LogFormat, type LogLevel, parseLogLevel } from "./log.ts";
import { isQueueModelName, type QueueCandidate } from "./fill_model/model_names.ts";
import { loadOpsConfig, type OpsConfig } from "./ops/config.ts";
import type { EnvRecord } from "./config_env.ts";
import { DEFAULTS } from "./config_defaults.ts";
import { parseDexList } from "./hyperliquid/perp_dexs.ts";
import { MIN_ORDER_VALUE_USD } from "./hyperliquid/exchange_facts.ts";
import { MAX_PRIORITY_RATE } from "./fees.ts";
import { QUOTE_MODELS, type QuoteModelName } from "./quote_models/names.ts";

export type { AssetDefaults, Regime };

/** The validated configuration of one engine run. */
export interface EngineConfig {
  /** `MM_SHADOW_MODE`: true = no real orders (the default). */
  shadowMode: boolean;
  /** Daily loss cap as a fraction of the starting balance (`global_halt_drawdown_pct`). */
  globalHaltDrawdownPct: number;
  /** Cancels per fill above which the Regime Governor widens (`max_cancel_fill_ratio`). */
  maxCancelFillRatio: number;
  /** One-sided taker dominance that suppresses the other side (`ofi_halt_threshold`). */
  ofiHaltThreshold: number;
  /** Balance the daily drawdown cap is computed from, USD (live mode uses the account value). */
  startingBalanceUsd: number;
  /** Quoting loop period, ms (default 100 ms). */
  tickMs: number;
  /** Seconds without a market-data message before the stall panic (default 30 s). */
  stallTimeoutS: number;
  /**
   * Shadow fill rule: `MM_QUEUE_MODEL` (`queue`, the default queue-position model, `spec`, or a
   * named profile), `MM_QUEUE_PRIORITY_SHARE`, `MM_QUEUE_TURNOVER_S` and `MM_QUEUE_REQUOTE_SHARE` (see
   * engine/fill_model/model_names.ts); `calibrate-fills` prints the fitted ones.
   */
  queue: QueueCandidate;
  /**
   * `MM_REQUOTE_SHARE`: a resting order stays while its desired price is within this share of
   * its level's distance from mid (and always within one tick); see engine/venue/requote.ts.
   */
  requoteShare: number;
  /** `MM_MIN_REST_MS`: an order younger than this is only replaced when it must be, ms. */
  minRestMs: number;
  /**
   * `MM_MAX_REQUESTS_PER_USDC`: the request economy widens tolerance and slows requotes to keep
   * requests (orders + cancels) per USDC traded under this (engine/request_economy.ts).
   */
  maxRequestsPerUsdc: number;
  /** `MM_ADDRESS_REQUESTS_USED`: shadow's address budget starts with this many requests spent. */
  addressRequestsUsed: number;
  /**
   * `MM_ADDRESS_REQUESTS_CAP`: shadow's address budget cap at start (a new account: 10,000);
   * volume traded raises it by one per USDC.
   */
  addressRequestsCap: number;
  /**
   * `MM_ENTRY_LATENCY_MS`: market time between a quote decision and the shadow order resting
   * at the exchange (trades and books before that cannot fill it).
   */
  entryLatencyMs: number;
  /**
   * `MM_CANCEL_LATENCY_MS`: market time between a cancel decision and the cancel taking effect
   * (until then the shadow order still fills); defaults to the entry latency.
   */
  cancelLatencyMs: number;
  /** Explicit coin list (`MM_COINS`), or null to select the top N by volume. */
  coins: string[] | null;
  /** How many coins to select by 24 h volume when `coins` is null (default 30). */
  coinsTopN: number;
  /**
   * `MM_DEXES`: the perp dexes the top N is ranked across ("" = the main dex, the default;
   * `main,xyz` adds the builder dex `xyz`). A listed `xyz:COIN` brings its dex along.
   */
  dexes: string[];
  /**
   * `MM_PRIORITY_RATE`: post-only orders pay this priority rate, in 1e-8 of the resting notional
   * at placement (10,000 = 1 bp, in HYPE from the staking balance); 0 = none (the default).
   */
  priorityRate: number;
  /** `MM_FAST_CANCEL`: cancels ask for mempool priority (`f: true`; default true). */
  fastCancel: boolean;
  network: "mainnet" | "testnet";
  /** REST base override (the venue simulator), or null for the network's default. */
  apiUrl: string | null;
  /** WebSocket override, or null for the network's default. */
  wsUrl: string | null;
  /** Root of runtime output (ticks, trades, shadow fills, state). */
  dataDir: string;
  redisUrl: string;
  logLevel: LogLevel;
  /** `MM_LOG_FORMAT`: `text` (the human line) or `json` (one object per line, same fields). */
  logFormat: LogFormat;
  /** Metrics, status page, control and alerts (engine/ops/config.ts). */
  ops: OpsConfig;
  harvestTicks: boolean;
  harvestDepth: boolean;
  /**
   * Subscribe `l2Book` with `fast: true`: 5 levels about every 0.5 s instead of 20 levels about
   * every 5 s (Hyperliquid's default cadence since 2026; the original design assumed a book every
   * ~650 ms; README, "Where this differs from the specification").
   */
  l2Fast: boolean;
  /** Maker fee as a fraction of notional; negative is a rebate. */
  makerFeeRate: number;
  /** Wallet address (live mode, and reconciliation against the venue). */
  address: string | null;
  /** Vault or sub-account traded for, if any. */
  vaultAddress: string | null;
  /**
   * `MM_QUOTE_MODEL`: how every coin quotes unless its `MmAssetConfig` names `quote_model`:
   * `grid` (the default), `microprice` or `glft` (engine/quote_models/models.ts).
   */
  quoteModel: QuoteModelName;
  /** `MM_GLFT_GAMMA`: the GLFT risk aversion, per (bps x order), unless the coin's config names one. */
  glftGamma: number;
  /** Per-asset defaults used until (and whenever) the screener has no fresh config. */
  asset: AssetDefaults;
}

/** Raised when a configuration value is invalid; the message names variable, value and rule. */
export class ConfigError extends Error {
  /** Creates the error for one variable. */
  constructor(readonly variable: string, readonly value: string, readonly allowed: string) {
    super(`${variable}="${value}" is invalid: expected ${allowed}`);
    this.name = "ConfigError";
  }
}

/** Whether this process may write under `path` (Deno's write permission for it). */
export function hasWriteAccess(path: string): boolean {
  return Deno.permissions.querySync({ name: "write", path }).state === "granted";
}

/**
 * Parses and validates the configuration from an environment record. `canWrite` decides
 * whether an explicit `MM_DATA_DIR` is writable (default: this process's write permission);
 * `canReach` whether the operations server and webhook hosts are allowed (default: its net
 * permission).
 */
export function loadConfig(
  env: EnvRecord,
  canWrite: (path: string) => boolean = hasWriteAccess,
  canReach?: (host: string) => boolean,
): EngineConfig {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const value = get(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (["true", "1", "yes", "on"].includes(lower)) return true;
    if (["false", "0", "no", "off"].includes(lower)) return false;
    throw new ConfigError(name, value, "true or false");
  };
  const num = (name: string, fallback: number, min: number, max: number, unit = ""): number => {
    const value = get(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, value, `a number from ${min} to ${max}${unit}`);
    }
    return parsed;
  };
  // The quoting defaults take the bounds every Redis config is held to (asset_config.ts).
  const bounded = (name: string, fallback: number, bound: Bound): number =>
    num(name, fallback, bound.min, bound.max, ` (${bound.unit})`);
  const int = (name: string, fallback: number, min: number, max: number, unit = ""): number => {
    const value = get(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, value, `an integer from ${min} to ${max}${unit}`);
    }
    return parsed;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const value = get(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      throw new ConfigError(name, value, `one of ${allowed.join(", ")}`);
    }
    return lower;
  };
  const url = (name: string, schemes: string[]): string | null => {
    const value = get(name);
    if (value === undefined) return null;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, value, `a ${schemes.join(" or ")} URL`);
    }
    if (!schemes.includes(parsed.protocol.replace(":", ""))) {
      throw new ConfigError(name, value, `a ${schemes.join(" or ")} URL`);
    }
    return value.replace(/\/+$/, "");
  };
  const address = (name: string): string | null => {
    const value = get(name);
    if (value === undefined) return null;
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
      throw new ConfigError(name, value, "a 0x-prefixed 20-byte hex address (42 characters)");
    }
    return value.toLowerCase();
  };
  const logLevel = (): LogLevel => {
    for (const name of ["MM_LOG_LEVEL", "RUST_LOG"]) {
      const value = get(name);
      if (value === undefined) continue;
      // RUST_LOG may carry per-module filters ("info,hyper=warn"): the first bare level counts.
      const level = name === "RUST_LOG" ? value.split(",")[0].split("=").pop()! : value;
      try {
        return parseLogLevel(level);
      } catch {
        throw new ConfigError(name, value, "one of error, warn, info, debug");
      }
    }
    return DEFAULTS.logLevel;
  };
  const queueModel = (): string => {
    const value = get("MM_QUEUE_MODEL");
    if (value === undefined) return DEFAULTS.queue.model;
    const name = value.toLowerCase();
    if (!isQueueModelName(name)) {
      throw new ConfigError(
        "MM_QUEUE_MODEL",
        value,
        "one of spec, queue, power:N, tail:N, log, risk-averse (N a positive number)",
      );
    }
    return name;
  };
  const coins = (): string[] | null => {
    const value = get("MM_COINS");
    if (value === undefined) return null;
    const list = value.split(",").map((coin) => coin.trim()).filter(Boolean);
    const bad = list.find((coin) => !/^[A-Za-z0-9:/@]{1,20}$/.test(coin));
    if (
      list.length === 0 || list.length > 64 || bad !== undefined || new Set(list).size < list.length
    ) {
      throw new ConfigError(
        "MM_COINS",
        value,
        "a comma-separated list of 1 to 64 distinct coin names (e.g. BTC,ETH,SOL)",
      );
    }
    return list;
  };

  const dexes = (): string[] => {
    const value = get("MM_DEXES");
    if (value === undefined) return DEFAULTS.dexes;
    try {
      return parseDexList(value);
    } catch {
      throw new ConfigError(
        "MM_DEXES",
        value,
        "a comma-separated list of perp dex names (main = the main dex, e.g. main,xyz)",
      );
    }
  };

  const dataDir = (): string => {
    const value = get("MM_DATA_DIR");
    if (value === undefined) return DEFAULTS.dataDir;
    // Checked here so a folder outside the task's write permission is named at start, not met
    // later as Deno's bare "Requires write access".
    if (!canWrite(value)) {
      throw new ConfigError(
        "MM_DATA_DIR",
        value,
        "a folder inside data/ (e.g. data or data/run1): the deno tasks may write only there",
      );
    }
    return value;
  };

  const minOrderUsd = num(
    "MM_MIN_ORDER_USD",
    DEFAULTS.asset.minOrderUsd,
    ASSET_BOUNDS.min_order_usd.min,
    ASSET_BOUNDS.min_order_usd.max,
    ` (USD; Hyperliquid's minimum order is $${MIN_ORDER_VALUE_USD})`,
  );
  const maxInvUsd = bounded("MM_MAX_INV_USD", DEFAULTS.asset.maxInvUsd, ASSET_BOUNDS.max_inv_usd);
  if (maxInvUsd < minOrderUsd) {
    throw new ConfigError(
      "MM_MAX_INV_USD",
      String(maxInvUsd),
      `at least MM_MIN_ORDER_USD (${minOrderUsd})`,
    );
  }
  const entryLatencyMs = int("MM_ENTRY_LATENCY_MS", DEFAULTS.entryLatencyMs, 0, 5_000, " (ms)");
  return {
    shadowMode: bool("MM_SHADOW_MODE", DEFAULTS.shadowMode),
    globalHaltDrawdownPct: num(
      "MM_GLOBAL_HALT_DRAWDOWN_PCT",
      DEFAULTS.globalHaltDrawdownPct,
      0.001,
      1,
      " (a fraction: 0.05 = 5%)",
    ),
    maxCancelFillRatio: num("MM_MAX_CANCEL_FILL_RATIO", DEFAULTS.maxCancelFillRatio, 1, 1e6),
    ofiHaltThreshold: num(
      "MM_OFI_HALT_THRESHOLD",
      DEFAULTS.ofiHaltThreshold,
      0.05,
      1,
      " (a fraction of taker volume)",
    ),
    startingBalanceUsd: num(
      "MM_STARTING_BALANCE_USD",
      DEFAULTS.startingBalanceUsd,
      1,
      MAX_AMOUNT_USD,
      " (USD)",
    ),
    tickMs: int("MM_TICK_MS", DEFAULTS.tickMs, 10, 10_000, " (ms)"),
    stallTimeoutS: num("MM_STALL_TIMEOUT_S", DEFAULTS.stallTimeoutS, 1, 3600, " (seconds)"),
    queue: {
      model: queueModel(),
      priorityShare: num(
        "MM_QUEUE_PRIORITY_SHARE",
        DEFAULTS.queue.priorityShare,
        0,
        1,
        " (a share of the size added in the priority window)",
      ),
      turnoverS: num(
        "MM_QUEUE_TURNOVER_S",
        DEFAULTS.queue.turnoverS,
        0,
        3600,
        " (half-life of the queue ahead, seconds; 0: none)",
      ),
      requoteShare: num(
        "MM_QUEUE_REQUOTE_SHARE",
        DEFAULTS.queue.requoteShare,
        0,
        1,
        " (a share of the queue ahead that requotes on a move of the touch)",
      ),
    },
    requoteShare: num(
      "MM_REQUOTE_SHARE",
      DEFAULTS.requoteShare,
      0,
      0.9,
      " (a share of each level's distance from mid)",
    ),
    minRestMs: int("MM_MIN_REST_MS", DEFAULTS.minRestMs, 0, 60_000, " (ms)"),
    maxRequestsPerUsdc: num(
      "MM_MAX_REQUESTS_PER_USDC",
      DEFAULTS.maxRequestsPerUsdc,
      0.01,
      100,
      " (requests per USDC traded)",
    ),
    addressRequestsUsed: int(
      "MM_ADDRESS_REQUESTS_USED",
      DEFAULTS.addressRequestsUsed,
      0,
      1e12,
      " (requests)",
    ),
    addressRequestsCap: int(
      "MM_ADDRESS_REQUESTS_CAP",
      DEFAULTS.addressRequestsCap,
      0,
      1e12,
      " (requests)",
    ),
    entryLatencyMs,
    cancelLatencyMs: int("MM_CANCEL_LATENCY_MS", entryLatencyMs, 0, 5_000, " (ms)"),
    coins: coins(),
    coinsTopN: int("MM_COINS_TOP_N", DEFAULTS.coinsTopN, 1, 64),
    dexes: dexes(),
    priorityRate: int(
      "MM_PRIORITY_RATE",
      DEFAULTS.priorityRate,
      0,
      MAX_PRIORITY_RATE,
      " (1e-8 of notional: 10000 = 1 bp; 0 = no priority fee)",
    ),
    fastCancel: bool("MM_FAST_CANCEL", DEFAULTS.fastCancel),
    network: oneOf("HL_NETWORK", DEFAULTS.network, ["mainnet", "testnet"] as const),
    apiUrl: url("HL_API_URL", ["http", "https"]),
    wsUrl: url("HL_WS_URL", ["ws", "wss"]),
    dataDir: dataDir(),
    redisUrl: url("REDIS_URL", ["redis", "rediss"]) ?? DEFAULTS.redisUrl,
    logLevel: logLevel(),
    logFormat: oneOf<LogFormat>("MM_LOG_FORMAT", "text", ["text", "json"]),
    ops: loadOpsConfig(env, canReach),
    harvestTicks: bool("MM_HARVEST_TICKS", DEFAULTS.harvestTicks),
    harvestDepth: bool("MM_HARVEST_DEPTH", DEFAULTS.harvestDepth),
    l2Fast: bool("MM_L2_FAST", DEFAULTS.l2Fast),
    makerFeeRate: num(
      "MM_MAKER_FEE_RATE",
      DEFAULTS.makerFeeRate,
      -0.001,
      0.01,
      " (fraction of notional; -0.00003 is a 0.003% rebate)",
    ),
    quoteModel: oneOf<QuoteModelName>("MM_QUOTE_MODEL", DEFAULTS.quoteModel, QUOTE_MODELS),
    glftGamma: num(
      "MM_GLFT_GAMMA",
      DEFAULTS.glftGamma,
      1e-6,
      100,
      " (per bps of the mid per order)",
    ),
    address: address("HL_ADDRESS"),
    vaultAddress: address("HL_VAULT_ADDRESS"),
    asset: {
      baseSpreadBps: bounded(
        "MM_BASE_SPREAD_BPS",
        DEFAULTS.asset.baseSpreadBps,
        ASSET_BOUNDS.base_spread_bps,
      ),
      maxInvUsd,
      minOrderUsd,
      atrFraction: bounded(
        "MM_ATR_FRACTION",
        DEFAULTS.asset.atrFraction,
        ASSET_BOUNDS.atr_fraction,
      ),
      regime: oneOf<Regime>("MM_REGIME", DEFAULTS.asset.regime, REGIMES),
    },
  };
}

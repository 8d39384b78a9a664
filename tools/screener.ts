/**
 * The screener (README, "Screener (`deno task screener`)"): ranks coins by edge and publishes their
 * `MmAssetConfig` list on Redis `mm:asset_config` every 30 s (the channel and key the engine's
 * bridge reads, engine/bridge.ts).
 *
 * Inputs, best first: the calibration gates' results in the reports directory (gate 1's edge per
 * coin, gate 3's recommended configs) and the live asset contexts (`metaAndAssetCtxs`: universe,
 * 24 h volume, funding). Without gate results it falls back to the live contexts alone: the top
 * N coins by 24 h volume (the engine's own selection rule) at the default spread.
 *
 * A coin with a non-positive edge is published with regime "halt", never omitted: an omitted
 * coin falls back to the engine's defaults, which quote.
 *
 * Usage: deno task screener [--once] [--interval-s 30] [--redis-url URL] [--reports-dir DIR]
 *        [--top-n 30]
 */
import { refuseEscapingLinks } from "../engine/data_links.ts";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import {
  type AssetDefaults,
  checkAssetConfig,
  DEFAULT_ASSET,
  defaultAssetConfig,
  MAX_BASE_SPREAD_BPS,
  type MmAssetConfig,
} from "../engine/asset_config.ts";
import { redactUrl } from "../engine/bridge.ts";
import {
  ASSET_CONFIG_CHANNEL,
  ASSET_CONFIG_KEY,
  CONFIG_TTL_MS,
  DEFAULT_REDIS_URL,
} from "../engine/bridge_messages.ts";
import { FUNDING_HOURS_PER_8H } from "../engine/hyperliquid/exchange_facts.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { resolveNetwork } from "../engine/hyperliquid/network.ts";
import { FUNDING_HALT_PER_8H } from "../engine/regime.ts";
import type { AssetInfo } from "../engine/hyperliquid/types.ts";
import { createLogger, type Logger } from "../engine/log.ts";
import { errorMessage } from "../engine/util/errors.ts";

// Spec section 10, gate 3: below 1.0 bps a quote cannot pay for adverse selection.
/** Smallest half-spread the screener publishes, bps. */
export const MIN_VIABLE_SPREAD_BPS = 1.0;
// Redis reconnects: 200 ms more per failed attempt, at most 5 s apart: well inside the 30 s between
// rounds, so a Redis back within seconds misses no round.
const REDIS_RETRY_STEP_MS = 200;
const REDIS_RETRY_MAX_MS = 5_000;

/** Gate 1's verdict on one coin. */
export interface CoinEdge {
  /** Average spread minus adverse selection at 10 s, bps; null when not measurable. */
  edgeBps: number | null;
}

/** What the screener decides from. */
export interface ScreenInputs {
  /** Gate 1 edge per coin, when gate 1 has run. */
  edges?: Map<string, CoinEdge>;
  /** Gate 3 configs per coin, when gate 3 has run. */
  recommended?: Map<string, unknown>;
  /** The live universe with its contexts, when the exchange answered. */
  assets?: AssetInfo[];
}

/** One published coin with the reason for its regime (printed as a table). */
export interface ScreenedCoin {
  config: MmAssetConfig;
  edgeBps: number | null;
  reason: string;
}

/** Options of {@link screen}. */
export interface ScreenOptions {
  /** How many coins may quote (the rest of the ranked coins are halted or omitted). */
  topN: number;
  defaults?: AssetDefaults;
}

/** Ranks coins and builds their configs; pure, so the rules can be tested directly. */
export function screen(inputs: ScreenInputs, options: ScreenOptions): ScreenedCoin[] {
  const defaults = options.defaults ?? DEFAULT_ASSET;
  const universe = inputs.assets
    ? new Map(inputs.assets.filter((a) => !a.isDelisted).map((a) => [a.name, a]))
    : null;
  const gated = inputs.edges !== undefined || inputs.recommended !== undefined;
  let coins: string[];
  if (gated) {
    coins = [...new Set([...inputs.recommended?.keys() ?? [], ...inputs.edges?.keys() ?? []])];
  } else if (universe) {
    coins = [...universe.values()]
      .sort((a, b) => b.dayNtlVlm - a.dayNtlVlm)
      .slice(0, options.topN)
      .map((a) => a.name);
  } else {
    return [];
  }
  if (universe) coins = coins.filter((coin) => universe.has(coin));

  const screened = coins.map((coin): ScreenedCoin => {
    const edgeBps = inputs.edges?.get(coin)?.edgeBps ?? null;
    let config = defaultAssetConfig(coin, defaults);
    let reason = gated ? "gate 3 config" : "top by 24 h volume, default spread";
    const recommended = inputs.recommended?.get(coin);
    if (recommended !== undefined) {
      const check = checkAssetConfig(clampSpread(recommended), () => true, defaults);
      if (check.ok) config = check.config;
      else reason = `gate 3 entry unusable (${check.field}): defaults`;
    } else if (gated) {
      reason = "no gate 3 config: defaults";
    }
    if (inputs.edges) {
      if (edgeBps === null) {
        config = { ...config, regime: "halt" };
        reason = "edge not measurable (no fills in gate 1)";
      } else if (edgeBps <= 0) {
        config = { ...config, regime: "halt" };
        reason = `negative edge ${edgeBps} bps`;
      }
    }
    // Hyperliquid quotes funding per hour: the 8 h rate is 8 times the hourly one.
    const funding8h = (universe?.get(coin)?.fundingHourly ?? 0) * FUNDING_HOURS_PER_8H;
    if (Math.abs(funding8h) > FUNDING_HALT_PER_8H) {
      config = { ...config, regime: "halt" };
      reason = `funding ${(funding8h * 100).toFixed(3)}% per 8 h`;
    }
    return { config, edgeBps, reason };
  });

  const volume = (coin: string) => universe?.get(coin)?.dayNtlVlm ?? 0;
  screened.sort((a, b) =>
    (b.edgeBps ?? -Infinity) - (a.edgeBps ?? -Infinity) ||
    volume(b.config.coin) - volume(a.config.coin) ||
    a.config.coin.localeCompare(b.config.coin)
  );
  let quoting = 0;
  return screened.map((s) => {
    if (s.config.regime === "halt") return s;
    if (++quoting <= options.topN) return s;
    return {
      ...s,
      config: { ...s.config, regime: "halt" },
      reason: `ranked below the top ${options.topN}`,
    };
  });
}

/** Gate 3 rounds up from the minimum viable spread; keep any value inside what the bridge accepts. */
function clampSpread(entry: unknown): unknown {
  if (typeof entry !== "object" || entry === null) return entry;
  const spread = (entry as { base_spread_bps?: unknown }).base_spread_bps;
  if (typeof spread !== "number" || !Number.isFinite(spread)) return entry;
  return {
    ...entry,
    base_spread_bps: Math.min(MAX_BASE_SPREAD_BPS, Math.max(MIN_VIABLE_SPREAD_BPS, spread)),
  };
}

/**
 * Parses a `metaAndAssetCtxs` answer (engine/hyperliquid/README.md § Info requests); throws naming
 * what is wrong.
 */
export function parseAssetContexts(raw: unknown): AssetInfo[] {
  if (!Array.isArray(raw) || raw.length !== 2) {
    throw new Error("metaAndAssetCtxs: expected a [meta, contexts] pair");
  }
  const [meta, ctxs] = raw as [{ universe?: unknown }, unknown];
  if (!Array.isArray(meta?.universe) || !Array.isArray(ctxs)) {
    throw new Error("metaAndAssetCtxs: meta.universe or the contexts are not arrays");
  }
  const num = (value: unknown, what: string): number => {
    const n = typeof value === "string" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n)) {
      throw new Error(`metaAndAssetCtxs: ${what}=${JSON.stringify(value)} is not a number`);
    }
    return n;
  };
  return meta.universe.map((u: Record<string, unknown>, i: number): AssetInfo => {
    const ctx = (ctxs[i] ?? {}) as Record<string, unknown>;
    const name = String(u.name);
    return {
      name,
      assetIndex: i,
      szDecimals: num(u.szDecimals, `${name}.szDecimals`),
      maxLeverage: num(u.maxLeverage, `${name}.maxLeverage`),
      fundingHourly: num(ctx.funding, `${name}.funding`),
      markPx: num(ctx.markPx, `${name}.markPx`),
      midPx: ctx.midPx === null || ctx.midPx === undefined ? null : num(ctx.midPx, `${name}.midPx`),
      dayNtlVlm: num(ctx.dayNtlVlm, `${name}.dayNtlVlm`),
      isDelisted: u.isDelisted === true,
    };
  });
}

/** Reads gate 1 and gate 3 results from `dir`; a missing file is absent, a bad one is reported. */
export async function readGateResults(
  dir: string,
  log: Logger,
): Promise<Pick<ScreenInputs, "edges" | "recommended">> {
  const readJson = async (name: string): Promise<unknown> => {
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      log.warn(`[SCREENER] ${dir}/${name} ignored: ${errorMessage(error)}`);
      return undefined;
    }
  };
  const result: Pick<ScreenInputs, "edges" | "recommended"> = {};

  const gate1 = await readJson("gate1.json");
  const gate1Coins = listIn(gate1, "coins");
  if (gate1Coins) {
    result.edges = new Map();
    for (const row of gate1Coins) {
      if (typeof row?.coin !== "string") continue;
      const edge = row.edgeBps ?? row.edge_bps;
      result.edges.set(row.coin, {
        edgeBps: typeof edge === "number" && Number.isFinite(edge) ? edge : null,
      });
    }
  } else if (gate1 !== undefined) {
    log.warn(`[SCREENER] ${dir}/gate1.json ignored: no "coins" list`);
  }

  // Gate 3 writes the ready-to-use list; its full result carries the same list as "configs".
  const configs = listIn(await readJson("mm_asset_config.json"), "configs") ??
    listIn(await readJson("gate3.json"), "configs");
  if (configs) {
    result.recommended = new Map();
    for (const entry of configs) {
      if (typeof entry?.coin === "string") result.recommended.set(entry.coin, entry);
    }
  }
  return result;
}

/** The array itself, or `value[key]`, or `value.result[key]` (a whole GateReport). */
function listIn(value: unknown, key: string): Record<string, unknown>[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record[key])) return record[key] as Record<string, unknown>[];
  return record.result === undefined ? undefined : listIn(record.result, key);
}

/**
 * Publishes configs the way engine/bridge.ts reads them: the key holds
 * `{"ts_ms", "configs"}` for 2 minutes (a restarting engine reads it), and the channel carries
 * the bare array (`Vec<MmAssetConfig>`, README "Redis bridge"). Both in one transaction, key first.
 */
export async function publishConfigs(
  redis: Redis,
  configs: MmAssetConfig[],
  nowMs: number,
): Promise<void> {
  const results = await redis.multi()
    .set(ASSET_CONFIG_KEY, JSON.stringify({ ts_ms: nowMs, configs }), "PX", CONFIG_TTL_MS)
    .publish(ASSET_CONFIG_CHANNEL, JSON.stringify(configs))
    .exec();
  const failed = results?.find(([error]) => error !== null);
  if (!results || failed) {
    throw new Error(`publishing to Redis failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
  }
}

/** Options of {@link runScreener}. */
export interface ScreenerOptions {
  redis: Redis;
  reportsDir: string;
  /** Sends an info request (InfoClient.post); null to skip live contexts. */
  postInfo: ((body: { type: string }) => Promise<unknown>) | null;
  topN: number;
  log: Logger;
  now?: () => number;
}

/** One round: read, rank, print, publish. Returns what was published. */
export async function screenOnce(options: ScreenerOptions): Promise<ScreenedCoin[]> {
  const { log } = options;
  const inputs: ScreenInputs = await readGateResults(options.reportsDir, log);
  if (options.postInfo) {
    try {
      inputs.assets = parseAssetContexts(await options.postInfo({ type: "metaAndAssetCtxs" }));
    } catch (error) {
      log.warn(`[SCREENER] Live asset contexts unavailable: ${errorMessage(error)}`);
    }
  }
  const screened = screen(inputs, { topN: options.topN });
  if (screened.length === 0) {
    log.warn(
      `[SCREENER] Nothing to publish: no gate results in ${options.reportsDir} and no live asset contexts`,
    );
    return screened;
  }
  const source = inputs.edges || inputs.recommended ? "gate results" : "live contexts only";
  log.info(`[SCREENER] ${screened.length} coins from ${source}:`);
  for (const s of screened) {
    const c = s.config;
    log.info(
      `[SCREENER]   ${c.coin.padEnd(8)} edge ${String(s.edgeBps ?? "-").padStart(8)} bps  ` +
        `spread ${c.base_spread_bps} bps  ${c.regime.padEnd(9)} ${s.reason}`,
    );
  }
  await publishConfigs(options.redis, screened.map((s) => s.config), (options.now ?? Date.now)());
  return screened;
}

const HELP = `Usage: deno task screener [options]
  --once             run one round and exit
  --interval-s N     seconds between rounds (default 30)
  --redis-url URL    Redis (default $REDIS_URL or ${DEFAULT_REDIS_URL})
  --reports-dir DIR  gate results (default $MM_DATA_DIR/reports, i.e. data/reports)
  --top-n N          coins allowed to quote (default 30)`;

/** Parses the command line; throws naming the bad flag or value. */
export function parseScreenerArgs(args: string[], env: (name: string) => string | undefined) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      once: { type: "boolean", default: false },
      "interval-s": { type: "string", default: "30" },
      "redis-url": { type: "string" },
      "reports-dir": { type: "string" },
      "top-n": { type: "string", default: "30" },
      help: { type: "boolean", default: false },
    },
  });
  const positive = (flag: string, text: string, integer: boolean) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new Error(
        `--${flag}=${text} is invalid: expected a positive ${integer ? "integer" : "number"}`,
      );
    }
    return n;
  };
  return {
    help: values.help,
    once: values.once,
    intervalS: positive("interval-s", values["interval-s"], false),
    redisUrl: values["redis-url"] ?? env("REDIS_URL") ?? DEFAULT_REDIS_URL,
    reportsDir: values["reports-dir"] ?? `${env("MM_DATA_DIR") ?? "data"}/reports`,
    topN: positive("top-n", values["top-n"], true),
  };
}

async function main(): Promise<number> {
  const log = createLogger();
  let args;
  try {
    args = parseScreenerArgs(Deno.args, (name) => Deno.env.get(name));
  } catch (error) {
    console.error(`${errorMessage(error)}\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  try {
    // Before the gate results under the reports folder are read (engine/data_links.ts).
    refuseEscapingLinks([args.reportsDir]);
  } catch (error) {
    console.error(errorMessage(error));
    return 2;
  }
  let info: InfoClient;
  try {
    // Only the REST endpoint is needed: HL_WS_URL is not read (nor permitted).
    const endpoints = resolveNetwork({
      network: Deno.env.get("HL_NETWORK"),
      apiUrl: Deno.env.get("HL_API_URL"),
    });
    info = new InfoClient({ endpoints });
  } catch (error) {
    console.error(errorMessage(error));
    return 2;
  }
  const redis = new Redis(args.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(REDIS_RETRY_STEP_MS * times, REDIS_RETRY_MAX_MS),
  });
  let redisDown = false;
  redis.on("error", (error: Error) => {
    if (redisDown) return;
    redisDown = true;
    log.warn(
      `[SCREENER] Redis unavailable at ${redactUrl(args.redisUrl)}: ${error.message}; retrying`,
    );
  });
  redis.on("ready", () => {
    redisDown = false;
  });
  await redis.connect().catch(() => {});

  const options: ScreenerOptions = {
    redis,
    reportsDir: args.reportsDir,
    postInfo: (body) => info.post(body),
    topN: args.topN,
    log,
  };
  let stopped = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopped = true;
    wake();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  let code = 0;
  while (!stopped) {
    try {
      // A single round that had nothing to publish is a failure for whoever scheduled it.
      if ((await screenOnce(options)).length === 0) code = 1;
    } catch (error) {
      log.error(`[SCREENER] Round failed: ${errorMessage(error)}`);
      code = 1;
    }
    if (args.once) break;
    code = 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, args.intervalS * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  redis.disconnect();
  await log.flush();
  return code;
}

if (import.meta.main) Deno.exit(await main());

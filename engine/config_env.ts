/**
 * The environment the engine reads: the name of every variable it may read (the deno.json
 * permission sets allow exactly these; tests/permission_sets_test.ts checks it) and the one place
 * that reads them from the process. What each means and how it is validated is config.ts.
 */
import { OPS_ENV_NAMES } from "./ops/config.ts";

/** Every environment variable the engine reads (the deno.json permission sets allow exactly these). */
export const CONFIG_ENV_NAMES = [
  "HL_NETWORK",
  "HL_API_URL",
  "HL_WS_URL",
  "HL_ADDRESS",
  "HL_VAULT_ADDRESS",
  "MM_SHADOW_MODE",
  "MM_HARVEST_TICKS",
  "MM_HARVEST_DEPTH",
  "MM_L2_FAST",
  "REDIS_URL",
  "RUST_LOG",
  "MM_LOG_LEVEL",
  "MM_COINS",
  "MM_COINS_TOP_N",
  "MM_DEXES",
  "MM_PRIORITY_RATE",
  "MM_FAST_CANCEL",
  "MM_STALL_TIMEOUT_S",
  "MM_TICK_MS",
  "MM_QUEUE_MODEL",
  "MM_REQUOTE_SHARE",
  "MM_MIN_REST_MS",
  "MM_MAX_REQUESTS_PER_USDC",
  "MM_ADDRESS_REQUESTS_USED",
  "MM_ADDRESS_REQUESTS_CAP",
  "MM_ENTRY_LATENCY_MS",
  "MM_CANCEL_LATENCY_MS",
  "MM_QUEUE_PRIORITY_SHARE",
  "MM_QUEUE_TURNOVER_S",
  "MM_QUEUE_REQUOTE_SHARE",
  "MM_DATA_DIR",
  "MM_MAKER_FEE_RATE",
  "MM_GLOBAL_HALT_DRAWDOWN_PCT",
  "MM_MAX_CANCEL_FILL_RATIO",
  "MM_OFI_HALT_THRESHOLD",
  "MM_STARTING_BALANCE_USD",
  "MM_BASE_SPREAD_BPS",
  "MM_MAX_INV_USD",
  "MM_MIN_ORDER_USD",
  "MM_ATR_FRACTION",
  "MM_REGIME",
  "MM_QUOTE_MODEL",
  "MM_GLFT_GAMMA",
  "MM_LOG_FORMAT",
  ...OPS_ENV_NAMES,
] as const;

/** An environment as a plain record (tests pass one; main.ts reads the real one). */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Reads the engine's variables from the process environment (needs `--allow-env` for them). */
export function readEnv(names: readonly string[] = CONFIG_ENV_NAMES): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * The pieces of a live engine run against the venue simulator in a test: the venue on the wall
 * clock, a data folder the engine's permission sets may write, and the engine's environment.
 *
 * @module
 */
import { closedRedisUrl } from "../../tools/run_cli.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY } from "./venue.ts";

const ROOT = new URL("../../", import.meta.url);

/** A venue simulator in this process on the wall clock: 2 coins, market time at 10x. */
export function startRealtimeVenue(): ReturnType<typeof startTestVenue> {
  return startTestVenue({ clock: "realtime", coins: 2, rate: 10, startTimeMs: Date.now() });
}

/**
 * A fresh folder `data/test/<prefix>_<random>` (relative to the repository root, which the
 * engine's permission sets may write), for the test to remove.
 */
export async function testDataDir(prefix: string): Promise<string> {
  const dir = `data/test/${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(new URL(dir, ROOT), { recursive: true });
  return dir;
}

/**
 * The environment of a live engine against `venue` with the test key: the top `coins` coins,
 * its data in `dataDir`, no tick harvest and no Redis bridge.
 */
export function liveEngineEnv(
  venue: { apiUrl: string; wsUrl: string },
  dataDir: string,
  coins = 2,
): Record<string, string> {
  return {
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    HL_API_URL: venue.apiUrl,
    HL_WS_URL: venue.wsUrl,
    HL_ADDRESS: TEST_ACCOUNT,
    HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
    MM_SHADOW_MODE: "false",
    MM_COINS_TOP_N: `${coins}`,
    MM_DATA_DIR: dataDir,
    MM_HARVEST_TICKS: "false",
    REDIS_URL: closedRedisUrl(),
  };
}

/**
 * The `./deno run` flags of the engine's permission set `set` widened to read and write
 * `dataDir` (a temporary folder outside data/).
 */
export function permissionFlags(set: string, dataDir: string): string[] {
  return [
    `-P=${set}`,
    `--allow-read=data,wasm/build,node_modules,${dataDir}`,
    `--allow-write=${dataDir}`,
  ];
}

/**
 * The `demo` mode's market: the venue simulator on loopback with a seeded synthetic market,
 * so the shadow engine runs end to end with no network and no account.
 */
import type { EngineConfig } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";
import { startVenueSim, type VenueSim } from "../tools/venue_sim/mod.ts";

// The demo's simulated account (shadow mode never trades it) and market: enough coins and
// flow that shadow fills appear within seconds.
const DEMO_ACCOUNT = "0x00000000000000000000000000000000000000de";
const DEMO_COINS = 12;
const DEMO_RATE = 2;
const DEMO_DEX_COINS = 3;

/**
 * Starts the venue simulator with the market of `seed` and returns it with the config pointed at
 * it (data under `demo/`).
 */
export async function startDemoVenue(
  baseConfig: EngineConfig,
  log: Logger,
  seed = 1,
): Promise<{ sim: VenueSim; config: EngineConfig }> {
  const sim = await startVenueSim({
    account: DEMO_ACCOUNT,
    seed,
    coins: baseConfig.coins?.length ?? DEMO_COINS,
    // The builder dex's markets trade too, for MM_DEXES=main,xyz or MM_COINS=…,xyz:XYZ100.
    dexCoins: DEMO_DEX_COINS,
    rate: DEMO_RATE,
    logger: createLogger({ level: "warn", format: baseConfig.logFormat }),
  });
  const config = {
    ...baseConfig,
    apiUrl: sim.apiUrl,
    wsUrl: sim.wsUrl,
    coinsTopN: baseConfig.coins ? baseConfig.coinsTopN : DEMO_COINS,
    // The synthetic market's ticks, fills and state stay apart from real shadow data (Gate 5).
    dataDir: `${baseConfig.dataDir}/demo`,
  };
  log.info(`[DEMO] Venue simulator on ${sim.apiUrl} (synthetic market, seed ${seed}, no network)`);
  return { sim, config };
}

/**
 * The engine's command line: `shadow | live | demo | replay <files or folder>`.
 *
 *   deno task demo   [--duration 60s]          shadow engine against the local venue simulator
 *   deno task shadow [--duration 1h]           live Hyperliquid data, simulated fills, no orders
 *   deno task live   [--duration ...]          signed post-only orders (asks "CONFIRM LIVE")
 *   deno task replay <paths> [--speed max|1x]  the engine over harvested data, virtual clock
 *
 * Common flags: `--clear-halt` (start although the saved state says halted).
 */
import { type Cli, parseCli } from "./engine/cli.ts";
import { ConfigError, type EngineConfig, loadConfig, readEnv } from "./engine/config.ts";
import { createLogger } from "./engine/log.ts";
import { runReplayMode } from "./engine/replay_run.ts";
import { runMarketMode } from "./engine/run.ts";

async function main(args: string[]): Promise<number> {
  let cli: Cli;
  let config: EngineConfig;
  try {
    cli = parseCli(args);
    config = loadConfig(readEnv());
  } catch (error) {
    console.error(
      error instanceof ConfigError ? `config: ${error.message}` : (error as Error).message,
    );
    return 2;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  try {
    if (cli.mode === "replay") await runReplayMode(cli, config, log);
    else await runMarketMode(cli, config, log);
    return 0;
  } catch (error) {
    log.error((error as Error).message);
    await log.flush();
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

/**
 * The engine's command line: `shadow | live | demo | replay <files or folder>`.
 *
 *   deno task demo   [--duration 60s]          shadow engine against the local venue simulator
 *   deno task shadow [--duration 1h]           live Hyperliquid data, simulated fills, no orders
 *   deno task live   [--duration ...]          signed post-only orders (asks "CONFIRM LIVE")
 *   deno task replay <paths> [--speed max|1x]  the engine over harvested data, virtual clock
 *
 * Common flags: `--clear-halt` (start although the saved state says halted).
 *
 * Exit codes (engine/exit_codes.ts): 0 clean; 1 an error; 2 bad command line or configuration;
 * 3 the shutdown left orders resting or the state unsaved (the log names what); 4 the saved
 * state is halted. The watchdog restarts 1 and 3, never 2 or 4.
 */
import { type Cli, parseCli } from "./engine/cli.ts";
import { ConfigError, type EngineConfig, loadConfig } from "./engine/config.ts";
import { readEnv } from "./engine/config_env.ts";
import { refuseEscapingLinks } from "./engine/data_links.ts";
import { EXIT_FAILED, EXIT_HALTED, EXIT_OK, EXIT_USAGE, HaltedError } from "./engine/exit_codes.ts";
import { createLogger } from "./engine/log.ts";
import { runReplayMode } from "./engine/replay_run.ts";
import { runMarketMode } from "./engine/run.ts";
import { errorMessage } from "./engine/util/errors.ts";

async function main(args: string[]): Promise<number> {
  let cli: Cli;
  let config: EngineConfig;
  try {
    cli = parseCli(args);
    config = loadConfig(readEnv());
    // Before anything under the data folder (or a replay input) is read.
    refuseEscapingLinks([config.dataDir, ...cli.paths]);
  } catch (error) {
    console.error(
      error instanceof ConfigError ? `config: ${error.message}` : errorMessage(error),
    );
    return EXIT_USAGE;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  try {
    if (cli.mode === "replay") {
      await runReplayMode(cli, config, log);
      return EXIT_OK;
    }
    return await runMarketMode(cli, config, log);
  } catch (error) {
    log.error(errorMessage(error));
    await log.flush();
    return error instanceof HaltedError ? EXIT_HALTED : EXIT_FAILED;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

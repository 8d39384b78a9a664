/**
 * The demo engine exactly as `main.ts demo` runs it, with one addition for the crash-alert test:
 * SIGUSR1 makes a promise reject that nobody handles, the kind of crash the engine's guard
 * catches. Usage: `deno run -P=demo … tests/helpers/crash_on_signal.ts` (config from the env).
 */
import { parseCli } from "../../engine/cli.ts";
import { loadConfig } from "../../engine/config.ts";
import { readEnv } from "../../engine/config_env.ts";
import { createLogger } from "../../engine/log.ts";
import { runMarketMode } from "../../engine/run.ts";

Deno.addSignalListener("SIGUSR1", () => {
  void Promise.reject(new Error("injected by the test"));
});
const config = loadConfig(readEnv());
await runMarketMode(parseCli(["demo"]), config, createLogger({ level: config.logLevel }));

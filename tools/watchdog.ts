/**
 * Keeps the engine running (README, "Watchdog"): starts it, and when it dies
 * restarts it with exponential backoff, logging every start and gap to `data/watchdog.log` (in
 * MM_DATA_DIR when set), so the tick harvest has as few holes as possible. A clean exit (code 0: `--duration` reached, or the engine
 * stopped by the operator) ends the watchdog; Ctrl-C or SIGTERM is passed on to the engine, whose
 * own shutdown cancels orders and saves state.
 *
 *   ./deno task watchdog [shadow|demo|live] [engine flags...]
 *
 * `live` asks for CONFIRM LIVE once, here, then runs every start unattended with the `deploy`
 * permission set (which grants HL_PRIVATE_KEY): a crash at 3 a.m. must not wait for a terminal.
 * The engine never gets the terminal (its stdin is closed), so no start can stop at a prompt, and
 * each live start cancels what the previous run left before anything else it sends.
 *
 * An engine that refuses to start because the saved state is halted (a drawdown stop: exit code
 * 4) or because its configuration is bad (2) is not restarted: a restart would only repeat it.
 * Engines are started through `tools/engine.sh`, the one program this task may run.
 */
import { EXIT_HALTED, EXIT_USAGE } from "../engine/exit_codes.ts";
import { backoffDelayMs } from "../engine/util/backoff.ts";
import { errorMessage } from "../engine/util/errors.ts";

/** A running engine process, as far as the watchdog needs it. */
export interface Supervised {
  /** Resolves with the exit code when the process ends (signals give a non-zero code). */
  readonly status: Promise<{ code: number }>;
  kill(signal: Deno.Signal): void;
}

/** Restart pacing, ms. */
export interface Backoff {
  /** Delay before the first restart. */
  initialMs: number;
  /** Upper bound of the doubling delay. */
  maxMs: number;
  /** A run at least this long counts as healthy: the next crash starts from `initialMs` again. */
  resetAfterMs: number;
}

/** Options of {@link supervise}. */
export interface SuperviseOptions {
  start: () => Supervised;
  log: (line: string) => void;
  /** Ends supervision: the running process gets SIGTERM and no restart follows. */
  stop: AbortSignal;
  backoff?: Partial<Backoff>;
  /** Give up after this many restarts in a row without a healthy run (default: never). */
  maxRestarts?: number;
  now?: () => number;
}

/** How supervision ended. */
export interface SuperviseResult {
  restarts: number;
  /** The last process's exit code (0 when it ended cleanly or was stopped). */
  exitCode: number;
  reason: "clean-exit" | "stopped" | "gave-up" | "halted" | "bad-config";
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 60_000, resetAfterMs: 600_000 };
// Ten crashes without a healthy run in between (about five minutes of backoff) is a crash loop,
// a bad configuration more likely than a network blip: stop and let the operator look.
const MAX_RESTARTS_IN_A_ROW = 10;

/** Runs `start()` until a clean exit or `stop`, restarting after crashes with backoff. */
export async function supervise(options: SuperviseOptions): Promise<SuperviseResult> {
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const now = options.now ?? Date.now;
  const maxRestarts = options.maxRestarts ?? Infinity;
  let restarts = 0;
  let crashesInARow = 0;
  let downSinceMs: number | null = null;
  while (true) {
    const startedMs = now();
    if (downSinceMs !== null) {
      options.log(`restarted after a gap of ${seconds(startedMs - downSinceMs)}`);
    }
    const child = options.start();
    const onStop = () => child.kill("SIGTERM");
    options.stop.addEventListener("abort", onStop, { once: true });
    const { code } = await child.status;
    options.stop.removeEventListener("abort", onStop);
    const ranMs = now() - startedMs;
    if (options.stop.aborted) {
      options.log(`stopped by signal; the engine exited with code ${code}`);
      return { restarts, exitCode: code, reason: "stopped" };
    }
    if (code === 0) {
      options.log(`the engine exited cleanly after ${seconds(ranMs)}`);
      return { restarts, exitCode: 0, reason: "clean-exit" };
    }
    if (code === EXIT_HALTED) {
      options.log(
        `the engine is halted on purpose (exit code ${code}): not restarting. Check the cause ` +
          "in its log, then start it with --clear-halt",
      );
      return { restarts, exitCode: code, reason: "halted" };
    }
    if (code === EXIT_USAGE) {
      options.log(
        `the engine refused its command line or configuration (exit code ${code}): not restarting`,
      );
      return { restarts, exitCode: code, reason: "bad-config" };
    }
    if (ranMs >= backoff.resetAfterMs) crashesInARow = 0;
    crashesInARow++;
    if (crashesInARow > maxRestarts) {
      options.log(
        `the engine exited with code ${code}; ${maxRestarts} restarts in a row: giving up`,
      );
      return { restarts, exitCode: code, reason: "gave-up" };
    }
    downSinceMs = now();
    const delayMs = backoffDelayMs(crashesInARow, { ...backoff, jitter: 0 }, 0);
    options.log(
      `the engine exited with code ${code} after ${seconds(ranMs)}; restarting in ${
        seconds(delayMs)
      }`,
    );
    if (!(await pause(delayMs, options.stop))) {
      options.log("stopped by signal while waiting to restart");
      return { restarts, exitCode: code, reason: "stopped" };
    }
    restarts++;
  }
}

/** Waits `ms`; resolves false at once when `stop` aborts. */
function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    stop.addEventListener("abort", onAbort, { once: true });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The program that starts an engine: the only one the `watchdog` permission set may run. */
export const ENGINE_PROGRAM = "./tools/engine.sh";

/** The {@link ENGINE_PROGRAM} arguments that run one engine start for a mode. */
export function engineCommand(mode: string, flags: readonly string[]): string[] {
  if (mode !== "shadow" && mode !== "demo" && mode !== "live") {
    throw new Error(`watchdog: mode "${mode}" is not one of shadow, demo, live`);
  }
  return [mode, ...flags];
}

/** Where a started engine runs and what it gets besides the watchdog's environment. */
export interface EngineStart {
  /** The repository (default: the current directory). */
  cwd?: string | URL;
  env?: Record<string, string>;
  stdout?: "inherit" | "piped" | "null";
  stderr?: "inherit" | "piped" | "null";
}

/**
 * Starts one engine with {@link ENGINE_PROGRAM}: in its own process group (a Ctrl-C on the
 * terminal reaches only the watchdog, which passes one SIGTERM on; two signals would make the
 * engine skip its orderly shutdown) and with stdin closed, so no start ever waits at a prompt.
 */
export function startEngine(args: readonly string[], options: EngineStart = {}): Deno.ChildProcess {
  return new Deno.Command(ENGINE_PROGRAM, {
    args: [...args],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: options.stdout ?? "inherit",
    stderr: options.stderr ?? "inherit",
    detached: true,
  }).spawn();
}

async function main(args: string[]): Promise<number> {
  const [mode = "shadow", ...flags] = args;
  let command: string[];
  try {
    command = engineCommand(mode, flags);
  } catch (error) {
    console.error(errorMessage(error));
    return 2;
  }
  if (mode === "live") {
    if (!Deno.stdin.isTerminal()) {
      console.error("watchdog: live mode needs a terminal to type CONFIRM LIVE once");
      return 2;
    }
    const answer = prompt('⚠️ LIVE under the watchdog: type "CONFIRM LIVE" to start:');
    if (answer?.trim() !== "CONFIRM LIVE") {
      console.error("watchdog: live start not confirmed; nothing was started");
      return 1;
    }
  }
  // Beside the engine's data (MM_DATA_DIR, as the engine reads it), so each run has its own log.
  const dataDir = (Deno.env.get("MM_DATA_DIR") ?? "").trim().replace(/\/+$/, "") || "data";
  await Deno.mkdir(dataDir, { recursive: true });
  const logFile = await Deno.open(`${dataDir}/watchdog.log`, { append: true, create: true });
  const encoder = new TextEncoder();
  const log = (line: string) => {
    const text = `${new Date().toISOString()} [WATCHDOG] ${line}\n`;
    console.error(text.trimEnd());
    logFile.writeSync(encoder.encode(text));
  };
  const stopper = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stopper.abort());
  }
  log(`supervising ${ENGINE_PROGRAM} ${command.join(" ")}`);
  const result = await supervise({
    start: () => {
      const child = startEngine(command);
      log(`engine started (pid ${child.pid})`);
      return child;
    },
    log,
    stop: stopper.signal,
    maxRestarts: MAX_RESTARTS_IN_A_ROW,
  });
  logFile.close();
  // The engine's own code: when stopped, 3 says its shutdown left orders or state behind.
  return result.reason === "gave-up" ? Math.max(1, result.exitCode) : result.exitCode;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

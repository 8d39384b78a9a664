/**
 * The engine and the venue simulator as child processes of a tool (tools/load_live.ts,
 * tools/soak.ts): started through tools/engine.sh, their output logged to a file, stopped with
 * SIGTERM and, past a timeout, SIGKILL.
 *
 * @module
 */
import type { EngineMode } from "./run_cli.ts";

/** The official SDK's public test key and its address (tools/venue_sim/README.md). */
const TEST_PRIVATE_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const TEST_ADDRESS = "0x14791697260E4c9A71f18484C9f997B308e59325";
const VENUE_START_TIMEOUT_MS = 60_000;
const VENUE_STOP_TIMEOUT_MS = 10_000;
/** How long a SIGKILLed process, or its piped output, is waited for. */
export const KILL_WAIT_MS = 5_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Waits at most `ms` for a promise; resolves undefined on timeout. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes a process's stdout and stderr into one file as they come; `onText` sees stdout's text
 * (the venue prints its URLs there). Resolves when both streams end and the file is closed.
 */
export async function pipeToFile(
  child: Deno.ChildProcess,
  path: string,
  onText?: (text: string) => void,
): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  // One write at a time, so chunks of the two streams never interleave mid-chunk.
  let queue = Promise.resolve();
  const write = (chunk: Uint8Array) => {
    queue = queue.then(async () => {
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    });
    return queue;
  };
  const pump = async (stream: ReadableStream<Uint8Array>, watch: boolean) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      if (watch) onText?.(decoder.decode(chunk, { stream: true }));
      await write(chunk);
    }
  };
  try {
    await Promise.all([pump(child.stdout, true), pump(child.stderr, false)]);
    await queue;
  } finally {
    file.close();
  }
}

/** SIGTERM, a bounded wait, then SIGKILL; resolves with how the process ended. */
export async function stopProcess(
  child: Deno.ChildProcess,
  timeoutMs: number,
): Promise<{ status: Deno.CommandStatus | null; killed: boolean }> {
  const signal = (s: Deno.Signal) => {
    try {
      child.kill(s);
    } catch {
      // Already exited: nothing to signal.
    }
  };
  signal("SIGTERM");
  const status = await within(child.status, timeoutMs);
  if (status !== undefined) return { status, killed: false };
  signal("SIGKILL");
  return { status: await within(child.status, KILL_WAIT_MS) ?? null, killed: true };
}

/** A venue simulator process and the URLs it printed. */
export interface VenueProcess {
  apiUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the venue simulator as its own process and waits for its URLs. It runs the
 * `venue-sim` task's command (through tools/engine.sh) rather than `deno task`: a task runner
 * killed after a timeout would leave its venue child running.
 */
export async function startVenue(
  options: { coins: number; rate: number; delayMs: number },
  seed: number,
  logPath: string,
  faults: readonly string[] = [],
): Promise<VenueProcess> {
  const args = [
    "venue-sim",
    "--port",
    "0",
    "--seed",
    `${seed}`,
    "--coins",
    `${options.coins}`,
    "--rate",
    `${options.rate}`,
  ];
  if (options.delayMs > 0) args.push("--fault", `delay:ms=${options.delayMs}`);
  for (const fault of faults) args.push("--fault", fault);
  const child = spawn(args, {});
  let text = "";
  const urls = Promise.withResolvers<{ apiUrl: string; wsUrl: string }>();
  const piped = pipeToFile(child, logPath, (t) => {
    text += t;
    const api = /HL_API_URL=(\S+)/.exec(text), ws = /HL_WS_URL=(\S+)/.exec(text);
    if (api && ws) urls.resolve({ apiUrl: api[1], wsUrl: ws[1] });
  });
  const stop = async () => {
    await stopProcess(child, VENUE_STOP_TIMEOUT_MS);
    await within(piped, KILL_WAIT_MS);
  };
  const found = await within(
    Promise.race([
      urls.promise,
      child.status.then(() => undefined),
    ]),
    VENUE_START_TIMEOUT_MS,
  );
  if (found === undefined) {
    await stop();
    throw new Error(`the venue did not print its URLs (see ${logPath}): ${text.slice(-500)}`);
  }
  return { ...found, stop };
}

/**
 * Spawns tools/engine.sh (the one program this task may run: no `./deno eval`) in its own process
 * group with only the given environment.
 */
export function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command("./tools/engine.sh", {
    args,
    // Nothing from the operator's environment (a real key, MM_COINS) may change the test.
    clearEnv: true,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Its own process group: a Ctrl-C on the terminal reaches only this script, which sends
    // one SIGTERM. A second signal would make the engine skip its orderly shutdown.
    detached: true,
  }).spawn();
}

/**
 * The engine's tools/engine.sh arguments and environment for a mode. Shadow is told the round trip live has
 * against this venue (`delayMs` on every answer) as its order and cancel latency, so both run
 * under the same settings; `settings` (`--env`) come last and win.
 */
export function engineCommand(
  mode: EngineMode,
  venue: { apiUrl: string; wsUrl: string },
  coins: number,
  dataDir: string,
  redisUrl: string,
  delayMs = 0,
  settings: Record<string, string> = {},
): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {
    HL_API_URL: venue.apiUrl,
    HL_WS_URL: venue.wsUrl,
    MM_COINS_TOP_N: `${coins}`,
    MM_DATA_DIR: dataDir,
    MM_HARVEST_TICKS: "false",
    REDIS_URL: redisUrl,
  };
  if (mode === "shadow") {
    return {
      args: ["shadow"],
      env: {
        ...env,
        MM_SHADOW_MODE: "true",
        MM_ENTRY_LATENCY_MS: `${delayMs}`,
        ...settings,
      },
    };
  }
  return {
    // tools/engine.sh runs live with the deploy set and --confirm-live.
    args: ["live"],
    env: {
      ...env,
      MM_SHADOW_MODE: "false",
      HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
      HL_ADDRESS: TEST_ADDRESS,
      ...settings,
    },
  };
}

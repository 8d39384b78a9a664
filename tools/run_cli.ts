/**
 * The command-line pieces shared by the tools that run the engine against the venue simulator
 * (tools/load_live.ts, tools/soak.ts): number flags checked by name, the engine mode flag, the
 * stamped output folder, Ctrl-C handling and free loopback ports.
 *
 * @module
 */

/** Which engine mode a run uses. */
export type EngineMode = "live" | "shadow";

/** Whether `x` is an integer a double holds exactly. */
export function isInteger(x: number): boolean {
  return Number.isSafeInteger(x);
}

/**
 * The number flag `--name` holds in `text`; throws `--name must be <what>, got "<text>"` when it
 * is empty, not finite, or fails `ok`.
 */
export function numberFlag(
  name: string,
  text: string,
  ok: (x: number) => boolean,
  what: string,
): number {
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x) || !ok(x)) {
    throw new Error(`--${name} must be ${what}, got ${JSON.stringify(text)}`);
  }
  return x;
}

/** The `--mode` flag: live, shadow or both; throws naming anything else. */
export function modeFlag(text: string): EngineMode | "both" {
  if (text !== "live" && text !== "shadow" && text !== "both") {
    throw new Error(`--mode must be live, shadow or both, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** A fresh folder `<root>/<ISO start time, filename-safe>`, created, and the start time. */
export async function stampedDir(root: string): Promise<{ startedAt: string; dir: string }> {
  const startedAt = new Date().toISOString();
  const dir = `${root}/${startedAt.replace(/:/g, "-").replace(".", "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  return { startedAt, dir };
}

/** Exit code of a run stopped by SIGINT or SIGTERM: 128 + SIGINT (2), as a shell reports Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * A signal that aborts on SIGINT or SIGTERM, saying on stderr that `tool` is stopping the engine
 * and the venue (the run then stops them in order).
 */
export function interruptOnSignals(tool: string): AbortSignal {
  const interrupt = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      console.error(`${tool}: ${signal}: stopping the engine and the venue`);
      interrupt.abort();
    });
  }
  return interrupt.signal;
}

/** A free loopback port (closed again at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A loopback URL where nothing listens, so the engine runs without the Redis bridge. */
export function closedRedisUrl(): string {
  return `redis://127.0.0.1:${freePort()}`;
}

/**
 * The demo engine as a child process on a data folder of its own, for tests that start, kill and
 * restart it as an operator would.
 *
 * @module
 */

/** How to run the demo: whether its output is piped (else dropped), and extra environment. */
export interface DemoOptions {
  /** Pipe stdout and stderr (default true); false drops them. */
  piped?: boolean;
  /** Environment on top of the data folder's (default: no tick harvesting). */
  env?: Record<string, string>;
}

/**
 * `./deno run -P=demo main.ts demo ...args` from the repository root, reading and writing
 * `dataDir` (its MM_DATA_DIR) and nothing else of the operator's environment.
 */
export function demoCommand(
  dataDir: string,
  args: string[],
  { piped = true, env = { MM_HARVEST_TICKS: "false" } }: DemoOptions = {},
): Deno.Command {
  return new Deno.Command("./deno", {
    args: [
      "run",
      "-P=demo",
      `--allow-read=.,${dataDir}`,
      `--allow-write=${dataDir}`,
      "main.ts",
      "demo",
      ...args,
    ],
    cwd: new URL("../../", import.meta.url),
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", MM_DATA_DIR: dataDir, ...env },
    stdin: "null",
    stdout: piped ? "piped" : "null",
    stderr: piped ? "piped" : "null",
  });
}

/** Runs the demo on `dataDir` to its end; its exit code and its output as text. */
export async function runDemo(
  dataDir: string,
  args: string[],
  options: Omit<DemoOptions, "piped"> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await demoCommand(dataDir, args, { ...options, piped: true }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

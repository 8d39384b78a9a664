/**
 * `./deno run` of a script from the repository root to its end, for tests of what the engine
 * prints and how it exits.
 *
 * @module
 */

/**
 * Runs `./deno run ...args` with `env` on top of NO_COLOR and DENO_NO_UPDATE_CHECK (`clearEnv`:
 * and nothing of this process's environment); its exit code and stdout followed by stderr.
 */
export async function runDeno(
  args: string[],
  env: Record<string, string>,
  { clearEnv = false }: { clearEnv?: boolean } = {},
): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command("./deno", {
    args: ["run", ...args],
    cwd: new URL("../../", import.meta.url),
    clearEnv,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

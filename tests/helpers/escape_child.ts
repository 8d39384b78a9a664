/**
 * What code running under a task's permission set might try to get at .env: start `./deno eval`
 * (which would run with every permission), start the engine wrapper with `eval`, read .env
 * directly. Prints one JSON object with what each attempt got.
 */
async function attempt(run: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    return { ran: await run() };
  } catch (error) {
    return { refused: (error as Error).name };
  }
}

const decoder = new TextDecoder();
const denoEval = await attempt(async () =>
  (await new Deno.Command("./deno", {
    args: ["eval", "console.log(Deno.readTextFileSync('.env'))"],
    stdout: "null",
    stderr: "null",
  }).output()).code
);
const wrapperEval = await attempt(async () => {
  const out = await new Deno.Command("./tools/engine.sh", {
    args: ["eval", "console.log(Deno.readTextFileSync('.env'))"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: decoder.decode(out.stderr) };
});
const readEnvFile = await attempt(() => Deno.readTextFileSync(".env"));
console.log(JSON.stringify({ denoEval, wrapperEval, readEnvFile }));

/**
 * tools/start_mm_bot.sh, the Docker start (README, "Deploy and stop (Docker)"): live starts only
 * after CONFIRM LIVE is typed on a terminal; anything else starts nothing.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const decoder = new TextDecoder();

/** Runs the script on a terminal (script(1)) with `typed` as the keyboard. */
async function onTerminal(typed: string, env: Record<string, string>) {
  const child = new Deno.Command("script", {
    args: ["-qefc", "tools/start_mm_bot.sh", "/dev/null"],
    cwd: root,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(typed));
  const out = await child.output();
  await writer.close().catch(() => {});
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

Deno.test("MM_SHADOW_MODE=false start_mm_bot.sh asks for CONFIRM LIVE and starts nothing without it", async () => {
  const refused = await onTerminal("yes\n", { MM_SHADOW_MODE: "false" });
  assert.equal(refused.code, 1, refused.text);
  assert.match(refused.text, /Type "CONFIRM LIVE" to start:/);
  assert.match(refused.text, /live start not confirmed; nothing was started/);
  assert.doesNotMatch(refused.text, /compose|docker/i);
});

Deno.test("start_mm_bot.sh live without a terminal refuses; an unknown mode is named", async () => {
  const piped = await new Deno.Command("./tools/start_mm_bot.sh", {
    args: ["live"],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(piped.code, 2);
  assert.match(decoder.decode(piped.stderr), /live mode needs a terminal to type CONFIRM LIVE/);
  const unknown = await new Deno.Command("./tools/start_mm_bot.sh", {
    args: ["paper"],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(unknown.code, 2);
  assert.match(decoder.decode(unknown.stderr), /mode "paper" is not shadow or live/);
});

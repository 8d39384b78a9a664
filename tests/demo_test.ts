import assert from "node:assert/strict";

Deno.test("`demo --duration` runs the shadow engine against the local venue and prints a session report", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command("./deno", {
    args: ["run", "-P=demo", "main.ts", "demo", "--duration", "8s"],
    cwd: root,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `demo exited ${out.code}\n${stderr}\n${stdout.slice(-2000)}`);
  assert.match(stdout, /\[DEMO\] Venue simulator on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(stdout, /\[SHADOW FILL\] \S+ (bid|ask) L[123] @ [\d.]+ \| sz=\$[\d.]+ \| fee=\$/);
  assert.match(stdout, /════════ SESSION REPORT ════════/);
  assert.match(stdout, /Mode: demo \| Duration: \d+\.\ds \| Coins: 12/);
  const fills = Number(stdout.match(/Fills: (\d+) \| Volume/)?.[1]);
  assert.ok(fills > 0, "the report counts the fills");
  assert.match(stdout, /Latency \(frame → quotes\): P50 [\d.]+ms/);
  assert.match(stdout, /\[SHUTDOWN\] complete in \d+ ms/);
});

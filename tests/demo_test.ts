import assert from "node:assert/strict";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY } from "./helpers/venue.ts";
import { runDeno } from "./helpers/deno_run.ts";

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
  assert.match(stdout, /Mode: demo \| Duration: \d+\.\ds \(this run\) \| Coins: 12/);
  const fills = Number(stdout.match(/Fills: (\d+) \| Volume/)?.[1]);
  assert.ok(fills > 0, "the report counts the fills");
  assert.match(stdout, /Latency \(frame → quotes\): P50 [\d.]+ms/);
  assert.match(stdout, /\[SHUTDOWN\] complete in \d+ ms/);
});

Deno.test("live mode asks before reading the key, refuses to start without a terminal, and never prints the key", async () => {
  const venue = await startTestVenue({ coins: 2 });
  try {
    const run = (env: Record<string, string>, permissionSet = "deploy") =>
      runDeno([`-P=${permissionSet}`, "main.ts", "live"], {
        HL_API_URL: venue.apiUrl,
        HL_WS_URL: venue.wsUrl,
        MM_COINS_TOP_N: "2",
        ...env,
      });
    const defaultShadow = await run({ HL_ADDRESS: TEST_ACCOUNT, HL_PRIVATE_KEY: TEST_PRIVATE_KEY });
    assert.notEqual(defaultShadow.code, 0);
    assert.match(defaultShadow.text, /MM_SHADOW_MODE is true \(the default\)/);

    const noKey = await run({ MM_SHADOW_MODE: "false", HL_ADDRESS: TEST_ACCOUNT });
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.text, /HL_PRIVATE_KEY must be set for live mode/);

    // `deno task live` leaves the key out of its permissions so that Deno asks on the terminal;
    // with no terminal to ask on, the engine stops before it has the key.
    const keyNotAllowed = await run({
      MM_SHADOW_MODE: "false",
      HL_ADDRESS: TEST_ACCOUNT,
      HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
    }, "live");
    assert.notEqual(keyNotAllowed.code, 0);
    assert.match(keyNotAllowed.text, /live mode was not allowed to read HL_PRIVATE_KEY/);

    const noTty = await run({
      MM_SHADOW_MODE: "false",
      HL_ADDRESS: TEST_ACCOUNT,
      HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
    });
    assert.notEqual(noTty.code, 0);
    assert.match(noTty.text, /live mode needs a terminal to type CONFIRM LIVE/);
    assert.equal(venue.state().openOrders.length, 0, "nothing was sent");
    for (const text of [defaultShadow.text, noKey.text, keyNotAllowed.text, noTty.text]) {
      assert.ok(!text.includes(TEST_PRIVATE_KEY.slice(2)), "the key never appears in output");
    }
  } finally {
    await venue.close();
  }
});

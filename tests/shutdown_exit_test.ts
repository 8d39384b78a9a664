/**
 * Exit codes that tell the truth: a shutdown that leaves orders resting at the venue, or that
 * could not save the state, exits 3 (EXIT_UNCLEAN_SHUTDOWN) and says what remains.
 */
import assert from "node:assert/strict";
import { EXIT_UNCLEAN_SHUTDOWN } from "../engine/exit_codes.ts";
import { startEngine } from "../tools/watchdog.ts";
import { liveEngineEnv, startRealtimeVenue, testDataDir } from "./helpers/live_engine.ts";
import { runDemo } from "./helpers/demo.ts";

const root = new URL("../", import.meta.url);

Deno.test("demo whose state cannot be saved exits 3 and says the state was not saved", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_exit_" });
  try {
    // A folder where the state file goes: every save's rename onto it fails.
    await Deno.mkdir(`${dir}/demo/state/engine_state.json/in-the-way`, { recursive: true });
    const out = await runDemo(dir, ["--duration", "1s"]);
    const text = out.stdout + out.stderr;
    assert.equal(out.code, EXIT_UNCLEAN_SHUTDOWN, text.slice(-2000));
    assert.match(text, /\[SHUTDOWN\] REMAINS: the state file was not saved .*\(save state: /);
    assert.match(text, /\[SHUTDOWN\] exit code 3: the shutdown left something behind/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "live whose venue stops answering at the stop exits 3, names what may rest, and it does",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const venue = await startRealtimeVenue();
    const dir = await testDataDir("exit");
    const child = startEngine(["live"], {
      cwd: root,
      env: liveEngineEnv(venue, dir),
      stdout: "piped",
      stderr: "piped",
    });
    const output = Promise.all([child.stdout, child.stderr].map((s) => new Response(s).text()));
    try {
      for (let waited = 0; venue.state().openOrders.length < 2; waited += 50) {
        if (waited > 60_000) throw new Error("no orders resting after 60 s");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Every REST request fails from now on: the shutdown's cancel cannot get through.
      venue.inject({ kind: "httpError", status: 500 });
      child.kill("SIGTERM");
      const status = await child.status;
      const text = (await output).join("");
      assert.equal(status.code, EXIT_UNCLEAN_SHUTDOWN, text.slice(-3000));
      assert.match(text, /\[SHUTDOWN\] REMAINS: orders may still rest at the venue \(cancel all: /);
      assert.match(
        text,
        /\[SHUTDOWN\] REMAINS: orders still rest at the venue, or the venue could/,
      );
      venue.clear();
      assert.ok(venue.state().openOrders.length > 0, "the exit code was right: orders rest");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await venue.close();
      await Deno.remove(new URL(dir, root), { recursive: true });
    }
  },
});

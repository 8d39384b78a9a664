/**
 * A live start that is refused (the saved state is halted) quotes nothing, and so leaves nothing
 * of the account resting untracked: the orders an earlier run left are cancelled before it exits.
 */
import assert from "node:assert/strict";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import { emptyState, markHalted } from "../engine/state.ts";
import { saveState } from "../engine/state_file.ts";
import { statePathFor } from "../engine/mode_paths.ts";
import { startEngine } from "../tools/watchdog.ts";
import { liveEngineEnv, startRealtimeVenue, testDataDir } from "./helpers/live_engine.ts";

const root = new URL("../", import.meta.url);

Deno.test({
  name:
    "a halted live start exits 4 without quoting, after cancelling the orders a crashed run left resting",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const venue = await startRealtimeVenue();
    const dir = await testDataDir("refused");
    try {
      // What a run killed mid-halt left: a halted state and two bids still resting.
      const halted = markHalted(emptyState(Date.now()), "[GLOBAL STOP] Daily drawdown", Date.now());
      await saveState(new URL(statePathFor("live", dir), root).pathname, halted);
      const bestBid = Number(venue.sim.l2Book("BTC").levels[0][0].px);
      for (const ticks of [20, 40]) {
        const placed = venue.sim.placeOrder({
          a: 0,
          b: true,
          p: floatToWire(roundPerpPrice(bestBid - ticks * priceTick(bestBid, 5), 5, "down")),
          s: "0.001",
          r: false,
          t: { limit: { tif: "Alo" } },
        });
        assert.ok("resting" in placed, JSON.stringify(placed));
      }
      assert.equal(venue.state().openOrders.length, 2);

      const engine = startEngine(["live"], {
        cwd: root,
        env: liveEngineEnv(venue, dir),
        stdout: "piped",
        stderr: "piped",
      });
      const { code, stdout, stderr } = await engine.output();
      const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assert.equal(code, 4, text);
      assert.match(text, /the engine is halted since .*--clear-halt/);
      assert.match(text, /\[LIVE\] refused start: 2 open order\(s\)/);
      assert.deepEqual(venue.state().openOrders, [], "nothing left resting");
      assert.equal(venue.sim.account.fills.length, 0, "nothing quoted");
    } finally {
      await venue.close();
      await Deno.remove(new URL(dir, root), { recursive: true });
    }
  },
});

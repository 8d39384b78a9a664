import assert from "node:assert/strict";
import { writeGlftFrames } from "./helpers/glft_market.ts";
import { replayOnce } from "./helpers/replay.ts";

const T0 = Date.UTC(2026, 2, 1, 12);

async function replayWith(dir: string, env: Record<string, string>) {
  const { fills, outcome } = await replayOnce(dir, env);
  return { fills, engine: outcome.stack.engine };
}

Deno.test("a replay quotes and fills with each quote model, and each model quotes its own way", async () => {
  const dir = await writeGlftFrames(T0);
  try {
    const grid = await replayWith(dir, {});
    const microprice = await replayWith(dir, { MM_QUOTE_MODEL: "microprice" });
    const glft = await replayWith(dir, { MM_QUOTE_MODEL: "glft", MM_GLFT_GAMMA: "0.05" });
    for (
      const [name, run] of [["grid", grid], ["microprice", microprice], ["glft", glft]] as const
    ) {
      assert.ok(run.fills.length >= 10, `${name}: only ${run.fills.length} fills`);
      assert.equal(run.engine.models.modelOf(0), name);
    }
    assert.notDeepEqual(microprice.fills, grid.fills);
    assert.notDeepEqual(glft.fills, grid.fills);
    // GLFT estimated the synthetic market it quoted (1.5 bps/√s, 2 orders/s, k 0.8/bps), through
    // the engine's own feed: one-cent prices (0.67 bps) blur sigma and k a little.
    const e = glft.engine.models.estimateOf(0)!;
    assert.ok(e !== null, "glft has an estimate");
    assert.ok(Math.abs(e.sigma - 1.5) < 0.4, `sigma ${e.sigma}`);
    assert.ok(Math.abs(e.a - 2) < 0.6, `A ${e.a}`);
    assert.ok(Math.abs(e.k - 0.8) < 0.25, `k ${e.k}`);
    // It warms up within the first minutes, then fills on its own quotes.
    const late = glft.fills.filter((f) => f.timeMs > T0 + 120_000).length;
    assert.ok(late >= 10, `only ${late} glft fills after its first estimates`);
    // The same replay again: the same fills (the estimators run on market time only).
    const again = await replayWith(dir, { MM_QUOTE_MODEL: "glft", MM_GLFT_GAMMA: "0.05" });
    assert.deepEqual(again.fills, glft.fills);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Quote models: one kernel call for 30 coins under each model (grid, microprice, GLFT), and a
 * sweep's cost per configuration after the one-time parse: one replay of full-depth frames (the
 * synthetic SOL market of tests/helpers/glft_market.ts, 5 levels a side, 2 hours) through the
 * whole engine per model. Events per second per configuration are printed.
 * Run: `./deno bench -P tests/bench/quote_models_bench.ts`.
 */
import {
  loadKernel,
  MODEL_GLFT,
  MODEL_GRID,
  MODEL_MICROPRICE,
  SIDE_ASK,
  SIDE_BID,
} from "../../engine/kernel.ts";
import { loadReplay } from "../../engine/replay.ts";
import { expandGrid } from "../../tools/sweep/grid.ts";
import { runOne, runSweep } from "../../tools/sweep/run.ts";
import { SweepPool } from "../../tools/sweep/pool.ts";
import { writeGlftFrames } from "../helpers/glft_market.ts";

const COINS = 30;
const kernels = await Promise.all([MODEL_GRID, MODEL_MICROPRICE, MODEL_GLFT].map(async (model) => {
  const k = await loadKernel();
  for (let c = 0; c < COINS; c++) {
    const mid = 0.05 * 3.1 ** (c % 12);
    k.bestBid[c] = mid * (1 - 0.00005);
    k.bestAsk[c] = mid * (1 + 0.00005);
    k.szDecimals[c] = Math.min(5, Math.max(0, Math.ceil(Math.log10(mid))));
    k.inventoryUsd[c] = ((c * 37) % 300) - 150;
    k.regimeMultiplier[c] = 1 + (c % 4) * 0.5;
    k.sideMask[c] = SIDE_BID | SIDE_ASK;
    k.quoteModel[c] = model;
    k.bestBidSz[c] = 1 + (c % 7);
    k.bestAskSz[c] = 1 + (c % 5);
    k.glftC1[c] = 0.4 + c / 30;
    k.glftC2[c] = 0.25;
    k.glftSigma[c] = 0.4 + c / 20;
  }
  return k;
}));
for (const [i, name] of ["grid", "microprice", "glft"].entries()) {
  Deno.bench(`kernel: computeQuotes, 30 coins, ${name}`, {
    group: "kernel",
    baseline: i === 0,
  }, () => {
    kernels[i].computeQuotes(COINS);
  });
}

const T0 = Date.UTC(2026, 2, 1, 12);
const dir = await writeGlftFrames(T0, 7200);
const data = await loadReplay([dir]);
await Deno.remove(dir, { recursive: true });
const runs = expandGrid("model=grid,microprice,glft", { MM_LOG_LEVEL: "error" });
for (const run of runs) {
  const name = run.params.MM_QUOTE_MODEL;
  let best = Infinity;
  Deno.bench(`sweep: one configuration, ${name}, ${data.length} full-depth events`, {
    group: "sweep",
    baseline: name === "grid",
    n: 5,
    warmup: 1,
  }, async () => {
    const started = performance.now();
    await runOne(data, run);
    const ms = performance.now() - started;
    if (ms < best) {
      best = ms;
      console.log(
        `sweep ${name}: ${data.length} events in ${ms.toFixed(0)} ms = ${
          Math.round(data.length / ms * 1000)
        } events/s (best so far)`,
      );
    }
  });
}

// A sweep of 6 configurations in this process against two workers sharing the parsed data. Only
// warm sweeps are timed: the workers' start (loading the modules, rebuilding the books) and their
// JIT warm-up, paid once per worker, are left out by a first untimed sweep on the same pool.
const six = expandGrid("model=grid,microprice,glft;spread=1.5,3", { MM_LOG_LEVEL: "error" });
Deno.bench("sweep: 6 configurations, 1 process", {
  group: "workers",
  baseline: true,
  n: 3,
  warmup: 1,
}, async () => {
  await runSweep(data, six);
});
Deno.bench(
  "sweep: 6 configurations, 2 workers",
  { group: "workers", n: 3, warmup: 0 },
  async (b) => {
    const pool = new SweepPool(data, 2, { MM_LOG_LEVEL: "error" });
    try {
      await pool.run(six);
      b.start();
      await pool.run(six);
      b.end();
    } finally {
      pool.close();
    }
  },
);

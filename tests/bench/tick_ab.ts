/**
 * Old code against new code on the engine's quiet tick (tick_bench.ts's market: 30 coins holding
 * positions, books unchanged between ticks, as in most of a replay's 100 ms ticks), as a ratio
 * measured in one process: the two trees' engines alternate old, new, new, old... in blocks of
 * ticks under the same load, and each tree's best block is reported. Both engines must end with
 * the same session line and quotes, or the bench stops.
 *
 *   git worktree add --detach /work/wt-old <commit> && (cd /work/wt-old && ./deno task build:wasm)
 *   NO_COLOR=1 ./deno run -A tests/bench/tick_ab.ts /work/wt-old . [rounds, 20]
 */
import process from "node:process";

const [oldRoot, newRoot, roundsArg] = Deno.args;
if (oldRoot === undefined || newRoot === undefined) {
  throw new Error("usage: tick_ab.ts OLD_TREE NEW_TREE [rounds]");
}
const rounds = Number(roundsArg ?? 20);
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`rounds ${roundsArg} is not > 0`);

const COINS = 30;
const TICKS = 20_000;
const T0 = Date.UTC(2026, 1, 22, 12);
const prices = Array.from({ length: COINS }, (_, i) => 0.05 * 3.1 ** (i % 12) * (1 + i / 50));

const url = (root: string, path: string) =>
  new URL(path, `file://${Deno.realPathSync(root)}/`).href;

/** One tree's engine on the bench market, with its clock. */
async function engineOf(root: string) {
  const { loadConfig } = await import(url(root, "engine/config.ts"));
  const { loadKernel } = await import(url(root, "engine/kernel.ts"));
  const { createLogger } = await import(url(root, "engine/log.ts"));
  const { createEngineStack } = await import(url(root, "engine/stack.ts"));
  const stack = await createEngineStack({
    mode: "replay",
    config: loadConfig({ MM_LOG_LEVEL: "error" }),
    assets: prices.map((px, i) => ({
      name: `C${i}`,
      assetIndex: i,
      szDecimals: 2,
      maxLeverage: 20,
      fundingHourly: 0,
      markPx: px,
      midPx: px,
      dayNtlVlm: 0,
      isDelisted: false,
    })),
    log: createLogger({ level: "error", sink: () => {} }),
    now: () => T0,
    kernel: await loadKernel(),
    measureLatency: false,
    writeFills: false,
  });
  const engine = stack.engine;
  prices.forEach((px, i) => {
    engine.onBook({
      coin: `C${i}`,
      timeMs: T0,
      bids: [{ px: px * 0.9999, sz: 100, n: 1 }],
      asks: [{ px: px * 1.0001, sz: 100, n: 1 }],
    });
    engine.carryPosition(`C${i}`, 1, px, T0);
  });
  return { engine, now: T0 };
}

const trees = [await engineOf(oldRoot), await engineOf(newRoot)];
const best = [Infinity, Infinity];
const loadBefore = Deno.loadavg()[0].toFixed(1);
for (let r = 0; r < rounds; r++) {
  for (const t of r % 2 === 0 ? [0, 1] : [1, 0]) {
    const tree = trees[t];
    const c0 = process.cpuUsage();
    for (let k = 0; k < TICKS; k++) tree.engine.tick(tree.now += 100);
    const used = process.cpuUsage(c0);
    best[t] = Math.min(best[t], (used.user + used.system) / 1000);
  }
}
const state = (t: number) =>
  JSON.stringify([
    trees[t].engine.sessionLine(),
    prices.map((_, i) => trees[t].engine.quotesOf(`C${i}`)),
  ]);
if (state(0) !== state(1)) throw new Error(`the trees differ:\n${state(0)}\n${state(1)}`);
const us = (ms: number) => (ms * 1000 / TICKS).toFixed(2);
console.log(
  `${COINS} coins, ${rounds} rounds of ${TICKS} ticks, load average ${loadBefore} before, ${
    Deno.loadavg()[0].toFixed(1)
  } after`,
);
console.log(
  `tick: old ${us(best[0])} µs CPU, new ${us(best[1])} µs CPU; x${(best[0] / best[1]).toFixed(2)}`,
);

/**
 * Old code against new code on a sweep's cost per configuration after the one-time parse, as a
 * ratio measured in one process. The machine is shared (load average 2-8 on 2 cores), so
 * seconds measured at different hours cannot be compared; here the two trees' `runOne`
 * (tools/sweep/run.ts) alternate old, new, new, old... on the same parsed data and under the same
 * load, and each configuration's best run of each tree is reported.
 *
 *   git worktree add --detach /work/wt-old <commit> && (cd /work/wt-old && ./deno task build:wasm)
 *   NO_COLOR=1 ./deno run -A tests/bench/sweep_ab.ts /work/wt-old . [rounds, 6] [data folders]
 *
 * Without data folders the data is quote_models_bench.ts's: the synthetic SOL market of
 * tests/helpers/glft_market.ts, 5 levels a side, 2 hours (28,756 events). With folders (e.g. the
 * real recordings imported by `deno task import` under data/import/, never committed) they are
 * parsed once by the new tree's loadReplay. Both trees must give the same rows: the bench stops
 * naming the first configuration whose rows differ. Recorded per run: wall time, and process CPU
 * time (user + system, all threads; steadier than wall under contention, not immune to it).
 */
import process from "node:process";

const [oldRoot, newRoot, roundsArg, ...folders] = Deno.args;
if (oldRoot === undefined || newRoot === undefined) {
  throw new Error("usage: sweep_ab.ts OLD_TREE NEW_TREE [rounds] [data folders]");
}
const rounds = Number(roundsArg ?? 6);
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`rounds ${roundsArg} is not > 0`);

const url = (root: string, path: string) =>
  new URL(path, `file://${Deno.realPathSync(root)}/`).href;
const trees = await Promise.all([oldRoot, newRoot].map(async (root) => ({
  runOne: (await import(url(root, "tools/sweep/run.ts"))).runOne,
  expandGrid: (await import(url(root, "tools/sweep/grid.ts"))).expandGrid,
})));
const { loadReplay } = await import(url(newRoot, "engine/replay.ts"));
let data;
if (folders.length > 0) data = await loadReplay(folders);
else {
  const { writeGlftFrames } = await import(url(newRoot, "tests/helpers/glft_market.ts"));
  const dir = await writeGlftFrames(Date.UTC(2026, 2, 1, 12), 7200);
  data = await loadReplay([dir]);
  await Deno.remove(dir, { recursive: true });
}

const grid = "model=grid,microprice,glft";
const runs = trees.map((t) => t.expandGrid(grid, { MM_LOG_LEVEL: "error" }));
const names = ["old", "new"];
const wall = runs[0].map(() => [Infinity, Infinity]);
const cpu = runs[0].map(() => [Infinity, Infinity]);
const rows = runs[0].map(() => ["", ""]);
const load = () => Deno.loadavg()[0].toFixed(1);
const loadBefore = load();
for (let r = 0; r < rounds; r++) {
  for (let c = 0; c < runs[0].length; c++) {
    const order = (r + c) % 2 === 0 ? [0, 1] : [1, 0];
    for (const t of order) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const row = await trees[t].runOne(data, runs[t][c]);
      const w = performance.now() - w0;
      const used = process.cpuUsage(c0);
      wall[c][t] = Math.min(wall[c][t], w);
      cpu[c][t] = Math.min(cpu[c][t], (used.user + used.system) / 1000);
      rows[c][t] = JSON.stringify(row);
    }
    if (rows[c][0] !== rows[c][1]) {
      throw new Error(`${runs[0][c].params.MM_QUOTE_MODEL}: the trees' rows differ:\n${rows[c]}`);
    }
  }
}
const rate = (ms: number) => `${Math.round(data.length / ms * 1000).toLocaleString("en")}/s`;
console.log(
  `${data.length} events, ${rounds} rounds, load average ${loadBefore} before, ${load()} after`,
);
for (let c = 0; c < runs[0].length; c++) {
  const parts = [0, 1].map((t) =>
    `${names[t]} ${wall[c][t].toFixed(0)} ms wall (${rate(wall[c][t])}), ${
      cpu[c][t].toFixed(0)
    } ms CPU (${rate(cpu[c][t])})`
  );
  console.log(
    `${runs[0][c].params.MM_QUOTE_MODEL.padEnd(10)} ${parts.join("; ")}; x${
      (wall[c][0] / wall[c][1]).toFixed(2)
    } wall, x${(cpu[c][0] / cpu[c][1]).toFixed(2)} CPU`,
  );
}

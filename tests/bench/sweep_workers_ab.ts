/**
 * A distributed sweep's wall time with one `sweep-worker` process against two, as a ratio. The
 * machine is shared (other engineers' tests on its 2 cores), so rounds alternate one worker, two
 * workers on the same sweep, and each round's ratio is the figure; the load average is printed
 * before and after each run.
 *
 *   NO_COLOR=1 ./deno run -A tests/bench/sweep_workers_ab.ts [--rounds N] [--grid G] [paths...]
 *
 * Defaults: 2 rounds, the grid "spread=1,2,4;requote=0.25,0.5" (6 configurations), the project's
 * sample data (data/samples/ticks and trades: two days of BTC, ETH and SOL). Each run queues the
 * grid from this process on a redis-server of its own and starts the worker processes as
 * `deno task sweep-worker` would (their start and parse are in the time), until every row is back
 * and every worker has exited. (A plain script, not `deno bench`: Deno 2.9.6's bench harness
 * ended these benches within milliseconds, before the redis-server it started answered.)
 */
import { parseArgs } from "node:util";
import { sweep } from "../../tools/sweep.ts";
import { startRedis } from "../helpers/redis.ts";
import { startSweepWorker } from "../helpers/sweep_worker.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string" }, grid: { type: "string" } },
  allowPositionals: true,
});
const paths = positionals.length > 0 ? positionals : ["data/samples/ticks", "data/samples/trades"];
const grid = values.grid ?? "spread=1,2,4;requote=0.25,0.5";
const rounds = Number(values.rounds ?? 2);
const redis = await startRedis();
const out = await Deno.makeTempDir({ prefix: "mm-sweep-ab-" });
const load = () => Deno.loadavg()[0].toFixed(1);

/** Seconds from queueing to the last row with every worker gone. */
async function distributed(workers: number): Promise<number> {
  const started = performance.now();
  const swept = sweep(paths, grid, out, { redisUrl: redis.url, print: () => {} });
  const children = Array.from({ length: workers }, () => startSweepWorker(paths, redis.url));
  await swept;
  for (const child of children) {
    const code = await child.code;
    if (code !== 0) throw new Error(`a worker exited with ${code}: ${await child.stderr}`);
  }
  return (performance.now() - started) / 1000;
}

console.log(`${paths.join(" ")}, --grid "${grid}", ${navigator.hardwareConcurrency} cores`);
try {
  for (let round = 1; round <= rounds; round++) {
    const loadBefore = load();
    const one = await distributed(1);
    const loadBetween = load();
    const two = await distributed(2);
    console.log(
      `round ${round}: 1 worker ${one.toFixed(1)} s, 2 workers ${two.toFixed(1)} s, ` +
        `ratio ${(one / two).toFixed(2)} (load average ${loadBefore}, ${loadBetween}, ${load()})`,
    );
  }
} finally {
  await redis.stop();
  await Deno.remove(out, { recursive: true });
}

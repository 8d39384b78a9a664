/**
 * Distributed sweeps on a real redis-server: `deno task sweep --redis URL` queues the runs,
 * `deno task sweep-worker` processes (each with its task's permissions) take them, and the sweep's
 * files are those of the same sweep in one process; a worker killed holding a run loses nothing.
 */
import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { sweep, sweepWalkForward } from "../tools/sweep.ts";
import type { SweepRow } from "../tools/sweep/run.ts";
import { redisTest, startRedis, waitFor } from "./helpers/redis.ts";
import { runsDone, startSweepWorker, startTask } from "./helpers/sweep_worker.ts";

/** The project's own sample data (two days of BTC, ETH and SOL), as the tasks are given it. */
const PATHS = ["data/samples/ticks", "data/samples/trades"];
// A tick every 0.5 s (the engine's default is 0.1 s) makes a run about 2 s; and a variable only
// the sweep's environment holds, which the jobs must carry (a worker may not even read it).
const ENV = { MM_TICK_MS: "500" };
const GRID = "spread=1,2,4;requote=0.25,0.5";

let reference: Promise<{ rows: SweepRow[]; json: string; csv: string }> | null = null;

/** The same sweep in this process (computed once for the file's tests). */
function inProcess() {
  reference ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "mm-sweep-local-" });
    try {
      const result = await sweep(PATHS, GRID, out, { env: ENV, print: () => {} });
      return {
        rows: result.rows,
        json: await Deno.readTextFile(result.jsonPath),
        csv: await Deno.readTextFile(result.csvPath),
      };
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  })();
  return reference;
}

redisTest(
  "two sweep-worker processes share a queued sweep: its files are the in-process sweep's",
  async () => {
    const redis = await startRedis();
    const out = `data/test/sweep-queue-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const expected = await inProcess();
      assert.equal(expected.rows.length, 6);
      assert.ok(new Set(expected.rows.map((r) => r.pnlUsd)).size > 2, "the parameters matter");
      const swept = startTask(
        "sweep",
        "tools/sweep.ts",
        [...PATHS, "--grid", GRID, "--redis", redis.url, "--out", out],
        ENV,
      );
      await swept.waitForLine(/^sweep: queued 6 runs/m);
      const workers = [startSweepWorker(PATHS, redis.url), startSweepWorker(PATHS, redis.url)];
      assert.equal(await swept.code, 0, await swept.stderr);
      for (const worker of workers) {
        assert.equal(await worker.code, 0, await worker.stderr);
        assert.match(worker.stdout(), /^sweep-worker: \d runs done; the queue is empty$/m);
      }
      const done = workers.map((w) => runsDone(w.stdout()));
      assert.ok(done.every((runs) => runs.length > 0), `both workers ran some: ${done}`);
      assert.deepEqual(done.flat().toSorted((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      assert.equal(await Deno.readTextFile(`${out}/sweep.json`), expected.json);
      assert.equal(await Deno.readTextFile(`${out}/sweep.csv`), expected.csv);
    } finally {
      await redis.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
);

redisTest(
  "a worker killed holding a run: another runs it, and the sweep has every run once",
  async () => {
    const redis = await startRedis();
    const out = await Deno.makeTempDir({ prefix: "mm-sweep-queue-" });
    try {
      const expected = await inProcess();
      const lines: string[] = [];
      const swept = sweep(PATHS, GRID, out, {
        env: ENV,
        redisUrl: redis.url,
        print: (line) => lines.push(line),
      });
      await waitFor(
        "the runs to be queued",
        () => lines.some((l) => l.startsWith("sweep: queued")),
      );
      // A 3 s lock (renewed every 1.5 s while its worker lives), looked at every second: the dead
      // worker's run is back on the queue within 5 s.
      const fast = ["--lock-ms", "3000", "--stalled-ms", "1000"];
      const doomed = startSweepWorker(PATHS, redis.url, fast);
      const survivor = startSweepWorker(PATHS, redis.url, fast);
      const [, held] = await doomed.waitForLine(/^sweep-worker: run (\d) of batch \S+ started/m);
      doomed.child.kill("SIGKILL");
      assert.equal(await doomed.code, 137);
      const result = await swept;
      assert.equal(await survivor.code, 0, await survivor.stderr);
      assert.deepEqual(runsDone(doomed.stdout()), [], "killed before it finished a run");
      // (A run done twice, by a worker too slow to renew its lock, would still be one row.)
      assert.deepEqual([...new Set(runsDone(survivor.stdout()))].sort(), [1, 2, 3, 4, 5, 6]);
      assert.match(survivor.stdout(), new RegExp(`run ${held} of batch \\S+ done`));
      assert.deepEqual(result.rows, expected.rows);
      assert.deepEqual(await Deno.readTextFile(result.jsonPath), expected.json);
    } finally {
      await redis.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
);

redisTest(
  "a queued walk-forward: each day's runs are jobs on that day's events, as in process",
  async () => {
    const redis = await startRedis();
    const out = await Deno.makeTempDir({ prefix: "mm-sweep-queue-" });
    try {
      const local = await sweepWalkForward(PATHS, "spread=1,2", 1, out, {
        env: ENV,
        print: () => {},
      });
      const queued = sweepWalkForward(PATHS, "spread=1,2", 1, out, {
        env: ENV,
        redisUrl: redis.url,
        print: () => {},
      });
      const worker = startSweepWorker(PATHS, redis.url, ["--keep-waiting"]);
      const { walkForward } = await queued;
      worker.child.kill("SIGTERM");
      assert.equal(await worker.code, 0, await worker.stderr);
      assert.match(worker.stdout(), /^sweep-worker: 4 runs done; stopped$/m);
      assert.deepEqual(walkForward, local.walkForward);
      assert.equal(walkForward.windows.length, 2, "the two sample days");
    } finally {
      await redis.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
);

redisTest(
  "a worker whose data differs from the sweep's fails the run, naming both; jobs hold no secret",
  async () => {
    const redis = await startRedis();
    const out = await Deno.makeTempDir({ prefix: "mm-sweep-queue-" });
    const token = "0123456789abcdef0123456789abcdef";
    const env = { ...ENV, MM_CONTROL_TOKEN: token, REDIS_URL: redis.url };
    const queue = new Queue("mm-sweep", { connection: { url: redis.url } });
    try {
      const swept = sweep(PATHS, "spread=2", out, { env, redisUrl: redis.url, print: () => {} });
      const worker = startSweepWorker(["data/samples/ticks"], redis.url);
      await assert.rejects(
        swept,
        /sweep: run 1 failed on a worker: sweep-worker: its data differs from the sweep's \(data\/samples\/ticks data\/samples\/trades\): the sweep has 10762 events of BTC, ETH, SOL from .* but this worker parsed \d+ events/,
      );
      assert.equal(await worker.code, 0, await worker.stderr);
      // The failed job stays for a look: it carries the replay's variables, not the token or URL.
      const [job] = await queue.getFailed();
      assert.deepEqual(job.data.env, ENV);
      assert.deepEqual(job.data.params, { MM_BASE_SPREAD_BPS: "2" });
      assert.ok(!JSON.stringify(job.data).includes(token));
    } finally {
      await queue.close();
      await redis.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
);

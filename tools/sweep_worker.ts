/**
 * `./deno task sweep-worker <data folder or files> [--redis URL] [--concurrency N]
 * [--keep-waiting] [--lock-ms MS] [--stalled-ms MS]`
 *
 * Takes the runs of distributed sweeps (`deno task sweep ... --queue`) off the BullMQ queue in
 * Redis (`--redis`, else the engine's `REDIS_URL`) and replays each, on any number of machines that
 * see the same data. The data is parsed once, when the worker starts (coins as `MM_COINS`, like
 * the sweep), and shared by its `--concurrency` Web Workers (tools/sweep/pool.ts); a job whose
 * sweep parsed other events fails, naming both. Each row goes back into Redis under its run's grid
 * index, so a run retried after its worker died counts once. The worker exits when no job is
 * waiting, delayed or running anywhere, or with `--keep-waiting` waits for more until SIGINT or
 * SIGTERM (then it finishes the runs it holds).
 *
 * A worker that dies holding a job stops renewing its lock: after `--lock-ms` (default 30000) the
 * lock is gone, and the next two stalled-job checks of any living worker (every `--stalled-ms`,
 * default 30000) put the job back on the queue for another worker: at most lock + 2 × stalled
 * after the death. A job that stalls twice fails the sweep.
 */
import { parseArgs } from "node:util";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { redactUrl } from "../engine/bridge.ts";
import { loadConfig } from "../engine/config.ts";
import { readEnv } from "../engine/config_env.ts";
import { refuseEscapingLinks } from "../engine/data_links.ts";
import { loadReplay } from "../engine/replay.ts";
import { label } from "./sweep/grid.ts";
import { SweepPool } from "./sweep/pool.ts";
import {
  DEFAULT_LOCK_MS,
  DEFAULT_STALLED_MS,
  ensureRedis,
  fingerprint,
  fingerprintMismatch,
  redisConnection,
  rowsKey,
  SWEEP_QUEUE,
  type SweepJobData,
} from "./sweep/queue.ts";

const USAGE = "usage: ./deno task sweep-worker <data folder or files> [--redis URL] " +
  "[--concurrency N] [--keep-waiting] [--lock-ms MS] [--stalled-ms MS]";
/** How long a batch's rows stay in Redis after the last one came, s (the sweep deletes them). */
const ROWS_TTL_S = 86_400;
/** How often an idle worker asks whether any job is left, ms. */
const IDLE_POLL_MS = 500;

/** Options of {@link sweepWorker}. */
export interface SweepWorkerOptions {
  redisUrl: string;
  /** Coins to keep from the data (null: all), as the sweep's `MM_COINS`. */
  coins: string[] | null;
  /** Runs at once, each on its own Web Worker (default 1). */
  concurrency?: number;
  /** Wait for more jobs when the queue is empty, until `stop` resolves. */
  keepWaiting?: boolean;
  lockMs?: number;
  stalledMs?: number;
  /** Resolves when the worker should finish its runs and stop (e.g. on SIGTERM). */
  stop?: Promise<void>;
  print?: (line: string) => void;
}

/** Parses `paths` once, then runs jobs until the queue is empty (or `stop`); the runs it did. */
export async function sweepWorker(
  paths: readonly string[],
  options: SweepWorkerOptions,
): Promise<number> {
  const { redisUrl, coins, concurrency = 1, keepWaiting = false, print = console.log } = options;
  const { lockMs = DEFAULT_LOCK_MS, stalledMs = DEFAULT_STALLED_MS } = options;
  const connection = redisConnection(redisUrl);
  await ensureRedis(redisUrl);
  const started = performance.now();
  const data = await loadReplay(paths, coins);
  if (data.length === 0) throw new Error(`sweep-worker: no events in ${paths.join(", ")}`);
  const mine = fingerprint(data);
  print(
    `sweep-worker: ${data.length} events of ${data.coins.join(", ")} parsed in ${
      ((performance.now() - started) / 1000).toFixed(2)
    } s; taking up to ${concurrency} runs at once from ${redactUrl(redisUrl)}`,
  );
  const pool = new SweepPool(data, concurrency, {});
  const redis = new Redis(connection.url);
  // A lost connection is printed once per BullMQ connection, by the worker's "error" handler.
  redis.on("error", () => {});
  const queue = new Queue(SWEEP_QUEUE, { connection });
  let done = 0;
  const worker = new Worker(SWEEP_QUEUE, async (job) => {
    const task = job.data as SweepJobData;
    const mismatch = fingerprintMismatch(task.fingerprint, mine);
    if (mismatch !== null) {
      throw new UnrecoverableError(
        `sweep-worker: its data differs from the sweep's (${task.data.join(" ")}): ${mismatch}`,
      );
    }
    const name = `run ${task.index + 1} of batch ${task.batch}`;
    print(`sweep-worker: ${name} started (${label(task.params)})`);
    const row = await pool.runJob({
      index: task.index,
      params: task.params,
      window: task.window,
      env: task.env,
    });
    // A day's expiry: rows of a sweep that stopped waiting do not stay in Redis for ever.
    await redis.multi().hset(rowsKey(task.batch), String(task.index), JSON.stringify(row))
      .expire(rowsKey(task.batch), ROWS_TTL_S).exec();
    done++;
    print(`sweep-worker: ${name} done: PnL ${row.pnlUsd.toFixed(2)} USD, ${row.fills} fills`);
  }, { connection, concurrency, lockDuration: lockMs, stalledInterval: stalledMs });
  worker.on(
    "failed",
    (job, error) => print(`sweep-worker: job ${job?.id} failed: ${error.message}`),
  );
  worker.on("error", (error) => print(`sweep-worker: ${error.message}`));
  let stopped = false;
  options.stop?.then(() => (stopped = true));
  try {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
      if (keepWaiting) continue;
      const counts = await queue.getJobCounts("wait", "active", "delayed", "prioritized");
      if (Object.values(counts).every((n) => n === 0)) break;
    }
  } finally {
    // close() lets the runs this worker holds finish first.
    await worker.close();
    await queue.close();
    await redis.quit();
    pool.close();
  }
  print(`sweep-worker: ${done} runs done; ${stopped ? "stopped" : "the queue is empty"}`);
  return done;
}

/** A whole number in [min, max] from option `name`, or `fallback` when not given. */
function whole(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`sweep-worker: --${name} "${value}" is invalid: expected ${min} to ${max}`);
  }
  return n;
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: {
        redis: { type: "string" },
        concurrency: { type: "string" },
        "keep-waiting": { type: "boolean" },
        "lock-ms": { type: "string" },
        "stalled-ms": { type: "string" },
      },
      allowPositionals: true,
    });
    if (positionals.length === 0) throw new Error(USAGE);
    refuseEscapingLinks(positionals);
    const config = loadConfig(readEnv(["REDIS_URL", "MM_COINS"]), () => true);
    let stop = () => {};
    const stopping = new Promise<void>((resolve) => (stop = resolve));
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await sweepWorker(positionals, {
      redisUrl: values.redis ?? config.redisUrl,
      coins: config.coins,
      concurrency: whole(values.concurrency, "concurrency", 1, 64, 1),
      keepWaiting: values["keep-waiting"] ?? false,
      lockMs: whole(values["lock-ms"], "lock-ms", 100, 3_600_000, DEFAULT_LOCK_MS),
      stalledMs: whole(values["stalled-ms"], "stalled-ms", 100, 3_600_000, DEFAULT_STALLED_MS),
      stop: stopping,
    });
    Deno.exit(0);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}

/**
 * The sweep's side of a distributed sweep: each configuration becomes one job on the BullMQ queue
 * in Redis, `deno task sweep-worker` processes on any number of machines run them, and each row
 * comes back in a Redis hash keyed by the run's grid index (tools/sweep/queue.ts), so a job
 * retried after its worker died still counts once. Same interface as {@link SweepPool.run}.
 *
 * @module
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { redactUrl } from "../../engine/bridge.ts";
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepRun } from "./grid.ts";
import type { SweepRow } from "./run.ts";
import {
  type DataFingerprint,
  ensureRedis,
  fingerprint,
  jobEnv,
  jobId,
  redisConnection,
  rowsKey,
  SWEEP_QUEUE,
  type SweepJobData,
} from "./queue.ts";

/** How often the sweep looks for new rows and failed jobs, ms. */
const POLL_MS = 200;
/** States of a job no worker has taken yet. */
const WITHDRAWN = new Set(["waiting", "delayed", "prioritized"]);
/** Failed jobs stay this long for a look with any BullMQ tool, s. */
const KEEP_FAILED_S = 86_400;

/** Runs a sweep's configurations as jobs on the queue; {@link QueueRunner.run} may be called often. */
export class QueueRunner {
  readonly #url: string;
  readonly #paths: string[];
  readonly #fingerprint: DataFingerprint;
  readonly #env: Record<string, string>;
  readonly #print: (line: string) => void;
  readonly #id: string;
  /** The connections, made by the first {@link QueueRunner.run} once the Redis answered. */
  #connected: Promise<{ redis: Redis; queue: Queue }> | null = null;
  #batches = 0;

  /**
   * A runner for the sweep of `paths` (parsed here into `data`, which workers check theirs
   * against) with base environment `env`, on the Redis at `url`.
   */
  constructor(
    url: string,
    paths: readonly string[],
    data: ReplayData,
    env: Readonly<Record<string, string | undefined>>,
    print: (line: string) => void,
  ) {
    this.#url = url;
    this.#paths = [...paths];
    this.#fingerprint = fingerprint(data);
    this.#env = jobEnv(env);
    this.#print = print;
    const stamp = new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15);
    this.#id = `${stamp}-${crypto.randomUUID().slice(0, 8)}`;
  }

  /**
   * Queues every configuration (on the events of [window[0], window[1]) when given) and waits
   * for all their rows; rows in grid order. Throws naming the first run that failed on a worker.
   */
  async run(
    runs: readonly SweepRun[],
    window: [number, number] | null = null,
    onRow: (row: SweepRow) => void = () => {},
  ): Promise<SweepRow[]> {
    const batch = `${this.#id}-b${this.#batches++}`;
    this.#connected ??= this.#connect();
    const { redis, queue } = await this.#connected;
    const key = rowsKey(batch);
    await queue.addBulk(runs.map((run) => {
      const data: SweepJobData = {
        batch,
        data: this.#paths,
        fingerprint: this.#fingerprint,
        env: this.#env,
        index: run.index,
        params: run.params,
        window,
      };
      return {
        name: "run",
        data,
        opts: {
          jobId: jobId(batch, run.index),
          removeOnComplete: true,
          removeOnFail: { age: KEEP_FAILED_S },
        },
      };
    }));
    this.#print(
      `sweep: queued ${runs.length} runs (batch ${batch}) on ${
        redactUrl(this.#url)
      }, queue ${SWEEP_QUEUE}; workers: ./deno task sweep-worker ${this.#paths.join(" ")} --redis ${
        redactUrl(this.#url)
      }`,
    );
    const rows = new Map<number, SweepRow>();
    const wanted = new Set(runs.map((run) => run.index));
    try {
      while (rows.size < wanted.size) {
        const fresh = (await redis.hkeys(key)).map(Number).filter((i) =>
          wanted.has(i) && !rows.has(i)
        );
        if (fresh.length > 0) {
          const values = await redis.hmget(key, ...fresh.map(String));
          fresh.forEach((index, i) => {
            const row = JSON.parse(values[i]!) as SweepRow;
            rows.set(index, row);
            onRow(row);
          });
          continue;
        }
        await this.#throwIfFailed(queue, batch);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (error) {
      // The runs not yet taken are withdrawn; one a worker holds ends there, unrecorded; a failed
      // one stays for a look (KEEP_FAILED_S).
      for (const run of runs) {
        const id = jobId(batch, run.index);
        if (WITHDRAWN.has(await queue.getJobState(id))) await queue.remove(id);
      }
      throw error;
    } finally {
      await redis.del(key);
    }
    return runs.map((run) => rows.get(run.index)!);
  }

  /** Closes the connections (the queue itself stays, for other sweeps). */
  async close(): Promise<void> {
    const connected = await this.#connected?.catch(() => null);
    await connected?.queue.close();
    await connected?.redis.quit();
  }

  async #connect(): Promise<{ redis: Redis; queue: Queue }> {
    await ensureRedis(this.#url);
    const redis = new Redis(redisConnection(this.#url).url);
    // A lost connection shows as the failed command that needed it, and in the queue's errors.
    redis.on("error", () => {});
    const queue = new Queue(SWEEP_QUEUE, { connection: redisConnection(this.#url) });
    queue.on("error", (error) => this.#print(`sweep: Redis: ${error.message}`));
    return { redis, queue };
  }

  async #throwIfFailed(queue: Queue, batch: string): Promise<void> {
    if ((await queue.getFailedCount()) === 0) return;
    const failed = (await queue.getFailed()).find((job) => job.id?.startsWith(`${batch}-r`));
    if (failed === undefined) return;
    const data = failed.data as SweepJobData;
    throw new Error(
      `sweep: run ${data.index + 1} failed on a worker: ${failed.failedReason}`,
    );
  }
}

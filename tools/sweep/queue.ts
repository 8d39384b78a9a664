/**
 * What the two sides of a distributed sweep agree on: the BullMQ queue's name, a job's data,
 * where a job's row is kept in Redis, which part of the environment travels with a job, and how a
 * worker checks that it parsed the same data as the sweep (tools/sweep/queue_runner.ts enqueues,
 * tools/sweep_worker.ts takes the jobs).
 *
 * @module
 */
import { Redis } from "ioredis";
import { redactUrl } from "../../engine/bridge.ts";
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepJob } from "./pool.ts";

/** The BullMQ queue every sweep's jobs go to, in the Redis the engine uses (`REDIS_URL`). */
export const SWEEP_QUEUE = "mm-sweep";

/**
 * How long a job's lock lasts without renewal, ms (BullMQ's default). A worker renews it every
 * half of that while the job runs; a killed worker's lock runs out after at most this long.
 */
export const DEFAULT_LOCK_MS = 30_000;
/**
 * How often each worker looks for jobs whose lock ran out, ms (BullMQ's default). Such a job goes
 * back to the queue on the second look that finds it unlocked, so a killed worker's job is
 * retried after at most lock + 2 × this.
 */
export const DEFAULT_STALLED_MS = 30_000;

/** Which events a sweep replays: the same files and coins give the same figures. */
export interface DataFingerprint {
  coins: string[];
  events: number;
  firstMs: number;
  lastMs: number;
}

/** A job's data: one configuration of one batch (a sweep, or one window of a walk-forward). */
export interface SweepJobData extends SweepJob {
  /** The batch, e.g. `20261203T191206-d478d02e-b0`: its job ids' prefix and its rows' key. */
  batch: string;
  /** The data as the sweep was given it (files or folders), for messages. */
  data: string[];
  /** What the worker's own parse of its data folder must match. */
  fingerprint: DataFingerprint;
  /** The sweep's base environment (the variables of {@link jobEnv}). */
  env: Record<string, string>;
}

/** The job id of run `index` of `batch` (BullMQ job ids cannot hold `:`). */
export function jobId(batch: string, index: number): string {
  return `${batch}-r${index}`;
}

/**
 * The Redis hash of a batch's rows: field = the run's grid index, value = its row as JSON. A job
 * retried after its worker died writes the same field again, so no run counts twice.
 */
export function rowsKey(batch: string): string {
  return `${SWEEP_QUEUE}:rows:${batch}`;
}

/**
 * Variables that never travel with a job: connections, files of this machine, and secrets (a
 * job's data is readable by anyone who can read the Redis).
 */
const LOCAL_ONLY =
  /^(REDIS_URL|HL_PRIVATE_KEY|HL_API_URL|HL_WS_URL|MM_DATA_DIR|MM_HTTP_HOST|MM_HTTP_PORT|MM_CONTROL_TOKEN|MM_ALERT_WEBHOOK_URL)$/;

/** The part of `env` a job carries: every variable that can change a replay. */
export function jobEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] =>
      e[1] !== undefined && !LOCAL_ONLY.test(e[0])
    ),
  );
}

/** The fingerprint of parsed data. */
export function fingerprint(data: ReplayData): DataFingerprint {
  return {
    coins: [...data.coins],
    events: data.length,
    firstMs: data.timeMs[0],
    lastMs: data.timeMs[data.length - 1],
  };
}

/** Null when the two match, else a line saying how they differ. */
export function fingerprintMismatch(
  sweep: DataFingerprint,
  worker: DataFingerprint,
): string | null {
  const show = (f: DataFingerprint) =>
    `${f.events} events of ${f.coins.join(", ")} from ${new Date(f.firstMs).toISOString()} to ${
      new Date(f.lastMs).toISOString()
    }`;
  return show(sweep) === show(worker)
    ? null
    : `the sweep has ${show(sweep)} but this worker parsed ${show(worker)}`;
}

/**
 * BullMQ's connection options for a `redis://` or `rediss://` URL (user, password and database
 * number in the URL). Throws naming a URL of another form.
 */
export function redisConnection(url: string): { url: string } {
  let scheme = "";
  try {
    scheme = new URL(url).protocol;
  } catch {
    // named below
  }
  if (scheme !== "redis:" && scheme !== "rediss:") {
    throw new Error(`sweep: the Redis URL "${url}" is invalid: expected redis://host:port`);
  }
  return { url };
}

/**
 * Connects once to the Redis at `url` and asks PING, so a wrong URL or a stopped server is named
 * at the start instead of retried in silence; throws naming the URL (its password hidden).
 */
export async function ensureRedis(url: string): Promise<void> {
  const probe = new Redis(redisConnection(url).url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ...) says more than the rejection of connect().
  let cause: Error | null = null;
  probe.on("error", (error: Error) => (cause = error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(
      `sweep: the Redis at ${redactUrl(url)} cannot be reached: ${
        (cause ?? error as Error).message
      }`,
    );
  } finally {
    probe.disconnect();
  }
}

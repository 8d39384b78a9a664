/**
 * Parallel sweep workers on one machine: Web Workers (tools/sweep/worker.ts) that share the data
 * parsed once (tools/sweep/shared_data.ts) and take one configuration at a time until none is
 * left, so a slow run never holds the others up. The rows are the rows of {@link runSweep}: each
 * worker runs the same `runOne`. The replays run off the main thread, which stays free for I/O
 * (a queue worker renews its job locks there: tools/sweep_worker.ts).
 *
 * @module
 */
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepRun } from "./grid.ts";
import type { SweepRow } from "./run.ts";
import { shareReplay } from "./shared_data.ts";

/** One configuration for a worker: what a {@link SweepRun} holds, as plain data. */
export interface SweepJob {
  /** Position in the grid, from 0. */
  index: number;
  /** The swept variables. */
  params: Record<string, string>;
  /** Replay only the events of [window[0], window[1]) (ms since the epoch), or all. */
  window: [number, number] | null;
  /** The base environment of this job, instead of the pool's. */
  env?: Record<string, string>;
}

interface Pending {
  job: SweepJob;
  resolve: (row: SweepRow) => void;
  reject: (error: Error) => void;
}

/** Workers holding one sweep's data; jobs may be given at any time, from any number of callers. */
export class SweepPool {
  readonly size: number;
  readonly #workers: Worker[];
  readonly #idle: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<Worker, Pending>();
  /** A worker's crash (it cannot take jobs any more), or null. */
  #failure: Error | null = null;

  /** Starts `size` workers on `data` (copied once into shared memory); `env` is the base env. */
  constructor(data: ReplayData, size: number, env: Readonly<Record<string, string | undefined>>) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`sweep: --workers must be a whole number >= 1, got ${size}`);
    }
    this.size = size;
    const shared = shareReplay(data);
    const plainEnv = Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      worker.onerror = (event) => {
        event.preventDefault();
        this.#fail(new Error(`sweep: a worker failed: ${event.message}`));
      };
      worker.onmessage = (event: MessageEvent) => this.#finished(worker, event.data);
      worker.postMessage({ type: "data", shared, env: plainEnv });
      this.#idle.push(worker);
      return worker;
    });
  }

  /** Runs one configuration on the next free worker; throws naming the run when it fails. */
  runJob(job: SweepJob): Promise<SweepRow> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise<SweepRow>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#give();
    });
  }

  /**
   * Runs every configuration (on the events of [window[0], window[1]) when given), each worker
   * taking the next one as it finishes; rows in grid order. Throws naming the first failed run.
   */
  run(
    runs: readonly SweepRun[],
    window: [number, number] | null = null,
    onRow: (row: SweepRow) => void = () => {},
  ): Promise<SweepRow[]> {
    return Promise.all(runs.map(async (run) => {
      const row = await this.runJob({ index: run.index, params: run.params, window });
      onRow(row);
      return row;
    }));
  }

  /** Stops every worker; jobs not finished fail. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#fail(new Error("sweep: the worker pool was closed"));
  }

  #give(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const pending = this.#queue.shift()!;
      this.#running.set(worker, pending);
      worker.postMessage({ type: "run", ...pending.job });
    }
  }

  #finished(
    worker: Worker,
    message: { type: "row"; row: SweepRow } | { type: "error"; message: string },
  ): void {
    const pending = this.#running.get(worker);
    if (pending === undefined) return;
    this.#running.delete(worker);
    this.#idle.push(worker);
    if (message.type === "row") pending.resolve(message.row);
    else {
      pending.reject(new Error(`sweep: run ${pending.job.index + 1} failed: ${message.message}`));
    }
    this.#give();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of [...this.#running.values(), ...this.#queue]) pending.reject(error);
    this.#running.clear();
    this.#queue.length = 0;
  }
}

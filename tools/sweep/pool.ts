/**
 * Parallel sweep workers on one machine: Web Workers (tools/sweep/worker.ts) that share the data
 * parsed once (tools/sweep/shared_data.ts) and take one configuration at a time until none is
 * left, so a slow run never holds the others up. The rows come back in grid order and are the
 * rows of {@link runSweep}: each worker runs the same `runOne`.
 *
 * @module
 */
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepRun } from "./grid.ts";
import type { SweepRow } from "./run.ts";
import { shareReplay } from "./shared_data.ts";

/** Workers holding one sweep's data; {@link SweepPool.run} may be called many times. */
export class SweepPool {
  readonly size: number;
  readonly #workers: Worker[];
  /** A worker's crash (it cannot take jobs any more), or null. */
  #failure: Error | null = null;
  /** Rejects the sweep in progress, if any. */
  #reject: ((error: Error) => void) | null = null;

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
        this.#failure ??= new Error(`sweep: a worker failed: ${event.message}`);
        this.#reject?.(this.#failure);
      };
      worker.postMessage({ type: "data", shared, env: plainEnv });
      return worker;
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
    const rows: SweepRow[] = new Array(runs.length);
    let next = 0;
    let done = 0;
    return new Promise<SweepRow[]>((resolve, reject) => {
      if (this.#failure !== null) return reject(this.#failure);
      if (runs.length === 0) return resolve([]);
      this.#reject = reject;
      const give = (worker: Worker) => {
        if (next >= runs.length) return;
        const run = runs[next++];
        worker.postMessage({ type: "run", index: run.index, params: run.params, window });
      };
      const position = new Map(runs.map((run, i) => [run.index, i]));
      for (const worker of this.#workers) {
        worker.onmessage = (event: MessageEvent) => {
          const message = event.data;
          if (message.type === "error") {
            reject(new Error(`sweep: run ${message.index + 1} failed: ${message.message}`));
            return;
          }
          rows[position.get(message.index)!] = message.row;
          onRow(message.row);
          if (++done === runs.length) resolve(rows);
          else give(worker);
        };
        give(worker);
      }
    }).finally(() => (this.#reject = null));
  }

  /** Stops every worker. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

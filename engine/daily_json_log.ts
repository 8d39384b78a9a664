import { errorMessage } from "./util/errors.ts";
/**
 * Append-only JSON-lines files, one per UTC day of each record's time (`DIR/YYYY-MM-DD.jsonl`):
 * the shadow fills file and the live ledger. Writing never blocks the caller: records are
 * buffered and written after the current task, in order.
 */

/** Options of {@link DailyJsonLog}. */
export interface DailyJsonLogOptions<T> {
  /** Folder of the daily files. */
  dir: string;
  /** What the records are, for error messages ("shadow fills"). */
  what: string;
  /** The time that files a record under its UTC day, ms since the Unix epoch. */
  timeOf: (record: T) => number;
  /** Called when a write fails (the records of that write are lost, the log carries on). */
  onError?: (error: Error) => void;
}

/** Appends records to one JSON-lines file per UTC day of their time, without blocking the caller. */
export class DailyJsonLog<T> {
  /** Folder of the daily files. */
  readonly dir: string;
  readonly #what: string;
  readonly #timeOf: (record: T) => number;
  readonly #onError: (error: Error) => void;
  #pending = new Map<string, string[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dirReady = false;
  #written = 0;
  #failed = 0;
  #dayNumber = NaN;
  #dayName = "";

  /** Creates the log; nothing touches the disk until the first record. */
  constructor(options: DailyJsonLogOptions<T>) {
    this.#what = options.what;
    this.#timeOf = options.timeOf;
    this.dir = options.dir.replace(/\/+$/, "");
    if (this.dir === "") throw new Error(`${this.#what} folder is empty`);
    this.#onError = options.onError ?? (() => {});
  }

  /** Records written to disk so far. */
  get written(): number {
    return this.#written;
  }

  /** Records lost to failed writes. */
  get failed(): number {
    return this.#failed;
  }

  /** Path of the file that holds records of time `timeMs`. */
  pathFor(timeMs: number): string {
    return `${this.dir}/${this.#day(timeMs)}.jsonl`;
  }

  /** The UTC day (`YYYY-MM-DD`) whose file holds records of time `timeMs`. */
  dayOf(timeMs: number): string {
    return this.#day(timeMs);
  }

  /** Queues one record; it is written after the current task. */
  append(record: T): void {
    const day = this.#day(this.#timeOf(record));
    let lines = this.#pending.get(day);
    if (lines === undefined) {
      lines = [];
      this.#pending.set(day, lines);
    }
    lines.push(JSON.stringify(record) + "\n");
    if (this.#timer === undefined) this.#timer = setTimeout(() => this.#drain(), 0);
  }

  /** Writes everything queued so far; resolves when it is on disk (or has failed). */
  flush(): Promise<void> {
    this.#drain();
    return this.#writing;
  }

  /** Flushes and stops the pending timer (call at shutdown). */
  close(): Promise<void> {
    return this.flush();
  }

  #day(timeMs: number): string {
    const day = Math.floor(timeMs / 86_400_000);
    if (day !== this.#dayNumber) {
      this.#dayNumber = day;
      this.#dayName = new Date(day * 86_400_000).toISOString().slice(0, 10);
    }
    return this.#dayName;
  }

  #drain(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#writing = this.#writing.then(() => this.#write(batch));
  }

  async #write(batch: Map<string, string[]>): Promise<void> {
    for (const [day, lines] of batch) {
      try {
        if (!this.#dirReady) {
          await Deno.mkdir(this.dir, { recursive: true });
          this.#dirReady = true;
        }
        await Deno.writeTextFile(`${this.dir}/${day}.jsonl`, lines.join(""), { append: true });
        this.#written += lines.length;
      } catch (error) {
        this.#failed += lines.length;
        this.#onError(
          new Error(
            `could not write ${lines.length} ${this.#what} to ${this.dir}/${day}.jsonl: ` +
              (errorMessage(error)),
          ),
        );
      }
    }
  }
}

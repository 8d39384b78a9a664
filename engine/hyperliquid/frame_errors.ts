/**
 * Counts frame problems by kind and logs each kind at most once per interval (default one
 * minute), so a feed spewing bad frames costs a counter increment per frame, not a log line.
 */
import type { Logger } from "../log.ts";

/** Options of {@link FrameErrorLog}. */
export interface FrameErrorLogOptions {
  logger: Logger;
  /** What the log lines call the problem, e.g. "malformed frame". */
  label: string;
  /** Minimum time between two lines for the same kind, ms (default 60,000). */
  intervalMs?: number;
  /** Monotonic clock in ms (default `performance.now`); tests inject one. */
  now?: () => number;
}

/** Per-kind counters with once-per-interval warnings. */
export class FrameErrorLog {
  readonly #logger: Logger;
  readonly #label: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #counts = new Map<string, number>();
  /** Per kind: when it was last logged and how many occurrences have gone unlogged since. */
  readonly #lastLogged = new Map<string, { atMs: number; suppressed: number }>();

  constructor(options: FrameErrorLogOptions) {
    this.#logger = options.logger;
    this.#label = options.label;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Counts one occurrence of `kind`; logs it unless this kind was logged within the interval. */
  record(kind: string, detail: string): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    const now = this.#now();
    const last = this.#lastLogged.get(kind);
    if (last !== undefined && now - last.atMs < this.#intervalMs) {
      last.suppressed++;
      return;
    }
    const suppressed = last === undefined || last.suppressed === 0
      ? ""
      : ` (${last.suppressed} more since the last report)`;
    this.#logger.warn(`${this.#label} (${kind}): ${detail}${suppressed}`);
    this.#lastLogged.set(kind, { atMs: now, suppressed: 0 });
  }

  /** Occurrences of one kind so far. */
  count(kind: string): number {
    return this.#counts.get(kind) ?? 0;
  }

  /** Occurrences of every kind seen so far. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** Occurrences of all kinds together. */
  get total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }
}

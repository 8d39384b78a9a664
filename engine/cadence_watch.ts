/**
 * The book cadence measured on the running feed (hyperliquid/book_cadence.ts): logged a minute
 * after start and then every hour, and fed to the stall watcher, whose timeout rises to a few
 * measured book intervals when the feed is slower than the configured timeout allows
 * (risk/stall.ts `stallTimeoutFor`).
 */
import { BookCadence, type CadenceSummary, describeCadence } from "./hyperliquid/book_cadence.ts";
import type { Logger } from "./log.ts";
import { stallTimeoutFor } from "./risk/stall.ts";

/** The first measurement, ms after start: ~120 pushes per coin on a fast feed, 12 on a default one. */
export const CADENCE_STARTUP_MS = 60_000;
/** Later measurements, ms. */
export const CADENCE_EVERY_MS = 3_600_000;

/** Options of {@link CadenceWatch}. */
export interface CadenceWatchOptions {
  /** Whether the feed subscribes `l2Book` with `fast: true`. */
  fast: boolean;
  /** `MM_STALL_TIMEOUT_S` in ms: the least the stall watcher waits. */
  configuredStallMs: number;
  /** Applies a new stall timeout (the feed's `setStallTimeoutMs`). */
  setStallTimeoutMs: (ms: number) => void;
  log: Logger;
}

/** Measures the feed's book cadence and keeps the stall watcher's expectation in line with it. */
export class CadenceWatch {
  readonly #cadence = new BookCadence();
  readonly #options: CadenceWatchOptions;
  #stallMs: number;

  /** Creates the watch; the stall timeout starts at the configured one. */
  constructor(options: CadenceWatchOptions) {
    this.#options = options;
    this.#stallMs = options.configuredStallMs;
  }

  /** The stall timeout now in force, ms. */
  get stallTimeoutMs(): number {
    return this.#stallMs;
  }

  /** A book of `coin` stamped `timeMs` by the exchange arrived. */
  onBook(coin: string, timeMs: number): void {
    this.#cadence.record(coin, timeMs);
  }

  /** The feed reconnected: the outage is no push interval. */
  onReconnected(): void {
    this.#cadence.reconnected();
  }

  /** Ends a window: logs the cadence and sets the stall timeout from it (kept when nothing was measured). */
  measure(): CadenceSummary | null {
    const summary = this.#cadence.take();
    if (summary !== null) {
      const next = stallTimeoutFor(this.#options.configuredStallMs, summary);
      if (next !== this.#stallMs) {
        this.#stallMs = next;
        this.#options.setStallTimeoutMs(next);
      }
    }
    const line = describeCadence(summary, this.#options.fast, this.#stallMs);
    if (this.#stallMs > this.#options.configuredStallMs) {
      this.#options.log.warn(
        `${line} (raised from MM_STALL_TIMEOUT_S=${this.#options.configuredStallMs / 1000}: ` +
          "the book feed is slower than it allows)",
      );
    } else this.#options.log.info(line);
    return summary;
  }
}

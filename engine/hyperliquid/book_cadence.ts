/**
 * How often the `l2Book` feed actually pushes. The interval depends on the subscription (`fast`:
 * 5 levels about every 0.5 s; default: 20 levels, announced every ~2 s, measured ~5 s; 2025
 * recordings: ~0.54 s) and has changed over time (engine/hyperliquid/wire_reference.md § Book cadence), so
 * the engine measures it on the live feed: at start-up, then every hour. Intervals are taken
 * between consecutive books of one coin on the exchange's own clock (the frame's `time`), so
 * network jitter does not count; a reconnect starts every coin afresh, so an outage is no
 * interval.
 */

/** What one measurement window saw. */
export interface CadenceSummary {
  /** Median push interval, ms. */
  medianMs: number;
  /** 90th percentile, ms: what a quiet coin's silence is judged against. */
  p90Ms: number;
  /** Intervals measured. */
  samples: number;
  /** Coins that contributed. */
  coins: number;
}

/** Hyperliquid push intervals by subscription, ms (engine/hyperliquid/wire_reference.md § Book cadence). */
export const EXPECTED_BOOK_INTERVAL_MS = { fast: 500, default: 5_000 } as const;

// A window keeps at most this many intervals (a 0.5 s feed on 64 coins makes ~460,000 an hour):
// past it, every other interval is dropped, which keeps the quantiles' shape.
const MAX_SAMPLES = 20_000;

/** Collects push intervals per coin and summarizes a window. */
export class BookCadence {
  #last = new Map<string, number>();
  #intervals: number[] = [];
  #coins = new Set<string>();
  #stride = 1;
  #seen = 0;

  /** Records a book of `coin` stamped `timeMs` by the exchange. */
  record(coin: string, timeMs: number): void {
    const last = this.#last.get(coin);
    this.#last.set(coin, timeMs);
    if (last === undefined || timeMs <= last) return;
    this.#coins.add(coin);
    if (this.#seen++ % this.#stride !== 0) return;
    this.#intervals.push(timeMs - last);
    if (this.#intervals.length >= MAX_SAMPLES) {
      this.#intervals = this.#intervals.filter((_, i) => i % 2 === 0);
      this.#stride *= 2;
    }
  }

  /** The connection was lost: the next book of each coin starts a new interval. */
  reconnected(): void {
    this.#last.clear();
  }

  /** Summarizes the window so far and starts a new one; null when nothing was measured. */
  take(): CadenceSummary | null {
    const sorted = this.#intervals.sort((a, b) => a - b);
    const coins = this.#coins.size;
    this.#intervals = [];
    this.#coins = new Set();
    this.#stride = 1;
    this.#seen = 0;
    if (sorted.length === 0) return null;
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { medianMs: at(0.5), p90Ms: at(0.9), samples: sorted.length, coins };
  }
}

/** One log line for a window: the cadence, and how it compares with what the subscription promises. */
export function describeCadence(
  summary: CadenceSummary | null,
  fast: boolean,
  stallTimeoutMs: number,
): string {
  const kind = fast ? "fast" : "default";
  if (summary === null) {
    return `[WS] l2Book cadence (${kind}): no interval measured yet (every coin pushed at most once)`;
  }
  const expected = fast ? EXPECTED_BOOK_INTERVAL_MS.fast : EXPECTED_BOOK_INTERVAL_MS.default;
  const ratio = summary.medianMs / expected;
  const drift = ratio > 2 || ratio < 0.5
    ? `; ⚠️ ${ratio.toFixed(1)}x the ${expected / 1000} s the ${kind} subscription should give`
    : "";
  return `[WS] l2Book cadence (${kind}): median ${(summary.medianMs / 1000).toFixed(2)} s, p90 ${
    (summary.p90Ms / 1000).toFixed(2)
  } s over ${summary.samples} pushes on ${summary.coins} coins${drift}; stall watcher expects data ` +
    `within ${(stallTimeoutMs / 1000).toFixed(1)} s`;
}

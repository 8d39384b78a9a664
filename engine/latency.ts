/**
 * The latency auditor (README, "Risk gates"): the time from a market-data frame's arrival to the
 * quotes computed from it goes into the kernel's 10,000-sample ring; P95 and P99 are reported
 * every 30 s (`[LATENCY] P95: 12.4ms | P99: 28.1ms | samples: 9483`) and P95 feeds the Regime
 * Governor.
 */

/** The latency ring the kernel owns (samples in milliseconds). */
export interface LatencyRing {
  latencyRecord(sampleMs: number): void;
  /** Percentile `p` in [0, 100] of the samples in the ring, ms. */
  latencyPercentile(p: number): number;
  /** Samples recorded so far (capped at the ring's size). */
  latencyCount(): number;
}

/** Options of {@link LatencyAuditor}. */
export interface LatencyAuditorOptions {
  /** Report period, ms (default 30 s). */
  reportEveryMs: number;
  /** How often P95 is recomputed for the governor, ms (a percentile query scans the ring). */
  refreshEveryMs: number;
}

/** Records frame-to-quote latency and reports its percentiles. */
export class LatencyAuditor {
  readonly options: LatencyAuditorOptions;
  #p95 = 0;
  #nextRefresh = -1;
  #nextReport = -1;
  #recorded = 0;

  /** Creates an auditor over a kernel's ring. */
  constructor(readonly ring: LatencyRing, options: Partial<LatencyAuditorOptions> = {}) {
    this.options = { reportEveryMs: 30_000, refreshEveryMs: 1_000, ...options };
  }

  /** Records one frame-to-quotes sample, ms. */
  record(sampleMs: number): void {
    this.ring.latencyRecord(sampleMs);
    this.#recorded++;
  }

  /** Samples recorded this session (not capped). */
  get recorded(): number {
    return this.#recorded;
  }

  /** The latest P95 for the governor, ms (0 before any sample). */
  get p95Ms(): number {
    return this.#p95;
  }

  /** Refreshes P95 when due; returns the `[LATENCY]` line when a report is due, else null. */
  tick(nowMs: number): string | null {
    if (this.#nextRefresh < 0) {
      this.#nextRefresh = nowMs;
      this.#nextReport = nowMs + this.options.reportEveryMs;
    }
    if (nowMs >= this.#nextRefresh) {
      this.#nextRefresh = nowMs + this.options.refreshEveryMs;
      this.#p95 = this.ring.latencyCount() > 0 ? this.ring.latencyPercentile(95) : 0;
    }
    if (nowMs < this.#nextReport) return null;
    this.#nextReport = nowMs + this.options.reportEveryMs;
    return this.line();
  }

  /** The `[LATENCY]` line for the ring's current contents. */
  line(): string {
    const count = this.ring.latencyCount();
    if (count === 0) return "[LATENCY] no samples yet";
    const p95 = this.ring.latencyPercentile(95);
    const p99 = this.ring.latencyPercentile(99);
    return `[LATENCY] P95: ${fmtMs(p95)} | P99: ${fmtMs(p99)} | samples: ${count}`;
  }
}

/** Formats milliseconds with enough digits for sub-millisecond samples. */
export function fmtMs(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(1)}ms` : `${ms.toFixed(3)}ms`;
}

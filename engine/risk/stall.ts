/**
 * The stall panic state machine (README, "Risk gates"). The market-data feed raises a stall flag
 * when no message arrived for `MM_STALL_TIMEOUT_S`; the engine then cancels everything before it is
 * "dark", waits for the socket to come back, reconciles the venue's positions with its own
 * inventory, and only then quotes again.
 *
 *   quoting ──stall──► panic ──reconnected──► reconciling ──reconciled──► quoting
 *                        ▲                          │
 *                        └────────stall─────────────┘      (failed reconcile: retry)
 */

/** Where the engine stands with respect to market-data stalls. */
export type StallState = "quoting" | "panic" | "reconciling";

/** The stall panic state machine; the engine performs the effects each transition asks for. */
export class StallMachine {
  #state: StallState = "quoting";
  #panics = 0;
  #recoveries = 0;

  /** Current state. */
  get state(): StallState {
    return this.#state;
  }

  /** Whether quotes may be sent. */
  get quoting(): boolean {
    return this.#state === "quoting";
  }

  /** Stalls raised this session. */
  get panics(): number {
    return this.#panics;
  }

  /** Stalls fully recovered (reconciled and quoting again) this session. */
  get recoveries(): number {
    return this.#recoveries;
  }

  /** The stall flag rose; returns true when the engine must cancel all now. */
  stall(): boolean {
    if (this.#state === "panic") return false;
    this.#state = "panic";
    this.#panics++;
    return true;
  }

  /** The feed reconnected; returns true when the engine must reconcile now. */
  reconnected(): boolean {
    if (this.#state !== "panic") return false;
    this.#state = "reconciling";
    return true;
  }

  /** A reconciliation finished; on success quoting resumes, on failure it must be retried. */
  reconciled(ok: boolean): void {
    if (this.#state !== "reconciling") return;
    if (ok) {
      this.#state = "quoting";
      this.#recoveries++;
    }
  }
}

/**
 * Silence of this many 90th-percentile book intervals is a stall at the least: a coin's pushes
 * come every interval, so four missed in a row on every coin at once is no quiet market.
 */
export const STALL_BOOK_INTERVALS = 4;

/**
 * The stall timeout to watch with, ms: the configured one (`MM_STALL_TIMEOUT_S`), raised to
 * {@link STALL_BOOK_INTERVALS} measured p90 book intervals when the feed is slower than that (a
 * default `l2Book` pushing every ~5 s under a 10 s timeout would panic on every pause), never
 * lowered (a shorter timeout than the operator chose would panic on quiet markets).
 */
export function stallTimeoutFor(configuredMs: number, cadence: { p90Ms: number } | null): number {
  if (cadence === null || !(cadence.p90Ms > 0)) return configuredMs;
  return Math.max(configuredMs, Math.ceil(STALL_BOOK_INTERVALS * cadence.p90Ms));
}

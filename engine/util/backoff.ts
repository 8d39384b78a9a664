/**
 * Exponential backoff with jitter, the one delay rule behind every retry in the engine and its
 * tools: market-data and user-stream reconnects, fill catch-ups, live cancel and status retries,
 * Redis reconnects and the watchdog's restarts.
 */

/** Retry delays: `initialMs` doubling per failed attempt up to `maxMs`, minus jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Upper bound of the doubling delay, ms. */
  maxMs: number;
  /** Fraction 0..1 of each delay drawn at random and taken off, so clients do not retry in step. */
  jitter: number;
}

/**
 * Delay before retry `attempt` (1-based): min(max, initial·2^(attempt−1))·(1 − jitter·random),
 * `random` in [0, 1) (pass `Math.random()`, or a fixed value in tests). Attempts below 1 count
 * as the first.
 */
export function backoffDelayMs(attempt: number, backoff: BackoffOptions, random: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (Math.max(1, attempt) - 1));
  return base * (1 - backoff.jitter * random);
}

/**
 * Throws, naming `what` and the field, unless both delays are positive finite ms and the jitter
 * is in [0, 1); returns the options.
 */
export function checkBackoff(what: string, backoff: BackoffOptions): BackoffOptions {
  for (const field of ["initialMs", "maxMs"] as const) {
    const value = backoff[field];
    if (!(value > 0 && Number.isFinite(value))) {
      throw new Error(`${what}: backoff.${field} must be a positive number of ms, got ${value}`);
    }
  }
  if (!(backoff.jitter >= 0 && backoff.jitter < 1)) {
    throw new Error(`${what}: backoff.jitter ${backoff.jitter} must be in [0, 1)`);
  }
  return backoff;
}

/**
 * PnL over the session for the status page's chart, in bounded memory however long the engine
 * runs: points are taken every `everyMs`; when the series is full, every other point is dropped
 * and the spacing doubles, so the chart always spans the whole session at an even resolution.
 */

/** One point of the chart: wall time (ms since the epoch) and session PnL (USD). */
export type PnlPoint = readonly [timeMs: number, pnlUsd: number];

/** Options of {@link PnlHistory}. */
export interface PnlHistoryOptions {
  /** Spacing of the first points, ms (default 5 s). */
  everyMs: number;
  /** Points kept at most (default 720: an hour at 5 s, then coarser). */
  maxPoints: number;
}

/** The session's PnL series, thinned as it grows. */
export class PnlHistory {
  readonly #maxPoints: number;
  #everyMs: number;
  #points: PnlPoint[] = [];

  /** Creates an empty series. */
  constructor(options: Partial<PnlHistoryOptions> = {}) {
    this.#everyMs = options.everyMs ?? 5_000;
    this.#maxPoints = options.maxPoints ?? 720;
    if (!(this.#everyMs > 0) || !Number.isInteger(this.#maxPoints) || this.#maxPoints < 2) {
      throw new Error(
        `PnlHistory needs everyMs > 0 and maxPoints ≥ 2, got ${this.#everyMs} and ${this.#maxPoints}`,
      );
    }
  }

  /** Offers the PnL at `timeMs`; kept when the spacing since the last point has passed. */
  record(timeMs: number, pnlUsd: number): void {
    const last = this.#points.at(-1);
    if (last !== undefined && timeMs - last[0] < this.#everyMs) return;
    if (!Number.isFinite(pnlUsd)) return;
    this.#points.push([timeMs, pnlUsd]);
    if (this.#points.length > this.#maxPoints) {
      // Keep the first point and every other one after it: the session's start stays on the chart.
      this.#points = this.#points.filter((_, i) => i % 2 === 0);
      this.#everyMs *= 2;
    }
  }

  /** The points, oldest first. */
  points(): readonly PnlPoint[] {
    return this.#points;
  }

  /** The spacing new points are taken at now, ms. */
  get everyMs(): number {
    return this.#everyMs;
  }
}

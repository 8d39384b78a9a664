/**
 * Adverse selection of shadow fills (README, "The five gates", Gate 1: a coin has an edge only when
 * its spread beats its adverse selection). For each fill, the mid prevailing 1 s, 10 s and 60 s of
 * market time later is compared with the fill price, signed against the fill side:
 *
 *   adverse bps = (px − mid_later) / px × 10_000 for a bid fill (we bought; the price fell),
 *   adverse bps = (mid_later − px) / px × 10_000 for an ask fill (we sold; the price rose).
 *
 * Positive means the market moved against us. Driven by book snapshots' times, never the wall
 * clock, so replays give the same numbers.
 */
import type { Fill } from "./venue/venue.ts";

/** Horizons in ms of market time (1 s, 10 s, 60 s). */
export const ADVERSE_HORIZONS_MS: readonly number[] = [1_000, 10_000, 60_000];
// Pending fills scored before a horizon's queue is cut: one splice per thousand instead of one
// per fill keeps scoring O(1) per fill on average.
const COMPACT_AFTER = 1024;

/** One coin's adverse selection, one entry per horizon. */
export interface AdverseSummary {
  coin: string;
  horizonsMs: readonly number[];
  /** Fills measured at each horizon. */
  measured: number[];
  /** Mean adverse selection in bps at each horizon (NaN when none measured). */
  meanBps: number[];
  /** Fills whose horizon has not yet passed, per horizon. */
  pending: number[];
}

interface Pending {
  dueMs: number;
  px: number;
  /** +1 for a bid fill, −1 for an ask fill. */
  sign: number;
}

interface CoinMarks {
  /** One FIFO per horizon: fills arrive in market-time order, so due times ascend. */
  queues: Pending[][];
  heads: number[];
  sums: number[];
  counts: number[];
  lastMid: number;
  fills: number;
}

/** Measures and aggregates adverse selection per coin. */
export class AdverseSelection {
  /** The horizons in ms, ascending. */
  readonly horizonsMs: readonly number[];
  readonly #coins = new Map<string, CoinMarks>();

  /** Creates the tracker; throws naming a bad horizon. */
  constructor(horizonsMs: readonly number[] = ADVERSE_HORIZONS_MS) {
    for (const h of horizonsMs) {
      if (!(h > 0 && Number.isFinite(h))) {
        throw new Error(`adverse horizon ${h} ms is not positive`);
      }
    }
    this.horizonsMs = [...horizonsMs].sort((a, b) => a - b);
  }

  /** Starts measuring a fill (at its market time). */
  onFill(fill: Fill): void {
    const c = this.#coin(fill.coin);
    const sign = fill.side === "bid" ? 1 : -1;
    c.fills++;
    for (let h = 0; h < this.horizonsMs.length; h++) {
      c.queues[h].push({ dueMs: fill.timeMs + this.horizonsMs[h], px: fill.px, sign });
    }
  }

  /** Feeds a mid from a book snapshot at market time `timeMs`; resolves fills that came due. */
  onMid(coin: string, mid: number, timeMs: number): void {
    const c = this.#coin(coin);
    for (let h = 0; h < c.queues.length; h++) {
      const queue = c.queues[h];
      let head = c.heads[h];
      while (head < queue.length && queue[head].dueMs <= timeMs) {
        const p = queue[head];
        // The mid prevailing at the due time: this snapshot's when it is exactly due, else the
        // previous snapshot's (it was still in force when the horizon passed).
        const later = p.dueMs === timeMs || Number.isNaN(c.lastMid) ? mid : c.lastMid;
        c.sums[h] += (p.sign * (p.px - later) / p.px) * 10_000;
        c.counts[h]++;
        head++;
      }
      if (head > COMPACT_AFTER && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      c.heads[h] = head;
    }
    c.lastMid = mid;
  }

  /** One coin's summary (zeros and NaN for a coin never filled). */
  summary(coin: string): AdverseSummary {
    const c = this.#coins.get(coin);
    const n = this.horizonsMs.length;
    if (c === undefined) {
      return {
        coin,
        horizonsMs: this.horizonsMs,
        measured: new Array(n).fill(0),
        meanBps: new Array(n).fill(NaN),
        pending: new Array(n).fill(0),
      };
    }
    return {
      coin,
      horizonsMs: this.horizonsMs,
      measured: [...c.counts],
      meanBps: c.counts.map((count, h) => (count === 0 ? NaN : c.sums[h] / count)),
      pending: c.queues.map((queue, h) => queue.length - c.heads[h]),
    };
  }

  /** Summaries of every coin that has had a fill, in order of first mid or fill. */
  summaries(): AdverseSummary[] {
    const out: AdverseSummary[] = [];
    for (const [coin, c] of this.#coins) if (c.fills > 0) out.push(this.summary(coin));
    return out;
  }

  #coin(coin: string): CoinMarks {
    let c = this.#coins.get(coin);
    if (c === undefined) {
      const n = this.horizonsMs.length;
      c = {
        queues: Array.from({ length: n }, () => []),
        heads: new Array(n).fill(0),
        sums: new Array(n).fill(0),
        counts: new Array(n).fill(0),
        lastMid: NaN,
        fills: 0,
      };
      this.#coins.set(coin, c);
    }
    return c;
  }
}

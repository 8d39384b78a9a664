/**
 * hftbacktest's probabilistic queue model (ProbQueueModel) and its probability profiles, with
 * the risk-averse reading as the profile that puts every cancellation behind us, and a haircut
 * for Hyperliquid's post-only priority window.
 *
 * The model joins behind the displayed size at our price; trades at our price eat the queue
 * ahead, then fill us (partially when the excess is smaller than us); a trade through our
 * price fills us as far as its volume reaches; a net depth decrease is split between ahead and
 * behind with the profile's probability; a crossed book fills us.
 *
 * Queue turnover (optional): a level's size can stay the same while the orders ahead of us cancel
 * and new ones join behind, which no book shows. The venue simulator's crowd does this, as the
 * recordings' queues do (tools/venue_sim/market_fit.json: level-3 queues empty without a trade in
 * seconds), so the queue ahead may also decay with a half-life, fitted on the live ledger.
 *
 * Requotes on a move (optional): market makers re-price when the touch moves; those ahead of us
 * leave our price for the new one (and others join behind us), again with no change of size the
 * book shows. The venue simulator's crowd follows a move of the fair price with a fitted share
 * (`followShare` in tools/venue_sim/market_fit.json, 0.26–1); so a share of the queue ahead may
 * leave for every tick the touch moved between two books.
 */
import type { QueueFillModel } from "./queue_model.ts";

/** Probability that a depth decrease happened behind us, from sizes ahead and behind. */
export type QueueProbability = (front: number, back: number) => number;

function positive(what: string, n: number): void {
  if (!(n > 0 && Number.isFinite(n))) throw new Error(`${what} ${n} is not a positive number`);
}

/** hftbacktest's PowerProbQueueFunc(n): `back^n / (back^n + front^n)`. */
export function powerProbability(n: number): QueueProbability {
  positive("queue power", n);
  return (front, back) => {
    const b = back ** n;
    return b / (b + front ** n);
  };
}

/** hftbacktest's PowerProbQueueFunc3(n): `1 − (front / (front + back))^n`. */
export function tailPowerProbability(n: number): QueueProbability {
  positive("queue power", n);
  return (front, back) => 1 - (front / (front + back)) ** n;
}

/** hftbacktest's LogProbQueueFunc: `log(1 + back) / (log(1 + back) + log(1 + front))`. */
export const logProbability: QueueProbability = (front, back) => {
  const b = Math.log1p(back);
  return b / (b + Math.log1p(front));
};

/**
 * hftbacktest's RiskAdverseQueueModel as a profile: every cancellation is behind us, so only
 * trades at our price (and a queue shrinking below our place) move us forward.
 */
export const riskAverseProbability: QueueProbability = () => 1;

/** Default power of the profile (hftbacktest's Hyperliquid example uses 2). */
export const DEFAULT_QUEUE_POWER = 2;

/**
 * Hyperliquid re-sorts post-only orders placed at a price within this window by the priority fee
 * they pay (engine/hyperliquid/wire_reference.md § Priority fees and fast cancels; the venue
 * simulator's `PRIORITY_WINDOW_MS`), so size added there while our order is this young may go ahead
 * of it.
 */
export const PRIORITY_WINDOW_MS = 400;

/** Options of {@link probQueueModel}. */
export interface ProbQueueOptions {
  /** The model's name in the configuration (default "queue"). */
  name?: string;
  /**
   * Share of the size added at our price while our order is younger than
   * {@link PRIORITY_WINDOW_MS} that is taken to pay priority and join ahead of us (0..1,
   * default 0: every new order joins behind).
   */
  priorityShare?: number;
  /** Half-life of the queue ahead of us through unseen turnover, ms (default Infinity: none). */
  turnoverHalfLifeMs?: number;
  /** Share of the queue ahead that requotes away when the touch moves (0..1, default 0). */
  requoteShare?: number;
}

/** hftbacktest's ProbQueueModel with `probability`, and the priority haircut (see the module doc). */
export function probQueueModel(
  probability: QueueProbability = powerProbability(DEFAULT_QUEUE_POWER),
  options: ProbQueueOptions = {},
): QueueFillModel {
  const priorityShare = options.priorityShare ?? 0;
  if (!(priorityShare >= 0 && priorityShare <= 1)) {
    throw new Error(`queue priority share ${options.priorityShare} is not in 0..1`);
  }
  const requoteShare = options.requoteShare ?? 0;
  if (!(requoteShare >= 0 && requoteShare <= 1)) {
    throw new Error(`queue requote share ${options.requoteShare} is not in 0..1`);
  }
  const halfLife = options.turnoverHalfLifeMs ?? Infinity;
  if (!(halfLife > 0)) {
    throw new Error(`queue turnover half-life ${options.turnoverHalfLifeMs} ms is not positive`);
  }
  return {
    name: options.name ?? "queue",
    fillsOnCross: true,
    tracksDepth: true,
    join(state, displayed) {
      // Unknown depth: assume a queue we cannot pass until a book shows it (a trade through
      // our price still fills us).
      state.front = Number.isNaN(displayed) ? Infinity : displayed;
      state.prevDepth = displayed;
      state.prevAgeMs = NaN;
      state.cumTrade = 0;
      state.traded = 0;
    },
    onTrade(state, _orderSz, leaves, through, available, tradeSz, out) {
      if (through) {
        out.fill = Math.min(leaves, available);
        out.cause = "trade-through";
        state.front = 0;
        return out.fill;
      }
      // The book shows the whole print, so the next depth change must not count it again.
      state.cumTrade += tradeSz;
      if (state.front >= available) {
        state.front -= available;
        out.fill = 0;
        return 0;
      }
      out.fill = Math.min(leaves, available - state.front);
      out.cause = "queue";
      state.front = 0;
      return out.fill;
    },
    onDepth(state, displayed, ageMs, touchMoves) {
      const prev = state.prevDepth;
      state.prevDepth = displayed;
      const elapsed = ageMs - state.prevAgeMs;
      state.prevAgeMs = ageMs;
      if (elapsed > 0 && halfLife < Infinity) state.front *= 2 ** (-elapsed / halfLife);
      if (touchMoves > 0 && requoteShare > 0) state.front *= (1 - requoteShare) ** touchMoves;
      if (Number.isNaN(prev)) {
        state.front = displayed;
        state.cumTrade = 0;
        return;
      }
      const chg = prev - displayed - state.cumTrade;
      state.cumTrade = 0;
      if (chg < 0) {
        const jumped = ageMs < PRIORITY_WINDOW_MS ? -chg * priorityShare : 0;
        state.front = Math.min(state.front + jumped, displayed);
        return;
      }
      const back = Math.max(prev - state.front, 0);
      let p = probability(state.front, back);
      if (!Number.isFinite(p)) p = 1;
      const estimate = state.front - (1 - p) * chg + Math.min(back - p * chg, 0);
      // Cancellations alone never fill us: the queue ahead bottoms out at zero.
      state.front = Math.max(Math.min(estimate, displayed), 0);
    },
  };
}

/**
 * The queue-position model interface for shadow orders, and the threshold model (`spec`). Queue
 * models sit behind this one small interface the way hftbacktest separates its queue models
 * from its exchange, latency and fee models: the matcher (`venue/shadow_matching.ts`) decides
 * which order a trade or a book reaches and hands out the trade's volume; a model only says how
 * much of that volume fills the order it is shown. The probabilistic models are in
 * `prob_queue.ts`; `model_names.ts` builds one from its configured name.
 *
 * "Reaches" is defined once, for both models: a taker SELL (`side` "A") reaches our bids
 * priced at or above the trade price; a taker BUY (`side` "B") reaches our asks priced at or
 * below it. "Through" means strictly better than the trade price (our bid above a sell's
 * price, our ask below a buy's price): the taker would have met us before the price it printed.
 */
import type { FillCause } from "../venue/venue.ts";

/** Per-order model state; the simulator owns one per resting order and resets it on join. */
export interface QueueState {
  /** Estimated size ahead of us at our price, coin units (`queue` model). */
  front: number;
  /** Trade volume at our price since the last book, coin units (ProbQueue's `cum_trade`). */
  cumTrade: number;
  /** Displayed size at our price in the last book seen; NaN before the first book. */
  prevDepth: number;
  /** The order's age at the last book seen, ms (NaN before the first): for queue turnover. */
  prevAgeMs: number;
  /** Volume credited to this order at or through its price, coin units (`spec` model). */
  traded: number;
}

/** What a model decides for one order and one trade; reused, so no allocation per trade. */
export interface TradeOutcome {
  /** Size to fill, coin units, before lot rounding and the order's remaining-size cap. */
  fill: number;
  /** Why, when `fill` > 0. */
  cause: FillCause;
}

/** A swappable fill rule. */
export interface QueueFillModel {
  /** The model's configured name (`MM_QUEUE_MODEL`, see model_names.ts). */
  readonly name: string;
  /** Whether a book that has moved through our price fills the order (picked-off). */
  readonly fillsOnCross: boolean;
  /** Whether `onDepth` uses the book (the simulator skips looking up depths otherwise). */
  readonly tracksDepth: boolean;
  /** Resets `state` for a new order that joins behind `displayed` (NaN: no book yet). */
  join(state: QueueState, displayed: number): void;
  /**
   * Shows the order a trade: `available` is the trade's volume not yet used by our orders
   * ahead of this one; `tradeSz` is the whole print. Writes the decision to `out` and returns
   * the volume this order takes from `available` (so the next order cannot reuse it).
   */
  onTrade(
    state: QueueState,
    orderSz: number,
    leaves: number,
    through: boolean,
    available: number,
    tradeSz: number,
    out: TradeOutcome,
  ): number;
  /**
   * Updates the state for a new book whose displayed size at our price is `displayed`;
   * `ageMs` is how long the order has rested (market time), for the post-only priority window;
   * `touchMoves` is how many ticks the touch moved since the coin's previous book (0: none).
   */
  onDepth(state: QueueState, displayed: number, ageMs: number, touchMoves: number): void;
}

/** Creates an empty queue state (NaN depth: no book seen yet). */
export function newQueueState(): QueueState {
  return { front: 0, cumTrade: 0, prevDepth: NaN, prevAgeMs: NaN, traded: 0 };
}

/** Copies every field of `from` into `to`. */
export function copyQueueState(to: QueueState, from: QueueState): void {
  to.front = from.front;
  to.cumTrade = from.cumTrade;
  to.prevDepth = from.prevDepth;
  to.prevAgeMs = from.prevAgeMs;
  to.traded = from.traded;
}

/**
 * Spec threshold: fill once `traded / (2 × size)` reaches 0.7 (README, "Shadow mode: the Queue
 * Position Estimator").
 */
export const SPEC_FILL_PROBABILITY = 0.7;

/**
 * The threshold estimator: probability = volume traded at or through our price since the order
 * was registered / (2 × order size); the whole order fills at 70%, i.e. after 1.4 × its size
 * has traded at or through it. Each unit of traded volume is credited to one order only: an
 * order takes what it still needs to reach its threshold and passes the rest on.
 */
export function specThresholdModel(probability: number = SPEC_FILL_PROBABILITY): QueueFillModel {
  if (!(probability > 0 && probability <= 1)) {
    throw new Error(`spec fill probability ${probability} is not in (0, 1]`);
  }
  const factor = 2 * probability;
  return {
    name: "spec",
    fillsOnCross: false,
    tracksDepth: false,
    join(state) {
      state.front = 0;
      state.cumTrade = 0;
      state.traded = 0;
    },
    onTrade(state, orderSz, leaves, _through, available, _tradeSz, out) {
      const need = factor * orderSz - state.traded;
      const credit = Math.min(need, available);
      state.traded += credit;
      // Relative tolerance: 0.7 + 0.7 must reach 1.4 despite binary rounding.
      if (state.traded >= factor * orderSz * (1 - 1e-12)) {
        out.fill = leaves;
        out.cause = "threshold";
      } else {
        out.fill = 0;
      }
      return credit;
    },
    onDepth() {},
  };
}

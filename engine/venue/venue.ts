/**
 * The venue contract: what the quoting loop hands its quotes to. `sim.ts` (shadow mode: a
 * queue-position estimator over live market data) and `live.ts` (signed post-only orders)
 * implement it, so the loop never knows which one it drives.
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import type { RequestGovernor } from "./request_governor.ts";

/** Side of one of our quotes. */
export type QuoteSide = "bid" | "ask";

/** Grid levels per side (README, "The grid"). */
export const GRID_LEVELS = 3;

/** The desired grid for one coin this tick; a size of 0 means "no quote at this level". */
export interface DesiredQuotes {
  coin: string;
  /** Bid prices, level 0 (tightest) first; length {@link GRID_LEVELS}. */
  bidPx: ArrayLike<number>;
  /** Bid sizes in coin units. */
  bidSz: ArrayLike<number>;
  askPx: ArrayLike<number>;
  askSz: ArrayLike<number>;
  /** Minimum price increment at the current price. */
  tick: number;
  /** Mid the grid was computed from. */
  mid: number;
  /**
   * Share of each level's distance from mid a resting order may drift and stay (at least one
   * tick); see engine/venue/requote.ts.
   */
  requoteShare: number;
  /** Orders younger than this are kept while within their level's whole distance, ms. */
  minRestMs: number;
  /**
   * What the pre-trade check needs beyond the grid (engine/venue/pre_trade_gate.ts); the
   * engine always sets it. Quotes without it (built by hand to test a venue's mechanics) are
   * not checked.
   */
  limits?: QuoteLimits;
}

/** The coin's facts when the kernel computed its quotes: the kernel's own inputs. */
export interface QuoteLimits {
  /** Hyperliquid szDecimals of the coin. */
  readonly szDecimals: number;
  /** Best bid the quotes were computed from (0: no bids). */
  readonly bestBid: number;
  /** Best ask the quotes were computed from (0: no asks). */
  readonly bestAsk: number;
  /** Signed inventory at the mid, USD (long > 0). */
  readonly inventoryUsd: number;
  /** The coin's max_inv_usd: the kernel stops the growing side there, USD. */
  readonly maxInvUsd: number;
  /** The coin's min_order_usd: the level-1 order value, USD (levels ×1, ×2, ×3). */
  readonly minOrderUsd: number;
}

/** Why a fill happened (shadow fills carry their cause; live fills are `exchange`). */
export type FillCause =
  | "trade-through"
  | "queue"
  | "threshold"
  | "picked-off"
  | "exchange";

/** One fill of one of our orders. */
export interface Fill {
  coin: string;
  side: QuoteSide;
  /** Grid level 0..2, or -1 when the order is not one of the current grid's. */
  level: number;
  px: number;
  /** Size in coin units. */
  sz: number;
  /** Fill time, ms since the Unix epoch (market time, so replays are deterministic). */
  timeMs: number;
  /** Fee paid in USD; negative when it is a rebate. */
  feeUsd: number;
  cause: FillCause;
  /** The order's id at the venue (shadow ids are local). */
  orderId: string;
  /** The exchange's trade id (live fills). */
  tid?: number;
}

/** Counters a venue keeps for the cancel-to-fill guard and the session report. */
export interface VenueStats {
  /** Orders registered (shadow) or placed (live). */
  placed: number;
  /** Orders cancelled or moved. */
  cancels: number;
  fills: number;
  /**
   * Address-budget requests spent: every order and cancel sent (shadow: that live would have
   * sent), one per item of each batch, whatever its outcome.
   */
  requests: number;
}

/** What a reconciliation found (after a stall, a reconnect or a restart). */
export interface ReconcileReport {
  /** Position per coin the venue reports, in coin units, signed. */
  positions: Map<string, number>;
  /** Fills that happened while we were not listening. */
  darkFills: Fill[];
  /** Orders resting at the venue that we did not track (cancelled by reconcile). */
  orphanOrdersCancelled: number;
}

/** A place quotes go to: the shadow simulator or the live exchange. */
export interface Venue {
  readonly kind: "sim" | "live";
  /** Notional of the orders placed, USD: what priority fees are charged on (absent: 0). */
  readonly placedUsd?: number;
  /** Sets one coin's desired grid for this tick; the venue registers, keeps or moves orders. */
  setQuotes(quotes: DesiredQuotes): void;
  /** Removes every quote of one coin (halted side or coin). */
  clearQuotes(coin: string): void;
  /**
   * Ends a round of {@link setQuotes}/{@link clearQuotes} at the engine's clock `nowMs`: the
   * changes go out as one batch (at most one order action and one cancel action), as soon as
   * the request governor allows.
   */
  commit(nowMs: number): void;
  /** Feeds a book snapshot (queue positions, crossing checks). */
  onBook(book: BookSnapshot): void;
  /** Feeds a new public trade (never one already seen: the engine applies the watermark). */
  onTrade(trade: Trade): void;
  /** Returns and clears the fills since the last call. */
  drainFills(): Fill[];
  /** Cancels every order on every coin. */
  cancelAll(reason: string): Promise<void>;
  /** Compares the venue's view with ours after a gap in market data. */
  reconcile(inventory: ReadonlyMap<string, number>): Promise<ReconcileReport>;
  readonly stats: VenueStats;
  /** The two request budgets this venue spends. */
  readonly governor: RequestGovernor;
  /** The pre-trade check every order of this venue passes, with its refusal counts. */
  readonly preTrade?: PreTradeCounts;
}

/** What a venue's pre-trade check refused (engine/venue/pre_trade_gate.ts). */
export interface PreTradeCounts {
  /** Orders refused since start. */
  readonly refused: number;
}

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

/**
 * Quoting: what the quote pipeline and the risk supervisor use of a venue. The same calls mean
 * the same in shadow and live; where their effects differ (fill timing, cancel latency), the
 * venue's own models say how (shadow: engine/fill_model/).
 */
export interface QuotingVenue {
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
  /** Returns and clears the fills since the last call. */
  drainFills(): Fill[];
  /** Cancels every order on every coin. */
  cancelAll(reason: string): Promise<void>;
  /** Compares the venue's view with ours after a gap in market data. */
  reconcile(inventory: ReadonlyMap<string, number>): Promise<ReconcileReport>;
  /** Counters of orders, cancels, fills and requests (shadow: what live would have sent). */
  readonly stats: VenueStats;
  /** The two request budgets this venue spends. */
  readonly governor: RequestGovernor;
  /** The pre-trade check every order of this venue passes, with its refusal counts. */
  readonly preTrade?: PreTradeCounts;
  /** Notional of the orders placed, USD: what priority fees are charged on (absent: 0). */
  readonly placedUsd?: number;
}

/**
 * The market data a venue needs, in the order the engine saw it: shadow matches its orders'
 * fills on it, live feeds it to its ledger's twins.
 */
export interface MarketDataSink {
  /** Feeds a book snapshot (the book the engine priced off). */
  onBook(book: BookSnapshot): void;
  /** Feeds a new public trade (never one already seen: the engine applies the watermark). */
  onTrade(trade: Trade): void;
}

/** A resting order as a venue that keeps its orders in the state file reports it. */
export interface PersistedOrder {
  coin: string;
  side: QuoteSide;
  level: number;
  px: number;
  /** Size not yet filled, coin units. */
  leaves: number;
  /** Estimated size ahead at its price, coin units (Infinity: unknown). */
  queueAhead: number;
}

/**
 * Persistence: a venue whose own state only the engine's state file keeps (shadow: its orders,
 * positions and counters exist nowhere else). Live has none: the exchange is its record.
 */
export interface PersistentVenue {
  /** Its resting orders, for the state file. */
  openOrders(): PersistedOrder[];
  /**
   * Sets positions and the session counters as a previous run left them, and the address
   * budget with the requests they spent and the `volumeUsd` they earned.
   */
  restore(
    positions: Readonly<Record<string, number>>,
    stats: Omit<VenueStats, "requests"> & { requests?: number },
    volumeUsd?: number,
  ): void;
}

/** Lifecycle: a venue with orders at an exchange and connections to close (live). */
export interface VenueLifecycle {
  /** The orders the exchange may hold for it now: their oids, and cloids of those not acked. */
  heldOrders(): { oids: number[]; cloids: string[] };
  /** Resolves once no order or cancel action is in flight. */
  settled(): Promise<void>;
  /** Stops its timers and closes its streams (after a cancel-all on shutdown). */
  close(): void;
}

/**
 * A place quotes go to: the shadow simulator or the live exchange. Each part of the contract is
 * its own interface; `persistence` and `lifecycle` are there only for the venue that has them,
 * so no caller asks which class a venue is.
 */
export interface Venue extends QuotingVenue, MarketDataSink {
  readonly kind: "sim" | "live";
  /** Present when the state file is the venue's only record (shadow). */
  readonly persistence?: PersistentVenue;
  /** Present when orders rest at an exchange (live). */
  readonly lifecycle?: VenueLifecycle;
}

/** What a venue's pre-trade check refused (engine/venue/pre_trade_gate.ts). */
export interface PreTradeCounts {
  /** Orders refused since start. */
  readonly refused: number;
}

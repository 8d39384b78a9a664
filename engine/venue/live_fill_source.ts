/**
 * What the live venue needs from the source of the account's fills: each fill once, word when
 * the exchange ended an order itself, and whether fills can be followed right now. The
 * production source is the user WebSocket (live_fill_feed.ts); tests may pass their own.
 */
import type { UserFill } from "../hyperliquid/info_answers.ts";
import type { Fill } from "./venue.ts";

/** An exchange fill of the account as a venue fill at grid `level` (−1: not the grid's). */
export function venueFillOf(f: UserFill, level: number): Fill {
  return {
    coin: f.coin,
    side: f.side === "B" ? "bid" : "ask",
    level,
    px: f.px,
    sz: f.sz,
    timeMs: f.timeMs,
    feeUsd: f.fee,
    cause: "exchange",
    orderId: String(f.oid),
    tid: f.tid,
  };
}

/** The live venue's side of a fill feed. */
export interface FillFeedHandlers {
  /** New fills of the account, each exactly once, oldest first. */
  onFills(fills: readonly UserFill[]): void;
  /** An order ended without filling (cancelled, by us or by the exchange), with its status. */
  onOrderGone(oid: number, status: string): void;
  /**
   * False at once when fills can no longer be followed (the stream dropped or went silent):
   * the venue pulls its quotes. True once the stream is back and caught up.
   */
  onHealth(healthy: boolean, reason: string): void;
}

/** A source of the account's fills. */
export interface FillFeed {
  /** Connects; resolves after the first catch-up (fills since the run's start are delivered). */
  start(): Promise<void>;
  /** Delivers, before resolving, every fill the exchange has that was not delivered yet. */
  catchUp(): Promise<void>;
  /** Stops everything. */
  close(): void;
}

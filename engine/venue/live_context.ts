/**
 * What the live venue's parts share: the clients, the slots, the clock and the retry policy.
 * The venue (live.ts) builds one and hands it to cancel-all and to outcome resolution, so each
 * of those is a file of its own without reaching into the venue's private state.
 */
import type { ExchangeClient } from "../hyperliquid/exchange.ts";
import type { InfoClient } from "../hyperliquid/info.ts";
import type { UnknownStatuses } from "../hyperliquid/order_status.ts";
import type { Logger } from "../log.ts";
import type { LiveSlots } from "./live_slots.ts";
import type { VenueStats } from "./venue.ts";

/** The live venue's shared parts. */
export interface LiveContext {
  readonly exchange: ExchangeClient;
  /** Info client asking with `safety` priority: what rests and what filled is never optional. */
  readonly info: InfoClient;
  /** The account whose orders these are. */
  readonly user: string;
  readonly slots: LiveSlots;
  /** Asset id of every coin of the universe (orders on any of them can be cancelled). */
  readonly assetIndex: ReadonlyMap<string, number>;
  /** Cancels ask for mempool priority (`f: true`). */
  readonly fastCancel: boolean;
  readonly log: Logger;
  /** Statuses and error texts the client does not know, each logged once. */
  readonly unknownStatuses: UnknownStatuses;
  readonly stats: VenueStats;
  /** First delay between retries, ms. */
  readonly retryMs: number;
  /** Wall clock, ms. */
  now(): number;
  /** Sleeps `ms`, or less when the venue closes. */
  sleep(ms: number): Promise<void>;
  /** True once the venue is closed: retries stop. */
  isClosed(): boolean;
  /** Delay before retry number `failures` (1-based), ms. */
  backoffMs(failures: number): number;
  /** Counts `n` orders or cancels sent against the address budget. */
  spend(n: number): void;
  /** A cancel of the order `oid` is being sent (the ledger's cancel times). */
  cancelSent(oid: number): void;
}

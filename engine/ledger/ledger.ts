/**
 * The live ledger of predicted against real fills (issue "Shadow honesty"). Every live order
 * the exchange confirms resting gets shadow twins (twin_book.ts): one under the configured queue
 * model, which is what shadow mode would have predicted, and one under each calibration
 * candidate (fill_model/model_names.ts), so `calibrate-fills` can rank the models on the same
 * orders without the market data. When the live order ends (filled, cancelled, or ended by the
 * exchange) its twins end with it, and one record is written: the order, its real fills, and
 * every model's prediction over the same lifetime.
 *
 * A fill can reach the engine after the cancel that ended its order (the exchange answered the
 * cancel first); the record therefore waits `graceMs` after the order ended before it is
 * written. Times: `sentMs`, `restingMs`, `cancelSentMs` and `endedMs` are the engine's wall
 * clock; fill times are the exchange's (market time), so predicted and real fill times compare.
 */
import { RecentIds } from "./recent_ids.ts";
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import {
  CALIBRATION_CANDIDATES,
  candidateKey,
  type QueueCandidate,
} from "../fill_model/model_names.ts";
import { createQueueModel } from "../fill_model/model_names.ts";
import type { FillCause, QuoteSide } from "../venue/venue.ts";
import { TwinBook } from "./twin_book.ts";

/** How a ledger order ended. */
export type LedgerEnd = "filled" | "cancelled" | "gone";

/** One line of `data/live/ledger/DATE.jsonl`: one live order, real and predicted. */
export interface LedgerRecord {
  coin: string;
  side: QuoteSide;
  /** Grid level, 1-based (L1 is the tightest). */
  level: number;
  /** The exchange's order id. */
  oid: number;
  px: number;
  /** Size placed, coin units. */
  sz: number;
  /** Wall clock when the order action was sent, ms. */
  sentMs: number;
  /** Wall clock when the exchange's answer said it rests, ms (its twins start here). */
  restingMs: number;
  /** Wall clock when its cancel was sent, ms, or null (not cancelled by a requote). */
  cancelSentMs: number | null;
  /** Wall clock when the engine learnt the order ended, ms (its twins end here). */
  endedMs: number;
  /**
   * Latest market time seen when the order was confirmed resting and when it ended, ms: with
   * the wall times they give the market clock's pace (1 on the exchange; `--rate` on the venue
   * simulator), which turns measured round trips into the shadow venue's market-time latency.
   */
  restingMarketMs: number | null;
  endedMarketMs: number | null;
  end: LedgerEnd;
  /** Size the exchange filled, coin units. */
  realSz: number;
  /** Exchange time of its first real fill, ms, or null. */
  realFirstMs: number | null;
  /** The configured queue model (`MM_QUEUE_MODEL`, with `+priority:S` when set). */
  model: string;
  /** Size the configured model predicted, coin units. */
  predictedSz: number;
  /** Market time of its first predicted fill, ms, or null. */
  predictedFirstMs: number | null;
  /** The cause the model gave for its first predicted fill, or null. */
  cause: FillCause | null;
  /** Every calibration candidate's prediction: [size, first fill ms or null], by key. */
  candidates: Record<string, [number, number | null]>;
}

/** A live order the exchange confirmed resting, as the ledger needs it. */
export interface LedgerOrder {
  oid: number;
  coin: string;
  side: QuoteSide;
  /** Grid level, 0-based. */
  level: number;
  px: number;
  sz: number;
  /** Price increment at its price. */
  tick: number;
  /** The coin's size decimals: fills are whole lots of 10^-szDecimals. */
  szDecimals: number;
  /** Wall clock when its order action was sent, ms. */
  sentMs: number;
  /** Size the exchange filled before its resting answer arrived, coin units. */
  filled: number;
}

/** Options of {@link FillLedger}. */
export interface FillLedgerOptions {
  /** The configured queue model and priority share (what shadow mode runs). */
  model: QueueCandidate;
  /** Calibration candidates predicted beside it (default {@link CALIBRATION_CANDIDATES}). */
  candidates?: readonly QueueCandidate[];
  /** Wall clock, ms. */
  now: () => number;
  /** How long a record waits after its order ended for a late real fill, ms (default 5,000). */
  graceMs?: number;
  /** Receives each finished record. */
  write: (record: LedgerRecord) => void;
}

interface Open {
  order: LedgerOrder;
  restingMs: number;
  restingMarketMs: number | null;
  cancelSentMs: number | null;
  endedMs: number;
  endedMarketMs: number | null;
  realSz: number;
  realFirstMs: number | null;
  /** Wall clock from which the record is written (Infinity while the order is live). */
  dueMs: number;
  /** Exchange time of its last real fill, ms (null: none). */
  realLastMs: number | null;
}

// Written order ids kept to recognise late fills.
const WRITTEN_KEPT = 4096;
/** Own-fill trade ids kept for their public print: 30 coins × 6 orders, many fills each. */
const OWN_TIDS_KEPT = 10_000;
// Fill sizes are whole lots of at least 1e-8 coin units (szDecimals ≤ 8).
const SIZE_EPSILON = 1e-9;

/** Twins for every live order, and one record per order once it has ended (see module doc). */
export class FillLedger {
  /** The configured model's key (records' `model`). */
  readonly model: string;
  /** The twins under each model; the configured model's are first. */
  readonly #books: TwinBook[] = [];
  readonly #keys: string[] = [];
  readonly #now: () => number;
  readonly #graceMs: number;
  readonly #write: (record: LedgerRecord) => void;
  readonly #open = new Map<number, Open>();
  /** Ended orders waiting for their grace, in the order they ended (so by due time). */
  readonly #ending: Open[] = [];
  /** The latest written orders' ids, to tell a late fill from one of an order never seen resting. */
  readonly #written = new Set<number>();
  #lateFills = 0;
  #untwinnedFills = 0;
  /**
   * Trade ids of our fills whose public print has not been seen yet. A print comes within a
   * block or two of its fill; this many covers minutes of a busy grid.
   */
  readonly #ownTids = new RecentIds(OWN_TIDS_KEPT);
  #ownPrints = 0;
  /** Latest market time of any book or print, ms (null before the first). */
  #marketMs: number | null = null;
  /** While the account's fill stream is down no record is written: its fills may still come. */
  #feedDown = false;

  /** A ledger predicting with the configured model and every candidate. */
  constructor(options: FillLedgerOptions) {
    this.#now = options.now;
    this.#graceMs = options.graceMs ?? 5_000;
    this.#write = options.write;
    this.model = candidateKey(options.model);
    const all = [options.model, ...(options.candidates ?? CALIBRATION_CANDIDATES)];
    for (const candidate of all) {
      const key = candidateKey(candidate);
      if (this.#keys.includes(key)) continue;
      this.#keys.push(key);
      this.#books.push(new TwinBook(createQueueModel(candidate)));
    }
  }

  /** Real fills that arrived after their order's record was written (should stay 0). */
  get lateFills(): number {
    return this.#lateFills;
  }

  /**
   * Real fills of orders that never had twins: filled before the exchange's answer said they
   * rest (a shadow order fills no sooner than it rests either).
   */
  get untwinnedFills(): number {
    return this.#untwinnedFills;
  }

  /** Orders with live twins now. */
  get openOrders(): number {
    return this.#open.size;
  }

  /** The exchange confirmed `order` resting: its twins start now. */
  opened(order: LedgerOrder): void {
    // Known already (open, or ended and waiting for its grace): one record per order.
    if (this.#open.has(order.oid) || this.#ending.some((o) => o.order.oid === order.oid)) return;
    for (const book of this.#books) {
      const { oid, coin, side, px, sz, tick, sentMs, szDecimals } = order;
      const twin = book.open(oid, coin, side, px, sz, tick, sentMs, szDecimals);
      twin.ownLeaves -= order.filled;
    }
    this.#open.set(order.oid, {
      order,
      restingMs: this.#now(),
      restingMarketMs: this.#marketMs,
      cancelSentMs: null,
      endedMs: NaN,
      endedMarketMs: null,
      realSz: order.filled,
      realFirstMs: null,
      realLastMs: null,
      dueMs: Infinity,
    });
  }

  /**
   * A cancel of the order was sent now (its twins keep filling until the order has ended); the
   * latest one counts (an earlier one may have been held back by the weight budget).
   */
  cancelSent(oid: number): void {
    const open = this.#open.get(oid);
    if (open !== undefined) open.cancelSentMs = this.#now();
  }

  /**
   * The exchange filled `sz` of the order at exchange time `timeMs`, in the trade `tid`. The
   * exchange prints that trade on the public stream under the same id; the twins never see it,
   * since a shadow order is not in the book and nobody trades with it (without this, a twin met
   * the print of its own live order's fill and "predicted" it).
   */
  realFill(oid: number, sz: number, timeMs: number, tid?: number): void {
    if (tid !== undefined) this.#ownTids.add(tid);
    const open = this.#open.get(oid) ?? this.#ending.find((o) => o.order.oid === oid);
    if (open === undefined) {
      if (this.#written.has(oid)) this.#lateFills++;
      else this.#untwinnedFills++;
      return;
    }
    open.realSz += sz;
    if (open.realFirstMs === null || timeMs < open.realFirstMs) open.realFirstMs = timeMs;
    if (open.realLastMs === null || timeMs > open.realLastMs) open.realLastMs = timeMs;
    for (const book of this.#books) {
      book.realFill(oid, sz);
      // Filled after its end was seen (the cancel's answer came first): it rested until then.
      if (Number.isFinite(open.dueMs)) book.end(oid, timeMs);
    }
  }

  /**
   * The order ended (the engine freed its slot). Its twins still meet the frames of the market
   * time it ended at (the block of its last fill, else the latest market time seen now: the
   * public frames of a block can arrive after the exchange's answer); the record is written
   * after the grace.
   */
  ended(oid: number): void {
    const open = this.#open.get(oid);
    if (open === undefined) return;
    this.#open.delete(oid);
    open.endedMs = this.#now();
    open.endedMarketMs = this.#marketMs;
    open.dueMs = open.endedMs + this.#graceMs;
    const endMs = Math.max(open.realLastMs ?? -Infinity, this.#marketMs ?? -Infinity);
    for (const book of this.#books) book.end(oid, endMs);
    this.#ending.push(open);
  }

  /**
   * The account's fill stream went down or came back (caught up). While it is down, records wait:
   * fills of ended orders may still be on their way; once it is back, each waiting record gets a
   * fresh grace.
   */
  feedHealth(healthy: boolean): void {
    if (healthy && this.#feedDown) {
      const due = this.#now() + this.#graceMs;
      for (const o of this.#ending) o.dueMs = Math.max(o.dueMs, due);
    }
    this.#feedDown = !healthy;
  }

  /** Shows a book to every twin, and writes the records whose grace has passed. */
  onBook(book: BookSnapshot): void {
    this.#seen(book.timeMs);
    const now = this.#now();
    for (const b of this.#books) b.onBook(book, now);
    this.#writeDue(this.#now());
  }

  /** Shows a print to every twin, unless it is the print of one of our own fills. */
  onTrade(trade: Trade): void {
    this.#seen(trade.timeMs);
    if (this.#ownTids.take(trade.tid)) {
      this.#ownPrints++;
      return;
    }
    for (const b of this.#books) b.onTrade(trade);
  }

  /** Public prints of our own fills, kept from the twins. */
  get ownPrints(): number {
    return this.#ownPrints;
  }

  #seen(timeMs: number): void {
    if (this.#marketMs === null || timeMs > this.#marketMs) this.#marketMs = timeMs;
  }

  /** Writes every ended order's record now, grace or not (at shutdown). */
  flush(): void {
    this.#writeDue(Infinity);
  }

  #writeDue(nowMs: number): void {
    if (this.#feedDown && nowMs < Infinity) return;
    while (this.#ending.length > 0 && this.#ending[0].dueMs <= nowMs) {
      // Taken off the queue before it is written: a sink that throws loses this one record,
      // never every later one.
      const ended = this.#ending.shift()!;
      this.#remember(ended.order.oid);
      this.#write(this.#record(ended));
    }
  }

  #remember(oid: number): void {
    this.#written.add(oid);
    // Enough for fills minutes late at hundreds of orders a minute; a Set keeps insertion order.
    if (this.#written.size > WRITTEN_KEPT) {
      this.#written.delete(this.#written.values().next().value!);
    }
  }

  /** Takes the order's twins out of their books and makes its record. */
  #record(o: Open): LedgerRecord {
    const twins = this.#books.map((book) => book.remove(o.order.oid, o.order.coin)!);
    const candidates: Record<string, [number, number | null]> = {};
    this.#keys.forEach((key, i) => {
      candidates[key] = [twins[i].filled, twins[i].firstFillMs];
    });
    const { filled: predictedSz, firstFillMs: predictedFirstMs, cause } = twins[0];
    const end: LedgerEnd = o.realSz >= o.order.sz - SIZE_EPSILON
      ? "filled"
      : o.cancelSentMs !== null
      ? "cancelled"
      : "gone";
    return {
      coin: o.order.coin,
      side: o.order.side,
      level: o.order.level + 1,
      oid: o.order.oid,
      px: o.order.px,
      sz: o.order.sz,
      sentMs: o.order.sentMs,
      restingMs: o.restingMs,
      cancelSentMs: o.cancelSentMs,
      endedMs: o.endedMs,
      restingMarketMs: o.restingMarketMs,
      endedMarketMs: o.endedMarketMs,
      end,
      realSz: o.realSz,
      realFirstMs: o.realFirstMs,
      model: this.model,
      predictedSz,
      predictedFirstMs,
      cause,
      candidates,
    };
  }
}

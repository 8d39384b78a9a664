/**
 * The ledger off the quoting path. Showing a book to 50 models' twins costs tens of µs (BENCHMARKS,
 * "Shadow honesty"), and the live venue is fed each book before the engine quotes on it. So the
 * live venue hands the ledger's inputs to this queue, which replays them on the ledger in the same
 * order after the current task, each with the wall time it happened at: the twins see exactly
 * the sequence they would have seen at once, and quoting waits for none of it.
 */
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";
import type { Logger } from "../log.ts";
import type { FillLedger, LedgerOrder } from "./ledger.ts";
import { errorMessage } from "../util/errors.ts";

/** What the live venue tells the ledger (engine/venue/live.ts). */
export type LedgerInput = Pick<
  FillLedger,
  "opened" | "cancelSent" | "realFill" | "ended" | "onBook" | "onTrade" | "feedHealth"
>;

type Event =
  | { kind: "opened"; order: LedgerOrder }
  | { kind: "cancelSent" | "ended"; oid: number }
  | { kind: "realFill"; oid: number; sz: number; timeMs: number; tid?: number }
  | { kind: "book"; book: BookSnapshot }
  | { kind: "trade"; trade: Trade }
  | { kind: "health"; healthy: boolean };

/** Queues the ledger's inputs and replays them after the current task (see the module doc). */
export class DeferredLedger implements LedgerInput {
  /** The ledger the inputs go to. */
  readonly ledger: FillLedger;
  readonly #wallNow: () => number;
  #events: Event[] = [];
  #times: number[] = [];
  /** Wall time of the event being replayed: the ledger's clock. */
  #eventMs = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #log: Logger | undefined;

  /**
   * `create` builds the ledger on the clock it is given (the replayed events' times);
   * `wallNow` is the real clock (default `Date.now`); `log` hears of an input the ledger could
   * not take (a measurement's error never stops trading).
   */
  constructor(
    create: (now: () => number) => FillLedger,
    wallNow: () => number = Date.now,
    log?: Logger,
  ) {
    this.#wallNow = wallNow;
    this.#log = log;
    this.ledger = create(() => this.#eventMs);
  }

  /** See {@link FillLedger.opened}. */
  opened(order: LedgerOrder): void {
    this.#push({ kind: "opened", order });
  }

  /** See {@link FillLedger.cancelSent}. */
  cancelSent(oid: number): void {
    this.#push({ kind: "cancelSent", oid });
  }

  /** See {@link FillLedger.realFill}. */
  realFill(oid: number, sz: number, timeMs: number, tid?: number): void {
    this.#push({ kind: "realFill", oid, sz, timeMs, tid });
  }

  /** See {@link FillLedger.ended}. */
  ended(oid: number): void {
    this.#push({ kind: "ended", oid });
  }

  /** See {@link FillLedger.onBook}. */
  onBook(book: BookSnapshot): void {
    this.#push({ kind: "book", book });
  }

  /** See {@link FillLedger.onTrade}. */
  onTrade(trade: Trade): void {
    this.#push({ kind: "trade", trade });
  }

  /** See {@link FillLedger.feedHealth}. */
  feedHealth(healthy: boolean): void {
    this.#push({ kind: "health", healthy });
  }

  /** Replays every queued input now (before reading the ledger at shutdown). */
  drain(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const events = this.#events;
    const times = this.#times;
    this.#events = [];
    this.#times = [];
    for (let i = 0; i < events.length; i++) {
      this.#eventMs = times[i];
      try {
        this.#replay(events[i]);
      } catch (error) {
        this.#log?.error(`[LEDGER] ${events[i].kind} not recorded: ${errorMessage(error)}`);
      }
    }
  }

  #replay(e: Event): void {
    const l = this.ledger;
    switch (e.kind) {
      case "opened":
        return l.opened(e.order);
      case "cancelSent":
        return l.cancelSent(e.oid);
      case "ended":
        return l.ended(e.oid);
      case "realFill":
        return l.realFill(e.oid, e.sz, e.timeMs, e.tid);
      case "book":
        return l.onBook(e.book);
      case "trade":
        return l.onTrade(e.trade);
      case "health":
        return l.feedHealth(e.healthy);
    }
  }

  #push(event: Event): void {
    this.#events.push(event);
    this.#times.push(this.#wallNow());
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.drain();
    }, 0);
  }
}

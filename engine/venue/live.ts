/**
 * The live venue (spec phase 9J): the desired grid becomes signed post-only (`Alo`) orders on
 * Hyperliquid, each with a client order id (cloid) so every outcome can be looked up.
 *
 * - A resting order stays while its desired price is within one tick and its size unchanged;
 *   beyond that it is cancelled (by cloid) and replaced. Moves count as cancels.
 * - Orders go out in batches, one action in flight at a time; `setQuotes` never waits.
 * - An "unknown" outcome (timeout, transport error) is never taken as placed or as refused:
 *   the slot stays blocked until `orderStatus` by cloid says what happened.
 * - Fills are read from `userFillsByTime` (dedup by tid), so they are the exchange's own.
 * - `reconcile` compares `clearinghouseState` positions with our inventory, books fills we
 *   missed (dark fills), and cancels resting orders we do not track.
 */
import type { ExchangeClient, OrderOutcome } from "../hyperliquid/exchange.ts";
import type { InfoClient, UserFill } from "../hyperliquid/info.ts";
import type { AssetInfo, BookSnapshot, Trade } from "../hyperliquid/types.ts";
import { cloidFromInt, floatToWire, roundSizeDown } from "../hyperliquid/wire.ts";
import type { Logger } from "../log.ts";
import {
  type DesiredQuotes,
  type Fill,
  GRID_LEVELS,
  type QuoteSide,
  type ReconcileReport,
  type Venue,
  type VenueStats,
} from "./venue.ts";

/** Options of {@link LiveExchange}. */
export interface LiveExchangeOptions {
  exchange: ExchangeClient;
  info: InfoClient;
  /** The account whose orders and positions these are. */
  user: string;
  assets: readonly AssetInfo[];
  log: Logger;
  /** Wall clock, ms. */
  now?: () => number;
  /** How often fills are polled, ms (weight 20 each: 5 s uses 240 of the 1200/min budget). */
  fillPollMs?: number;
}

type SlotState = "empty" | "placing" | "resting" | "cancelling" | "unknown";

interface Slot {
  coin: string;
  asset: number;
  side: QuoteSide;
  level: number;
  state: SlotState;
  cloid: string;
  oid: number;
  px: number;
  sz: number;
  /** Desired price and size from the latest grid (0 = no quote). */
  wantPx: number;
  wantSz: number;
  tick: number;
}

/** The live venue: signed post-only orders with cloids, reconciled against the exchange. */
export class LiveExchange implements Venue {
  /** Always "live". */
  readonly kind = "live" as const;
  /** Orders placed, cancels (moves count one) and fills. */
  readonly stats: VenueStats = { placed: 0, cancels: 0, fills: 0 };
  readonly #ex: ExchangeClient;
  readonly #info: InfoClient;
  readonly #user: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #slots = new Map<string, Slot[]>();
  readonly #byCloid = new Map<string, Slot>();
  /** Grid level of every order that may still fill (resting, or gone without a confirmed cancel). */
  readonly #levelByOid = new Map<number, number>();
  readonly #szDecimals = new Map<string, number>();
  readonly #assetIndex = new Map<string, number>();
  readonly #seenTids = new Set<number>();
  #fills: Fill[] = [];
  #inFlight: Promise<void> | null = null;
  #dirty = false;
  #cloidCounter: bigint;
  #lastFillMs: number;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #postOnlyRejects = 0;
  #rejects = 0;

  /** Creates the venue; starts polling fills. */
  constructor(options: LiveExchangeOptions) {
    this.#ex = options.exchange;
    this.#info = options.info;
    this.#user = options.user;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    // Cloids start at the start time in µs: unique across restarts of the same account.
    this.#cloidCounter = BigInt(this.#now()) * 1000n;
    this.#lastFillMs = this.#now();
    for (const a of options.assets) {
      this.#szDecimals.set(a.name, a.szDecimals);
      this.#assetIndex.set(a.name, a.assetIndex);
      const slots: Slot[] = [];
      for (const side of ["bid", "ask"] as const) {
        for (let level = 0; level < GRID_LEVELS; level++) {
          slots.push({
            coin: a.name,
            asset: a.assetIndex,
            side,
            level,
            state: "empty",
            cloid: "",
            oid: 0,
            px: 0,
            sz: 0,
            wantPx: 0,
            wantSz: 0,
            tick: 0,
          });
        }
      }
      this.#slots.set(a.name, slots);
    }
    this.#pollTimer = setInterval(() => void this.#pollFills(), options.fillPollMs ?? 5_000);
  }

  /** Orders refused because they would have crossed (post-only), and other refusals. */
  get rejects(): { postOnly: number; other: number } {
    return { postOnly: this.#postOnlyRejects, other: this.#rejects };
  }

  /** Records the desired grid; the orders follow in the next batch. */
  setQuotes(quotes: DesiredQuotes): void {
    const slots = this.#slots.get(quotes.coin);
    if (!slots) return;
    for (let l = 0; l < GRID_LEVELS; l++) {
      this.#want(slots[l], quotes.bidPx[l], quotes.bidSz[l], quotes.tick);
      this.#want(slots[GRID_LEVELS + l], quotes.askPx[l], quotes.askSz[l], quotes.tick);
    }
    this.#schedule();
  }

  /** Withdraws every quote of one coin. */
  clearQuotes(coin: string): void {
    const slots = this.#slots.get(coin);
    if (!slots) return;
    for (const slot of slots) this.#want(slot, 0, 0, slot.tick);
    this.#schedule();
  }

  /** Live fills come from the exchange, not from the public book. */
  onBook(_book: BookSnapshot): void {}

  /** Live fills come from the exchange, not from public trades. */
  onTrade(_trade: Trade): void {}

  /** Returns and clears the fills polled since the last call. */
  drainFills(): Fill[] {
    const fills = this.#fills;
    this.#fills = [];
    return fills;
  }

  /** Cancels every order of the account, tracked or not, then books the fills up to now. */
  async cancelAll(reason: string): Promise<void> {
    for (const slots of this.#slots.values()) for (const s of slots) s.wantSz = 0;
    await this.#inFlight;
    const open = await this.#info.openOrders(this.#user);
    let unconfirmed = false;
    if (open.length > 0) {
      this.#log.warn(`[LIVE] cancel_all (${reason}): ${open.length} order(s)`);
      const outcomes = await this.#ex.cancel(
        open.map((o) => ({ asset: this.#assetIndex.get(o.coin) ?? -1, oid: o.oid }))
          .filter((c) => c.asset >= 0),
      );
      this.stats.cancels += outcomes.filter((o) => o.kind === "success").length;
      unconfirmed = outcomes.some((o) => o.kind === "unknown" || o.kind === "rejected");
    }
    for (const slots of this.#slots.values()) {
      for (const s of slots) if (s.state !== "empty") this.#release(s);
    }
    // Fills up to the cancel are booked now, not at the next poll (which may never come).
    await this.#pollFills();
    if (unconfirmed) {
      throw new Error("some cancels had no confirmed outcome; reconcile will check the book");
    }
  }

  /** Compares the exchange's positions and orders with ours; books dark fills. */
  async reconcile(_inventory: ReadonlyMap<string, number>): Promise<ReconcileReport> {
    await this.#inFlight;
    const darkFills = await this.#fetchFills();
    const state = await this.#info.clearinghouseState(this.#user);
    const positions = new Map<string, number>();
    for (const p of state.positions) if (p.szi !== 0) positions.set(p.coin, p.szi);
    const open = await this.#info.openOrders(this.#user);
    const orphans = open.filter((o) => !o.cloid || !this.#byCloid.has(o.cloid));
    if (orphans.length > 0) {
      await this.#ex.cancel(
        orphans.map((o) => ({ asset: this.#assetIndex.get(o.coin) ?? -1, oid: o.oid }))
          .filter((c) => c.asset >= 0),
      );
    }
    return { positions, darkFills, orphanOrdersCancelled: orphans.length };
  }

  /** Stops polling (the caller cancels orders first). */
  close(): void {
    this.#closed = true;
    if (this.#pollTimer !== undefined) clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  #want(slot: Slot, px: number, sz: number, tick: number): void {
    slot.wantPx = sz > 0 ? px : 0;
    slot.wantSz = sz > 0 ? sz : 0;
    if (tick > 0) slot.tick = tick;
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#inFlight || this.#closed) return;
    this.#inFlight = this.#flush().finally(() => {
      this.#inFlight = null;
      if (this.#dirty && !this.#closed) this.#schedule();
    });
  }

  /** One round: resolve unknowns, cancel what moved, place what is missing. */
  async #flush(): Promise<void> {
    this.#dirty = false;
    const all = [...this.#slots.values()].flat();
    for (const s of all.filter((s) => s.state === "unknown")) await this.#resolve(s);

    // "Beyond one tick": two ticks or more apart (1.5 ticks absorbs float noise).
    const moved = all.filter((s) =>
      s.state === "resting" &&
      (s.wantSz === 0 || Math.abs(s.wantPx - s.px) > s.tick * 1.5 ||
        roundSizeDown(s.wantSz, this.#szDecimals.get(s.coin) ?? 0) !== s.sz)
    );
    if (moved.length > 0) {
      for (const s of moved) s.state = "cancelling";
      const outcomes = await this.#ex.cancelByCloid(
        moved.map((s) => ({ asset: s.asset, cloid: s.cloid })),
      );
      outcomes.forEach((o, i) => {
        const s = moved[i];
        if (o.kind === "success" || o.kind === "missing") {
          // "missing" = already filled or cancelled: the fill poll books a fill if there was one.
          if (o.kind === "success") this.#levelByOid.delete(s.oid);
          this.stats.cancels++;
          this.#release(s);
        } else s.state = "unknown";
      });
    }

    const place = all.filter((s) => s.state === "empty" && s.wantSz > 0);
    if (place.length === 0) return;
    const orders = place.map((s) => {
      s.state = "placing";
      s.cloid = cloidFromInt(++this.#cloidCounter);
      s.px = s.wantPx;
      s.sz = roundSizeDown(s.wantSz, this.#szDecimals.get(s.coin) ?? 0);
      this.#byCloid.set(s.cloid, s);
      return {
        asset: s.asset,
        isBuy: s.side === "bid",
        px: floatToWire(s.px),
        sz: floatToWire(s.sz),
        tif: "Alo" as const,
        cloid: s.cloid,
      };
    });
    let outcomes: OrderOutcome[];
    try {
      outcomes = await this.#ex.placeOrders(orders);
    } catch (error) {
      // Not sent at all (e.g. the weight budget said no): nothing rests.
      this.#log.warn(`[LIVE] orders not sent: ${(error as Error).message}`);
      for (const s of place) this.#release(s);
      return;
    }
    outcomes.forEach((o, i) => this.#apply(place[i], o));
  }

  #apply(s: Slot, o: OrderOutcome): void {
    switch (o.kind) {
      case "resting":
        s.state = "resting";
        s.oid = o.oid;
        this.#levelByOid.set(o.oid, s.level);
        this.stats.placed++;
        break;
      case "filled":
        // Filled at once (should not happen with Alo): the fill poll books it.
        this.stats.placed++;
        this.#release(s);
        break;
      case "postOnlyRejected":
        this.#postOnlyRejects++;
        this.#release(s);
        break;
      case "rejected":
        this.#rejects++;
        this.#log.warn(`[LIVE] ${s.coin} ${s.side} L${s.level + 1} rejected: ${o.message}`);
        this.#release(s);
        break;
      case "unknown":
        this.#log.warn(
          `[LIVE] ${s.coin} ${s.side} L${s.level + 1} outcome unknown (${o.reason}); will check`,
        );
        s.state = "unknown";
        break;
    }
  }

  /** Asks the exchange what became of an order whose outcome was not seen. */
  async #resolve(s: Slot): Promise<void> {
    try {
      const status = await this.#info.orderStatus(this.#user, s.cloid);
      if (status.status === "order" && status.orderStatus === "open") {
        s.state = "resting";
        s.oid = status.order.oid;
        this.#levelByOid.set(s.oid, s.level);
      } else this.#release(s);
    } catch (error) {
      this.#log.debug(`[LIVE] orderStatus ${s.cloid} failed: ${(error as Error).message}`);
    }
  }

  #release(s: Slot): void {
    if (s.cloid) this.#byCloid.delete(s.cloid);
    s.state = "empty";
    s.cloid = "";
    s.oid = 0;
  }

  async #pollFills(): Promise<void> {
    try {
      const fills = await this.#fetchFills();
      for (const f of fills) this.#fills.push(f);
    } catch (error) {
      this.#log.debug(`[LIVE] fill poll failed: ${(error as Error).message}`);
    }
  }

  /** New fills of the account since the last one seen, as venue fills. */
  async #fetchFills(): Promise<Fill[]> {
    const raw = await this.#info.userFillsByTime(this.#user, Math.floor(this.#lastFillMs));
    const out: Fill[] = [];
    for (const f of raw) {
      if (this.#seenTids.has(f.tid)) continue;
      this.#seenTids.add(f.tid);
      if (f.timeMs > this.#lastFillMs) this.#lastFillMs = f.timeMs;
      out.push(this.#toFill(f));
      this.stats.fills++;
    }
    return out;
  }

  #toFill(f: UserFill): Fill {
    const level = this.#levelByOid.get(f.oid) ?? -1;
    const slot = this.#byCloid.get(f.cloid ?? "");
    // A fully filled order that is no longer in the grid cannot fill again.
    if (slot === undefined || slot.oid !== f.oid) this.#levelByOid.delete(f.oid);
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
    };
  }
}

/**
 * The live venue's order slots: one per coin, side and grid level, each holding at most one
 * order and its state, with the indexes that find a slot from an exchange answer (cloid, oid).
 *
 * A slot's state says what the exchange may hold for it:
 * - `empty`: nothing.
 * - `placing`: an order action is in flight.
 * - `resting`: the exchange confirmed the order resting.
 * - `cancelling`: a cancel is in flight.
 * - `unknown`: an action's answer never came; until its `expiresAfter` has passed and
 *   `orderStatus` says what happened, the order may rest.
 */
import type { AssetInfo } from "../hyperliquid/types.ts";
import type { LevelWant } from "./requote.ts";
import { GRID_LEVELS, type QuoteSide } from "./venue.ts";

/** What the exchange may hold for a slot (see the module doc). */
export type SlotState = "empty" | "placing" | "resting" | "cancelling" | "unknown";

/** One grid level of one side of one coin, and the order it holds. */
export interface LiveSlot {
  coin: string;
  asset: number;
  side: QuoteSide;
  level: number;
  state: SlotState;
  cloid: string;
  oid: number;
  px: number;
  /** Size of the order as placed, coin units. */
  sz: number;
  /** Size filled so far, coin units. */
  filled: number;
  /** When the last action on this order (place or cancel) expires at the exchange, ms. */
  expiresMs: number;
  /** When the order was sent, ms (the requote rule's age). */
  placedMs: number;
  /** Its level's desired distance from mid when placed (the requote rule's d₀). */
  placedDistance: number;
  /** Size step of the coin, coin units (10^-szDecimals). */
  lot: number;
  szDecimals: number;
  /** The level's desired quote (size 0: none). */
  want: LevelWant;
}

/** Told when an order starts resting in a slot and when it is gone (the live ledger). */
export interface SlotObserver {
  /** The exchange confirmed the slot's order resting (its oid is known from now). */
  resting(slot: LiveSlot): void;
  /** The slot's order, known by `oid`, is gone (filled, cancelled, or ended by the exchange). */
  gone(slot: LiveSlot, oid: number): void;
}

/** Every slot of the quoted coins, and where to find one from an exchange answer. */
export class LiveSlots {
  /** Every slot, coin by coin (bids L1–L3, then asks). */
  readonly all: LiveSlot[] = [];
  readonly #byCoin = new Map<string, LiveSlot[]>();
  readonly #byCloid = new Map<string, LiveSlot>();
  readonly #byOid = new Map<number, LiveSlot>();
  /** Grid level of every order that may still fill (resting, or gone without a confirmed cancel). */
  readonly #levelByOid = new Map<number, number>();
  readonly #observer: SlotObserver | undefined;

  /** Six empty slots per quoted coin; `observer` is told when orders rest and go. */
  constructor(assets: readonly AssetInfo[], observer?: SlotObserver) {
    this.#observer = observer;
    for (const a of assets) {
      const slots: LiveSlot[] = [];
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
            filled: 0,
            expiresMs: 0,
            placedMs: 0,
            placedDistance: 0,
            lot: 10 ** -a.szDecimals,
            szDecimals: a.szDecimals,
            want: { px: 0, sz: 0, mid: 0, tick: 0, share: 0, minRestMs: 0 },
          });
        }
      }
      this.#byCoin.set(a.name, slots);
      this.all.push(...slots);
    }
  }

  /** The six slots of a coin (bids L1–L3, asks L1–L3), or undefined when it is not quoted. */
  of(coin: string): LiveSlot[] | undefined {
    return this.#byCoin.get(coin);
  }

  /** The orders the slots hold now: their oids, and the cloids (also of orders not yet acked). */
  held(): { oids: number[]; cloids: string[] } {
    return { oids: [...this.#byOid.keys()], cloids: [...this.#byCloid.keys()] };
  }

  /** Whether an order (by cloid or oid) belongs to a slot. */
  tracks(cloid: string | undefined, oid: number): boolean {
    return (cloid !== undefined && this.#byCloid.has(cloid)) || this.#byOid.has(oid);
  }

  /** The slot holding an order, by oid, or by cloid while the oid is not known yet. */
  find(oid: number, cloid?: string): LiveSlot | undefined {
    const slot = this.#byOid.get(oid) ?? (cloid ? this.#byCloid.get(cloid) : undefined);
    return slot !== undefined && (slot.oid === oid || slot.oid === 0) ? slot : undefined;
  }

  /** The grid level an order was placed at, or −1 when it is not (or no longer) the grid's. */
  levelOf(oid: number): number {
    return this.#levelByOid.get(oid) ?? -1;
  }

  /** Forgets an order's level (filled completely or confirmed cancelled). */
  forgetLevel(oid: number): void {
    this.#levelByOid.delete(oid);
  }

  /** Gives the slot a new cloid for an order about to be sent. */
  assignCloid(slot: LiveSlot, cloid: string): void {
    slot.cloid = cloid;
    this.#byCloid.set(cloid, slot);
  }

  /** Records the exchange's oid of the slot's order. */
  track(slot: LiveSlot, oid: number): void {
    slot.oid = oid;
    this.#byOid.set(oid, slot);
    this.#levelByOid.set(oid, slot.level);
    this.#observer?.resting(slot);
  }

  /** Empties a slot: its order is gone (or was never placed). */
  release(slot: LiveSlot): void {
    if (slot.cloid) this.#byCloid.delete(slot.cloid);
    if (slot.oid && this.#byOid.get(slot.oid) === slot) {
      this.#byOid.delete(slot.oid);
      this.#observer?.gone(slot, slot.oid);
    }
    slot.state = "empty";
    slot.cloid = "";
    slot.oid = 0;
    slot.filled = 0;
  }
}

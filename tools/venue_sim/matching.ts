/**
 * Price-time matching of the account's resting orders against the simulated crowd. An order
 * joins the back of its level: the crowd size displayed there when it arrives is queued ahead
 * of it. A taker sweeping the book eats, level by level, the crowd ahead of the account's
 * orders, then the orders (oldest first), then the crowd behind them, and prints one trade per
 * maker it fills (each crowd order and each of the account's), as Hyperliquid's tape does, all
 * at the taker's time. Crowd cancellations
 * shrink the queue ahead (it never exceeds what is displayed at the level), and a book that
 * moves through an order's price fills it outright (a taker traded through it).
 *
 * A reduce-only order never flips or grows the account's position: it fills at most what is left of
 * the position (every matching step takes the position and follows it fill by fill), and what it
 * could not fill is cancelled (`reduceOnlyCanceled`, engine/hyperliquid/README.md § Info requests).
 */
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import type { Level } from "./market.ts";

/** One of the account's resting limit orders. */
export interface RestingOrder {
  oid: number;
  cloid?: string;
  coin: string;
  asset: number;
  isBuy: boolean;
  px: number;
  /** Remaining size (coin units). */
  sz: number;
  origSz: number;
  /** Crowd size (coin units) still ahead of this order at its price. */
  queueAhead: number;
  /** Arrival number in the synthetic crowd's FIFO queues (see market.ts); absent in replays. */
  seq?: number;
  /** Placement time, ms. */
  timestamp: number;
  tif: "Gtc" | "Alo" | "Ioc";
  reduceOnly: boolean;
}

/** A fill of one of the account's resting orders (the account was the maker). */
export interface MakerFill {
  order: RestingOrder;
  px: number;
  sz: number;
}

/** One public trade print produced by a sweep. */
export interface Print {
  side: TakerSide;
  px: number;
  sz: number;
  /** The oid when the account's order was the maker, else null (crowd vs crowd). */
  makerOid: number | null;
}

/** The result of a taker sweeping one side of the book. */
export interface Sweep {
  prints: Print[];
  makerFills: MakerFill[];
  /** Size the book could not absorb (within the limit price). */
  unfilled: number;
  /** Reduce-only orders taken off the book because the position left no room for them. */
  reduceOnlyCancelled: RestingOrder[];
}

/** The result of the book moving through the account's orders (a redraw, a replayed print). */
export interface TradeThrough {
  fills: MakerFill[];
  prints: Print[];
  /** Reduce-only orders taken off the book because the position left no room for them. */
  reduceOnlyCancelled: RestingOrder[];
}

/**
 * How much a reduce-only order on `isBuy`'s side may fill against a signed position: what
 * closes it and no more (0 when flat or when the order would add to it).
 */
export function reduceOnlyRoom(isBuy: boolean, position: number): number {
  return Math.max(0, isBuy ? -position : position);
}

/** The account's position on one coin as one matching step fills its orders, fill by fill. */
class Position {
  constructor(public szi: number) {}

  /** How much of `o` may fill now: all of it, unless it is reduce-only. */
  room(o: RestingOrder): number {
    return o.reduceOnly ? reduceOnlyRoom(o.isBuy, this.szi) : Infinity;
  }

  fill(o: RestingOrder, sz: number): void {
    this.szi = cleanSize(this.szi + (o.isBuy ? sz : -sz));
  }
}

const EPS = 1e-9;

/** Drops float noise from a size (sizes have at most 6 decimals; 1e-8 keeps them exact). */
export function cleanSize(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/** Whether price `a` is at least as good as `b` for a resting order on the given side. */
function atOrBetter(isBuy: boolean, a: number, b: number): boolean {
  return isBuy ? a >= b - EPS * b : a <= b + EPS * b;
}

function samePx(a: number, b: number): boolean {
  return Math.abs(a - b) <= EPS * Math.max(a, b);
}

/** Size displayed by the crowd at `px` on one side (0 when there is no such level). */
export function crowdSizeAt(levels: readonly Level[], px: number): number {
  for (const l of levels) if (samePx(l.px, px)) return l.sz;
  return 0;
}

/**
 * The fills of one taker against a crowd level: `eat` coin taken after the first `eaten` of the
 * level's FIFO queue, one part per crowd order it meets (Hyperliquid prints one trade per maker
 * fill). A level without queues (a replayed book) is one maker: one part.
 */
export function makerParts(level: Level, eaten: number, eat: number): number[] {
  if (!level.orders) return [eat];
  const parts: number[] = [];
  let skip = eaten;
  let left = eat;
  for (const o of level.orders) {
    if (left <= EPS) break;
    if (skip >= o.sz - EPS) {
      skip = cleanSize(skip - o.sz);
      continue;
    }
    const part = cleanSize(Math.min(o.sz - skip, left));
    skip = 0;
    parts.push(part);
    left = cleanSize(left - part);
  }
  // The queues and the level agree (CoinMarket.settle): nothing is left unless float noise is.
  if (left > EPS) parts.push(left);
  return parts;
}

/** The account's resting orders on one coin, both sides, in price-time priority. */
export class OrderQueue {
  /** Bids, best (highest) price first, oldest first within a price. */
  readonly bids: RestingOrder[] = [];
  /** Asks, best (lowest) price first, oldest first within a price. */
  readonly asks: RestingOrder[] = [];

  /** Adds an order behind the crowd size displayed at its price on `crowdSide`. */
  add(order: RestingOrder, crowdSide: readonly Level[]): void {
    order.queueAhead = crowdSizeAt(crowdSide, order.px);
    const list = order.isBuy ? this.bids : this.asks;
    let i = 0;
    while (i < list.length && atOrBetter(order.isBuy, list[i].px, order.px)) i++;
    list.splice(i, 0, order);
  }

  /** Removes an order by oid; returns it, or null when it is not resting. */
  remove(oid: number): RestingOrder | null {
    for (const list of [this.bids, this.asks]) {
      const i = list.findIndex((o) => o.oid === oid);
      if (i >= 0) return list.splice(i, 1)[0];
    }
    return null;
  }

  /** Every resting order, bids then asks. */
  all(): RestingOrder[] {
    return [...this.bids, ...this.asks];
  }

  /** Total size of the resting reduce-only orders on one side. */
  reduceOnlySize(isBuy: boolean): number {
    let total = 0;
    for (const o of isBuy ? this.bids : this.asks) if (o.reduceOnly) total += o.sz;
    return cleanSize(total);
  }

  /**
   * Takes off the book the reduce-only orders the position (signed, after the latest fills) no
   * longer has room for: all of them when it is flat or on their side, otherwise those past the
   * size left to close, counted in priority order (the venue's stricter reading; see README).
   */
  expireReduceOnly(position: number): RestingOrder[] {
    const gone: RestingOrder[] = [];
    for (const list of [this.bids, this.asks]) {
      let left = reduceOnlyRoom(list === this.bids, position);
      for (let i = 0; i < list.length; i++) {
        const o = list[i];
        if (!o.reduceOnly) continue;
        if (o.sz <= left + EPS) {
          left -= o.sz;
          continue;
        }
        gone.push(...list.splice(i--, 1));
      }
    }
    return gone;
  }

  /** Fills `o` by up to `sz` at its own price as the book moves through it (a trade-through). */
  #tradeThrough(o: RestingOrder, sz: number, position: Position, out: TradeThrough): void {
    const fill = Math.min(sz, o.sz, position.room(o));
    if (fill > EPS) {
      out.fills.push({ order: o, px: o.px, sz: fill });
      out.prints.push({ side: o.isBuy ? "A" : "B", px: o.px, sz: fill, makerOid: o.oid });
      o.sz = cleanSize(o.sz - fill);
      position.fill(o, fill);
    }
  }

  /**
   * After the crowd's book was redrawn: caps each queue ahead at the displayed size, and fills
   * every order the book moved through (a bid at or above the best ask, an ask at or below the
   * best bid) at its own price. `position` is the account's signed position on the coin.
   */
  refresh(bids: readonly Level[], asks: readonly Level[], position: number): TradeThrough {
    const out: TradeThrough = { fills: [], prints: [], reduceOnlyCancelled: [] };
    const pos = new Position(position);
    for (
      const [list, crowd, opposite] of [[this.bids, bids, asks], [this.asks, asks, bids]] as const
    ) {
      const best = opposite[0]?.px;
      for (let i = 0; i < list.length; i++) {
        const o = list[i];
        if (best !== undefined && atOrBetter(o.isBuy, o.px, best)) {
          this.#tradeThrough(o, o.sz, pos, out);
          list.splice(i--, 1);
          if (o.sz > EPS) out.reduceOnlyCancelled.push(o);
          continue;
        }
        o.queueAhead = Math.min(o.queueAhead, crowdSizeAt(crowd, o.px));
      }
    }
    return out;
  }

  /** Fills every resting order at its own price, as a taker trading through all of them would. */
  fillAll(position: number): TradeThrough {
    const out: TradeThrough = { fills: [], prints: [], reduceOnlyCancelled: [] };
    const pos = new Position(position);
    for (const o of this.all()) {
      this.remove(o.oid);
      this.#tradeThrough(o, o.sz, pos, out);
      if (o.sz > EPS) out.reduceOnlyCancelled.push(o);
    }
    return out;
  }

  /**
   * Sweeps the side a taker on `side` hits (B lifts asks, A hits bids), crowd levels and the
   * account's orders merged in price-time priority, up to `sz` and not beyond `limitPx`. The
   * crowd levels are consumed in place. With `selfTrade`, the account is the taker: its own
   * resting orders met on the way are cancelled instead of filled (Hyperliquid expires the maker).
   * `position` is the account's signed position on the coin (it bounds reduce-only orders).
   */
  sweep(
    side: TakerSide,
    sz: number,
    crowd: Level[],
    limitPx: number | null,
    options: { selfTrade?: boolean; position?: number } = {},
  ): Sweep & { selfCancelled: RestingOrder[] } {
    const restIsBuy = side === "A";
    const own = restIsBuy ? this.bids : this.asks;
    const prints: Print[] = [];
    const makerFills: MakerFill[] = [];
    const selfCancelled: RestingOrder[] = [];
    const reduceOnlyCancelled: RestingOrder[] = [];
    const position = new Position(options.position ?? 0);
    let remaining = sz;
    while (remaining > EPS) {
      const crowdPx = crowd[0]?.px;
      const ownPx = own[0]?.px;
      if (crowdPx === undefined && ownPx === undefined) break;
      const px = crowdPx === undefined
        ? ownPx!
        : ownPx === undefined
        ? crowdPx
        : atOrBetter(restIsBuy, ownPx, crowdPx)
        ? ownPx
        : crowdPx;
      if (limitPx !== null && !atOrBetter(!restIsBuy, limitPx, px)) break;
      const level = crowdPx !== undefined && samePx(crowdPx, px) ? crowd[0] : null;
      let crowdEaten = 0;
      const eatCrowd = (want: number) => {
        if (!level || want <= EPS) return;
        const eat = Math.min(want, level.sz - crowdEaten, remaining);
        if (eat <= EPS) return;
        for (const part of makerParts(level, crowdEaten, eat)) {
          prints.push({ side, px, sz: part, makerOid: null });
        }
        crowdEaten = cleanSize(crowdEaten + eat);
        remaining = cleanSize(remaining - eat);
      };
      while (own.length > 0 && samePx(own[0].px, px) && remaining > EPS) {
        const o = own[0];
        if (options.selfTrade) {
          selfCancelled.push(own.shift()!);
          continue;
        }
        eatCrowd(o.queueAhead - crowdEaten);
        if (remaining <= EPS) break;
        const fill = Math.min(o.sz, remaining, position.room(o));
        if (fill > EPS) {
          remaining = cleanSize(remaining - fill);
          o.sz = cleanSize(o.sz - fill);
          makerFills.push({ order: o, px, sz: fill });
          prints.push({ side, px, sz: fill, makerOid: o.oid });
          position.fill(o, fill);
        }
        if (o.sz <= EPS) own.shift();
        else if (position.room(o) <= EPS) reduceOnlyCancelled.push(own.shift()!);
      }
      if (remaining > EPS) eatCrowd(Infinity);
      for (const o of own) {
        if (!samePx(o.px, px)) break;
        o.queueAhead = Math.max(0, cleanSize(o.queueAhead - crowdEaten));
      }
      if (level) {
        const left = cleanSize(level.sz - crowdEaten);
        if (left <= EPS) crowd.shift();
        else {
          level.n = Math.max(1, Math.round(level.n * left / level.sz));
          level.sz = left;
        }
      }
    }
    return {
      prints,
      makerFills,
      unfilled: Math.max(0, remaining),
      selfCancelled,
      reduceOnlyCancelled,
    };
  }

  /**
   * Applies a recorded trade print (replay): orders priced better than the print were traded
   * through and fill first; orders at the print's price fill after their queue ahead is eaten.
   */
  applyPrint(side: TakerSide, px: number, sz: number, position: number): TradeThrough {
    const restIsBuy = side === "A";
    const own = restIsBuy ? this.bids : this.asks;
    const out: TradeThrough = { fills: [], prints: [], reduceOnlyCancelled: [] };
    const pos = new Position(position);
    let remaining = sz;
    let queueEaten = 0;
    while (own.length > 0 && remaining > EPS) {
      const o = own[0];
      if (!atOrBetter(restIsBuy, o.px, px)) break;
      if (samePx(o.px, px)) {
        const ahead = Math.max(0, o.queueAhead - queueEaten);
        const eat = Math.min(ahead, remaining);
        queueEaten = cleanSize(queueEaten + eat);
        remaining = cleanSize(remaining - eat);
        if (remaining <= EPS) break;
      }
      const before = o.sz;
      this.#tradeThrough(o, remaining, pos, out);
      remaining = cleanSize(remaining - (before - o.sz));
      if (o.sz <= EPS) own.shift();
      else if (pos.room(o) <= EPS) out.reduceOnlyCancelled.push(own.shift()!);
    }
    for (const o of own) {
      if (samePx(o.px, px)) o.queueAhead = Math.max(0, cleanSize(o.queueAhead - queueEaten));
    }
    return out;
  }
}

/**
 * What the venue believes about the simulated account: USDC balance, positions with entry
 * price and funding, leverage settings, every fill, and every order's latest status. Fills
 * move the position, realize PnL on reductions and charge the fee (maker fees are paid, not
 * rebated, at Hyperliquid's base tier). Answers are formatted as Hyperliquid's wire shapes.
 */
import {
  CANCEL_EXTRA_REQUESTS,
  NEW_ADDRESS_REQUESTS,
  REACHABLE_FILLS,
  REQUESTS_PER_USDC,
} from "../../engine/hyperliquid/exchange_facts.ts";
import { dexOfCoin } from "../../engine/hyperliquid/perp_dexs.ts";
import { num, usd } from "./format.ts";
import type { RestingOrder } from "./matching.ts";

// Finished orders remembered for orderStatus.
const MAX_FINISHED_ORDERS = 100_000;
// Pruning happens in chunks so it costs nothing per order on average.
const PRUNE_CHUNK = 10_000;

/** An open position on one coin. */
export interface Position {
  /** Signed size in coin units (+ long, − short). */
  szi: number;
  entryPx: number;
  /** Funding paid since the account opened (positive = paid), USD. */
  fundingAllTime: number;
  /** Funding paid since this position was opened, USD. */
  fundingSinceOpen: number;
}

/** A fill as Hyperliquid reports it (`userFills`, `WsFill`). */
export interface WsFill {
  coin: string;
  px: string;
  sz: string;
  side: "B" | "A";
  time: number;
  startPosition: string;
  dir: string;
  closedPnl: string;
  hash: string;
  oid: number;
  crossed: boolean;
  fee: string;
  tid: number;
  feeToken: "USDC";
  twapId: null;
  cloid?: string;
}

/** An order's latest known state (for `orderStatus`, `orderUpdates`). */
export interface OrderRecord {
  order: RestingOrder;
  status: string;
  statusTimestamp: number;
}

/** Leverage setting of one coin. */
export interface LeverageSetting {
  type: "cross" | "isolated";
  value: number;
}

/** The account's state at the venue. */
export class Account {
  /** Lowercase address. */
  readonly address: string;
  /** Realized USDC: deposits + closed PnL − fees − funding. */
  balance: number;
  readonly positions = new Map<string, Position>();
  readonly leverage = new Map<string, LeverageSetting>();
  /** Every fill, oldest first. */
  readonly fills: WsFill[] = [];
  readonly orders = new Map<number, OrderRecord>();
  readonly cloidToOid = new Map<string, number>();
  /** Cumulative traded notional, USD (for the scheduleCancel volume gate and the request cap). */
  volumeUsd = 0;
  /** Address-based requests spent: every order and cancel of every accepted action counts one. */
  requestsUsed = 0;
  #nextOid: number;
  #finished: number[] = [];

  /** Creates an account with `balance` USDC; oids start at `firstOid`. */
  constructor(address: string, balance: number, firstOid = 9_000_000_000) {
    this.address = address.toLowerCase();
    this.balance = balance;
    this.#nextOid = firstOid;
  }

  /** Requests bought with `reserveRequestWeight`, on top of the cap (`nRequestsSurplus`). */
  requestSurplus = 0;

  /**
   * The account's mode as `userAbstraction` answers it (`default`, `disabled`, `unifiedAccount`,
   * `portfolioMargin`, ...). Unified and portfolio-margin accounts keep their collateral in the
   * spot state and report zero in `clearinghouseState` (engine/hyperliquid/wire_reference.md).
   */
  abstraction = "default";

  /** Priority fees paid for post-only orders, USD (paid in HYPE on the exchange). */
  priorityFeesUsd = 0;

  /** Cancels sent as fast cancels (`f: true`). */
  fastCancels = 0;

  /** Whether the collateral lives in the spot state (unified or portfolio margin). */
  get spotCollateral(): boolean {
    return this.abstraction === "unifiedAccount" || this.abstraction === "portfolioMargin";
  }

  /** Hyperliquid: 10,000 starting requests plus one per USDC traded since inception. */
  requestCap(): number {
    return NEW_ADDRESS_REQUESTS + Math.floor(this.volumeUsd * REQUESTS_PER_USDC);
  }

  /** Cancels may go further: min(cap + 100,000, 2 × cap), so a limited account can still cancel. */
  cancelRequestCap(): number {
    const cap = this.requestCap();
    return Math.min(cap + CANCEL_EXTRA_REQUESTS, 2 * cap);
  }

  /** Allocates the next order id (above 2^32, as on mainnet). */
  nextOid(): number {
    return this.#nextOid++;
  }

  /** Leverage of a coin (default: cross at min(20, maxLeverage)). */
  leverageOf(coin: string, maxLeverage: number): LeverageSetting {
    return this.leverage.get(coin) ?? { type: "cross", value: Math.min(20, maxLeverage) };
  }

  /** Records an order's new status. */
  setStatus(order: RestingOrder, status: string, timeMs: number): OrderRecord {
    const rec = { order, status, statusTimestamp: timeMs };
    this.orders.set(order.oid, rec);
    if (order.cloid) this.cloidToOid.set(order.cloid, order.oid);
    if (status !== "open") {
      this.#finished.push(order.oid);
      // Forget the oldest finished orders so a long run keeps bounded memory.
      if (this.#finished.length > MAX_FINISHED_ORDERS + PRUNE_CHUNK) {
        for (const oid of this.#finished.splice(0, this.#finished.length - MAX_FINISHED_ORDERS)) {
          const old = this.orders.get(oid);
          if (!old || old.status === "open") continue;
          this.orders.delete(oid);
          if (old.order.cloid && this.cloidToOid.get(old.order.cloid) === oid) {
            this.cloidToOid.delete(old.order.cloid);
          }
        }
      }
    }
    return rec;
  }

  /** Applies one fill to the position and balance and returns it as Hyperliquid reports it. */
  applyFill(
    f: {
      order: RestingOrder;
      px: number;
      sz: number;
      crossed: boolean;
      feeRate: number;
      timeMs: number;
      tid: number;
      hash: string;
    },
  ): WsFill {
    const { order, px, sz } = f;
    const pos = this.positions.get(order.coin) ??
      { szi: 0, entryPx: 0, fundingAllTime: 0, fundingSinceOpen: 0 };
    const start = pos.szi;
    const delta = order.isBuy ? sz : -sz;
    let closedPnl = 0;
    let dir: string;
    if (start === 0 || Math.sign(start) === Math.sign(delta)) {
      pos.entryPx = (Math.abs(start) * pos.entryPx + sz * px) / (Math.abs(start) + sz);
      dir = order.isBuy ? "Open Long" : "Open Short";
      if (start === 0) pos.fundingSinceOpen = 0;
    } else {
      const closing = Math.min(sz, Math.abs(start));
      closedPnl = closing * (px - pos.entryPx) * Math.sign(start);
      if (sz > Math.abs(start) + 1e-12) {
        dir = start > 0 ? "Long > Short" : "Short > Long";
        pos.entryPx = px;
        pos.fundingSinceOpen = 0;
      } else dir = start > 0 ? "Close Long" : "Close Short";
    }
    pos.szi = Math.round((start + delta) * 1e8) / 1e8;
    if (pos.szi === 0) pos.entryPx = 0;
    const fee = px * sz * f.feeRate;
    this.balance += closedPnl - fee;
    this.volumeUsd += px * sz;
    this.positions.set(order.coin, pos);
    const fill: WsFill = {
      coin: order.coin,
      px: num(px),
      sz: num(sz),
      side: order.isBuy ? "B" : "A",
      time: f.timeMs,
      startPosition: num(start),
      dir,
      closedPnl: usd(closedPnl),
      hash: f.hash,
      oid: order.oid,
      crossed: f.crossed,
      fee: usd(fee),
      tid: f.tid,
      feeToken: "USDC",
      twapId: null,
    };
    if (order.cloid) fill.cloid = order.cloid;
    this.fills.push(fill);
    if (this.fills.length > REACHABLE_FILLS + PRUNE_CHUNK) {
      this.fills.splice(0, this.fills.length - REACHABLE_FILLS);
    }
    return fill;
  }

  /** Charges one funding payment on `coin` at `markPx` (positive rate: longs pay shorts). */
  payFunding(coin: string, markPx: number, rate: number): void {
    const pos = this.positions.get(coin);
    if (!pos || pos.szi === 0) return;
    const payment = pos.szi * markPx * rate;
    this.balance -= payment;
    pos.fundingAllTime += payment;
    pos.fundingSinceOpen += payment;
  }

  /** Unrealized PnL plus margin used at the given marks. */
  #totals(mark: (coin: string) => number, maxLev: (coin: string) => number) {
    let unrealized = 0;
    let ntl = 0;
    let margin = 0;
    let maintenance = 0;
    for (const [coin, p] of this.positions) {
      if (p.szi === 0) continue;
      const m = mark(coin);
      const value = Math.abs(p.szi) * m;
      unrealized += p.szi * (m - p.entryPx);
      ntl += value;
      margin += value / this.leverageOf(coin, maxLev(coin)).value;
      // Hyperliquid: maintenance margin is half the initial margin at max leverage.
      maintenance += value / (2 * maxLev(coin));
    }
    return { unrealized, ntl, margin, maintenance, accountValue: this.balance + unrealized };
  }

  /** USD still free for new orders (account value − position margin − open-order margin). */
  availableMargin(
    mark: (coin: string) => number,
    maxLev: (coin: string) => number,
    openOrders: readonly RestingOrder[],
  ): number {
    const t = this.#totals(mark, maxLev);
    let orderMargin = 0;
    for (const o of openOrders) {
      orderMargin += o.sz * o.px / this.leverageOf(o.coin, maxLev(o.coin)).value;
    }
    return t.accountValue - t.margin - orderMargin;
  }

  /**
   * The `clearinghouseState` answer of perp dex `dex`
   * (engine/hyperliquid/README.md § Info requests): its positions. The USDC balance sits with the
   * main dex; a builder dex's account value is its positions' PnL; a unified or portfolio-margin
   * account reports zero value and withdrawable.
   */
  clearinghouseState(
    mark: (coin: string) => number,
    maxLev: (coin: string) => number,
    timeMs: number,
    dex = "",
  ) {
    const t = this.#totals(mark, maxLev);
    const assetPositions = [];
    let dexUnrealized = 0;
    for (const [coin, p] of this.positions) {
      if (p.szi === 0 || dexOfCoin(coin) !== dex) continue;
      dexUnrealized += p.szi * (mark(coin) - p.entryPx);
      const m = mark(coin);
      const lev = this.leverageOf(coin, maxLev(coin));
      const value = Math.abs(p.szi) * m;
      const marginUsed = value / lev.value;
      const upnl = p.szi * (m - p.entryPx);
      const maintenance = value / (2 * maxLev(coin));
      const liq = m - (t.accountValue - maintenance) / p.szi;
      assetPositions.push({
        position: {
          coin,
          cumFunding: {
            allTime: usd(p.fundingAllTime),
            sinceChange: usd(p.fundingSinceOpen),
            sinceOpen: usd(p.fundingSinceOpen),
          },
          entryPx: num(p.entryPx),
          leverage: lev.type === "cross"
            ? { type: "cross", value: lev.value }
            : { type: "isolated", value: lev.value, rawUsd: usd(-p.szi * p.entryPx + marginUsed) },
          liquidationPx: liq > 0 && Number.isFinite(liq) ? num(liq) : null,
          marginUsed: usd(marginUsed),
          maxLeverage: maxLev(coin),
          positionValue: usd(value),
          returnOnEquity: num(upnl / (Math.abs(p.szi) * p.entryPx / lev.value)),
          szi: num(p.szi),
          unrealizedPnl: usd(upnl),
        },
        type: "oneWay",
      });
    }
    let signedNtl = 0;
    for (const [coin, p] of this.positions) signedNtl += p.szi * mark(coin);
    const value = this.spotCollateral ? 0 : dex === "" ? t.accountValue : dexUnrealized;
    const summary = {
      accountValue: usd(value),
      totalMarginUsed: usd(t.margin),
      totalNtlPos: usd(t.ntl),
      totalRawUsd: usd(value - signedNtl),
    };
    return {
      assetPositions,
      crossMaintenanceMarginUsed: usd(t.maintenance),
      crossMarginSummary: summary,
      marginSummary: summary,
      time: timeMs,
      withdrawable: usd(Math.max(0, value - t.margin)),
    };
  }

  /**
   * The `spotClearinghouseState` answer: USDC only. A unified or portfolio-margin account's
   * collateral shows here (total = realized balance, hold = margin in use); a standard account's
   * USDC sits in the perp state, so its spot USDC is 0.
   */
  spotClearinghouseState(mark: (coin: string) => number, maxLev: (coin: string) => number) {
    const t = this.#totals(mark, maxLev);
    const total = this.spotCollateral ? this.balance : 0;
    return {
      balances: [{
        coin: "USDC",
        token: 0,
        total: usd(total),
        hold: usd(this.spotCollateral ? t.margin : 0),
        entryNtl: "0.0",
      }],
      ...(this.abstraction === "portfolioMargin" ? { portfolioMarginEnabled: true } : {}),
    };
  }
}

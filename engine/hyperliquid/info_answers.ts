/**
 * The answers of Hyperliquid's `/info` (engine/hyperliquid/README.md § Info requests), read:
 * positions and margin, open orders, fills, one order's status, the address-based request budget,
 * spot balances and a REST book snapshot. Every answer is checked field by field and decimal
 * strings become numbers; a shape the exchange was not documented to send throws an
 * {@link InfoResponseError} naming the request type and the field, so a silent API change stops
 * reconciliation loudly instead of corrupting it. The client that asks is info.ts.
 *
 * Slightly over 400 lines because every answer is read by the one private field reader below, and
 * splitting the answers apart would mean exporting that reader for no other user.
 */
import type { BookLevel, BookSnapshot } from "./types.ts";
import { isValidCloid } from "./wire.ts";
import { clip } from "../util/errors.ts";

/** Characters of a misshapen value quoted in an error: enough to see what came instead. */
const VALUE_EXCERPT_CHARS = 120;

/** An `/info` answer that does not have the documented shape. */
export class InfoResponseError extends Error {
  /** The request's `type` (e.g. `clearinghouseState`). */
  readonly requestType: string;
  /** Path of the offending field (e.g. `assetPositions[0].position.szi`). */
  readonly field: string;
  constructor(requestType: string, field: string, problem: string) {
    super(`info ${requestType}: field ${field || "(root)"} ${problem}`);
    this.name = "InfoResponseError";
    this.requestType = requestType;
    this.field = field;
  }
}

/** Leverage setting of a position. */
export interface Leverage {
  type: "cross" | "isolated";
  value: number;
  /** Isolated margin in USD (isolated positions only). */
  rawUsd?: number;
}

/** One open position; `szi` is signed (+ long, − short) in coin units. */
export interface Position {
  coin: string;
  szi: number;
  entryPx: number;
  positionValue: number;
  unrealizedPnl: number;
  returnOnEquity: number;
  /** Null when the position cannot be liquidated. */
  liquidationPx: number | null;
  marginUsed: number;
  maxLeverage: number;
  leverage: Leverage;
  /** Funding paid since the position was opened, USD (positive = paid). */
  cumFundingSinceOpen: number;
}

/** Perp account state: margin summary (cross + isolated) and positions. */
export interface ClearinghouseState {
  accountValue: number;
  withdrawable: number;
  totalMarginUsed: number;
  totalNtlPos: number;
  /** Account value of the cross-margin part only. */
  crossAccountValue: number;
  crossMaintenanceMarginUsed: number;
  positions: Position[];
  timeMs: number;
}

/** One resting order (`openOrders`). */
export interface OpenOrder {
  coin: string;
  /** `B` = bid (buy), `A` = ask (sell). */
  side: "B" | "A";
  limitPx: number;
  /** Remaining size. */
  sz: number;
  oid: number;
  timestampMs: number;
  origSz?: number;
  cloid?: string;
  reduceOnly: boolean;
}

/** One resting order with its type and trigger details (`frontendOpenOrders`, `orderStatus`). */
export interface FrontendOpenOrder extends OpenOrder {
  orderType: string;
  /** `Alo`, `Gtc`, `Ioc`, `FrontendMarket`, … or null. */
  tif: string | null;
  isTrigger: boolean;
  triggerPx: number;
  triggerCondition: string;
  isPositionTpsl: boolean;
}

/** One of our fills (`userFills`, `userFillsByTime`). */
export interface UserFill {
  coin: string;
  px: number;
  sz: number;
  side: "B" | "A";
  timeMs: number;
  startPosition: number;
  /** e.g. `Open Long`, `Close Short`. */
  dir: string;
  closedPnl: number;
  hash: string;
  oid: number;
  /** True when this fill took liquidity. */
  crossed: boolean;
  /** Fee paid (negative = rebate), in `feeToken`; includes any builder fee. */
  fee: number;
  feeToken: string;
  tid: number;
  cloid?: string;
}

/** Result of `orderStatus`: the order with its status, or unknown to the exchange. */
export type OrderStatusResult =
  | { status: "unknownOid" }
  | { status: "order"; order: FrontendOpenOrder; orderStatus: string; statusTimestampMs: number };

/**
 * The address-based request budget (`userRateLimit`, engine/hyperliquid/README.md § Rate limits):
 * actions may be sent while `nRequestsUsed` < `nRequestsCap` (10,000 + 1 per USDC of cumulative
 * volume).
 */
export interface UserRateLimit {
  /** Cumulative traded volume, USDC. */
  cumVlm: number;
  /** Requests spent since the address's inception (every order and cancel counts one). */
  nRequestsUsed: number;
  nRequestsCap: number;
  /** Requests bought with `reserveRequestWeight` on top of the cap. */
  nRequestsSurplus: number;
}

/** Reads fields of one answer, naming the request and the path in every complaint. */
class Reader {
  constructor(readonly type: string) {}

  fail(path: string, problem: string, value: unknown): never {
    const shown = JSON.stringify(value) ?? String(value);
    throw new InfoResponseError(
      this.type,
      path,
      `${problem}, got ${clip(shown, VALUE_EXCERPT_CHARS)}`,
    );
  }

  record(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, "should be an object", value);
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "should be an array", value);
    return value;
  }

  str(obj: Record<string, unknown>, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== "string") this.fail(`${path}${key}`, "should be a string", v);
    return v;
  }

  /** A decimal: the exchange sends strings; a JSON number is taken too. */
  num(obj: Record<string, unknown>, key: string, path: string): number {
    const v = obj[key];
    const n = typeof v === "string" && v.trim() !== ""
      ? Number(v)
      : typeof v === "number"
      ? v
      : NaN;
    if (!Number.isFinite(n)) this.fail(`${path}${key}`, "should be a decimal", v);
    return n;
  }

  nullableNum(obj: Record<string, unknown>, key: string, path: string): number | null {
    return obj[key] === null || obj[key] === undefined ? null : this.num(obj, key, path);
  }

  int(obj: Record<string, unknown>, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      this.fail(`${path}${key}`, "should be an integer", v);
    }
    return v;
  }

  bool(obj: Record<string, unknown>, key: string, path: string): boolean {
    const v = obj[key];
    if (typeof v !== "boolean") this.fail(`${path}${key}`, "should be a boolean", v);
    return v;
  }

  side(obj: Record<string, unknown>, key: string, path: string): "B" | "A" {
    const v = obj[key];
    if (v !== "B" && v !== "A") this.fail(`${path}${key}`, 'should be "B" or "A"', v);
    return v;
  }
}

function parsePosition(r: Reader, raw: unknown, path: string): Position {
  const entry = r.record(raw, path);
  const p = `${path}.position.`;
  const pos = r.record(entry.position, `${path}.position`);
  const lev = r.record(pos.leverage, `${p}leverage`);
  const levType = lev.type;
  if (levType !== "cross" && levType !== "isolated") {
    r.fail(`${p}leverage.type`, 'should be "cross" or "isolated"', levType);
  }
  const leverage: Leverage = { type: levType, value: r.num(lev, "value", `${p}leverage.`) };
  if (lev.rawUsd !== undefined) leverage.rawUsd = r.num(lev, "rawUsd", `${p}leverage.`);
  const funding = pos.cumFunding === undefined ? null : r.record(pos.cumFunding, `${p}cumFunding`);
  return {
    coin: r.str(pos, "coin", p),
    szi: r.num(pos, "szi", p),
    entryPx: r.num(pos, "entryPx", p),
    positionValue: r.num(pos, "positionValue", p),
    unrealizedPnl: r.num(pos, "unrealizedPnl", p),
    returnOnEquity: r.num(pos, "returnOnEquity", p),
    liquidationPx: r.nullableNum(pos, "liquidationPx", p),
    marginUsed: r.num(pos, "marginUsed", p),
    maxLeverage: r.int(pos, "maxLeverage", p),
    leverage,
    cumFundingSinceOpen: funding ? r.num(funding, "sinceOpen", `${p}cumFunding.`) : 0,
  };
}

/** Validates a `clearinghouseState` answer. */
export function parseClearinghouseState(raw: unknown): ClearinghouseState {
  const r = new Reader("clearinghouseState");
  const root = r.record(raw, "");
  const summary = r.record(root.marginSummary, "marginSummary");
  const cross = r.record(root.crossMarginSummary, "crossMarginSummary");
  return {
    accountValue: r.num(summary, "accountValue", "marginSummary."),
    withdrawable: r.num(root, "withdrawable", ""),
    totalMarginUsed: r.num(summary, "totalMarginUsed", "marginSummary."),
    totalNtlPos: r.num(summary, "totalNtlPos", "marginSummary."),
    crossAccountValue: r.num(cross, "accountValue", "crossMarginSummary."),
    crossMaintenanceMarginUsed: r.num(root, "crossMaintenanceMarginUsed", ""),
    positions: r.array(root.assetPositions, "assetPositions").map((p, i) =>
      parsePosition(r, p, `assetPositions[${i}]`)
    ),
    timeMs: r.int(root, "time", ""),
  };
}

function parseOpenOrder(r: Reader, raw: unknown, path: string): OpenOrder {
  const o = r.record(raw, path);
  const p = `${path}.`;
  const order: OpenOrder = {
    coin: r.str(o, "coin", p),
    side: r.side(o, "side", p),
    limitPx: r.num(o, "limitPx", p),
    sz: r.num(o, "sz", p),
    oid: r.int(o, "oid", p),
    timestampMs: r.int(o, "timestamp", p),
    reduceOnly: o.reduceOnly === undefined ? false : r.bool(o, "reduceOnly", p),
  };
  if (o.origSz !== undefined) order.origSz = r.num(o, "origSz", p);
  if (o.cloid !== undefined && o.cloid !== null) {
    const cloid = r.str(o, "cloid", p);
    if (!isValidCloid(cloid)) r.fail(`${p}cloid`, "should be 0x + 32 lowercase hex digits", cloid);
    order.cloid = cloid;
  }
  return order;
}

function parseFrontendOrder(r: Reader, raw: unknown, path: string): FrontendOpenOrder {
  const o = r.record(raw, path);
  const p = `${path}.`;
  const tif = o.tif === undefined || o.tif === null ? null : r.str(o, "tif", p);
  return {
    ...parseOpenOrder(r, raw, path),
    orderType: r.str(o, "orderType", p),
    tif,
    isTrigger: r.bool(o, "isTrigger", p),
    triggerPx: r.num(o, "triggerPx", p),
    triggerCondition: r.str(o, "triggerCondition", p),
    isPositionTpsl: r.bool(o, "isPositionTpsl", p),
  };
}

/** Validates an `openOrders` answer. */
export function parseOpenOrders(raw: unknown): OpenOrder[] {
  const r = new Reader("openOrders");
  return r.array(raw, "").map((o, i) => parseOpenOrder(r, o, `[${i}]`));
}

/** Validates a `frontendOpenOrders` answer. */
export function parseFrontendOpenOrders(raw: unknown): FrontendOpenOrder[] {
  const r = new Reader("frontendOpenOrders");
  return r.array(raw, "").map((o, i) => parseFrontendOrder(r, o, `[${i}]`));
}

/** Validates a `userFills` or `userFillsByTime` answer (`type` names the request in errors). */
export function parseUserFills(raw: unknown, type = "userFills"): UserFill[] {
  const r = new Reader(type);
  return r.array(raw, "").map((item, i) => {
    const path = `[${i}]`;
    const f = r.record(item, path);
    const p = `${path}.`;
    const fill: UserFill = {
      coin: r.str(f, "coin", p),
      px: r.num(f, "px", p),
      sz: r.num(f, "sz", p),
      side: r.side(f, "side", p),
      timeMs: r.int(f, "time", p),
      startPosition: r.num(f, "startPosition", p),
      dir: r.str(f, "dir", p),
      closedPnl: r.num(f, "closedPnl", p),
      hash: r.str(f, "hash", p),
      oid: r.int(f, "oid", p),
      crossed: r.bool(f, "crossed", p),
      fee: r.num(f, "fee", p),
      feeToken: r.str(f, "feeToken", p),
      tid: r.int(f, "tid", p),
    };
    if (typeof f.cloid === "string") fill.cloid = f.cloid;
    return fill;
  });
}

/** Validates an `orderStatus` answer. */
export function parseOrderStatus(raw: unknown): OrderStatusResult {
  const r = new Reader("orderStatus");
  const root = r.record(raw, "");
  if (root.status === "unknownOid") return { status: "unknownOid" };
  if (root.status !== "order") r.fail("status", 'should be "order" or "unknownOid"', root.status);
  const wrapper = r.record(root.order, "order");
  return {
    status: "order",
    order: parseFrontendOrder(r, wrapper.order, "order.order"),
    orderStatus: r.str(wrapper, "status", "order."),
    statusTimestampMs: r.int(wrapper, "statusTimestamp", "order."),
  };
}

/** Validates a `userRateLimit` answer. */
export function parseUserRateLimit(raw: unknown): UserRateLimit {
  const r = new Reader("userRateLimit");
  const root = r.record(raw, "");
  const count = (key: string): number => {
    const n = r.int(root, key, "");
    if (n < 0) r.fail(key, "should not be negative", n);
    return n;
  };
  return {
    cumVlm: r.num(root, "cumVlm", ""),
    nRequestsUsed: count("nRequestsUsed"),
    nRequestsCap: count("nRequestsCap"),
    nRequestsSurplus: count("nRequestsSurplus"),
  };
}

/** One token balance of `spotClearinghouseState`. */
export interface SpotBalance {
  /** Token name (`USDC`, `USDH`, `HYPE`). */
  coin: string;
  /** Spot token index (0 = USDC). */
  token: number;
  total: number;
  /** Part of `total` held (by orders, or as margin of a unified account's positions). */
  hold: number;
}

/** Token balances (`spotClearinghouseState`): where a unified account keeps its collateral. */
export interface SpotClearinghouseState {
  balances: SpotBalance[];
  /** Whether the account is in portfolio margin (absent: false). */
  portfolioMarginEnabled: boolean;
}

/**
 * Validates a `spotClearinghouseState` answer. Outcome-market holdings (`+N`, `oN`, HIP-4) carry
 * no token index and are skipped: they are not collateral.
 */
export function parseSpotClearinghouseState(raw: unknown): SpotClearinghouseState {
  const r = new Reader("spotClearinghouseState");
  const root = r.record(raw, "");
  const balances: SpotBalance[] = [];
  r.array(root.balances, "balances").forEach((item, i) => {
    const path = `balances[${i}]`;
    const b = r.record(item, path);
    const p = `${path}.`;
    const coin = r.str(b, "coin", p);
    if (/^[+o][0-9]+$/.test(coin)) return;
    balances.push({
      coin,
      token: r.int(b, "token", p),
      total: r.num(b, "total", p),
      hold: r.num(b, "hold", p),
    });
  });
  return {
    balances,
    portfolioMarginEnabled: root.portfolioMarginEnabled === undefined
      ? false
      : r.bool(root, "portfolioMarginEnabled", ""),
  };
}

/** Validates a REST `l2Book` answer into a book snapshot (best levels first). */
export function parseL2Book(raw: unknown): BookSnapshot {
  const r = new Reader("l2Book");
  const root = r.record(raw, "");
  const levels = r.array(root.levels, "levels");
  if (levels.length !== 2) r.fail("levels", "should hold two sides [bids, asks]", levels.length);
  const side = (index: number): BookLevel[] =>
    r.array(levels[index], `levels[${index}]`).map((item, i) => {
      const path = `levels[${index}][${i}]`;
      const level = r.record(item, path);
      const px = r.num(level, "px", `${path}.`);
      const sz = r.num(level, "sz", `${path}.`);
      if (px <= 0) r.fail(`${path}.px`, "should be positive", level.px);
      if (sz < 0) r.fail(`${path}.sz`, "should not be negative", level.sz);
      return { px, sz, n: r.int(level, "n", `${path}.`) };
    });
  return {
    coin: r.str(root, "coin", ""),
    timeMs: r.int(root, "time", ""),
    bids: side(0),
    asks: side(1),
  };
}

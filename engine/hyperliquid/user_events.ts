/**
 * The account's own events as the user stream carries them (engine/hyperliquid/README.md § User
 * streams): order updates, cancels by the exchange, liquidations and funding, and the strict
 * readers of their frames. Each reader throws a {@link ShapeError} naming the field out of shape;
 * fills go through the REST answers' validation (info_answers.ts `parseUserFills`), so both paths
 * agree on a fill. The stream that receives them is user_stream.ts.
 */
import { parseUserFills, type UserFill } from "./info_answers.ts";
import { isValidCloid } from "./wire.ts";
import { clip } from "../util/errors.ts";

/** Characters of a misshapen value quoted in an error: enough to see what came instead. */
const VALUE_EXCERPT_CHARS = 120;

/**
 * One status change of one of the account's orders (`orderUpdates`,
 * engine/hyperliquid/README.md § User streams).
 */
export interface OrderUpdate {
  /** Coin name as in `meta`. */
  coin: string;
  /** `B` = bid (buy), `A` = ask (sell). */
  side: "B" | "A";
  /** Limit price. */
  limitPx: number;
  /** Remaining size, coin units. */
  sz: number;
  /** Exchange order id. */
  oid: number;
  /** When the order was placed, ms since the epoch. */
  timestampMs: number;
  /** Size when placed, coin units. */
  origSz: number;
  /** Client order id, when the order was placed with one. */
  cloid?: string;
  /**
   * `open`, `filled`, `canceled`, `marginCanceled`, `badAloPxRejected`, …: an open-ended set
   * (engine/hyperliquid/README.md § User streams, § Info requests); classify by the `Canceled` /
   * `Rejected` suffix.
   */
  status: string;
  /** When the order took this status, ms since the epoch. */
  statusTimestampMs: number;
}

/** An order of the account cancelled by the exchange, not by the account (`userEvents`). */
export interface NonUserCancel {
  /** Coin name as in `meta`. */
  coin: string;
  /** Exchange order id. */
  oid: number;
}

/**
 * A liquidation involving the account (`userEvents`; the wire's snake_case fields, § User streams).
 */
export interface Liquidation {
  /** Liquidation id. */
  lid: number;
  /** Address that took the position over. */
  liquidator: string;
  /** Address whose position was liquidated. */
  liquidatedUser: string;
  /** Notional of the liquidated position, USD. */
  liquidatedNtlPos: number;
  /** Account value of the liquidated user, USD. */
  liquidatedAccountValue: number;
}

/**
 * One hourly funding payment (`userEvents`). The docs name the event `WsUserFunding` without
 * its fields; these are the community SDK's, the same as a `userFundings` entry
 * (engine/hyperliquid/README.md § User streams).
 */
export interface UserFunding {
  /** ms since the epoch. */
  timeMs: number;
  /** Coin name as in `meta`. */
  coin: string;
  /** USDC moved by this payment (negative = paid). */
  usdc: number;
  /** Signed position size it was charged on, coin units. */
  szi: number;
  /** The hourly rate applied. */
  fundingRate: number;
}

/** A frame field that does not have the documented shape. */
export class ShapeError extends Error {}

function fail(path: string, problem: string, value: unknown): never {
  const shown = JSON.stringify(value) ?? String(value);
  throw new ShapeError(
    `${path} ${problem}, got ${clip(shown, VALUE_EXCERPT_CHARS)}`,
  );
}

/** The value at `path` as an object, or a {@link ShapeError}. */
export function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, "should be an object", value);
  }
  return value as Record<string, unknown>;
}

/** The value at `path` as an array, or a {@link ShapeError}. */
export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, "should be an array", value);
  return value;
}

function str(obj: Record<string, unknown>, key: string, path: string): string {
  const v = obj[key];
  if (typeof v !== "string") fail(`${path}.${key}`, "should be a string", v);
  return v;
}

/** A decimal: the exchange sends strings; a JSON number is taken too (as info_answers.ts does). */
function dec(obj: Record<string, unknown>, key: string, path: string): number {
  const v = obj[key];
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "number" ? v : NaN;
  if (!Number.isFinite(n)) fail(`${path}.${key}`, "should be a decimal", v);
  return n;
}

function int(obj: Record<string, unknown>, key: string, path: string): number {
  const v = obj[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    fail(`${path}.${key}`, "should be an integer", v);
  }
  return v;
}

/** Fills exactly as the REST answers are checked (info_answers.ts), so both paths agree on a fill. */
export function parseFills(value: unknown, label: string): UserFill[] {
  return parseUserFills(array(value, label), label);
}

/** Checks one `orderUpdates` entry field by field; `path` names it in errors (`orderUpdates[0]`). */
export function parseOrderUpdate(raw: unknown, path: string): OrderUpdate {
  const u = record(raw, path);
  const p = `${path}.order`;
  const o = record(u.order, p);
  const side = o.side;
  if (side !== "B" && side !== "A") fail(`${p}.side`, 'should be "B" or "A"', side);
  const update: OrderUpdate = {
    coin: str(o, "coin", p),
    side,
    limitPx: dec(o, "limitPx", p),
    sz: dec(o, "sz", p),
    oid: int(o, "oid", p),
    timestampMs: int(o, "timestamp", p),
    origSz: dec(o, "origSz", p),
    status: str(u, "status", path),
    statusTimestampMs: int(u, "statusTimestamp", path),
  };
  // Typed `string | undefined`; the REST shape of the same order sends null
  // (engine/hyperliquid/README.md § Info requests).
  if (o.cloid !== undefined && o.cloid !== null) {
    const cloid = str(o, "cloid", p);
    if (!isValidCloid(cloid)) fail(`${p}.cloid`, "should be 0x + 32 lowercase hex digits", cloid);
    update.cloid = cloid;
  }
  return update;
}

/** Checks one `nonUserCancel` entry of `userEvents`; `path` names it in errors. */
export function parseNonUserCancel(raw: unknown, path: string): NonUserCancel {
  const c = record(raw, path);
  return { coin: str(c, "coin", path), oid: int(c, "oid", path) };
}

/** Checks the `liquidation` event of `userEvents`. */
export function parseLiquidation(raw: unknown): Liquidation {
  const path = "liquidation";
  const l = record(raw, path);
  return {
    lid: int(l, "lid", path),
    liquidator: str(l, "liquidator", path),
    liquidatedUser: str(l, "liquidated_user", path),
    liquidatedNtlPos: dec(l, "liquidated_ntl_pos", path),
    liquidatedAccountValue: dec(l, "liquidated_account_value", path),
  };
}

/** Checks the `funding` event of `userEvents`. */
export function parseFunding(raw: unknown): UserFunding {
  const path = "funding";
  const f = record(raw, path);
  return {
    timeMs: int(f, "time", path),
    coin: str(f, "coin", path),
    usdc: dec(f, "usdc", path),
    szi: dec(f, "szi", path),
    fundingRate: dec(f, "fundingRate", path),
  };
}

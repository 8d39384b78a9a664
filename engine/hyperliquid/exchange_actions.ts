/**
 * Pure builders of Hyperliquid's `/exchange` actions (engine/hyperliquid/README.md § Exchange
 * actions): each action with the exchange's key order (§ Signing, part of the signature), every
 * field validated with an error naming it. The client that signs and posts them is exchange.ts.
 */
import { assertAddress, type TypedField } from "./signing.ts";
import { isValidCloid } from "./wire.ts";
import { MAX_PRIORITY_RATE } from "../fees.ts";

/** Time in force: `Alo` = post-only (add liquidity only), `Gtc`, `Ioc`. */
export type Tif = "Alo" | "Gtc" | "Ioc";

/** One limit order to place; px and sz are wire strings (see wire.ts `floatToWire`). */
export interface OrderRequest {
  /** Asset id: the coin's index in `meta.universe` (builder dexes: perp_dexs.ts `assetIdOf`). */
  asset: number;
  isBuy: boolean;
  px: string;
  sz: string;
  reduceOnly?: boolean;
  /** Default `Alo` (post-only). */
  tif?: Tif;
  /** Client order id: 0x + 32 lowercase hex digits. */
  cloid?: string;
}

/** An order as it travels in the `order` action (keys in the exchange's order: a, b, p, s, r, t, c). */
export interface OrderWire {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit: { tif: Tif } };
  c?: string;
}

/**
 * Order grouping of an `order` action, or a priority rate `{p}` in 1e-8 of notional (1 to 1e8;
 * engine/hyperliquid/wire_reference.md § Priority): allowed only when every order is post-only and not
 * reduce-only, or every order is IOC.
 */
export type Grouping = "na" | "normalTpsl" | "positionTpsl" | { p: number };

/** Builder fee: builder address and fee in tenths of a basis point. */
export interface BuilderFee {
  b: string;
  f: number;
}

/** One amendment of `batchModify`: the order to replace (oid or cloid) and its new terms. */
export interface ModifyRequest {
  oid: number | string;
  order: OrderRequest;
}

// A wire number: no sign, no exponent, no leading or trailing zeros, no trailing dot.
const WIRE_NUMBER_RE = /^(0|[1-9]\d*)(\.\d*[1-9])?$/;
const TIFS: readonly Tif[] = ["Alo", "Gtc", "Ioc"];
const GROUPINGS: readonly Grouping[] = ["na", "normalTpsl", "positionTpsl"];

/** Throws naming `what` unless `value` is a non-negative safe integer (asset ids, nonces, times). */
export function assertIndex(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${value}`);
  }
}

function assertWireNumber(value: string, what: string): void {
  if (typeof value !== "string" || !WIRE_NUMBER_RE.test(value) || !/[1-9]/.test(value)) {
    throw new Error(
      `${what} ${
        JSON.stringify(value)
      } is not a positive wire number (normalized decimal string, see floatToWire)`,
    );
  }
}

function assertCloid(cloid: string, what: string): void {
  if (!isValidCloid(cloid)) {
    throw new Error(
      `${what} ${JSON.stringify(cloid)} must be 0x followed by 32 lowercase hex digits`,
    );
  }
}

/** Converts an order request to its wire form, validating every field (throws naming the field). */
export function orderToWire(order: OrderRequest, label = "order"): OrderWire {
  assertIndex(order.asset, `${label}: asset`);
  if (typeof order.isBuy !== "boolean") throw new Error(`${label}: isBuy must be a boolean`);
  assertWireNumber(order.px, `${label}: px`);
  assertWireNumber(order.sz, `${label}: sz`);
  const tif = order.tif ?? "Alo";
  if (!TIFS.includes(tif)) {
    throw new Error(`${label}: tif ${JSON.stringify(tif)} is not Alo, Gtc or Ioc`);
  }
  const wire: OrderWire = {
    a: order.asset,
    b: order.isBuy,
    p: order.px,
    s: order.sz,
    r: order.reduceOnly ?? false,
    t: { limit: { tif } },
  };
  if (order.cloid !== undefined) {
    assertCloid(order.cloid, `${label}: cloid`);
    wire.c = order.cloid;
  }
  return wire;
}

/** Builds an `order` action: type, orders, grouping, builder? (builder omitted when absent). */
export function buildOrderAction(
  orders: readonly OrderRequest[],
  grouping: Grouping = "na",
  builder?: BuilderFee,
) {
  const wires = orders.map((o, i) => orderToWire(o, `order ${i}`));
  if (typeof grouping === "object" && grouping !== null) {
    const p = grouping.p;
    if (!Number.isSafeInteger(p) || p < 1 || p > MAX_PRIORITY_RATE) {
      throw new Error(
        `priority rate ${
          JSON.stringify(p)
        } must be an integer from 1 to ${MAX_PRIORITY_RATE} (1e-8 of notional)`,
      );
    }
    const postOnly = wires.every((w) => w.t.limit.tif === "Alo" && !w.r);
    const ioc = wires.every((w) => w.t.limit.tif === "Ioc");
    if (!postOnly && !ioc) {
      throw new Error(
        "a priority rate needs every order post-only and not reduce-only, or every order IOC",
      );
    }
    // A fresh object: only `p` is signed.
    grouping = { p };
  } else if (!GROUPINGS.includes(grouping)) {
    throw new Error(`grouping ${JSON.stringify(grouping)} is not valid`);
  }
  const action: { type: "order"; orders: OrderWire[]; grouping: Grouping; builder?: BuilderFee } = {
    type: "order",
    orders: wires,
    grouping,
  };
  if (builder) {
    assertAddress(builder.b, "builder address");
    assertIndex(builder.f, "builder fee");
    action.builder = { b: builder.b.toLowerCase(), f: builder.f };
  }
  return action;
}

/** Builds a `cancel` action: type, cancels[{a, o}], f? (`f: true` = fast cancel, else omitted). */
export function buildCancelAction(
  cancels: readonly { asset: number; oid: number }[],
  fast = false,
) {
  const action: { type: "cancel"; cancels: { a: number; o: number }[]; f?: true } = {
    type: "cancel",
    cancels: cancels.map((c, i) => {
      assertIndex(c.asset, `cancel ${i}: asset`);
      assertIndex(c.oid, `cancel ${i}: oid`);
      return { a: c.asset, o: c.oid };
    }),
  };
  if (fast) action.f = true;
  return action;
}

/** Builds a `cancelByCloid` action: type, cancels[{asset, cloid}], f?. */
export function buildCancelByCloidAction(
  cancels: readonly { asset: number; cloid: string }[],
  fast = false,
) {
  const action: {
    type: "cancelByCloid";
    cancels: { asset: number; cloid: string }[];
    f?: true;
  } = {
    type: "cancelByCloid",
    cancels: cancels.map((c, i) => {
      assertIndex(c.asset, `cancel ${i}: asset`);
      assertCloid(c.cloid, `cancel ${i}: cloid`);
      return { asset: c.asset, cloid: c.cloid };
    }),
  };
  if (fast) action.f = true;
  return action;
}

/** Builds a `batchModify` action: type, modifies[{oid, order}] (oid = exchange oid or cloid). */
export function buildBatchModifyAction(modifies: readonly ModifyRequest[]) {
  return {
    type: "batchModify" as const,
    modifies: modifies.map((m, i) => {
      if (typeof m.oid === "string") assertCloid(m.oid, `modify ${i}: oid`);
      else assertIndex(m.oid, `modify ${i}: oid`);
      return { oid: m.oid, order: orderToWire(m.order, `modify ${i}`) };
    }),
  };
}

/** Builds a `scheduleCancel` action: arms the dead man's switch at `timeMs`, or clears it when omitted. */
export function buildScheduleCancelAction(timeMs?: number) {
  if (timeMs === undefined) return { type: "scheduleCancel" as const };
  assertIndex(timeMs, "scheduleCancel time");
  return { type: "scheduleCancel" as const, time: timeMs };
}

/**
 * Builds a `reserveRequestWeight` action: buys `weight` address requests
 * (engine/hyperliquid/README.md § Rate limits).
 */
export function buildReserveRequestWeightAction(weight: number) {
  if (!Number.isSafeInteger(weight) || weight < 1) {
    throw new Error(`reserveRequestWeight weight must be a positive integer, got ${weight}`);
  }
  return { type: "reserveRequestWeight" as const, weight };
}

/** Builds an `updateLeverage` action: type, asset, isCross, leverage. */
export function buildUpdateLeverageAction(asset: number, isCross: boolean, leverage: number) {
  assertIndex(asset, "asset");
  if (!Number.isSafeInteger(leverage) || leverage < 1) {
    throw new Error(`leverage must be a positive integer, got ${leverage}`);
  }
  return { type: "updateLeverage" as const, asset, isCross, leverage };
}

/** Builds a `noop` action (marks its nonce used, which voids an in-flight action with that nonce). */
export function buildNoopAction() {
  return { type: "noop" as const };
}

/**
 * EIP-712 fields of `HyperliquidTransaction:ApproveAgent` (engine/hyperliquid/README.md § Signing).
 */
export const APPROVE_AGENT_TYPES: readonly TypedField[] = [
  { name: "hyperliquidChain", type: "string" },
  { name: "agentAddress", type: "address" },
  { name: "agentName", type: "string" },
  { name: "nonce", type: "uint64" },
];

/** Primary type of the approveAgent signature. */
export const APPROVE_AGENT_PRIMARY_TYPE = "HyperliquidTransaction:ApproveAgent";

// The Python SDK signs with Arbitrum Sepolia's id; any chain id is accepted
// (engine/hyperliquid/README.md § Signing).
const SIGNATURE_CHAIN_ID = "0x66eee";

/**
 * Builds an `approveAgent` action as signed. An unnamed agent is signed with `agentName: ""`,
 * and that key is then left out of the posted JSON (Python SDK `approve_agent`).
 */
export function buildApproveAgentAction(
  params: { agentAddress: string; agentName?: string; isMainnet: boolean; nonce: number },
) {
  assertAddress(params.agentAddress, "agentAddress");
  assertIndex(params.nonce, "nonce");
  return {
    type: "approveAgent" as const,
    signatureChainId: SIGNATURE_CHAIN_ID,
    hyperliquidChain: params.isMainnet ? "Mainnet" : "Testnet",
    agentAddress: params.agentAddress.toLowerCase(),
    agentName: params.agentName ?? "",
    nonce: params.nonce,
  };
}

/**
 * Signed actions on Hyperliquid's `/exchange` (engine/hyperliquid/README.md § Exchange actions):
 * pure builders that produce each action with the exchange's key order (§ Signing, part of the
 * signature), parsers that turn every answer into per-order outcomes, and {@link ExchangeClient},
 * which signs, nonces, budgets and posts. An answer that cannot be read, or no answer at all, is an
 * "unknown" outcome: the order may or may not exist, and the caller must reconcile before trusting
 * its book of orders.
 */
import { privateKeyToAccount } from "viem/accounts";
import { type FetchLike, HttpError, postJson } from "./http.ts";
import { type NonceSource, nonceSourceFor } from "./nonce.ts";
import {
  assertAddress,
  type Hex,
  type Signature,
  signL1Action,
  signUserSignedAction,
  type TypedField,
} from "./signing.ts";
import { rejectionType } from "./rejections.ts";
import type { NetworkEndpoints } from "./types.ts";
import {
  exchangeWeight,
  type RequestPriority,
  WeightBudget,
  WeightBudgetError,
} from "./weight_budget.ts";
import { isValidCloid } from "./wire.ts";
import { MAX_PRIORITY_RATE } from "../fees.ts";
import { isRecord } from "../util/guards.ts";
import { clip, errorMessage } from "../util/errors.ts";

/** Characters of an unreadable exchange answer quoted in an error: enough to see its shape. */
const ANSWER_EXCERPT_CHARS = 200;

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

/** What became of one order (placed, amended): resting, filled, refused, or not known. */
export type OrderOutcome =
  | { kind: "resting"; oid: number; cloid?: string }
  | { kind: "filled"; oid: number; totalSz: number; avgPx: number; cloid?: string }
  | { kind: "postOnlyRejected"; message: string }
  | { kind: "rejected"; message: string }
  /** Not known; `error` is the exchange's text when it answered with an error it does not document. */
  | { kind: "unknown"; reason: string; error?: string };

/** What became of one cancel; `missing` = the order was never placed, already canceled or filled. */
export type CancelOutcome =
  | { kind: "success" }
  | { kind: "missing"; message: string }
  | { kind: "rejected"; message: string }
  | { kind: "unknown"; reason: string };

/** What became of an action without per-item statuses (scheduleCancel, updateLeverage, noop, approveAgent). */
export type ActionOutcome =
  | { kind: "ok" }
  | { kind: "rejected"; message: string }
  | { kind: "unknown"; reason: string };

/** One amendment of `batchModify`: the order to replace (oid or cloid) and its new terms. */
export interface ModifyRequest {
  oid: number | string;
  order: OrderRequest;
}

// Hyperliquid error prefixes; live strings carry suffixes such as "bbo was 1@2. asset=0".
const POST_ONLY_PREFIX = "Post only order would have immediately matched";
const MISSING_ORDER_PREFIX = "Order was never placed, already canceled, or filled";

// A wire number: no sign, no exponent, no leading or trailing zeros, no trailing dot.
const WIRE_NUMBER_RE = /^(0|[1-9]\d*)(\.\d*[1-9])?$/;
const TIFS: readonly Tif[] = ["Alo", "Gtc", "Ioc"];
const GROUPINGS: readonly Grouping[] = ["na", "normalTpsl", "positionTpsl"];

function assertIndex(value: number, what: string): void {
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

// ---- response parsing ------------------------------------------------------------------------

function excerpt(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return clip(text, ANSWER_EXCERPT_CHARS);
}

/** A refusal: a whole-request `err` (whatever its text) or a documented per-order error. */
function orderError(message: string): OrderOutcome {
  return message.startsWith(POST_ONLY_PREFIX)
    ? { kind: "postOnlyRejected", message }
    : { kind: "rejected", message };
}

/**
 * One order's `{"error": …}`: a documented refusal, or else an unknown outcome (issue 15): a text
 * the client does not know is not taken as proof that nothing rests.
 */
function orderStatusError(message: string): OrderOutcome {
  if (rejectionType(message) !== undefined) return orderError(message);
  return {
    kind: "unknown",
    reason: `unrecognized order error ${excerpt(message)}`,
    error: message,
  };
}

function cancelError(message: string): CancelOutcome {
  return message.startsWith(MISSING_ORDER_PREFIX)
    ? { kind: "missing", message }
    : { kind: "rejected", message };
}

function decimal(value: unknown): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function isOid(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Reads one entry of `response.data.statuses` of an `order` or `batchModify` answer. */
export function orderOutcomeOf(status: unknown): OrderOutcome {
  if (isRecord(status)) {
    if (typeof status.error === "string") return orderStatusError(status.error);
    const resting = status.resting;
    if (isRecord(resting) && isOid(resting.oid)) {
      return typeof resting.cloid === "string"
        ? { kind: "resting", oid: resting.oid, cloid: resting.cloid }
        : { kind: "resting", oid: resting.oid };
    }
    const filled = status.filled;
    if (isRecord(filled) && isOid(filled.oid)) {
      const totalSz = decimal(filled.totalSz);
      const avgPx = decimal(filled.avgPx);
      if (totalSz !== null && avgPx !== null) {
        const outcome: OrderOutcome = { kind: "filled", oid: filled.oid, totalSz, avgPx };
        if (typeof filled.cloid === "string") outcome.cloid = filled.cloid;
        return outcome;
      }
    }
  }
  // "waitingForFill" / "waitingForTrigger" (trigger orders) and anything new: not a known state.
  return { kind: "unknown", reason: `unrecognized order status ${excerpt(status)}` };
}

/** Reads one entry of `response.data.statuses` of a `cancel` or `cancelByCloid` answer. */
export function cancelOutcomeOf(status: unknown): CancelOutcome {
  if (status === "success") return { kind: "success" };
  if (isRecord(status) && typeof status.error === "string") return cancelError(status.error);
  return { kind: "unknown", reason: `unrecognized cancel status ${excerpt(status)}` };
}

/**
 * Maps an answer's statuses onto `count` items. A whole-request `status:"err"` and a single
 * pre-validation error for a batch apply to every item; a missing status is unknown.
 */
function parseStatuses<T>(
  body: unknown,
  count: number,
  responseType: string,
  parseOne: (status: unknown) => T,
  onError: (message: string) => T,
  unknown: (reason: string) => T,
): T[] {
  const all = (outcome: T) => Array.from({ length: count }, () => outcome);
  if (!isRecord(body)) return all(unknown(`unreadable answer ${excerpt(body)}`));
  if (body.status === "err") {
    return all(onError(typeof body.response === "string" ? body.response : excerpt(body.response)));
  }
  const response = body.response;
  const statuses = isRecord(response) && response.type === responseType && isRecord(response.data)
    ? response.data.statuses
    : undefined;
  if (body.status !== "ok" || !Array.isArray(statuses)) {
    return all(unknown(`unexpected answer ${excerpt(body)}`));
  }
  // A lone "missing" is about one order, so it never closes the others: they stay unknown.
  if (statuses.length === 1 && count > 1) {
    const only = parseOne(statuses[0]);
    const kind = (only as { kind: string }).kind;
    if (kind === "rejected" || kind === "postOnlyRejected") return all(only);
  }
  return Array.from(
    { length: count },
    (_, i) =>
      i < statuses.length
        ? parseOne(statuses[i])
        : unknown(`exchange returned ${statuses.length} statuses for ${count} items`),
  );
}

/** Per-order outcomes of an `order` or `batchModify` answer for `count` orders. */
export function parseOrderResponse(body: unknown, count: number): OrderOutcome[] {
  return parseStatuses(body, count, "order", orderOutcomeOf, orderError, (reason) => ({
    kind: "unknown",
    reason,
  }));
}

/** Per-cancel outcomes of a `cancel` or `cancelByCloid` answer for `count` cancels. */
export function parseCancelResponse(body: unknown, count: number): CancelOutcome[] {
  // A whole-request error never means the orders are gone: it refuses the cancels.
  return parseStatuses(
    body,
    count,
    "cancel",
    cancelOutcomeOf,
    (message) => ({ kind: "rejected", message }),
    (reason) => ({ kind: "unknown", reason }),
  );
}

/** Outcome of an action answered with `{"status":"ok","response":{"type":"default"}}` or an error. */
export function parseDefaultResponse(body: unknown): ActionOutcome {
  if (isRecord(body)) {
    if (body.status === "ok") return { kind: "ok" };
    if (body.status === "err") {
      return {
        kind: "rejected",
        message: typeof body.response === "string" ? body.response : excerpt(body.response),
      };
    }
  }
  return { kind: "unknown", reason: `unexpected answer ${excerpt(body)}` };
}

/** A request that got no usable answer: refused (before or by the exchange), or of unknown fate. */
export type FailureOutcome = { kind: "rejected"; message: string } | {
  kind: "unknown";
  reason: string;
};

/**
 * Classifies a failed request. Not sent (weight budget) and HTTP 4xx other than 408/429 mean
 * the exchange did not take the action; timeouts, transport errors, 408, 429, 5xx and unreadable
 * bodies leave it unknown.
 */
export function failureOutcome(err: unknown): FailureOutcome {
  if (err instanceof WeightBudgetError) {
    return { kind: "rejected", message: `not sent: ${err.message}` };
  }
  if (err instanceof HttpError) {
    const s = err.status;
    if (err.kind === "status" && s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429) {
      return { kind: "rejected", message: err.message };
    }
    return { kind: "unknown", reason: err.message };
  }
  return { kind: "unknown", reason: errorMessage(err) };
}

// ---- client ----------------------------------------------------------------------------------

/** Options of {@link ExchangeClient}. */
export interface ExchangeClientOptions {
  endpoints: NetworkEndpoints;
  /** Key of the account itself or of an approved API wallet (agent). Never logged. */
  privateKey: string;
  /** The trading account; defaults to the key's address (set it when the key is an API wallet). */
  accountAddress?: string;
  /** Trade for a vault or sub-account (part of the signed hash). */
  vaultAddress?: string | null;
  fetch?: FetchLike;
  /** Request timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** Shared per-IP weight budget (default: a private 1200/min budget). */
  budget?: WeightBudget;
  /** Nonce source (default: the process-wide source of the signer's address). */
  nonces?: NonceSource;
}

/** Per-call options of L1 actions. */
export interface ActionOptions {
  /** Reject the action after this time (ms since epoch). A stale one costs 5× address rate limit. */
  expiresAfter?: number;
  /** The priority the action spends the IP weight budget with (default `routine`). */
  priority?: RequestPriority;
}

type L1Signer = (action: unknown, nonce: number, expiresAfter: number | null) => Promise<Signature>;

/** Signs and posts actions to `/exchange` for one account, and reads every answer into outcomes. */
export class ExchangeClient {
  readonly endpoints: NetworkEndpoints;
  /** Address of the signing key (checksummed). */
  readonly signerAddress: Hex;
  /** The account traded (lowercase). */
  readonly accountAddress: string;
  /** Vault or sub-account traded for, or null (lowercase). */
  readonly vaultAddress: string | null;
  /** Whether the key is an API wallet signing for another account. */
  readonly isApiWallet: boolean;
  readonly budget: WeightBudget;
  readonly nonces: NonceSource;
  readonly #url: string;
  readonly #fetch?: FetchLike;
  readonly #timeoutMs?: number;
  // The key lives only inside these closures, out of reach of inspection and serialization.
  readonly #signL1: L1Signer;
  readonly #signUser: (action: Record<string, unknown>) => Promise<Signature>;

  constructor(options: ExchangeClientOptions) {
    const { privateKey } = options;
    if (typeof privateKey !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
      throw new Error("ExchangeClient: privateKey must be 0x followed by 64 hex digits");
    }
    this.endpoints = options.endpoints;
    this.signerAddress = privateKeyToAccount(privateKey as Hex).address;
    if (options.accountAddress !== undefined) {
      assertAddress(options.accountAddress, "accountAddress");
    }
    this.accountAddress = (options.accountAddress ?? this.signerAddress).toLowerCase();
    if (options.vaultAddress) assertAddress(options.vaultAddress, "vaultAddress");
    this.vaultAddress = options.vaultAddress ? options.vaultAddress.toLowerCase() : null;
    this.isApiWallet = this.accountAddress !== this.signerAddress.toLowerCase();
    this.budget = options.budget ?? new WeightBudget();
    this.nonces = options.nonces ?? nonceSourceFor(this.signerAddress);
    this.#url = `${options.endpoints.apiUrl}/exchange`;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    const isMainnet = options.endpoints.isMainnet;
    const vaultAddress = this.vaultAddress;
    this.#signL1 = (action, nonce, expiresAfter) =>
      signL1Action({ privateKey, action, nonce, vaultAddress, expiresAfter, isMainnet });
    this.#signUser = (action) =>
      signUserSignedAction({
        privateKey,
        action,
        types: APPROVE_AGENT_TYPES,
        primaryType: APPROVE_AGENT_PRIMARY_TYPE,
      });
  }

  async #post(
    envelope: Record<string, unknown>,
    weight: number,
    actionType: string,
    priority: RequestPriority = "routine",
  ): Promise<{ body: unknown } | FailureOutcome> {
    try {
      this.budget.consume(weight, priority);
      const body = await postJson(this.#url, JSON.stringify(envelope), {
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
        label: `exchange ${actionType}`,
      });
      return { body };
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) this.budget.rateLimited();
      return failureOutcome(err);
    }
  }

  async #sendL1(
    action: { type: string },
    batchLength: number,
    options: ActionOptions = {},
    nonce = this.nonces.next(),
  ): Promise<{ body: unknown } | FailureOutcome> {
    const expiresAfter = options.expiresAfter ?? null;
    if (expiresAfter !== null) assertIndex(expiresAfter, "expiresAfter");
    const signature = await this.#signL1(action, nonce, expiresAfter);
    // Envelope as the Python SDK posts it: vaultAddress and expiresAfter always present, null when unset.
    return this.#post(
      { action, nonce, signature, vaultAddress: this.vaultAddress, expiresAfter },
      exchangeWeight(batchLength),
      action.type,
      options.priority,
    );
  }

  /** Places orders in one `order` action (post-only `Alo` unless `tif` says otherwise). */
  async placeOrders(
    orders: readonly OrderRequest[],
    options: ActionOptions & { grouping?: Grouping; builder?: BuilderFee } = {},
  ): Promise<OrderOutcome[]> {
    if (orders.length === 0) return [];
    const action = buildOrderAction(orders, options.grouping, options.builder);
    const sent = await this.#sendL1(action, orders.length, options);
    if (!("body" in sent)) return orders.map(() => sent);
    return parseOrderResponse(sent.body, orders.length);
  }

  /** Cancels orders by exchange oid; `fast` asks for mempool priority. */
  async cancel(
    cancels: readonly { asset: number; oid: number }[],
    options: ActionOptions & { fast?: boolean } = {},
  ): Promise<CancelOutcome[]> {
    if (cancels.length === 0) return [];
    const sent = await this.#sendL1(
      buildCancelAction(cancels, options.fast),
      cancels.length,
      options,
    );
    if (!("body" in sent)) return cancels.map(() => sent);
    return parseCancelResponse(sent.body, cancels.length);
  }

  /** Cancels orders by client order id. */
  async cancelByCloid(
    cancels: readonly { asset: number; cloid: string }[],
    options: ActionOptions & { fast?: boolean } = {},
  ): Promise<CancelOutcome[]> {
    if (cancels.length === 0) return [];
    const action = buildCancelByCloidAction(cancels, options.fast);
    const sent = await this.#sendL1(action, cancels.length, options);
    if (!("body" in sent)) return cancels.map(() => sent);
    return parseCancelResponse(sent.body, cancels.length);
  }

  /** Amends orders in place (answers like `order`; the amended order may get a new oid). */
  async batchModify(
    modifies: readonly ModifyRequest[],
    options: ActionOptions = {},
  ): Promise<OrderOutcome[]> {
    if (modifies.length === 0) return [];
    const action = buildBatchModifyAction(modifies);
    const sent = await this.#sendL1(action, modifies.length, options);
    if (!("body" in sent)) return modifies.map(() => sent);
    return parseOrderResponse(sent.body, modifies.length);
  }

  /** Arms the dead man's switch for `timeMs` (≥ 5 s ahead), or clears it when omitted. */
  async scheduleCancel(timeMs?: number, options: ActionOptions = {}): Promise<ActionOutcome> {
    const sent = await this.#sendL1(buildScheduleCancelAction(timeMs), 1, options);
    return "body" in sent ? parseDefaultResponse(sent.body) : sent;
  }

  /**
   * Buys `weight` address requests at `RESERVED_REQUEST_PRICE_USDC` each (exchange_facts.ts),
   * paid from the perp balance: an operator's decision (`deno task buy-requests`), never the
   * engine's.
   */
  async reserveRequestWeight(weight: number, options: ActionOptions = {}): Promise<ActionOutcome> {
    const sent = await this.#sendL1(buildReserveRequestWeightAction(weight), 1, options);
    return "body" in sent ? parseDefaultResponse(sent.body) : sent;
  }

  /** Sets the leverage (and cross or isolated margin) of one asset. */
  async updateLeverage(
    asset: number,
    isCross: boolean,
    leverage: number,
    options: ActionOptions = {},
  ): Promise<ActionOutcome> {
    const action = buildUpdateLeverageAction(asset, isCross, leverage);
    const sent = await this.#sendL1(action, 1, options);
    return "body" in sent ? parseDefaultResponse(sent.body) : sent;
  }

  /**
   * Sends a `noop`. With `nonce` (an in-flight action's nonce) it voids that action if it lands
   * first, which the docs prefer over racing a cancel.
   */
  async noop(options: ActionOptions & { nonce?: number } = {}): Promise<ActionOutcome> {
    if (options.nonce !== undefined) assertIndex(options.nonce, "noop nonce");
    const sent = await this.#sendL1(buildNoopAction(), 1, options, options.nonce);
    return "body" in sent ? parseDefaultResponse(sent.body) : sent;
  }

  /** Approves an API wallet (agent) for this account; must be signed by the account's own key. */
  async approveAgent(params: { agentAddress: string; agentName?: string }): Promise<ActionOutcome> {
    if (this.isApiWallet) {
      throw new Error(
        "approveAgent must be signed by the account's own key, not by an API wallet",
      );
    }
    const nonce = this.nonces.next();
    const action: Record<string, unknown> = buildApproveAgentAction({
      ...params,
      isMainnet: this.endpoints.isMainnet,
      nonce,
    });
    const signature = await this.#signUser(action);
    if (params.agentName === undefined) delete action.agentName;
    const sent = await this.#post(
      { action, nonce, signature, vaultAddress: null, expiresAfter: null },
      exchangeWeight(1),
      "approveAgent",
    );
    return "body" in sent ? parseDefaultResponse(sent.body) : sent;
  }
}

/**
 * {@link ExchangeClient}: signs, nonces, budgets and posts actions to Hyperliquid's `/exchange`
 * (engine/hyperliquid/README.md § Exchange actions). The actions are built by
 * exchange_actions.ts and every answer is read into outcomes by exchange_outcomes.ts.
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
} from "./signing.ts";
import type { NetworkEndpoints } from "./types.ts";
import { exchangeWeight, type RequestPriority, WeightBudget } from "./weight_budget.ts";
import {
  APPROVE_AGENT_PRIMARY_TYPE,
  APPROVE_AGENT_TYPES,
  assertIndex,
  buildApproveAgentAction,
  buildBatchModifyAction,
  buildCancelAction,
  buildCancelByCloidAction,
  type BuilderFee,
  buildNoopAction,
  buildOrderAction,
  buildReserveRequestWeightAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  type Grouping,
  type ModifyRequest,
  type OrderRequest,
} from "./exchange_actions.ts";
import {
  type ActionOutcome,
  type CancelOutcome,
  type FailureOutcome,
  failureOutcome,
  type OrderOutcome,
  parseCancelResponse,
  parseDefaultResponse,
  parseOrderResponse,
} from "./exchange_outcomes.ts";

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

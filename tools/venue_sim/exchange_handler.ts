/**
 * `POST /exchange` (and WS `post` actions): authenticates the request (recovered signer must be the
 * account, its master, or an approved agent; nonce rules), then runs the action against the
 * simulator and answers with the exchange's shapes
 * (engine/hyperliquid/README.md § Exchange actions): whole-request failures as
 * `{"status":"err","response":"…"}`, per-order outcomes in `data.statuses`.
 *
 * The signer is recovered over the action as the exchange re-encodes it (canonical.ts), so keys
 * in another order or an extra key signed along recover another address. Where the docs
 * do not say how the exchange parses (does it drop an unknown key, or "3440.20", or hash them as
 * sent?), the venue takes the stricter reading: a request whose action is not already in the
 * exchange's form must also verify as sent, which a signature can only do for one of the two.
 */
import {
  CAPPED_REQUEST_INTERVAL_MS,
  RESERVED_REQUEST_PRICE_USDC,
  STALE_ACTION_COST,
} from "../../engine/hyperliquid/exchange_facts.ts";
import type { Signature } from "../../engine/hyperliquid/signing.ts";
import { NonceBook, recoverSigner, type SignedRequest } from "./auth.ts";
import { canonicalAction, MalformedActionError, sameJson } from "./canonical.ts";
import type { FaultState } from "./faults.ts";
import { priorityFeeUsd, priorityRate, priorityRefusal } from "./priority.ts";
import type { BlockAction, OrderStatus, Simulator, WireOrder } from "./simulator.ts";

/** A request the handler cannot read (HTTP 422 on REST). */
export class ExchangeBodyError extends Error {}

/** Who may act for the simulated account. */
export interface Authority {
  /** The trading account (lowercase). */
  account: string;
  /** Addresses that may sign for it (the account or its master, and approved agents). */
  signers: Set<string>;
  /** Keys that may approve agents (the account and its master: never an agent). */
  owners: Set<string>;
  /** Phantom agent source: mainnet "a" (default) or testnet "b". */
  isMainnet: boolean;
}

// Hyperliquid: the body text of a 422 for a request it cannot read.
const DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type";

type Result = { status: "ok"; response: unknown } | { status: "err"; response: string };

const ok = (response: unknown): Result => ({ status: "ok", response });
const err = (response: string): Result => ({ status: "err", response });

// The list each batched action carries its orders, cancels or modifies in.
const BATCH_LISTS: Record<string, string> = {
  order: "orders",
  cancel: "cancels",
  cancelByCloid: "cancels",
  batchModify: "modifies",
};

/**
 * How many orders, cancels or modifies an action carries (0 for an action that is not a batch, or
 * not an action at all): the n of the IP weight `1 + floor(n / 40)`
 * (engine/hyperliquid/README.md § Rate limits).
 */
export function batchLength(action: unknown): number {
  if (typeof action !== "object" || action === null) return 0;
  const a = action as Record<string, unknown>;
  const list = typeof a.type === "string" && Object.hasOwn(BATCH_LISTS, a.type)
    ? a[BATCH_LISTS[a.type]]
    : undefined;
  return Array.isArray(list) ? list.length : 0;
}

/**
 * Address-based requests an action costs: one per order, cancel or modify in it (a batch of n
 * is n requests), one for any other L1 action; user-signed actions (approveAgent) cost none.
 */
function requestsOf(action: Record<string, unknown>): number {
  if (action.type === "approveAgent") return 0;
  return Object.hasOwn(BATCH_LISTS, action.type as string) ? batchLength(action) : 1;
}

/** Handles `/exchange` requests for one simulated account. */
export class ExchangeHandler {
  readonly #sim: Simulator;
  readonly #auth: Authority;
  readonly #faults: FaultState;
  readonly #nonces = new NonceBook();
  readonly #now: () => number;
  /** Market time an over-cap request was last let through, ms. */
  #limitedAt = -Infinity;

  /** `now` is the wall clock the nonce window is measured against. */
  constructor(sim: Simulator, auth: Authority, faults: FaultState, now: () => number = Date.now) {
    this.#sim = sim;
    this.#auth = auth;
    this.#faults = faults;
    this.#now = now;
  }

  /** Answers one request body. */
  async handle(body: unknown): Promise<Result> {
    const req = body as Record<string, unknown> | null;
    if (
      typeof req !== "object" || req === null || typeof req.action !== "object" ||
      req.action === null ||
      typeof (req.action as { type?: unknown }).type !== "string" ||
      typeof req.nonce !== "number" ||
      typeof req.signature !== "object" || req.signature === null
    ) throw new ExchangeBodyError(DESERIALIZE_ERROR);
    const sent = req.action as Record<string, unknown>;
    let action: Record<string, unknown>;
    try {
      action = canonicalAction(sent) ?? sent;
    } catch (e) {
      if (e instanceof MalformedActionError) throw new ExchangeBodyError(DESERIALIZE_ERROR);
      throw e;
    }
    const vaultAddress = typeof req.vaultAddress === "string" ? req.vaultAddress : null;
    const expiresAfter = typeof req.expiresAfter === "number" ? req.expiresAfter : null;
    const signed: SignedRequest = {
      action,
      nonce: req.nonce,
      signature: req.signature as Signature,
      vaultAddress,
      expiresAfter,
    };
    let signer: string;
    try {
      signer = await recoverSigner(signed, this.#auth.isMainnet);
      if (this.#auth.signers.has(signer) && !sameJson(action, sent)) {
        signer = await recoverSigner({ ...signed, action: sent }, this.#auth.isMainnet);
      }
    } catch {
      return err("Unable to recover signer.");
    }
    if (!this.#auth.signers.has(signer)) return err(`User or API Wallet ${signer} does not exist.`);
    if (vaultAddress !== null && vaultAddress.toLowerCase() !== this.#auth.account) {
      return err(`Vault not registered: ${vaultAddress.toLowerCase()}`);
    }
    const now = this.#now();
    if (expiresAfter !== null && expiresAfter < now) {
      this.#sim.account.requestsUsed += STALE_ACTION_COST * requestsOf(action);
      return err(`Action expired: expiresAfter ${expiresAfter} is before ${now}`);
    }
    const nonceError = this.#nonces.use(signer, req.nonce, now);
    if (nonceError) return err(nonceError);
    const requests = requestsOf(action);
    const limited = this.#overBudget(action.type, requests);
    if (limited) return err(limited);
    const result = await this.#act(action, req.nonce, signer);
    if (result.status === "ok") this.#sim.account.requestsUsed += requests;
    return result;
  }

  /**
   * The address-based limit (engine/hyperliquid/README.md § Rate limits): an action whose requests
   * would pass the cap is refused as a whole, except one single request every 10 s of market time;
   * cancels are held to the larger cancel allowance instead. Returns the exchange's text, or null
   * when it fits.
   */
  #overBudget(type: unknown, requests: number): string | null {
    const acct = this.#sim.account;
    const isCancel = type === "cancel" || type === "cancelByCloid";
    const cap = (isCancel ? acct.cancelRequestCap() : acct.requestCap()) + acct.requestSurplus;
    const after = acct.requestsUsed + requests;
    if (requests === 0 || after <= cap) return null;
    const now = this.#sim.now;
    if (requests === 1 && now - this.#limitedAt >= CAPPED_REQUEST_INTERVAL_MS) {
      this.#limitedAt = now;
      return null;
    }
    return `Too many cumulative requests sent (${after} > ${cap}) for cumulative volume traded $${
      acct.volumeUsd.toFixed(2)
    }. Place taker orders to free up 1 request per USDC traded.`;
  }

  /**
   * Runs an action. Orders, cancels and modifies go to the venue's block (Simulator.submit) and
   * are answered once it is applied, with the exchange's ordering within it.
   */
  async #act(action: Record<string, unknown>, nonce: number, signer: string): Promise<Result> {
    const sim = this.#sim;
    switch (action.type) {
      case "order": {
        const orders = action.orders;
        if (!Array.isArray(orders)) throw new ExchangeBodyError(DESERIALIZE_ERROR);
        if (orders.length === 0) return err("Order has no orders.");
        for (const o of orders) {
          if (typeof o !== "object" || o === null) throw new ExchangeBodyError(DESERIALIZE_ERROR);
        }
        const rate = priorityRate(action.grouping);
        const refusal = priorityRefusal(orders as WireOrder[], rate);
        if (refusal !== null) return err(refusal);
        const statuses = await this.#block(
          orders.map((o) => ({ kind: "order", order: o as WireOrder, priority: rate > 0 })),
          true,
        ) as OrderStatus[];
        if (rate > 0) {
          sim.account.priorityFeesUsd += priorityFeeUsd(orders as WireOrder[], statuses, rate);
        }
        return ok({ type: "order", data: { statuses } });
      }
      case "cancel": {
        const cancels = action.cancels as { a: number; o: number }[];
        if (!Array.isArray(cancels)) throw new ExchangeBodyError(DESERIALIZE_ERROR);
        if (action.f === true) sim.account.fastCancels += cancels.length;
        const statuses = await this.#block(
          cancels.map((c) => ({ kind: "cancel", asset: c.a, oid: c.o })),
          false,
        );
        return ok({ type: "cancel", data: { statuses } });
      }
      case "cancelByCloid": {
        const cancels = action.cancels as { asset: number; cloid: string }[];
        if (!Array.isArray(cancels)) throw new ExchangeBodyError(DESERIALIZE_ERROR);
        if (action.f === true) sim.account.fastCancels += cancels.length;
        const statuses = await this.#block(
          cancels.map((c) => ({ kind: "cancelByCloid", asset: c.asset, cloid: c.cloid })),
          false,
        );
        return ok({ type: "cancel", data: { statuses } });
      }
      case "batchModify": {
        const modifies = action.modifies as { oid: number | string; order: WireOrder }[];
        if (!Array.isArray(modifies)) throw new ExchangeBodyError(DESERIALIZE_ERROR);
        const statuses = await this.#block(
          modifies.map((m) => ({ kind: "modify", oid: m.oid, order: m.order })),
          true,
        );
        return ok({ type: "order", data: { statuses } });
      }
      case "modify": {
        const [status] = await this.#block([{
          kind: "modify",
          oid: action.oid as number | string,
          order: action.order as WireOrder,
        }], true);
        return typeof status === "object" && "error" in status
          ? err(status.error)
          : ok({ type: "default" });
      }
      case "scheduleCancel": {
        const e = sim.scheduleCancel(action.time as number | undefined);
        return e ? err(e) : ok({ type: "default" });
      }
      case "updateLeverage": {
        const e = sim.updateLeverage(
          Number(action.asset),
          action.isCross === true,
          Number(action.leverage),
        );
        return e ? err(e) : ok({ type: "default" });
      }
      case "noop":
        return ok({ type: "default" });
      case "reserveRequestWeight": {
        // engine/hyperliquid/README.md § Rate limits: 0.0005 USDC per request, paid from the perp
        // balance.
        const weight = action.weight as number;
        const cost = weight * RESERVED_REQUEST_PRICE_USDC;
        const acct = sim.account;
        if (cost > acct.balance) {
          return err(`Insufficient balance to reserve ${weight} requests ($${cost.toFixed(4)}).`);
        }
        acct.balance -= cost;
        acct.requestSurplus += weight;
        return ok({ type: "default" });
      }
      case "approveAgent": {
        if (!this.#auth.owners.has(signer)) {
          return err("Only the account's own key can approve an agent.");
        }
        if (action.hyperliquidChain !== (this.#auth.isMainnet ? "Mainnet" : "Testnet")) {
          return err(`Invalid hyperliquidChain ${JSON.stringify(action.hyperliquidChain)}`);
        }
        if (action.nonce !== nonce) return err("Nonce must equal the action's nonce.");
        if (
          typeof action.agentAddress !== "string" ||
          !/^0x[0-9a-fA-F]{40}$/.test(action.agentAddress)
        ) {
          throw new ExchangeBodyError(DESERIALIZE_ERROR);
        }
        this.#auth.signers.add(action.agentAddress.toLowerCase());
        return ok({ type: "default" });
      }
      default:
        return err(`Action type ${JSON.stringify(action.type)} is not simulated by the venue.`);
    }
  }

  #rejected(): { error: string } | null {
    return this.#faults.rejectNext(this.#sim.now) ? { error: this.#faults.rejectMessage } : null;
  }

  /**
   * Submits actions to the venue's block, in order; those an injected rejection refuses (orders
   * and modifies, `faulty`) are answered at once, as the exchange refuses before its block.
   */
  #block(actions: BlockAction[], faulty: boolean): Promise<(OrderStatus | "success")[]> {
    return Promise.all(
      actions.map((a) => (faulty && this.#rejected()) || this.#sim.submit(a)),
    ) as Promise<(OrderStatus | "success")[]>;
  }
}

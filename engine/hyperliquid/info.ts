/**
 * {@link InfoClient}: account and market state over Hyperliquid's `POST /info`
 * (engine/hyperliquid/README.md § Info requests), within the IP weight budget; each answer is read
 * by info_answers.ts.
 */
import { type FetchLike, HttpError, postJson } from "./http.ts";
import { assertAddress } from "./signing.ts";
import type { BookSnapshot, NetworkEndpoints } from "./types.ts";
import { infoItemWeight, infoWeight, type RequestPriority, WeightBudget } from "./weight_budget.ts";
import { isValidCloid } from "./wire.ts";
import {
  type ClearinghouseState,
  type FrontendOpenOrder,
  InfoResponseError,
  type OpenOrder,
  type OrderStatusResult,
  parseClearinghouseState,
  parseFrontendOpenOrders,
  parseL2Book,
  parseOpenOrders,
  parseOrderStatus,
  parseSpotClearinghouseState,
  parseUserFills,
  parseUserRateLimit,
  type SpotClearinghouseState,
  type UserFill,
  type UserRateLimit,
} from "./info_answers.ts";

/** Options of {@link InfoClient}. */
export interface InfoClientOptions {
  endpoints: NetworkEndpoints;
  fetch?: FetchLike;
  /** Request timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** Shared per-IP weight budget (share the ExchangeClient's: the limit covers both endpoints). */
  budget?: WeightBudget;
  /** The priority this client's requests spend the budget with (default `routine`). */
  priority?: RequestPriority;
  /**
   * The perp dexes whose orders and positions `openOrders` and `clearinghouseState` read ("" = the
   * main dex, the default): each answers only for its own dex
   * (engine/hyperliquid/README.md § Info requests, `dex`).
   */
  dexes?: readonly string[];
}

/**
 * Reads account and market state over `POST /info`. Failures throw: `HttpError` (transport,
 * timeout, status), `WeightBudgetError` (not sent), or {@link InfoResponseError} (bad shape).
 */
export class InfoClient {
  readonly budget: WeightBudget;
  /** The priority this client's requests spend the budget with. */
  readonly priority: RequestPriority;
  readonly #options: InfoClientOptions;
  readonly #url: string;
  readonly #fetch?: FetchLike;
  readonly #timeoutMs?: number;
  readonly #dexes: readonly string[];

  constructor(options: InfoClientOptions) {
    this.#options = options;
    this.#url = `${options.endpoints.apiUrl}/info`;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.budget = options.budget ?? new WeightBudget();
    this.priority = options.priority ?? "routine";
    this.#dexes = options.dexes && options.dexes.length > 0 ? options.dexes : [""];
  }

  /** One request per dex read (`dex` sent for builder dexes only). */
  async #perDex<T>(body: { type: string; user: string }, parse: (raw: unknown) => T): Promise<T[]> {
    const answers: T[] = [];
    for (const dex of this.#dexes) {
      answers.push(parse(await this.post(dex === "" ? body : { ...body, dex })));
    }
    return answers;
  }

  /** The same client (same endpoint and weight budget) asking with another priority. */
  withPriority(priority: RequestPriority): InfoClient {
    return new InfoClient({ ...this.#options, budget: this.budget, priority });
  }

  /** Posts a raw info request and returns the parsed JSON, charging its weight to the budget. */
  async post(body: { type: string; [key: string]: unknown }): Promise<unknown> {
    if (typeof body?.type !== "string") throw new Error("info request needs a string type");
    this.budget.consume(infoWeight(body.type), this.priority);
    let answer: unknown;
    try {
      answer = await postJson(this.#url, JSON.stringify(body), {
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
        label: `info ${body.type}`,
      });
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) this.budget.rateLimited();
      throw error;
    }
    if (Array.isArray(answer)) this.budget.charge(infoItemWeight(body.type, answer.length));
    return answer;
  }

  /** Margin summary and positions of a user, summed over the dexes read. */
  async clearinghouseState(user: string): Promise<ClearinghouseState> {
    assertAddress(user, "user");
    const states = await this.#perDex(
      { type: "clearinghouseState", user },
      parseClearinghouseState,
    );
    return states.reduce((sum, s) => ({
      accountValue: sum.accountValue + s.accountValue,
      withdrawable: sum.withdrawable + s.withdrawable,
      totalMarginUsed: sum.totalMarginUsed + s.totalMarginUsed,
      totalNtlPos: sum.totalNtlPos + s.totalNtlPos,
      crossAccountValue: sum.crossAccountValue + s.crossAccountValue,
      crossMaintenanceMarginUsed: sum.crossMaintenanceMarginUsed + s.crossMaintenanceMarginUsed,
      positions: [...sum.positions, ...s.positions],
      timeMs: Math.max(sum.timeMs, s.timeMs),
    }));
  }

  /** Resting orders of a user on the dexes read. */
  async openOrders(user: string): Promise<OpenOrder[]> {
    assertAddress(user, "user");
    return (await this.#perDex({ type: "openOrders", user }, parseOpenOrders)).flat();
  }

  /** How the account keeps its collateral (`userAbstraction`, weight 20; account_equity.ts). */
  async userAbstraction(user: string): Promise<string> {
    assertAddress(user, "user");
    const raw = await this.post({ type: "userAbstraction", user });
    if (typeof raw !== "string") {
      throw new InfoResponseError(
        "userAbstraction",
        "",
        `should be a string, got ${JSON.stringify(raw)}`,
      );
    }
    return raw;
  }

  /** Token balances of a user (`spotClearinghouseState`, weight 2). */
  async spotClearinghouseState(user: string): Promise<SpotClearinghouseState> {
    assertAddress(user, "user");
    return parseSpotClearinghouseState(
      await this.post({ type: "spotClearinghouseState", user }),
    );
  }

  /** Resting orders of a user with type, tif and trigger details. */
  async frontendOpenOrders(user: string): Promise<FrontendOpenOrder[]> {
    assertAddress(user, "user");
    return parseFrontendOpenOrders(await this.post({ type: "frontendOpenOrders", user }));
  }

  /** The user's most recent fills (at most 2000). */
  async userFills(user: string, aggregateByTime = false): Promise<UserFill[]> {
    assertAddress(user, "user");
    return parseUserFills(await this.post({ type: "userFills", user, aggregateByTime }));
  }

  /** The user's fills in [startMs, endMs] (inclusive, at most 2000 per answer; page by time). */
  async userFillsByTime(
    user: string,
    startMs: number,
    endMs?: number,
    aggregateByTime = false,
  ): Promise<UserFill[]> {
    assertAddress(user, "user");
    if (!Number.isSafeInteger(startMs) || startMs < 0) {
      throw new Error(`userFillsByTime: startMs must be a non-negative integer, got ${startMs}`);
    }
    if (endMs !== undefined && (!Number.isSafeInteger(endMs) || endMs < startMs)) {
      throw new Error(`userFillsByTime: endMs must be an integer ≥ startMs, got ${endMs}`);
    }
    const body: { type: string; [key: string]: unknown } = {
      type: "userFillsByTime",
      user,
      startTime: startMs,
      aggregateByTime,
    };
    if (endMs !== undefined) body.endTime = endMs;
    return parseUserFills(await this.post(body), "userFillsByTime");
  }

  /** Status of one order by exchange oid or cloid. */
  async orderStatus(user: string, oidOrCloid: number | string): Promise<OrderStatusResult> {
    assertAddress(user, "user");
    const validOid = typeof oidOrCloid === "number" && Number.isSafeInteger(oidOrCloid) &&
      oidOrCloid >= 0;
    const validCloid = typeof oidOrCloid === "string" && isValidCloid(oidOrCloid);
    if (!validOid && !validCloid) {
      throw new Error(
        `orderStatus: ${JSON.stringify(oidOrCloid)} is neither an oid nor a cloid (0x + 32 hex)`,
      );
    }
    return parseOrderStatus(await this.post({ type: "orderStatus", user, oid: oidOrCloid }));
  }

  /** The address-based request budget of a user (weight 20). */
  async userRateLimit(user: string): Promise<UserRateLimit> {
    assertAddress(user, "user");
    return parseUserRateLimit(await this.post({ type: "userRateLimit", user }));
  }

  /** REST book snapshot of a coin (up to 20 levels per side). */
  async l2Book(coin: string): Promise<BookSnapshot> {
    if (typeof coin !== "string" || coin === "") throw new Error("l2Book: coin must be a name");
    return parseL2Book(await this.post({ type: "l2Book", coin, nSigFigs: null, mantissa: null }));
  }
}

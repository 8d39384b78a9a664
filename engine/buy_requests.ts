/**
 * `deno task buy-requests <n>`: buys `n` address requests with `reserveRequestWeight`
 * (engine/hyperliquid/README.md § Rate limits) at 0.0005 USDC each, paid from the perp balance. An
 * operator's decision, never the engine's (README "Request economy"): the command shows the price
 * and the account's budget, and sends nothing until the operator confirms.
 */
import type { ExchangeClient } from "./hyperliquid/exchange.ts";
import { RESERVED_REQUEST_PRICE_USDC } from "./hyperliquid/exchange_facts.ts";
import type { InfoClient } from "./hyperliquid/info.ts";
import type { UserRateLimit } from "./hyperliquid/info_answers.ts";

/** The most requests one command buys (500 USDC): a typo of extra digits is refused, not paid. */
export const MAX_REQUESTS_PER_PURCHASE = 1_000_000;

/** What the purchase needs: the clients, the account, a confirmation and where to print. */
export interface BuyRequestsOptions {
  /** Requests to buy (a positive integer, at most {@link MAX_REQUESTS_PER_PURCHASE}). */
  requests: number;
  /** Signs for the account (its own key or an API wallet's); never printed. */
  exchange: ExchangeClient;
  info: InfoClient;
  /** The account (or vault) whose budget grows. */
  user: string;
  /** Shows the question and says whether the operator confirmed. */
  confirm: (question: string) => Promise<boolean> | boolean;
  /** Prints one line for the operator. */
  print: (line: string) => void;
}

/** How a purchase ended: bought (with the budget after), declined, or refused by the exchange. */
export type BuyRequestsResult =
  | { kind: "bought"; costUsdc: number; budget: UserRateLimit }
  | { kind: "declined" }
  | { kind: "rejected"; message: string }
  | { kind: "unknown"; reason: string };

/** Parses the request count of the command line; throws naming what was wrong. */
export function parseRequestCount(arg: string | undefined): number {
  if (arg === undefined || !/^[1-9]\d*$/.test(arg.trim())) {
    throw new Error(
      `buy-requests needs the number of requests to buy as a positive integer, got ${
        JSON.stringify(arg ?? "nothing")
      } (e.g. deno task buy-requests 10000)`,
    );
  }
  const n = Number(arg.trim());
  if (n > MAX_REQUESTS_PER_PURCHASE) {
    throw new Error(
      `buy-requests buys at most ${MAX_REQUESTS_PER_PURCHASE} requests at a time, got ${n}`,
    );
  }
  return n;
}

/** The price of `requests` requests, USDC. */
export function requestsPriceUsdc(requests: number): number {
  return requests * RESERVED_REQUEST_PRICE_USDC;
}

function budgetLine(b: UserRateLimit): string {
  const left = b.nRequestsCap + b.nRequestsSurplus - b.nRequestsUsed;
  return `used ${b.nRequestsUsed} of cap ${b.nRequestsCap} + bought ${b.nRequestsSurplus} ` +
    `(${left} left; traded $${b.cumVlm.toFixed(2)})`;
}

/** Shows the price and budget, asks, and buys only once the operator confirms. */
export async function buyRequests(options: BuyRequestsOptions): Promise<BuyRequestsResult> {
  const { requests, exchange, info, user, print } = options;
  const cost = requestsPriceUsdc(requests);
  const before = await info.userRateLimit(user);
  print(`[BUY-REQUESTS] account ${user}: ${budgetLine(before)}`);
  print(
    `[BUY-REQUESTS] ${requests} requests × ${RESERVED_REQUEST_PRICE_USDC} USDC = ` +
      `${cost.toFixed(4)} USDC, paid from the perp balance; not refundable`,
  );
  const question = `Buy ${requests} requests for ${cost.toFixed(4)} USDC? Type BUY to confirm:`;
  if (!await options.confirm(question)) {
    print("[BUY-REQUESTS] not confirmed; nothing was sent");
    return { kind: "declined" };
  }
  const outcome = await exchange.reserveRequestWeight(requests);
  if (outcome.kind === "rejected") {
    print(`[BUY-REQUESTS] refused by the exchange: ${outcome.message}`);
    return outcome;
  }
  if (outcome.kind === "unknown") {
    print(
      `[BUY-REQUESTS] outcome unknown (${outcome.reason}); check userRateLimit before buying again`,
    );
    return outcome;
  }
  const budget = await info.userRateLimit(user);
  print(
    `[BUY-REQUESTS] bought ${requests} requests for ${cost.toFixed(4)} USDC: ${budgetLine(budget)}`,
  );
  return { kind: "bought", costUsdc: cost, budget };
}

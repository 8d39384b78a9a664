/**
 * `deno task buy-requests <n>`: buys `n` address requests for the account of `HL_ADDRESS` (or
 * the vault of `HL_VAULT_ADDRESS`) at 0.0005 USDC each, after showing the price and the budget
 * and reading `BUY` on the terminal. The key is read as live mode reads it (Deno asks whether
 * the command may read `HL_PRIVATE_KEY`, then it leaves the environment) and never printed.
 */
import { buyRequests, type BuyRequestsResult, parseRequestCount } from "../engine/buy_requests.ts";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { networkFromEnv } from "../engine/hyperliquid/network.ts";
import { readPrivateKey } from "../engine/live_start.ts";
import { createLogger } from "../engine/log.ts";
import { errorMessage } from "../engine/util/errors.ts";

/** What the command reads from outside: arguments, environment, key, terminal. */
export interface BuyRequestsCommandIo {
  /** Environment variables (HL_ADDRESS, HL_VAULT_ADDRESS, HL_NETWORK, HL_API_URL). */
  env: (name: string) => string | undefined;
  /** Reads the signing key once; it is never printed. */
  readKey: () => Promise<string>;
  /** Shows the question and says whether the operator confirmed. */
  confirm: (question: string) => Promise<boolean> | boolean;
  print: (line: string) => void;
}

/** Runs the command for `args` (`<n>`); throws naming what was wrong with the input. */
export async function buyRequestsCommand(
  args: readonly string[],
  io: BuyRequestsCommandIo,
): Promise<BuyRequestsResult> {
  if (args.length !== 1) {
    throw new Error(
      `buy-requests takes exactly one argument, the number of requests, got ${args.length}`,
    );
  }
  const requests = parseRequestCount(args[0]);
  const address = io.env("HL_ADDRESS");
  if (!address) throw new Error("HL_ADDRESS must be set to the account whose budget grows");
  const vaultAddress = io.env("HL_VAULT_ADDRESS") || null;
  const endpoints = networkFromEnv(io.env);
  const info = new InfoClient({ endpoints });
  const exchange = new ExchangeClient({
    endpoints,
    privateKey: await io.readKey(),
    accountAddress: address,
    vaultAddress,
    budget: info.budget,
  });
  return await buyRequests({
    requests,
    exchange,
    info,
    user: (vaultAddress ?? address).toLowerCase(),
    confirm: io.confirm,
    print: io.print,
  });
}

if (import.meta.main) {
  const log = createLogger();
  try {
    if (!Deno.stdin.isTerminal()) {
      throw new Error("buy-requests needs a terminal to confirm the purchase; nothing was sent");
    }
    const result = await buyRequestsCommand(Deno.args, {
      env: (name) => Deno.env.get(name),
      readKey: () => readPrivateKey(log, "buy-requests"),
      confirm: (question) => prompt(question)?.trim() === "BUY",
      print: (line) => console.log(line),
    });
    Deno.exit(result.kind === "bought" || result.kind === "declined" ? 0 : 1);
  } catch (error) {
    console.error(`buy-requests: ${errorMessage(error)}`);
    Deno.exit(2);
  }
}

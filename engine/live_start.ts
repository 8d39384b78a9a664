/**
 * Live start-up and its safety nets (README, "Live trading: start-up, errors, shutdown"): read the
 * key (and drop it from the environment), confirm with the operator, cancel every order the account
 * left resting before quoting, and turn a lost socket or a crash into "pull every quote" rather
 * than orders left on the book. Live data goes to `data/live/` and `data/state/live_state.json`,
 * apart from shadow (engine/mode_paths.ts).
 */
import { type AccountEquity, readAccountEquity } from "./hyperliquid/account_equity.ts";
import { ExchangeClient } from "./hyperliquid/exchange.ts";
import type { InfoClient } from "./hyperliquid/info.ts";
import type { Position } from "./hyperliquid/info_answers.ts";
import { endsWithoutFill, orderStatusKind, UnknownStatuses } from "./hyperliquid/order_status.ts";
import type { AssetInfo, NetworkEndpoints } from "./hyperliquid/types.ts";
import type { Logger } from "./log.ts";
import { LiveExchange, type LiveExchangeOptions } from "./venue/live.ts";
import { LiveFillFeed, type LiveFillFeedOptions } from "./venue/live_fill_feed.ts";
import type { FillFeed, FillFeedHandlers } from "./venue/live_fill_source.ts";
import { errorMessage } from "./util/errors.ts";

/** The variable holding the signing key; no permission set but `deploy` may read it unasked. */
export const PRIVATE_KEY_ENV = "HL_PRIVATE_KEY";

/**
 * Reads HL_PRIVATE_KEY and deletes it from the environment, so nothing started later can read
 * it. The `live` permission set leaves it out on purpose, so Deno asks the operator at this
 * moment, on the terminal, whether the engine may read the key; unattended starts use the
 * `deploy` set (the compiled binary), which grants it. `command` names another reader (the
 * `buy-requests` command), which has no unattended start.
 */
export async function readPrivateKey(log: Logger, command?: string): Promise<string> {
  const variable = PRIVATE_KEY_ENV;
  const { state } = await Deno.permissions.query({ name: "env", variable });
  if (state !== "granted") {
    log.warn(
      `[${command ?? "LIVE"}] Deno will now ask whether ${
        command ?? "the engine"
      } may read ${variable}.`,
    );
    await log.flush();
    const answer = await Deno.permissions.request({ name: "env", variable });
    if (answer.state !== "granted") {
      throw new Error(
        command !== undefined
          ? `${command} was not allowed to read ${variable}: answer the permission prompt on a terminal`
          : `live mode was not allowed to read ${variable}: answer the permission prompt on a terminal, ` +
            "or start unattended with the deploy permission set (deno run -P=deploy, or the compiled binary)",
      );
    }
  }
  const key = Deno.env.get(variable) ?? "";
  Deno.env.delete(variable);
  return key;
}

/** Asks the operator to type CONFIRM LIVE; `--confirm-live` stands in without a terminal. */
export async function confirmLive(confirmFlag: boolean, log: Logger): Promise<void> {
  if (!Deno.stdin.isTerminal()) {
    if (confirmFlag) return;
    throw new Error(
      "live mode needs a terminal to type CONFIRM LIVE (or --confirm-live when started by a supervisor)",
    );
  }
  log.warn("⚠️ LIVE! Real post-only orders will be placed with real money.");
  await log.flush();
  const answer = prompt('Type "CONFIRM LIVE" to start live trading:');
  if (answer?.trim() !== "CONFIRM LIVE") {
    throw new Error("live start not confirmed; nothing was sent");
  }
}

/** Options of {@link startLiveVenue}. */
export interface LiveVenueStartOptions {
  endpoints: NetworkEndpoints;
  info: InfoClient;
  /** Signing key (account or API wallet); never logged. */
  privateKey: string;
  /** The account (or vault) traded. */
  user: string;
  accountAddress?: string;
  vaultAddress?: string | null;
  /** The coins quoted. */
  assets: readonly AssetInfo[];
  /** Every perp (metaAndAssetCtxs): orders on any of them are cancelled. */
  universe: readonly AssetInfo[];
  log: Logger;
  /** Overrides for the venue (tests: shorter expiry and retries). */
  venue?: Partial<LiveExchangeOptions>;
  /** Overrides for the fill feed (tests: shorter heartbeat). */
  fillFeed?: Partial<LiveFillFeedOptions>;
  /** Exchange request timeout, ms (default: the client's 10 s). */
  timeoutMs?: number;
}

/** A live venue cleared of every earlier order, with the account as the exchange sees it. */
export interface LiveVenueStart {
  venue: LiveExchange;
  /** The account's equity, read where its mode keeps it (account_equity.ts). */
  accountValueUsd: number;
  /** The account's mode and where its equity was read. */
  equity: AccountEquity;
  /** Positions held before this run, to carry into the engine. */
  positions: Position[];
  /** Exchange time of the account read, ms: every fill up to it is in `positions`. */
  accountTimeMs: number;
}

/**
 * Builds the live venue and cancels every open order of the account (any coin of the universe),
 * retrying with an error line each round until `openOrders` confirms none remain. Closes the
 * venue and throws when some remain.
 */
async function clearedVenue(
  options: LiveVenueStartOptions,
  why: string,
): Promise<{ venue: LiveExchange }> {
  const { info, log, user } = options;
  const exchange = new ExchangeClient({
    endpoints: options.endpoints,
    privateKey: options.privateKey,
    accountAddress: options.accountAddress,
    vaultAddress: options.vaultAddress ?? undefined,
    budget: info.budget,
    timeoutMs: options.timeoutMs,
  });
  // Fills are caught up from this moment on the exchange's own clock: with the local clock
  // ahead of it, the first fills of this run would fall before a local start and be skipped.
  const exchangeNowMs = (await info.clearinghouseState(user)).timeMs;
  const venue = new LiveExchange({
    exchange,
    info,
    user,
    assets: options.assets,
    universe: options.universe,
    log,
    fillFeed: (handlers) =>
      userFillFeed(handlers, {
        user,
        wsUrl: options.endpoints.wsUrl,
        info: info.withPriority("safety"),
        log,
        fillsSinceMs: exchangeNowMs,
        ...options.fillFeed,
      }),
    ...options.venue,
  });
  try {
    const open = await info.openOrders(user);
    log.warn(`[LIVE] ${why}: ${open.length} open order(s) on ${user}; cancelling every one`);
    await venue.cancelAll(why);
    const left = await info.openOrders(user);
    if (left.length > 0) {
      throw new Error(`${left.length} order(s) still open after the ${why} cancel`);
    }
    log.info(`[LIVE] ${why}: no open orders remain`);
    return { venue };
  } catch (error) {
    venue.close();
    throw error;
  }
}

/**
 * For a live start that is refused (a halted or unreadable state): cancels every open order an
 * earlier run may have left, since no engine will track them, then closes. Never quotes.
 */
export async function cancelLeftOrders(options: LiveVenueStartOptions): Promise<void> {
  const { venue } = await clearedVenue(options, "refused start");
  venue.close();
}

/**
 * Builds the live venue and, before any quote, cancels every open order of the account (any
 * coin of the universe), retrying with an error line each round until `openOrders` confirms
 * none remain; then reads the account's positions and value.
 */
export async function startLiveVenue(options: LiveVenueStartOptions): Promise<LiveVenueStart> {
  const { info, log, user } = options;
  const { venue } = await clearedVenue(options, "start-up");
  try {
    // Fills of orders an earlier run left, made before they were cancelled, are already in the
    // position read below (carried into the engine): booked again they would count twice.
    const early = venue.drainFills();
    if (early.length > 0) {
      log.warn(
        `[LIVE] start-up: ${early.length} fill(s) of earlier orders are in the carried position`,
      );
    }
    const collateral = [...new Set(options.assets.map((a) => a.collateralToken ?? 0))];
    const equity = await readAccountEquity(info, user, collateral);
    log.info(
      `[LIVE] start-up: account mode ${equity.abstraction} (${equity.mode}); equity ` +
        `$${equity.equityUsd.toFixed(2)} from ${equity.source}`,
    );
    const account = await info.clearinghouseState(user);
    return {
      venue,
      accountValueUsd: equity.equityUsd,
      equity,
      positions: account.positions.filter((p) => p.szi !== 0),
      accountTimeMs: account.timeMs,
    };
  } catch (error) {
    venue.close();
    throw error;
  }
}

/**
 * The live venue's fill feed over the user WebSocket: fills as they are, and every order update
 * or exchange-side cancel that ends an order without a fill as "gone".
 */
export function userFillFeed(
  handlers: FillFeedHandlers,
  options: Omit<LiveFillFeedOptions, "onFills" | "onOrderUpdates" | "onNonUserCancel" | "onHealth">,
): FillFeed {
  const unknown = new UnknownStatuses(options.log);
  return new LiveFillFeed({
    ...options,
    onFills: (fills) => handlers.onFills(fills),
    // Resting, filled (the fill says so) and triggered orders are not gone; `canceled` is
    // forwarded: a cancel from the operator's screen is news, the venue ignores its own. A status
    // the client does not know never frees a slot (the order may still rest): it is logged once.
    onOrderUpdates: (updates) => {
      for (const u of updates) {
        if (endsWithoutFill(u.status)) handlers.onOrderGone(u.oid, u.status);
        else if (orderStatusKind(u.status) === "unknown") {
          unknown.note("orderUpdates status", u.status);
        }
      }
    },
    onNonUserCancel: (cancels) => {
      for (const c of cancels) handlers.onOrderGone(c.oid, "nonUserCancel");
    },
    onHealth: (healthy, reason) => handlers.onHealth(healthy, reason),
  });
}

/**
 * Routes unhandled promise rejections and uncaught errors to `onCrash` (live: halt, cancel
 * every order, shut down) instead of letting the process die with orders resting. Returns a
 * function that removes the handlers.
 */
export function installCrashGuards(onCrash: (reason: string) => void): () => void {
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    onCrash(`unhandled rejection: ${errorMessage(event.reason)}`);
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    onCrash(`uncaught error: ${errorMessage(event.error ?? event.message)}`);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return () => {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  };
}

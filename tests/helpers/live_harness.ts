/**
 * One venue simulator with clients pointed at it and a live venue factory, for the tests of the
 * live venue: every info request type and every exchange action is recorded, the log is
 * readable, and the live venue comes with short expiries and retries.
 */
import { ExchangeClient } from "../../engine/hyperliquid/exchange.ts";
import type { FetchLike } from "../../engine/hyperliquid/http.ts";
import { InfoClient } from "../../engine/hyperliquid/info.ts";
import { loadUniverse } from "../../engine/hyperliquid/universe.ts";
import { WeightBudget } from "../../engine/hyperliquid/weight_budget.ts";
import { startLiveVenue, userFillFeed } from "../../engine/live_start.ts";
import type { LiveFillFeedOptions } from "../../engine/venue/live_fill_feed.ts";
import { createLogger } from "../../engine/log.ts";
import { LiveExchange, type LiveExchangeOptions } from "../../engine/venue/live.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY, venueEndpoints } from "./venue.ts";

/** The test account, lower-case as the exchange answers it. */
export const USER = TEST_ACCOUNT.toLowerCase();

/** Fill-feed settings for tests: a fast heartbeat and quick reconnects. */
export const FAST_FEED = {
  pingIntervalMs: 300,
  pongTimeoutMs: 300,
  backoff: { initialMs: 50, maxMs: 200 },
};

/** Options of {@link liveHarness}. */
export interface LiveHarnessOptions {
  /** Active coins of the venue (default 2). */
  coins?: number;
  /** Coins quoted, by volume (default 2). */
  topN?: number;
  /** Market seed (default 5). */
  seed?: number;
  /** Address requests the account has spent before the test (default 0). */
  requestsUsed?: number;
  /** Client request timeout, ms (default the clients'). */
  timeoutMs?: number;
}

/** Starts a venue and the clients of a live venue on it; close `venue` when done. */
export async function liveHarness(options: LiveHarnessOptions = {}) {
  const venue = await startTestVenue({
    coins: options.coins ?? 2,
    seed: options.seed ?? 5,
    requestsUsed: options.requestsUsed,
  });
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const endpoints = venueEndpoints(venue);
  // One IP budget for both clients, as the engine shares it.
  const budget = new WeightBudget();
  /** The `type` of every info request sent, in order. */
  const infoTypes: string[] = [];
  const recordInfo: FetchLike = (input, init) => {
    infoTypes.push(JSON.parse(String(init.body)).type);
    return fetch(input, init);
  };
  const info = new InfoClient({
    endpoints,
    budget,
    timeoutMs: options.timeoutMs,
    fetch: recordInfo,
  });
  const { selected, assets: universe } = await loadUniverse(
    (body) => info.post(body as { type: string }),
    { topN: options.topN ?? 2 },
  );
  /** Every exchange action sent: its type and how many orders or cancels it carried. */
  const actions: { type: string; items: number }[] = [];
  const recordAction: FetchLike = (input, init) => {
    const body = JSON.parse(String(init.body));
    const items = body.action.orders?.length ?? body.action.cancels?.length ?? 0;
    actions.push({ type: body.action.type, items });
    return fetch(input, init);
  };
  const exchange = new ExchangeClient({
    endpoints,
    privateKey: TEST_PRIVATE_KEY,
    budget,
    timeoutMs: options.timeoutMs,
    fetch: recordAction,
  });
  /** The log so far. */
  const text = async () => {
    await log.flush();
    return lines.join("");
  };
  /** Waits until the log shows a line matching `pattern`. */
  const logged = async (pattern: RegExp) => {
    const end = performance.now() + 5_000;
    while (!pattern.test(await text())) {
      if (performance.now() > end) throw new Error(`timed out waiting for a log line ${pattern}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /**
   * A live venue on these clients: 1 s order expiry, 50–200 ms retries, the fast fill feed
   * catching up from `fillsSinceMs` (default the venue's clock now) through `info` (default
   * the harness's).
   */
  const live = (
    { fillsSinceMs = venue.sim.now, ...overrides }:
      & Partial<LiveExchangeOptions>
      & { fillsSinceMs?: number } = {},
  ) => {
    const feedInfo = overrides.info ?? info;
    return new LiveExchange({
      exchange,
      info,
      user: USER,
      assets: selected,
      log,
      fillFeed: (handlers) =>
        userFillFeed(handlers, {
          user: USER,
          wsUrl: venue.wsUrl,
          info: feedInfo,
          log,
          // The venue's market clock is virtual: fills carry its times.
          fillsSinceMs,
          ...FAST_FEED,
        }),
      orderExpiryMs: 1_000,
      retryMs: 50,
      retryMaxMs: 200,
      ...overrides,
    });
  };
  /** Starts live trading as the engine does (start-up cancel, account read) on these clients. */
  const startLive = (fillFeed: Partial<LiveFillFeedOptions> = FAST_FEED) =>
    startLiveVenue({
      endpoints,
      info,
      privateKey: TEST_PRIVATE_KEY,
      user: USER,
      assets: selected,
      universe,
      log,
      fillFeed,
    });
  return {
    venue,
    log,
    info,
    infoTypes,
    exchange,
    actions,
    budget,
    selected,
    universe,
    endpoints,
    text,
    logged,
    live,
    startLive,
  };
}

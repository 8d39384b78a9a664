/**
 * Races in live trading, against scripted exchange fakes whose answers arrive in a chosen order:
 * an order landing while cancel-all lists open orders, a book frame after the engine stopped,
 * a fill pushed while reconcile catches up, and an address budget that could not be read. Each
 * once left an order resting untracked, quoted after shutdown, or booked a fill twice.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { AssetInfo, BookSnapshot } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import type { UserFill } from "../engine/hyperliquid/info_answers.ts";
import { WeightBudget } from "../engine/hyperliquid/weight_budget.ts";
import { LiveExchange, type LiveExchangeOptions } from "../engine/venue/live.ts";
import type { FillFeed, FillFeedHandlers } from "../engine/venue/live_fill_source.ts";
import { reconcileInventory } from "../engine/reconcile.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import { type DesiredQuotes, GRID_LEVELS } from "../engine/venue/venue.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = createLogger({ timestamps: false, sink: () => {} });
const BTC = { name: "BTC", assetIndex: 0, szDecimals: 3 } as AssetInfo;
const ROOMY_BUDGET = { nRequestsUsed: 0, nRequestsCap: 1e6, nRequestsSurplus: 0, cumVlm: 0 };

function grid(): DesiredQuotes {
  const px = (base: number) => Float64Array.from({ length: GRID_LEVELS }, (_, i) => base + i);
  return {
    coin: "BTC",
    bidPx: px(90),
    bidSz: new Float64Array(GRID_LEVELS).fill(1),
    askPx: px(110),
    askSz: new Float64Array(GRID_LEVELS).fill(1),
    tick: 1,
    mid: 100,
    requoteShare: 0,
    minRestMs: 0,
  };
}

/** A BTC fill of 1 at 100 with trade id `tid`. */
function fill(tid: number, timeMs: number): UserFill {
  return {
    coin: "BTC",
    px: 100,
    sz: 1,
    side: "B",
    timeMs,
    startPosition: 0,
    dir: "Open Long",
    closedPnl: 0,
    hash: "0x",
    oid: tid,
    crossed: false,
    fee: 0.015,
    tid,
    feeToken: "USDC",
  };
}

/**
 * A scripted fill feed: healthy once started; `catchUp` runs the script with the venue's
 * handlers (what REST would deliver), one call at a time.
 */
function scriptedFeed(
  catchUp: (handlers: FillFeedHandlers) => Promise<void> = () => Promise.resolve(),
  onStart: (handlers: FillFeedHandlers) => void = () => {},
): (handlers: FillFeedHandlers) => FillFeed {
  return (handlers) => {
    let tail = Promise.resolve();
    return {
      start() {
        onStart(handlers);
        handlers.onHealth(true, "scripted");
        return Promise.resolve();
      },
      catchUp() {
        tail = tail.then(() => catchUp(handlers));
        return tail;
      },
      close() {},
    };
  };
}

function liveWith(
  exchange: unknown,
  info: Record<string, unknown>,
  options: Partial<LiveExchangeOptions> = {},
): LiveExchange {
  const client = { budget: new WeightBudget(), ...info };
  return new LiveExchange({
    exchange: exchange as LiveExchangeOptions["exchange"],
    info: { ...client, withPriority: () => client } as unknown as LiveExchangeOptions["info"],
    user: "0x1",
    assets: [BTC],
    log: quiet,
    fillFeed: scriptedFeed(),
    retryMs: 20,
    ...options,
  });
}

Deno.test("cancel-all does not forget orders that land while it lists the open orders", async () => {
  const resting = new Map<number, { coin: string; oid: number; cloid: string }>();
  let nextOid = 1;
  const exchange = {
    async placeOrders(orders: { cloid: string }[]) {
      await sleep(50); // the batch lands at the exchange...
      const out = orders.map((o) => {
        const oid = nextOid++;
        resting.set(oid, { coin: "BTC", oid, cloid: o.cloid });
        return { kind: "resting", oid, cloid: o.cloid };
      });
      await sleep(50); // ...and the answer travels back
      return out;
    },
    cancel: (cancels: { oid: number }[]) =>
      Promise.resolve(
        cancels.map((c) => resting.delete(c.oid) ? { kind: "success" } : { kind: "missing" }),
      ),
  };
  const info = {
    async openOrders() {
      const listing = [...resting.values()].map((o) => ({ ...o, side: "B", limitPx: 1, sz: 1 }));
      await sleep(200); // the listing was taken before the batch landed; its answer comes last
      return listing;
    },
    userRateLimit: () => Promise.resolve(ROOMY_BUDGET),
  };
  const live = liveWith(exchange, info);
  live.setQuotes(grid());
  live.commit(Date.now());
  await sleep(20); // the batch is in flight, not yet at the exchange
  await live.cancelAll("shutdown");
  live.close();
  assert.equal(resting.size, 0, "cancel-all returned while orders still rested");
});

Deno.test("a stopped engine quotes nothing on the books that arrive before the feed closes", async () => {
  const kernel = await loadKernel();
  const config = loadConfig({});
  const venue = new SimExchange({ szDecimals: { BTC: 5 } });
  const book = (bid: number, timeMs: number): BookSnapshot => ({
    coin: "BTC",
    timeMs,
    bids: [{ px: bid, sz: 5, n: 3 }],
    asks: [{ px: bid + 1, sz: 5, n: 3 }],
  });
  const t0 = Date.UTC(2026, 1, 22, 12);
  const engine = new Engine({
    mode: "shadow",
    config,
    kernel,
    venue,
    log: quiet,
    assets: [{ ...BTC, szDecimals: 5, maxLeverage: 20, fundingHourly: 1e-5 } as AssetInfo],
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    now: () => t0,
  });
  engine.onBook(book(68020, t0), performance.now());
  assert.equal(venue.openOrders("BTC").length, 6, "quoting before the stop");
  engine.stop();
  venue.commit(t0 + 100);
  assert.equal(venue.openOrders("BTC").length, 0, "stopping withdraws every quote");
  engine.onBook(book(68120, t0 + 500), performance.now()); // the feed is still open
  assert.equal(venue.openOrders("BTC").length, 0, "nothing quoted after the stop");
});

Deno.test("a fill pushed by the stream while reconcile catches up is booked once", async () => {
  let push: (fills: UserFill[]) => void = () => {};
  const info = {
    openOrders: () => Promise.resolve([]),
    userRateLimit: () => Promise.resolve(ROOMY_BUDGET),
    clearinghouseState: () =>
      Promise.resolve({ accountValue: 1, positions: [{ coin: "BTC", szi: 2 }] }),
  };
  const live = liveWith({}, info, {
    fillFeed: scriptedFeed(
      async (h) => {
        await sleep(50); // REST is on its way when the stream pushes the second fill
        h.onFills([fill(1, 1000)]);
      },
      (h) => push = (fills) => h.onFills(fills),
    ),
  });
  const reconciling = live.reconcile(new Map());
  await sleep(20);
  push([fill(2, 1005)]);
  const report = await reconciling;
  live.close();
  const booked = [...report.darkFills, ...live.drainFills()].map((f) => f.tid).sort();
  assert.deepEqual(booked, [1, 2]);
});

Deno.test("no order is placed until the address budget has been read", async () => {
  let placed = 0;
  let budgetReads = 0;
  const exchange = {
    placeOrders(orders: unknown[]) {
      placed += orders.length;
      return Promise.resolve(orders.map((_, i) => ({ kind: "resting", oid: i + 1 })));
    },
  };
  const info = {
    openOrders: () => Promise.resolve([]),
    userRateLimit() {
      budgetReads++;
      return Promise.reject(new Error("HTTP 503"));
    },
  };
  const live = liveWith(exchange, info);
  live.setQuotes(grid());
  live.commit(Date.now());
  await live.settled();
  live.close();
  assert.ok(budgetReads >= 1, "the budget was asked for");
  assert.equal(placed, 0, "an account that may be at its cap was not quoted blind");
  assert.equal(live.addressBudget, null);
});

Deno.test("reconcile waits for a fill the position already shows instead of adopting it", async () => {
  let catchUps = 0;
  const info = {
    openOrders: () => Promise.resolve([]),
    userRateLimit: () => Promise.resolve(ROOMY_BUDGET),
    clearinghouseState: () =>
      Promise.resolve({ accountValue: 1, positions: [{ coin: "BTC", szi: 1 }] }),
  };
  // The position below already holds this fill; the exchange's fill list shows it one read later.
  const live = liveWith({}, info, {
    fillFeed: scriptedFeed((h) => {
      if (++catchUps === 2) h.onFills([fill(9, 1000)]);
      return Promise.resolve();
    }),
  });
  const report = await live.reconcile(new Map());
  live.close();
  assert.deepEqual(report.darkFills.map((f) => [f.coin, f.side, f.sz]), [["BTC", "bid", 1]]);
  const outcome = reconcileInventory(new Map(), report);
  assert.deepEqual(outcome.mismatches, [], "nothing left to adopt, so nothing is booked twice");
});

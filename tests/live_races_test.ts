/**
 * Races in live trading, against scripted exchange fakes whose answers arrive in a chosen order:
 * an order landing while cancel-all lists open orders, a book frame after the engine stopped,
 * two fill fetches at once, and an address budget that could not be read. Each once left an order
 * resting untracked, quoted after shutdown, or booked a fill twice.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import type { AssetInfo, BookSnapshot } from "../engine/hyperliquid/types.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { LiveExchange, type LiveExchangeOptions } from "../engine/venue/live.ts";
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
    requoteTolerance: new Float64Array(GRID_LEVELS).fill(1),
  };
}

function liveWith(
  exchange: unknown,
  info: unknown,
  options: Partial<LiveExchangeOptions> = {},
): LiveExchange {
  return new LiveExchange({
    exchange: exchange as LiveExchangeOptions["exchange"],
    info: info as LiveExchangeOptions["info"],
    user: "0x1",
    assets: [BTC],
    log: quiet,
    fillPollMs: 60_000,
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
    userFillsByTime: () => Promise.resolve([]),
  };
  const live = liveWith(exchange, info);
  live.setQuotes(grid());
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
  assert.equal(venue.openOrders("BTC").length, 0, "stopping withdraws every quote");
  engine.onBook(book(68120, t0 + 500), performance.now()); // the feed is still open
  assert.equal(venue.openOrders("BTC").length, 0, "nothing quoted after the stop");
});

Deno.test("a reconcile during a fill poll books each fill once", async () => {
  const fill = (tid: number, timeMs: number) => ({
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
    fee: 0,
    tid,
    feeToken: "USDC",
  });
  const fills = [fill(1, 1000), fill(2, 1005)];
  const info = {
    openOrders: () => Promise.resolve([]),
    userRateLimit: () => Promise.resolve(ROOMY_BUDGET),
    async userFillsByTime(_user: string, startMs: number) {
      await sleep(100);
      return fills.filter((f) => f.timeMs >= startMs);
    },
    clearinghouseState: () => Promise.resolve({ accountValue: 1, positions: [] }),
  };
  const live = liveWith({}, info, { fillPollMs: 50, fillsSinceMs: 0 });
  await sleep(70); // the timer's poll is in flight
  const report = await live.reconcile(new Map());
  await sleep(150);
  live.close();
  assert.equal(report.darkFills.length + live.drainFills().length, 2);
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
    userFillsByTime: () => Promise.resolve([]),
  };
  const live = liveWith(exchange, info);
  live.setQuotes(grid());
  await live.settled();
  live.close();
  assert.ok(budgetReads >= 1, "the budget was asked for");
  assert.equal(placed, 0, "an account that may be at its cap was not quoted blind");
  assert.equal(live.addressBudget, null);
});

Deno.test("reconcile waits for a fill the position already shows instead of adopting it", async () => {
  let fillReads = 0;
  const info = {
    openOrders: () => Promise.resolve([]),
    userRateLimit: () => Promise.resolve(ROOMY_BUDGET),
    userFillsByTime() {
      // The position below already holds this fill; the fill list shows it one read later.
      fillReads++;
      return Promise.resolve(
        fillReads < 2 ? [] : [{
          coin: "BTC",
          px: 100,
          sz: 1,
          side: "B",
          timeMs: 1000,
          startPosition: 0,
          dir: "Open Long",
          closedPnl: 0,
          hash: "0x",
          oid: 9,
          crossed: false,
          fee: 0.015,
          tid: 9,
          feeToken: "USDC",
        }],
      );
    },
    clearinghouseState: () =>
      Promise.resolve({ accountValue: 1, positions: [{ coin: "BTC", szi: 1 }] }),
  };
  const live = liveWith({}, info, { fillsSinceMs: 0 });
  const report = await live.reconcile(new Map());
  live.close();
  assert.deepEqual(report.darkFills.map((f) => [f.coin, f.side, f.sz]), [["BTC", "bid", 1]]);
  const outcome = reconcileInventory(new Map(), report);
  assert.deepEqual(outcome.mismatches, [], "nothing left to adopt, so nothing is booked twice");
});

/**
 * The live venue's address request budget guard against the venue simulator: near the cap it
 * stops placing (cancels still work, shutdown still clears the book), it resumes when the budget
 * recovers, and an exchange refusal for the cap pauses it at once.
 */
import assert from "node:assert/strict";
import { floatToWire } from "../engine/hyperliquid/wire.ts";
import { Shutdown } from "../engine/shutdown.ts";
import type { LiveExchange } from "../engine/venue/live.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { gridFor } from "./helpers/live_grid.ts";
import { liveHarness } from "./helpers/live_harness.ts";

// Hyperliquid: every address starts with 10,000 requests (no volume traded in these venues).
const CAP = 10_000;
const PAUSED =
  /\[LIVE\] address budget low: (\d+) requests left of 10000; quoting paused until volume frees more \(1 request per USDC traded\)/;

/** A venue whose account has spent `requestsUsed`, clients pointed at it, a readable log. */
function harness(requestsUsed: number) {
  return liveHarness({ coins: 2, seed: 5, requestsUsed });
}

// Far outside the touch (20, 40, 80 ticks), so the simulated takers leave the grid alone.
const FAR = [20, 40, 80];

const openOrders = (venue: VenueSim) => venue.state().openOrders;

Deno.test("near the address cap placing pauses, yet cancels work and shutdown leaves zero open orders", async () => {
  // 1,003 requests left: one grid (6 orders) takes the budget under the 1,000 reserve.
  const h = await harness(CAP - 1_003);
  const live = h.live();
  try {
    live.setQuotes((await gridFor(h.info, h.selected[0], FAR))(0));
    live.commit(Date.now());
    await live.settled();
    assert.equal(openOrders(h.venue).length, 6);
    assert.deepEqual(live.addressBudget, { used: CAP - 997, cap: CAP, left: 997, paused: true });
    assert.equal(PAUSED.exec(await h.text())?.[1], "997");

    live.setQuotes((await gridFor(h.info, h.selected[1], FAR))(0));
    live.commit(Date.now());
    await live.settled();
    assert.equal(openOrders(h.venue).length, 6, "no order placed for the second coin");
    assert.ok(openOrders(h.venue).every((o) => o.coin === h.selected[0].name));
    assert.equal(live.stats.placed, 6);

    const shutdown = new Shutdown({ logger: h.log })
      .add("cancel all", () => live.cancelAll("shutdown"), 3_500);
    const report = await shutdown.run("SIGINT");
    assert.ok(report.clean, JSON.stringify(report.steps));
    assert.equal(openOrders(h.venue).length, 0, "cancels go through below the reserve");
    assert.equal(live.stats.cancels, 6);
    assert.equal((await h.text()).match(new RegExp(PAUSED, "g"))?.length, 1, "warned once");
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("paused, a moved quote is cancelled and not replaced; once the budget recovers quoting resumes", async () => {
  const h = await harness(CAP - 1_003);
  const live = h.live({ budgetPollMs: 50 });
  try {
    const grid = await gridFor(h.info, h.selected[1], FAR);
    live.setQuotes(grid(0));
    live.commit(Date.now());
    await live.settled();
    await h.logged(PAUSED);
    const first = openOrders(h.venue).map((o) => o.oid);
    assert.equal(first.length, 6);

    live.setQuotes(grid(5));
    live.commit(Date.now());
    await live.settled();
    assert.equal(openOrders(h.venue).length, 0, "moved orders cancelled, none placed");
    assert.equal(live.stats.cancels, 6);
    assert.equal(live.stats.placed, 6);

    // Volume (or a fresh count) frees the budget: the next read resumes quoting.
    h.venue.setRequestsUsed(0);
    await h.logged(/\[LIVE\] address budget back to \d+ requests left of 10000: quoting resumes/);
    await live.settled();
    const again = openOrders(h.venue);
    assert.equal(again.length, 6, "the grid is back");
    assert.ok(again.every((o) => !first.includes(o.oid)));
    const wanted = grid(5);
    assert.deepEqual(
      again.filter((o) => o.side === "B").map((o) => Number(o.px)).sort((a, b) => b - a),
      wanted.bidPx,
      "placed at the moved prices",
    );
    assert.equal(live.addressBudget?.paused, false);
    await live.cancelAll("test end");
    assert.equal(openOrders(h.venue).length, 0);
  } finally {
    live.close();
    await h.venue.close();
  }
});

Deno.test("an account already past its cap is cleared at start-up and never quoted", async () => {
  const h = await harness(0);
  let started: LiveExchange | null = null;
  try {
    // Two orders left by an earlier run, then the account is at its cap.
    const asset = h.selected[0];
    const grid = (await gridFor(h.info, asset, FAR))(0);
    const outcomes = await h.exchange.placeOrders([0, 1].map((l) => ({
      asset: asset.assetIndex,
      isBuy: true,
      px: floatToWire(grid.bidPx[l]),
      sz: floatToWire(grid.bidSz[l]),
      tif: "Alo" as const,
    })));
    assert.deepEqual(outcomes.map((o) => o.kind), ["resting", "resting"]);
    h.venue.setRequestsUsed(CAP);

    const start = await h.startLive({ fillsSinceMs: h.venue.sim.now });
    started = start.venue;
    assert.equal(openOrders(h.venue).length, 0, "the cancel allowance outlasts the order cap");
    started.setQuotes(grid);
    started.commit(Date.now());
    await started.settled();
    assert.equal(openOrders(h.venue).length, 0, "nothing placed past the cap");
    assert.equal(started.stats.placed, 0);
    assert.equal(started.rejects.other, 0, "nothing sent to be refused");
    assert.equal(PAUSED.exec(await h.text())?.[1], "0");
  } finally {
    started?.close();
    await h.venue.close();
  }
});

Deno.test("orders refused for the address cap are counted as refused and pause quoting at once", async () => {
  const h = await harness(0);
  const live = h.live();
  try {
    await live.settled();
    assert.equal(live.addressBudget?.left, CAP, "read at start");
    // Spent elsewhere (another session of the same address): the local count cannot know.
    h.venue.setRequestsUsed(CAP);
    live.setQuotes((await gridFor(h.info, h.selected[1], FAR))(0));
    live.commit(Date.now());
    await live.settled();
    assert.equal(openOrders(h.venue).length, 0);
    assert.equal(live.rejects.other, 6);
    const text = await h.text();
    assert.match(
      text,
      /\[LIVE\] 6 order\(s\) refused: Too many cumulative requests sent \(10006 > 10000\) for cumulative volume traded \$0\.00\. Place taker orders to free up 1 request per USDC traded\./,
    );
    assert.match(text, PAUSED);
    assert.equal(live.addressBudget?.paused, true, "read again at once, not a minute later");
    assert.throws(
      () => h.live({ budgetReserve: -1 }),
      /address budget: reserve must be a non-negative integer, got -1/,
    );
  } finally {
    live.close();
    await h.venue.close();
  }
});

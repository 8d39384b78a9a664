/**
 * The live venue's request economy against the venue simulator: one tick's changes go out as
 * one cancel action and one order action for every coin at once; a weight refusal by the
 * exchange (HTTP 429) leaves no order untracked; and with the requote share of the weight used
 * up, protective cancels and cancel-all still go through.
 */
import assert from "node:assert/strict";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { gridFor } from "./helpers/live_grid.ts";
import { liveHarness } from "./helpers/live_harness.ts";

/** A venue with four quoted coins, a live venue on it, and every exchange action recorded. */
async function harness() {
  const h = await liveHarness({ coins: 4, seed: 9, topN: 4 });
  const live = h.live();
  const grids = await Promise.all(h.selected.map((asset) => gridFor(h.info, asset)));
  /** Sets every coin's grid shifted by `shift` ticks, as one engine tick does. */
  const tick = (shift: number) => {
    for (const grid of grids) live.setQuotes(grid(shift));
    live.commit(Date.now());
  };
  return { ...h, live, tick };
}

const resting = (venue: VenueSim) => venue.state().openOrders.length;

Deno.test("one tick's changes on four coins go out as one order action, then one cancel and one order action", async () => {
  const h = await harness();
  try {
    await h.live.settled();
    h.tick(0);
    await h.live.settled();
    assert.equal(resting(h.venue), 24);
    assert.deepEqual(h.actions, [{ type: "order", items: 24 }]);
    h.actions.length = 0;
    // A tick later than the pace's minimum spacing: the whole move is one batch.
    await new Promise((resolve) => setTimeout(resolve, 250));
    h.tick(3);
    await h.live.settled();
    assert.deepEqual(h.actions, [{ type: "cancelByCloid", items: 24 }, {
      type: "order",
      items: 24,
    }]);
    // One action of 24 weighs 1 for the IP (engine/hyperliquid/README.md § Rate limits) but 24 for
    // the address budget.
    assert.equal(h.live.stats.requests, 72);
    assert.equal(h.live.addressBudget?.used, 72);
    await h.live.cancelAll("test end");
    assert.equal(resting(h.venue), 0);
  } finally {
    h.live.close();
    await h.venue.close();
  }
});

Deno.test("an order action answered 429 leaves nothing untracked: found by status, then cancelled", async () => {
  const h = await harness();
  try {
    await h.live.settled();
    h.venue.inject({ kind: "httpError", status: 429 });
    h.tick(0);
    // Its fate is unknown: after the action's expiry orderStatus (a safety request, allowed
    // through the 10 s pause a 429 starts) says what became of each order.
    await new Promise((resolve) => setTimeout(resolve, 100));
    h.venue.clear("httpError");
    await h.live.settled();
    assert.match(await h.text(), /outcome unknown \(.*429/);
    assert.equal(h.budget.refusals, 1, "the 429 was noted, so routine and quote requests waited");
    // The grid went out again once the pause was over: every resting order is a tracked one.
    assert.equal(resting(h.venue), 24);
    assert.equal(h.live.stats.placed, 24);
    await h.live.cancelAll("test end");
    assert.equal(resting(h.venue), 0);
  } finally {
    h.live.close();
    await h.venue.close();
  }
});

Deno.test("with requoting's share of the IP weight spent, cancel-all still clears the book without a 429", async () => {
  const h = await harness();
  try {
    await h.live.settled();
    h.tick(0);
    await h.live.settled();
    assert.equal(resting(h.venue), 24);
    // Everything requoting may spend this minute is gone (other requotes, other coins).
    while (h.budget.tryConsume(1, "quote"));
    // The grid moves down 5 ticks: the bids, now nearer to mid than wanted, are cancelled at
    // once (a protective cancel, safety priority); the asks, merely further out, wait for weight.
    h.tick(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(resting(h.venue), 12, "only the protective cancels went out");
    assert.ok(h.venue.state().openOrders.every((o) => o.side === "A"));
    await h.live.cancelAll("shutdown");
    assert.equal(resting(h.venue), 0, "safety requests have their own room");
    assert.equal(h.venue.state().ipWeight?.refusals ?? 0, 0, "the venue refused nothing");
  } finally {
    h.live.close();
    await h.venue.close();
  }
});

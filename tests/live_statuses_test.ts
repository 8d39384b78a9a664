/**
 * The live venue and the statuses the exchange pushes (issue 15): a documented end
 * (`marginCanceled`) frees the order's level, which is placed again; a status the client does
 * not know leaves the order tracked (it may still rest, so no second order goes to its level)
 * and is logged once, however many orders it comes for.
 */
import assert from "node:assert/strict";
import type { LiveExchange } from "../engine/venue/live.ts";
import type { DesiredQuotes } from "../engine/venue/venue.ts";
import { gridFor } from "./helpers/live_grid.ts";
import { liveHarness } from "./helpers/live_harness.ts";

function quote(live: LiveExchange, grid: DesiredQuotes): void {
  live.setQuotes(grid);
  live.commit(Date.now());
}

const UNKNOWN_LINE = /\[HL\] unknown orderUpdates status "priorityFeeCanceled"/g;

Deno.test("live venue: a documented end frees the level; an unknown status keeps the order and is logged once", async () => {
  const h = await liveHarness();
  const live = h.live();
  try {
    const grid = await gridFor(h.info, h.selected[1]);
    quote(live, grid(0));
    await live.settled();
    const [first, second, third] = h.venue.state().openOrders;
    const assetOf = (coin: string) => h.selected.find((a) => a.name === coin)!.assetIndex;

    h.venue.sim.cancel(assetOf(first.coin), first.oid, "marginCanceled");
    await h.logged(new RegExp(`order ${first.oid} ended by the exchange: marginCanceled`));
    quote(live, grid(0));
    await live.settled();
    assert.equal(live.stats.placed, 7, "the freed level is placed again");

    h.venue.sim.cancel(assetOf(second.coin), second.oid, "priorityFeeCanceled");
    h.venue.sim.cancel(assetOf(third.coin), third.oid, "priorityFeeCanceled");
    await h.logged(UNKNOWN_LINE);
    quote(live, grid(0));
    await live.settled();
    assert.equal(live.stats.placed, 7, "orders of unknown fate are not replaced by guesswork");
    assert.equal((await h.text()).match(UNKNOWN_LINE)?.length, 1, "logged once for two orders");
  } finally {
    live.close();
    await h.venue.close();
  }
});

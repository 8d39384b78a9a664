/**
 * The shadow venue as the quoting loop uses it: quotes in, books and trades in, fills out.
 * Register-once guard (one tick, or a share of the level's distance from mid), changes sent as
 * batches on commit, requests counted as live would spend them, both fill rules, fill causes,
 * no liquidity used twice (within a snapshot or across repeated ones), post-only rejects, entry
 * latency on the market clock, and determinism.
 */
import { btcGrid } from "./helpers/btc_grid.ts";
import assert from "node:assert/strict";
import { flatMakerFee } from "../engine/fees.ts";
import { constantLatency } from "../engine/fill_model/latency.ts";
import type { TakerSide } from "../engine/hyperliquid/types.ts";
import { book, resetTradeIds, trade } from "./helpers/btc_frames.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import type { DesiredQuotes, Fill } from "../engine/venue/venue.ts";

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A grid with up to three bids and asks as [price, size]; missing levels are not quoted. */
function quotes(
  bids: [number, number][],
  asks: [number, number][] = [],
  tick = 1,
  requoteShare = 0,
  minRestMs = 0,
): DesiredQuotes {
  return btcGrid(bids, asks, { tick, requoteShare, minRestMs });
}

/** Hands a grid to the venue and ends the round, as the engine does each tick. */
function post(sim: SimExchange, q: DesiredQuotes, nowMs = T0): void {
  sim.setQuotes(q);
  sim.commit(nowMs);
}

const BOOK = book(T0, [[68000, 0.5], [67998, 0.4], [67995, 2]], [[68001, 0.7], [68003, 1]]);
// Unit tests step market time by hand: batches are not paced here (the pacing has its own tests).
const UNPACED = { minIntervalMs: 0, weightPerMinute: 1e9 };
const venue = (queueModel: "spec" | "queue") =>
  new SimExchange({ queueModel, szDecimals: { BTC: 5 }, budget: UNPACED });
const summary = (fills: Fill[]) => fills.map((f) => `${f.side}L${f.level + 1} ${f.sz} ${f.cause}`);

Deno.test("a quote held for 100 ticks is registered once; a move beyond one tick cancels and re-registers", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  for (let i = 0; i < 100; i++) {
    // The target wanders within one tick of the resting price: the order stays.
    post(sim, quotes([[67999 + (i % 2), 0.01]], [[68002 - (i % 2), 0.01]]));
  }
  assert.deepEqual(sim.stats, { placed: 2, cancels: 0, fills: 0, requests: 2 });
  const [bid] = sim.openOrders("BTC");
  post(sim, quotes([[67997, 0.01]], [[68002, 0.01]]));
  // The move is one cancel and one order: two requests against the address budget.
  assert.deepEqual(sim.stats, { placed: 3, cancels: 1, fills: 0, requests: 4 });
  assert.notEqual(sim.openOrders("BTC")[0].id, bid.id);
  assert.equal(sim.openOrders("BTC")[0].px, 67997);
});

Deno.test("filled volume earns address requests: 1 per USDC, a tenth on a growth-mode market", () => {
  const capAfterFill = (requestCredit: Record<string, number>) => {
    const sim = new SimExchange({
      queueModel: "queue",
      szDecimals: { BTC: 5 },
      requestCredit,
      budget: UNPACED,
    });
    sim.onBook(BOOK);
    post(sim, quotes([[68000, 0.01]]));
    const before = sim.governor.address.view()!.cap;
    // A sell through our bid's price fills the 0.01 BTC: $680 traded.
    sim.onTrade(trade(T0 + 1, "A", 67999, 1));
    assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.01 trade-through"]);
    return sim.governor.address.view()!.cap - before;
  };
  assert.equal(capAfterFill({}), 680);
  assert.ok(Math.abs(capAfterFill({ BTC: 0.1 }) - 68) < 1e-9);
});

Deno.test("an order stays while its target is within a share of its level's distance from mid", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  // The bid rests 10.5 below mid. With a share of 0.5 it stays while the target is within half
  // of the target's own distance from mid, and a quarter of it when the grid moved the target
  // out past the order.
  post(sim, quotes([[67990, 0.01]], [[68011, 0.01]], 1, 0.5));
  // Targets 7.5 and 8.5 from mid (room 3.75 and 4.25), 12.5 with the order inside (room 3.125).
  for (const target of [67993, 67992, 67988]) {
    post(sim, quotes([[target, 0.01]], [[68011, 0.01]], 1, 0.5));
  }
  assert.deepEqual(sim.stats, { placed: 2, cancels: 0, fills: 0, requests: 2 });
  // The spread doubles: the order is now 10 inside a target 20.5 from mid (room 5.125): it moves out.
  post(sim, quotes([[67980, 0.01]], [[68011, 0.01]], 1, 0.5));
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67980, 68011]);
  // And back: 10 outside a target 10.5 from mid (room 5.25): it moves in.
  post(sim, quotes([[67990, 0.01]], [[68011, 0.01]], 1, 0.5));
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990, 68011]);
  assert.equal(sim.stats.cancels, 2);
  assert.throws(
    () => post(sim, quotes([[67976, 0.01]], [], 1, Number.NaN)),
    /quotes for BTC: requote share NaN must be in 0..1/,
  );
});

Deno.test("an order the mid came toward stays until the mid has come 80% of the way", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  // The bid rests 10.5 below a 68,000.5 mid, where the grid wants it.
  post(sim, quotes([[67990, 0.01]], [], 1, 0.5));
  const at = (mid: number): DesiredQuotes => ({ ...quotes([[mid - 10.5, 0.01]], [], 1, 0.5), mid });
  // The mid falls 5 toward it, the target with it: 5 of the 8.4 allowed. Kept, its queue place too.
  post(sim, at(67995.5));
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990]);
  // 9 of the way (86%): nearly at mid, it moves out to the target.
  post(sim, at(67991.5));
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67981]);
  assert.equal(sim.stats.cancels, 1);
});

Deno.test("an order younger than the minimum resting time gets twice the room", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[67990, 0.01]], [], 1, 0.4, 1_000), T0);
  // 0.5 s later the target moved 4 toward mid (6.5 away): room 0.4 × 6.5 = 2.6, doubled to 5.2
  // while the order is young: kept.
  post(sim, quotes([[67994, 0.01]], [], 1, 0.4, 1_000), T0 + 500);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990]);
  // Once it is 1 s old the plain room applies again: the order moves.
  post(sim, quotes([[67994, 0.01]], [], 1, 0.4, 1_000), T0 + 1_000);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67994]);
});

Deno.test("an order nearer to mid than its target is held to the widening room, however young", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  // Share 0.9: a target moved out may move 0.45 of its distance before the order follows,
  // young or not.
  post(sim, quotes([[67990, 0.01]], [], 1, 0.9, 60_000), T0);
  // The spread widens: a target 18.5 below mid leaves the order 8 inside (room 8.325): kept.
  post(sim, quotes([[67982, 0.01]], [], 1, 0.9, 60_000), T0 + 100);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990]);
  // Wider still: 30.5 below mid leaves it 20 inside (room 13.7): moved out, though 0.2 s old.
  post(sim, quotes([[67970, 0.01]], [], 1, 0.9, 60_000), T0 + 200);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67970]);
});

Deno.test("shadow, as live: an order the market moved toward goes at once, ordinary moves wait for the pace", () => {
  // One batch a second: the pace live keeps at its busiest.
  const sim = new SimExchange({
    queueModel: "queue",
    szDecimals: { BTC: 5 },
    budget: { minIntervalMs: 1_000 },
  });
  sim.onBook(BOOK);
  post(sim, quotes([[67990, 0.01]], [[68011, 0.01]], 1, 0.5), T0);
  // 100 ms later the ask's target comes 5 toward mid, past its passive room of 2.25: it waits.
  post(sim, quotes([[67990, 0.01]], [[68006, 0.01]], 1, 0.5), T0 + 100);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990, 68011]);
  // And the bid's target widens sixfold: 50 inside a 60.5 target, past its room. It is cancelled
  // now; its replacement and the ask's move wait for the pace.
  post(sim, quotes([[67940, 0.01]], [[68006, 0.01]], 1, 0.5), T0 + 200);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [68011]);
  assert.deepEqual(sim.stats, { placed: 2, cancels: 1, fills: 0, requests: 3 });
  sim.commit(T0 + 1_000);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67940, 68006]);
  assert.deepEqual(sim.stats, { placed: 4, cancels: 2, fills: 0, requests: 6 });
});

Deno.test("a size change or a removed quote counts a cancel; clearQuotes cancels the coin", () => {
  const sim = venue("spec");
  sim.onBook(BOOK);
  post(sim, quotes([[67999, 0.01], [67990, 0.02]], [[68002, 0.01]]));
  post(sim, quotes([[67999, 0.02], [67990, 0.02]], [[68002, 0.01]]));
  assert.deepEqual(sim.stats, { placed: 4, cancels: 1, fills: 0, requests: 5 });
  post(sim, quotes([[67999, 0.02]], [[68002, 0.01]]));
  assert.deepEqual(sim.stats, { placed: 4, cancels: 2, fills: 0, requests: 6 });
  sim.clearQuotes("BTC");
  sim.commit(T0);
  assert.deepEqual(sim.stats, { placed: 4, cancels: 4, fills: 0, requests: 8 });
  assert.equal(sim.openOrders().length, 0);
});

Deno.test("a quote that would cross the book is rejected like a post-only order", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68001, 0.01]], [[68000, 0.01]]));
  assert.equal(sim.rejects, 2);
  assert.equal(sim.stats.placed, 0);
});

Deno.test("bad quotes are refused with the coin, side and level named", () => {
  const sim = venue("queue");
  assert.throws(() => post(sim, quotes([[NaN, 0.01]])), /BTC: bid L1 price NaN/);
  assert.throws(() => post(sim, quotes([], [[1, -1]])), /BTC: ask L1 size -1 is not >= 0/);
  assert.throws(() => post(sim, quotes([[1, 1]], [], 0)), /tick 0 is not a positive number/);
  assert.throws(
    () => sim.onTrade(trade(T0, "A", 68000, -1)),
    /on BTC: px 68000, sz -1 must be positive/,
  );
});

Deno.test("spec model: the bid fills at 70% of 2 × size sold at or through it", () => {
  const sim = venue("spec");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.5]]));
  sim.onTrade(trade(T0 + 1, "B", 68000, 5)); // a buyer lifts asks: never reaches our bid
  sim.onTrade(trade(T0 + 2, "A", 68001, 5)); // a sale above our bid does not reach it
  sim.onTrade(trade(T0 + 3, "A", 68000, 0.4)); // probability 0.4
  sim.onTrade(trade(T0 + 4, "A", 67999, 0.29)); // 0.69
  assert.deepEqual(sim.drainFills(), []);
  sim.onTrade(trade(T0 + 5, "A", 68000, 0.01)); // 0.70
  const fills = sim.drainFills();
  assert.deepEqual(summary(fills), ["bidL1 0.5 threshold"]);
  assert.equal(fills[0].px, 68000);
  assert.equal(fills[0].timeMs, T0 + 5);
  assert.equal(fills[0].feeUsd, 68000 * 0.5 * 0.00015);
});

Deno.test("queue model: the queue ahead is eaten first, then the order fills (partially, in lots)", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]]));
  assert.equal(sim.openOrders()[0].queueAhead, 0.5, "joins behind the displayed 0.5");
  sim.onTrade(trade(T0 + 1, "A", 68000, 0.3));
  assert.deepEqual(sim.drainFills(), []);
  sim.onTrade(trade(T0 + 2, "A", 68000, 0.350004)); // 0.150004 beyond the queue: 15000 lots
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.15 queue"]);
  assert.equal(sim.openOrders()[0].leaves, 0.05);
  sim.onTrade(trade(T0 + 3, "A", 68000, 1));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.05 queue"]);
  assert.equal(sim.openOrders().length, 0);
  assert.equal(sim.stats.fills, 2);
});

Deno.test("queue model: size leaving the level moves us forward per the power profile", () => {
  const sim = venue("queue");
  sim.onBook(book(T0, [[68000, 4]], [[68001, 1]]));
  post(sim, quotes([[68000, 0.1]]));
  sim.onBook(book(T0 + 100, [[68000, 10]], [[68001, 1]]));
  sim.onBook(book(T0 + 200, [[68000, 7]], [[68001, 1]]));
  // chg 3, front 4, back 6: p = 36/52, front = 4 − (16/52)·3 = 40/13.
  assert.ok(Math.abs(sim.openOrders()[0].queueAhead - 40 / 13) < 1e-12);
  sim.onBook(book(T0 + 300, [[67999, 3]], [[68002, 1]]));
  assert.equal(sim.openOrders()[0].queueAhead, 0, "our level emptied: we are at the front");
});

Deno.test("queue model: a trade through our price fills us in full, capped by its volume", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]], [[68001, 0.2]]));
  sim.onTrade(trade(T0 + 1, "A", 67999, 0.05));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.05 trade-through"]);
  sim.onTrade(trade(T0 + 2, "A", 67998, 3));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.15 trade-through"]);
  sim.onTrade(trade(T0 + 3, "B", 68002, 3));
  assert.deepEqual(summary(sim.drainFills()), ["askL1 0.2 trade-through"]);
});

Deno.test("queue model: a book whose mid runs through our bids takes them whole (picked-off), best first", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2], [67999, 0.3], [67997, 0.1]]));
  // Mid 67998: both bids above it are stale quotes, taken whole however little ask shows there.
  sim.onBook(book(T0 + 100, [[67997, 1]], [[67999, 0.25], [68000, 0.1], [68002, 1]]));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.2 picked-off", "bidL2 0.3 picked-off"]);
  assert.deepEqual(sim.openOrders().map((o) => o.px), [67997], "the bid under the mid rests on");
  // A mid exactly at our price takes it too; the same book again fills nothing more.
  sim.onBook(book(T0 + 200, [[67996, 1]], [[67998, 1]]));
  sim.onBook(book(T0 + 300, [[67996, 1]], [[67998, 1]]));
  assert.deepEqual(summary(sim.drainFills()), ["bidL3 0.1 picked-off"]);
  assert.equal(sim.openOrders().length, 0);
});

Deno.test("queue model: with our side of the book empty, an opposite best at our price takes the order", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]], [[68005, 0.1]]));
  sim.onBook(book(T0 + 100, [], [[68001, 1]]));
  assert.deepEqual(sim.drainFills(), [], "no mid, and the ask is above our bid");
  sim.onBook(book(T0 + 200, [], [[68000, 1]]));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.2 picked-off"]);
  assert.equal(sim.openOrders().length, 1, "the ask, far from a mid the book no longer has, rests");
});

Deno.test("spec model ignores a crossed book: only trades count", () => {
  const sim = venue("spec");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]]));
  sim.onBook(book(T0 + 100, [[67997, 1]], [[67999, 1]]));
  assert.deepEqual(sim.drainFills(), []);
});

Deno.test("one taker sale walks our bids best to worst, each fill using part of it", () => {
  const queue = venue("queue");
  queue.onBook(BOOK);
  post(queue, quotes([[68000, 0.3], [67998, 0.3], [67995, 0.3]]));
  queue.onTrade(trade(T0 + 1, "A", 67990, 0.7));
  assert.deepEqual(summary(queue.drainFills()), [
    "bidL1 0.3 trade-through",
    "bidL2 0.3 trade-through",
    "bidL3 0.1 trade-through",
  ]);
  // At L2's price: L1 is traded through (0.3), L2 waits behind 0.4 displayed, so of the 0.7
  // left only 0.3 reaches it; L3 is below the print.
  const atL2 = venue("queue");
  atL2.onBook(BOOK);
  post(atL2, quotes([[68000, 0.3], [67998, 0.5], [67995, 0.3]]));
  atL2.onTrade(trade(T0 + 1, "A", 67998, 1));
  assert.deepEqual(summary(atL2.drainFills()), ["bidL1 0.3 trade-through", "bidL2 0.3 queue"]);
  // Spec model: each order takes the 1.4 × 0.3 = 0.42 it needs; L3 gets the 0.16 left.
  const spec = venue("spec");
  spec.onBook(BOOK);
  post(spec, quotes([[68000, 0.3], [67998, 0.3], [67995, 0.3]]));
  spec.onTrade(trade(T0 + 1, "A", 67990, 1));
  assert.deepEqual(summary(spec.drainFills()), ["bidL1 0.3 threshold", "bidL2 0.3 threshold"]);
  assert.ok(Math.abs(spec.openOrders()[0].tradedThrough - 0.16) < 1e-12);
});

Deno.test("two of our orders at one price share the print in FIFO order, never the same volume", () => {
  const queue = venue("queue");
  queue.onBook(BOOK);
  post(queue, quotes([[68000, 0.2], [68000, 0.2]]));
  // 0.8 sold at 68000: 0.5 real ahead of both, 0.2 to L1, leaving only 0.1 for L2.
  queue.onTrade(trade(T0 + 1, "A", 68000, 0.8));
  const fills = queue.drainFills();
  assert.deepEqual(summary(fills), ["bidL1 0.2 queue", "bidL2 0.1 queue"]);
  assert.ok(fills.reduce((sum, f) => sum + f.sz, 0) <= 0.8 - 0.5 + 1e-12);
  const spec = venue("spec");
  spec.onBook(BOOK);
  post(spec, quotes([[68000, 0.2], [68000, 0.2]]));
  spec.onTrade(trade(T0 + 1, "A", 68000, 0.5)); // L1 needs 0.28; L2 gets 0.22 of its 0.28
  assert.deepEqual(summary(spec.drainFills()), ["bidL1 0.2 threshold"]);
});

Deno.test("an order re-placed after a fill never fills from a print of the same instant", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]]));
  sim.onTrade(trade(T0 + 1, "A", 67999, 0.3));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.2 trade-through"]);
  post(sim, quotes([[68000, 0.2]])); // the loop re-quotes the filled level at once
  sim.onTrade(trade(T0 + 1, "A", 67998, 5)); // the same sweep, same block: we were not there yet
  assert.deepEqual(sim.drainFills(), []);
  sim.onTrade(trade(T0 + 2, "A", 67998, 5));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.2 trade-through"]);
  // With 50 ms of entry latency an order decided at T0 only rests from T0 + 51.
  const slow = new SimExchange({
    queueModel: "queue",
    szDecimals: { BTC: 5 },
    latency: constantLatency(50),
  });
  slow.onBook(BOOK);
  post(slow, quotes([[68000, 0.2]]));
  slow.onTrade(trade(T0 + 50, "A", 67999, 1));
  assert.deepEqual(slow.drainFills(), []);
  slow.onTrade(trade(T0 + 51, "A", 67999, 1));
  assert.equal(slow.drainFills().length, 1);
  assert.throws(() => constantLatency(-1), /entry latency -1 ms/);
});

Deno.test("a cancelled order still fills while its cancel is in flight; its replacement rests beside it", () => {
  // 50 ms each way: an order decided at T0 rests from T0 + 51, a cancel decided at T0 + 100
  // takes effect at T0 + 150.
  const sim = new SimExchange({
    queueModel: "queue",
    szDecimals: { BTC: 5 },
    latency: constantLatency(50),
    budget: UNPACED,
  });
  sim.onBook(BOOK);
  post(sim, quotes([[67999, 0.2]]), T0);
  sim.onBook(book(T0 + 100, [[68000, 0.5]], [[68001, 0.7]]));
  // The grid moves the bid out of its room: cancelled (a request), replaced at 67990.
  post(sim, quotes([[67990, 0.2]]), T0 + 100);
  assert.deepEqual(sim.openOrders("BTC").map((o) => o.px), [67990]);
  assert.deepEqual(sim.stats, { placed: 2, cancels: 1, fills: 0, requests: 3 });
  // A seller sweeps through 67999 before the cancel lands: the old order fills.
  sim.onTrade(trade(T0 + 149, "A", 67998, 0.1));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.1 trade-through"]);
  // Once the cancel has taken effect its rest never fills.
  sim.onTrade(trade(T0 + 150, "A", 67998, 0.5));
  assert.deepEqual(sim.drainFills(), []);
  assert.throws(() => constantLatency(50, -1), /cancel latency -1 ms/);
});

Deno.test("a quote of a quiet coin is decided at the market's present, not at its last print", () => {
  const sim = new SimExchange({ szDecimals: { BTC: 5, ETH: 4 }, latency: constantLatency(50) });
  sim.onBook(BOOK); // BTC's last event: T0
  sim.onBook({ ...book(T0 + 400, [[3000, 5]], [[3001, 5]]), coin: "ETH" }); // market time T0 + 400
  post(sim, quotes([[68000, 0.2]]));
  // A BTC print 100 ms after BTC's last book but before the decision (T0 + 400) plus 50 ms.
  sim.onTrade(trade(T0 + 450, "A", 67999, 1));
  assert.deepEqual(sim.drainFills(), []);
  sim.onTrade(trade(T0 + 451, "A", 67999, 1));
  assert.deepEqual(summary(sim.drainFills()), ["bidL1 0.2 trade-through"]);
});

Deno.test("a print at our price before the order rests is not mistaken for cancellations later", () => {
  const sim = venue("queue");
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]]));
  sim.onBook(book(T0, [[68000, 1]], [[68001, 0.7]])); // 0.5 more joins behind us
  sim.onTrade(trade(T0, "A", 68000, 0.2)); // same block as the book the quote came from
  sim.onBook(book(T0 + 100, [[68000, 0.8]], [[68001, 0.7]]));
  // The 0.2 drop is that print, not size leaving the queue (which would put us at 0.4).
  assert.equal(sim.openOrders()[0].queueAhead, 0.5);
  assert.deepEqual(sim.drainFills(), []);
});

Deno.test("fills carry the fee model's fee, and reconcile reports the sim's own position", async () => {
  const sim = new SimExchange({
    queueModel: "queue",
    fees: flatMakerFee(-0.00003),
    szDecimals: { BTC: 5 },
  });
  sim.onBook(BOOK);
  post(sim, quotes([[68000, 0.2]], [[68001, 0.1]]));
  sim.onTrade(trade(T0 + 1, "A", 67999, 1));
  sim.onTrade(trade(T0 + 2, "B", 68002, 1));
  const fills = sim.drainFills();
  assert.deepEqual(fills.map((f) => f.feeUsd), [68000 * 0.2 * -0.00003, 68001 * 0.1 * -0.00003]);
  const report = await sim.reconcile(new Map());
  assert.deepEqual([...report.positions], [["BTC", 0.1]]);
  assert.deepEqual(report.darkFills, []);
  await sim.cancelAll("test");
  assert.equal(sim.openOrders().length, 0);
});

/** A seeded market: a drifting book, random prints, a grid re-quoted every 100 ms. */
function runSession(queueModel: "spec" | "queue"): { fills: Fill[]; pnl: number } {
  let seed = 42;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const sim = new SimExchange({ queueModel, szDecimals: { BTC: 5 } });
  const portfolio = new Portfolio();
  const fills: Fill[] = [];
  let mid = 68000.5;
  for (let step = 0; step < 3000; step++) {
    const t = T0 + step * 100;
    mid += Math.round((rand() - 0.5) * 4);
    const bid = mid - 0.5;
    const ask = mid + 0.5;
    sim.onBook(
      book(t, [[bid, rand() * 2], [bid - 1, rand() * 3]], [[ask, rand() * 2], [ask + 1, 3]]),
    );
    portfolio.mark("BTC", mid, t);
    const skew = Math.round(portfolio.position("BTC") * 10);
    post(
      sim,
      quotes(
        [[bid - skew, 0.01], [bid - 2 - skew, 0.02], [bid - 5 - skew, 0.03]],
        [[ask - skew, 0.01], [ask + 2 - skew, 0.02], [ask + 5 - skew, 0.03]],
      ),
      t,
    );
    for (let k = 0; k < 3; k++) {
      const side: TakerSide = rand() < 0.5 ? "A" : "B";
      const px = side === "A" ? bid - Math.floor(rand() * 4) : ask + Math.floor(rand() * 4);
      sim.onTrade(trade(t + 10 + k, side, px, (1 + Math.floor(rand() * 500)) / 1000));
    }
    for (const fill of sim.drainFills()) {
      portfolio.applyFill(fill);
      fills.push(fill);
    }
  }
  return { fills, pnl: portfolio.pnlUsd() };
}

Deno.test("the same events give the same fills and PnL to the last digit", () => {
  for (const model of ["spec", "queue"] as const) {
    resetTradeIds();
    const first = runSession(model);
    resetTradeIds();
    const second = runSession(model);
    assert.ok(
      first.fills.length > 20,
      `${model}: the session produced ${first.fills.length} fills`,
    );
    assert.deepEqual(second.fills, first.fills);
    assert.equal(Object.is(second.pnl, first.pnl), true, `${model}: ${second.pnl} vs ${first.pnl}`);
    const causes = [...new Set(first.fills.map((f) => f.cause))].sort();
    assert.deepEqual(
      causes,
      model === "spec" ? ["threshold"] : ["picked-off", "queue", "trade-through"],
    );
    const ids = new Set(first.fills.map((f) => f.orderId));
    assert.ok([...ids].every((id) => /^shadow-\d+$/.test(id)));
  }
});

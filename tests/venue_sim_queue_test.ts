/**
 * The venue simulator's queues as the account meets them: an order stands in a true FIFO queue
 * of the crowd's individual orders at its price, crowd takers are applied per block after the
 * cancels that reached the venue in that block, priority-paying crowd orders overtake only young
 * post-only orders, and the book crosses an order only through a trade that prints.
 */
import assert from "node:assert/strict";
import { floatToWire } from "../engine/hyperliquid/wire.ts";
import { cleanSize } from "../tools/venue_sim/matching.ts";
import {
  type BlockAction,
  type OrderStatus,
  Simulator,
  type WsTrade,
} from "../tools/venue_sim/simulator.ts";
import { TEST_ACCOUNT, TEST_START_MS } from "./helpers/venue.ts";

const ACCOUNT = TEST_ACCOUNT.toLowerCase();
const BTC = 0;

/** A simulator on BTC alone with its public trades and book tops recorded. */
function venue(options: { seed?: number; priorityShare?: number } = {}) {
  const sim = new Simulator({
    account: ACCOUNT,
    seed: options.seed ?? 5,
    coins: 1,
    startTimeMs: TEST_START_MS,
    priorityShare: options.priorityShare ?? 0,
  });
  const trades: WsTrade[] = [];
  const crossed: string[] = [];
  sim.setEvents({
    book(coin) {
      const [bids, asks] = sim.l2Book(coin).levels;
      if (bids[0] && asks[0] && Number(bids[0].px) >= Number(asks[0].px)) {
        crossed.push(`${bids[0].px} >= ${asks[0].px} at ${sim.now}`);
      }
    },
    trades: (_coin, t) => void trades.push(...t),
    fills() {},
    orderUpdates() {},
  });
  return { sim, trades, crossed };
}

function bid(sim: Simulator, px: number, tif = "Alo"): number {
  const status: OrderStatus = sim.placeOrder({
    a: BTC,
    b: true,
    p: floatToWire(px),
    s: "0.001",
    r: false,
    t: { limit: { tif } },
  });
  assert.ok("resting" in status, JSON.stringify(status));
  return status.resting.oid;
}

function bestBid(sim: Simulator): number {
  return Number(sim.l2Book("BTC").levels[0][0].px);
}

function ahead(sim: Simulator, oid: number): number | undefined {
  return sim.openOrders().find((o) => o.oid === oid)?.queueAhead;
}

Deno.test("an order waits behind exactly the crowd that was there: later orders queue behind it, cancels ahead move it up", () => {
  const { sim, trades } = venue();
  sim.advance(5_000);
  const px = bestBid(sim) - 3;
  const shown = () => Number(sim.l2Book("BTC").levels[0].find((l) => Number(l.px) === px)?.sz ?? 0);
  const crowdBefore = shown();
  const oid = bid(sim, px);
  assert.equal(ahead(sim, oid), crowdBefore, "everything resting there is ahead");
  let previous = crowdBefore;
  let movedUpWithoutTrade = false;
  let joinedBehind = false;
  for (let i = 0; i < 600 && ahead(sim, oid) !== undefined; i++) {
    const tradedBefore = trades.length;
    sim.advance(100);
    const now = ahead(sim, oid);
    if (now === undefined) break;
    assert.ok(now <= previous + 1e-9, `queue ahead grew from ${previous} to ${now}`);
    const hit = trades.slice(tradedBefore).some((t) => t.side === "A" && Number(t.px) <= px);
    if (now < previous && !hit) movedUpWithoutTrade = true;
    if (shown() > now + 0.001 + 1e-9) joinedBehind = true;
    previous = now;
  }
  assert.ok(movedUpWithoutTrade, "a crowd cancel ahead moved the order up");
  assert.ok(joinedBehind, "crowd orders joined behind it");
});

/** A crowd taker that arrived `arrivedMs` into the venue's clock, due at the open block's end. */
function crowdTaker(sim: Simulator, side: "A" | "B", sz: number, arrivedMs: number): void {
  const atMs = sim.blockEndsAt!;
  sim.coins[BTC].takers.unshift({ side, sz, at: 0, atMs, arrivedMs });
}

function order(b: boolean, px: number, sz: number, tif: string): BlockAction {
  return {
    kind: "order",
    order: { a: BTC, b, p: floatToWire(px), s: String(sz), r: false, t: { limit: { tif } } },
  };
}

Deno.test("an action waits for the end of its block: until then nothing changed, then the answer and the venue agree", async () => {
  const { sim } = venue();
  sim.advance(5_010);
  const answer = sim.submit(order(true, bestBid(sim) - 2, 0.001, "Alo"));
  const endsAt = sim.blockEndsAt!;
  assert.ok(endsAt > sim.now && endsAt <= sim.now + 85, `block ends at +${endsAt - sim.now} ms`);
  let answered: unknown = null;
  answer.then((s) => (answered = s));
  await Promise.resolve();
  assert.equal(answered, null, "no answer before the block's end");
  assert.equal(sim.openOrders().length, 0, "nothing rests before the block's end");
  sim.advanceTo(endsAt);
  const status = await answer;
  assert.ok(typeof status === "object" && "resting" in status, JSON.stringify(status));
  assert.equal(sim.openOrders()[0].oid, status.resting.oid);
  assert.equal(sim.openOrders()[0].timestamp, Math.floor(endsAt), "placed at the block's end");
});

Deno.test("within a block the exchange applies cancels first: a cancel sent after an Ioc that would meet the order still cancels it", async () => {
  const { sim } = venue();
  sim.advance(5_000);
  const px = bestBid(sim);
  const oid = bid(sim, px);
  const ahead = sim.openOrders()[0].queueAhead;
  // An Ioc sell through the crowd ahead of our bid would meet it (a self-trade cancels it).
  const ioc = sim.submit(order(false, px, cleanSize(ahead + 0.001), "Ioc"));
  const cancel = sim.submit({ kind: "cancel", asset: BTC, oid });
  sim.advance(100);
  assert.equal(await cancel, "success");
  const filled = await ioc;
  assert.ok(typeof filled === "object" && "filled" in filled, JSON.stringify(filled));
  assert.equal(sim.account.orders.get(oid)?.status, "canceled", "cancelled, not self-traded");
});

Deno.test("a cancel that reaches the venue within a block wins against that block's crowd taker, even one that arrived first; without it the taker fills the order", async () => {
  for (const cancelFirst of [true, false]) {
    const { sim, trades } = venue();
    sim.advance(5_000);
    const px = bestBid(sim);
    const oid = bid(sim, px);
    const cancel = cancelFirst ? sim.submit({ kind: "cancel", asset: BTC, oid }) : null;
    if (!cancelFirst) sim.submit(order(true, px - 50, 0.001, "Alo"));
    // A seller of 50 BTC (~$5M), there before the cancel, sweeps the top of the book.
    crowdTaker(sim, "A", 50, sim.now - 1);
    sim.advance(100);
    if (cancel) assert.equal(await cancel, "success");
    const ours = trades.filter((t) => t.users[0] === ACCOUNT);
    const atOurPrice = trades.filter((t) => Number(t.px) === px);
    assert.ok(atOurPrice.length > 0, "the taker traded through our price");
    assert.equal(ours.length, cancelFirst ? 0 : 1, `cancel first: ${cancelFirst}`);
  }
});

Deno.test("a Gtc or Ioc order goes with its block's crowd takers in the order they arrived: a taker there first takes the level", async () => {
  for (const crowdFirst of [true, false]) {
    const { sim } = venue();
    sim.advance(5_000);
    const level = sim.coins[BTC].market.asks[0];
    const px = level.px;
    const answer = sim.submit(order(true, px, 0.001, "Ioc"));
    // A buyer of the whole best ask, arriving just before or just after ours.
    crowdTaker(sim, "B", level.sz, sim.now + (crowdFirst ? -1 : 1));
    sim.advance(100);
    const status = await answer;
    if (crowdFirst) {
      assert.deepEqual(status, {
        error: "Order could not immediately match against any resting orders. asset=0",
      });
    } else {
      assert.ok(typeof status === "object" && "filled" in status, JSON.stringify(status));
      assert.equal(status.filled.avgPx, floatToWire(px));
    }
  }
});

Deno.test("a taker prints one trade per maker it fills, all at its own time: each crowd order in the queue, then ours", () => {
  const { sim } = venue();
  sim.advance(5_000);
  const level = sim.coins[BTC].market.asks[0];
  const makers = level.orders!.map((o) => o.sz);
  assert.ok(makers.length >= 2, `${makers.length} crowd orders at the best ask`);
  const status = sim.placeOrder({
    a: BTC,
    b: false,
    p: floatToWire(level.px),
    s: "0.001",
    r: false,
    t: { limit: { tif: "Alo" } },
  });
  assert.ok("resting" in status, JSON.stringify(status));
  const crowd = makers.reduce((a, b) => a + b, 0);
  const trades = sim.takerTrade("BTC", "B", crowd + 0.001);
  const atLevel = trades.filter((t) => Number(t.px) === level.px);
  assert.deepEqual(atLevel.map((t) => Number(t.sz)), [...makers, 0.001]);
  assert.deepEqual(atLevel.map((t) => t.users[1] === ACCOUNT), [...makers.map(() => false), true]);
  assert.ok(trades.every((t) => t.time === trades[0].time && t.side === "B"));
  assert.equal(new Set(atLevel.map((t) => t.tid)).size, makers.length + 1, "no merged print");
});

Deno.test("crowd trades print at block times, and the book crosses no order without a print", () => {
  const { sim, trades, crossed } = venue({ seed: 8 });
  for (let i = 0; i < 600; i++) {
    sim.advance(500);
    // Keep a bid and an ask resting at the touch, so moves of the market meet them.
    const book = sim.l2Book("BTC").levels;
    const open = sim.openOrders();
    if (!open.some((o) => o.isBuy)) bid(sim, Number(book[0][0].px));
    if (!open.some((o) => !o.isBuy)) {
      sim.placeOrder({
        a: BTC,
        b: false,
        p: book[1][0].px,
        s: "0.001",
        r: false,
        t: { limit: { tif: "Alo" } },
      });
    }
  }
  assert.deepEqual(crossed, []);
  const crowd = trades.filter((t) => !t.users.includes(ACCOUNT));
  assert.ok(crowd.length > 100);
  for (const t of crowd) assert.equal((t.time - TEST_START_MS) % 85, 0, `print at ${t.time}`);
  const fills = sim.account.fills;
  assert.ok(fills.length > 0, "the resting orders were filled");
  for (const f of fills) {
    assert.ok(
      trades.some((t) => t.px === f.px && t.users.includes(ACCOUNT)),
      `a print for the fill at ${f.px}`,
    );
  }
});

Deno.test("priority-paying crowd orders overtake a post-only order only in its first 400 ms, at the configured share", () => {
  for (const share of [0, 0.5, 1]) {
    const { sim } = venue({ seed: 3, priorityShare: share });
    const market = sim.coins[BTC].market;
    sim.advance(5_000);
    for (let i = 0; i < 60; i++) {
      // Young orders at six prices behind the best bid at once.
      const best = bestBid(sim);
      const oids = [1, 2, 3, 4, 5, 6].map((k) => bid(sim, best - k));
      const start = market.overtakes;
      sim.advance(400);
      if (market.overtakes > start) {
        const payerAhead = oids.some((oid) => {
          const mine = sim.openOrders().find((o) => o.oid === oid);
          const queue = market.bids.find((l) => l.px === mine?.px)?.orders ?? [];
          // A payer takes a place between the crowd that was there and the young order.
          return queue.some((o) => !Number.isInteger(o.seq) && o.seq < mine!.seq!);
        });
        assert.ok(payerAhead, "payers ahead of a young order");
      }
      const atOld = market.overtakes;
      sim.advance(3_000);
      assert.equal(market.overtakes, atOld, "no overtaking once the order is 400 ms old");
      for (const oid of oids) if (ahead(sim, oid) !== undefined) sim.cancel(BTC, oid);
    }
    // Of the crowd orders that joined a young order's price, the configured share paid: within
    // 0.1 of it over 100 or more joins (a binomial's standard deviation there is at most 0.05).
    const joins = market.overtakeChances;
    assert.ok(joins >= 100, `${joins} crowd orders joined a young order's price`);
    const paid = market.overtakes / joins;
    assert.ok(Math.abs(paid - share) <= 0.1, `share ${share}: ${paid.toFixed(3)} of ${joins} paid`);
  }
});

Deno.test("a priority share outside 0..1 is refused with its name and value", () => {
  assert.throws(
    () => new Simulator({ account: ACCOUNT, priorityShare: 1.5 }),
    /priorityShare must be a fraction from 0 to 1, got 1\.5/,
  );
});

Deno.test("the public print of the account's maker fill carries the fill's trade id and hash, as the exchange's does", () => {
  const { sim, trades } = venue();
  sim.advance(5_000);
  const oid = bid(sim, bestBid(sim));
  const fillsBefore = sim.account.fills.length;
  for (let sz = 0.01; sim.account.fills.length === fillsBefore && sz < 1e6; sz *= 2) {
    sim.takerTrade("BTC", "A", sz);
  }
  const fill = sim.account.fills.at(-1)!;
  assert.equal(fill.oid, oid);
  const print = trades.find((t) => t.tid === fill.tid);
  assert.ok(print, "the fill's id is on the public stream");
  assert.equal(print.hash, fill.hash);
  assert.equal(print.px, fill.px);
  assert.equal(print.sz, fill.sz);
  assert.equal(print.users[0], ACCOUNT, "bought by the account, the maker");
});

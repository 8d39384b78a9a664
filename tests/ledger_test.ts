/**
 * The live ledger on its own: live orders confirmed resting get shadow twins that meet the same
 * books and prints, and each order's record says what the exchange filled and what the models
 * predicted over the same lifetime.
 */
import assert from "node:assert/strict";
import { book, trade } from "./helpers/btc_frames.ts";
import { DeferredLedger } from "../engine/ledger/deferred_ledger.ts";
import { createLogger } from "../engine/log.ts";
import { FillLedger, type LedgerOrder, type LedgerRecord } from "../engine/ledger/ledger.ts";
import { formatLedger, LedgerSummary } from "../engine/ledger/ledger_summary.ts";

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

/** A ledger on a hand-moved wall clock, predicting with `model` and the spec model beside it. */
function ledger(model = "queue") {
  const clock = { now: T0 };
  const records: LedgerRecord[] = [];
  const l = new FillLedger({
    model: { model, priorityShare: 0, turnoverS: 0, requoteShare: 0 },
    candidates: [
      { model: "spec", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
      { model: "power:1", priorityShare: 0.5, turnoverS: 0, requoteShare: 0 },
    ],
    now: () => clock.now,
    graceMs: 1_000,
    write: (r) => records.push(r),
  });
  return { l, clock, records };
}

const BID: LedgerOrder = {
  oid: 101,
  coin: "BTC",
  side: "bid",
  level: 0,
  px: 68000,
  sz: 0.2,
  tick: 1,
  sentMs: T0 - 60,
  filled: 0,
  szDecimals: 5,
};

// Our bid of 0.2 rests at 68000 behind 0.5 of others (the book shows 0.7 with ours).
const BOOK = book(T0, [[68000, 0.5], [67998, 0.4]], [[68001, 0.7], [68003, 1]]);

Deno.test("a print at our price fills the twin past the queue ahead: cause queue, and its time", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.onBook(book(T0 + 500, [[68000, 0.7], [67998, 0.4]], [[68001, 0.7]]));
  l.onTrade(trade(T0 + 600, "A", 68000, 0.6));
  l.realFill(101, 0.1, T0 + 600);
  clock.now += 2_000;
  l.ended(101);
  clock.now += 1_000;
  l.onBook(book(T0 + 3_000, [[67999, 1]], [[68001, 0.7]]));
  assert.equal(records.length, 1);
  const r = records[0];
  assert.equal(r.model, "queue");
  assert.equal(r.cause, "queue");
  // 0.6 printed, 0.5 of it ahead of us (our own 0.2 in the book is not counted as ahead).
  assert.ok(Math.abs(r.predictedSz - 0.1) < 1e-12, `predicted ${r.predictedSz}`);
  assert.equal(r.predictedFirstMs, T0 + 600);
  assert.equal(r.realSz, 0.1);
  assert.equal(r.realFirstMs, T0 + 600);
  assert.equal(r.end, "gone");
  assert.equal(r.level, 1);
  assert.deepEqual([r.sentMs, r.restingMs, r.endedMs], [T0 - 60, T0, T0 + 2_000]);
  // The market time seen at both ends: the last book before resting, the print before the end.
  assert.deepEqual([r.restingMarketMs, r.endedMarketMs], [T0, T0 + 600]);
});

Deno.test("a print through our price fills the twin at once: cause trade-through", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.onTrade(trade(T0 + 100, "A", 67998, 0.3));
  l.realFill(101, 0.2, T0 + 100);
  l.ended(101);
  clock.now += 1_000;
  l.flush();
  assert.equal(records[0].cause, "trade-through");
  assert.equal(records[0].predictedSz, 0.2);
  assert.equal(records[0].end, "filled");
});

Deno.test("the public print of our own fill is kept from the twins: a shadow order is not traded with", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  // Our 0.2 filled whole at 68000; the exchange prints that trade under the fill's id.
  const ownPrint = trade(T0 + 600, "A", 68000, 0.2);
  l.realFill(101, 0.2, T0 + 600, ownPrint.tid);
  l.onTrade(ownPrint);
  // Another seller's 0.6 at our price: past the 0.5 ahead, it would fill a shadow order 0.1.
  l.onTrade(trade(T0 + 700, "A", 68000, 0.6));
  l.ended(101);
  clock.now += 6_000;
  l.onBook(book(T0 + 6_000, [[67999, 1]], [[68001, 0.7]]));
  assert.equal(records.length, 1);
  assert.equal(records[0].realSz, 0.2);
  assert.ok(Math.abs(records[0].predictedSz - 0.1) < 1e-12, `predicted ${records[0].predictedSz}`);
  assert.equal(l.ownPrints, 1);
});

Deno.test("an ask side that comes down to our bid takes the twin whole: cause picked-off", () => {
  const { l, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  // The mid (67999.5) has run through our bid: a stale quote, taken whole however little shows.
  l.onBook(book(T0 + 200, [[67999, 1]], [[68000, 0.05], [68002, 1]]));
  l.ended(101);
  l.flush();
  assert.equal(records[0].cause, "picked-off");
  assert.equal(records[0].predictedSz, 0.2);
  assert.equal(records[0].predictedFirstMs, T0 + 200);
});

Deno.test("the spec model fills once 1.4 × the size has traded at or through: cause threshold", () => {
  const { l, records } = ledger("spec");
  l.onBook(BOOK);
  l.opened(BID);
  l.onTrade(trade(T0 + 100, "A", 68000, 0.2));
  l.onTrade(trade(T0 + 200, "A", 68000, 0.08));
  l.ended(101);
  l.flush();
  assert.equal(records[0].cause, "threshold");
  assert.equal(records[0].predictedSz, 0.2);
  assert.equal(records[0].predictedFirstMs, T0 + 200);
});

Deno.test("an order filled only at the exchange and one filled only in prediction are told apart", () => {
  const { l, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.opened({ ...BID, oid: 102, side: "ask", px: 68001, level: 0 });
  // The exchange fills our bid (its queue ahead cancelled unseen); nothing prints at our price.
  l.realFill(101, 0.2, T0 + 300);
  // A buyer lifts 68001 and beyond: the twin of our ask fills, the exchange's ask does not.
  l.onTrade(trade(T0 + 400, "B", 68002, 1));
  l.ended(101);
  l.ended(102);
  l.flush();
  const summary = new LedgerSummary();
  for (const r of records) summary.add(r);
  const total = summary.total();
  assert.equal(total.orders, 2);
  assert.equal(total.onlyReal, 1);
  assert.equal(total.onlyPredicted, 1);
  assert.equal(total.both, 0);
  assert.ok(Math.abs(total.realUsd - 68000 * 0.2) < 1e-9);
  assert.ok(Math.abs(total.predictedUsd - 68001 * 0.2) < 1e-9);
  const text = formatLedger(summary.rows(), total).join("\n");
  assert.match(text, /BTC L1: 2 orders, real \$13600\.00 vs predicted \$13600\.20/);
  assert.match(text, /only real 1, only predicted 1, both 0/);
});

Deno.test("a twin keeps filling while its live order's cancel is in flight, and stops once it is gone", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  clock.now += 400;
  l.cancelSent(101);
  // The cancel is on its way: a sell through our price still meets the order.
  l.onTrade(trade(T0 + 450, "A", 67999, 0.05));
  clock.now += 80;
  l.ended(101);
  // Gone: a later sweep does not fill the twin any more.
  l.onTrade(trade(T0 + 600, "A", 67990, 5));
  l.flush();
  const r = records[0];
  assert.equal(r.predictedSz, 0.05);
  assert.equal(r.cancelSentMs, T0 + 400);
  assert.equal(r.endedMs, T0 + 480);
  assert.equal(r.end, "cancelled");
});

Deno.test("a fill that arrives after its cancel was answered is booked within the grace, counted late after", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.opened({ ...BID, oid: 102 });
  l.ended(101);
  l.ended(102);
  clock.now += 500;
  l.realFill(101, 0.2, T0 + 10);
  clock.now += 600;
  l.onBook(BOOK); // grace over: both records are written
  l.realFill(102, 0.2, T0 + 20);
  assert.deepEqual(records.map((r) => [r.oid, r.realSz, r.end]), [
    [101, 0.2, "filled"],
    [102, 0, "gone"],
  ]);
  assert.equal(l.lateFills, 1);
  l.realFill(999, 0.1, T0);
  assert.equal(l.untwinnedFills, 1, "an order never seen resting has no twin");
});

Deno.test("every candidate predicts on the same orders, and size added early may go ahead of us", () => {
  const { l, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  // 0.4 joins at our price within 400 ms: half of it pays priority under power:1+priority:0.5.
  l.onBook(book(T0 + 300, [[68000, 1.1]], [[68001, 0.7]]));
  l.onTrade(trade(T0 + 500, "A", 68000, 0.6));
  l.ended(101);
  l.flush();
  const c = records[0].candidates;
  assert.deepEqual(Object.keys(c), ["queue", "spec", "power:1+priority:0.5"]);
  assert.ok(Math.abs(c.queue[0] - 0.1) < 1e-12, "queue: 0.5 ahead, 0.1 of the print reaches us");
  assert.equal(c["power:1+priority:0.5"][0], 0, "0.5 + 0.2 ahead: the print does not reach us");
  assert.equal(c.spec[0], 0.2, "spec: 0.6 traded at our price is past 1.4 × 0.2");
});

Deno.test("the exchange's fill can come before the block's public print: the twin still meets that print", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  // The user stream says filled at T0 + 700 and frees the slot; the print of that block follows.
  l.realFill(101, 0.2, T0 + 700);
  l.ended(101);
  l.onTrade(trade(T0 + 700, "A", 67999, 0.3));
  // The next block's print is past the order's end.
  l.onTrade(trade(T0 + 785, "A", 67999, 0.3));
  clock.now += 1_000;
  l.onBook(book(T0 + 900, [[67998, 1]], [[68001, 1]]));
  assert.deepEqual(
    records.map((r) => [r.realSz, r.predictedSz, r.predictedFirstMs, r.cause]),
    [[0.2, 0.2, T0 + 700, "trade-through"]],
  );
});

Deno.test("a fill reported after the cancel's answer moves the twin's end to the fill's block", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.cancelSent(101);
  l.onBook(book(T0 + 100, [[68000, 0.7]], [[68001, 1]]));
  l.ended(101); // the cancel's answer: ended at market time T0 + 100
  l.realFill(101, 0.2, T0 + 170); // the order had filled in the block at T0 + 170
  l.onTrade(trade(T0 + 170, "A", 67999, 1));
  clock.now += 1_000;
  l.flush();
  assert.equal(records[0].predictedSz, 0.2);
  assert.equal(records[0].end, "filled");
});

Deno.test("the live venue's ledger input replays after the task, in order, at the times it happened", async () => {
  const clock = { now: T0 };
  const records: LedgerRecord[] = [];
  const input = new DeferredLedger(
    (now) =>
      new FillLedger({
        model: { model: "queue", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
        candidates: [],
        now,
        graceMs: 1_000,
        write: (r) => records.push(r),
      }),
    () => clock.now,
  );
  input.onBook(BOOK);
  input.opened(BID);
  clock.now += 300;
  input.onTrade(trade(T0 + 100, "A", 67999, 0.05));
  clock.now += 200;
  input.ended(101);
  // Nothing happened yet: the quoting task that fed it is not slowed by the twins.
  assert.equal(input.ledger.openOrders, 0);
  await new Promise((resolve) => setTimeout(resolve, 0));
  input.ledger.flush();
  assert.deepEqual(records.map((r) => [r.restingMs, r.endedMs, r.predictedSz]), [
    [T0, T0 + 500, 0.05],
  ]);
});

Deno.test("a twin joins the queue of the last book before its order was sent, not one showing the order", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK); // arrives at T0: 0.5 at 68000
  // The order is sent at T0 + 10; the next book arrives 5 ms later and shows our 0.2 too.
  clock.now = T0 + 15;
  l.onBook(book(T0 + 15, [[68000, 0.7], [67998, 0.4]], [[68001, 0.7]]));
  clock.now = T0 + 40; // the resting answer
  l.opened({ ...BID, sentMs: T0 + 10 });
  // 0.6 prints at our price: 0.5 was ahead, so 0.1 reaches us.
  l.onTrade(trade(T0 + 100, "A", 68000, 0.6));
  l.ended(101);
  l.flush();
  assert.ok(Math.abs(records[0].predictedSz - 0.1) < 1e-12, `predicted ${records[0].predictedSz}`);
});

Deno.test("twins fill whole lots and drop stale books, as the shadow venue does", () => {
  const { l, records } = ledger();
  l.onBook(BOOK);
  // A coin whose lot is 1: a print through our price of 0.6 fills nothing of an order of 1.
  l.opened({ ...BID, oid: 201, sz: 1, szDecimals: 0 });
  l.onTrade(trade(T0 + 100, "A", 67999, 0.6));
  // A book older than the last one, with asks down at our bid, is not the market any more.
  l.onBook(book(T0 - 500, [[67990, 1]], [[68000, 5]]));
  l.ended(201);
  l.flush();
  assert.equal(records[0].predictedSz, 0);
  assert.equal(records[0].cause, null);
});

Deno.test("while the account's fill stream is down, records wait for the fills it will catch up", () => {
  const { l, clock, records } = ledger();
  l.onBook(BOOK);
  l.opened(BID);
  l.feedHealth(false);
  l.ended(101); // the cancel came back "missing": the order had filled during the outage
  clock.now += 10_000;
  l.onBook(book(T0 + 10_000, [[67990, 1]], [[68001, 1]]));
  assert.equal(records.length, 0, "grace over, but the stream is down: the record waits");
  l.realFill(101, 0.2, T0 + 3_000); // caught up on reconnect
  l.feedHealth(true);
  clock.now += 500;
  l.onBook(book(T0 + 10_500, [[67990, 1]], [[68001, 1]]));
  assert.equal(records.length, 0, "a fresh grace after the stream is back");
  clock.now += 600;
  l.onBook(book(T0 + 11_100, [[67990, 1]], [[68001, 1]]));
  assert.deepEqual(records.map((r) => [r.realSz, r.end]), [[0.2, "filled"]]);
  assert.equal(l.lateFills, 0);
});

Deno.test("an input the ledger cannot take is logged and the rest go on: a measurement never stops trading", () => {
  const lines: string[] = [];
  const log = createLogger({ timestamps: false, sink: (text) => void lines.push(text) });
  const records: LedgerRecord[] = [];
  let broken = true;
  const input = new DeferredLedger(
    (now) =>
      new FillLedger({
        model: { model: "queue", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
        candidates: [],
        now,
        graceMs: 0,
        write: (r) => {
          if (broken) throw new Error("disk full");
          records.push(r);
        },
      }),
    () => T0,
    log,
  );
  input.onBook(BOOK);
  input.opened(BID);
  input.ended(101);
  input.onBook(BOOK); // writes the record: the sink throws
  assert.doesNotThrow(() => input.drain());
  assert.equal(records.length, 0);
  broken = false;
  input.opened({ ...BID, oid: 102 });
  input.ended(102);
  input.onBook(BOOK);
  input.drain();
  // The record the sink refused is lost (and logged); the ones after it are written.
  assert.deepEqual(records.map((r) => r.oid), [102]);
  return log.flush().then(() =>
    assert.match(lines.join(""), /\[LEDGER\] book not recorded: disk full/)
  );
});

/**
 * The fill models on their own: the 70% threshold (`spec`) and hftbacktest's probabilistic
 * queue with the power profile, checked against numbers worked out by hand.
 */
import assert from "node:assert/strict";
import { createQueueModel, parseCandidateKey } from "../engine/fill_model/model_names.ts";
import { powerProbability, probQueueModel } from "../engine/fill_model/prob_queue.ts";
import {
  newQueueState,
  specThresholdModel,
  type TradeOutcome,
} from "../engine/fill_model/queue_model.ts";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

Deno.test("spec model fills the whole order once 2 × size × 70% has traded at or through it", () => {
  const model = specThresholdModel();
  const state = newQueueState();
  model.join(state, NaN);
  const out: TradeOutcome = { fill: 0, cause: "queue" };
  // Order of 1.0: probability = traded / 2.0; the threshold 0.7 needs 1.4 traded.
  assert.equal(model.onTrade(state, 1, 1, false, 0.7, 0.7, out), 0.7);
  assert.equal(out.fill, 0, "probability 0.35 does not fill");
  assert.equal(model.onTrade(state, 1, 1, true, 0.69, 0.69, out), 0.69);
  assert.equal(out.fill, 0, "probability 0.695 does not fill");
  // Only the 0.01 still needed is taken; the rest of the print stays for other orders.
  close(model.onTrade(state, 1, 1, false, 0.5, 0.5, out), 0.01, "credit taken");
  assert.equal(out.fill, 1);
  assert.equal(out.cause, "threshold");
});

Deno.test("power profile n=2 gives back²/(back²+front²)", () => {
  const p = powerProbability(2);
  close(p(4, 6), 36 / 52, "p(4, 6)");
  assert.equal(p(0, 5), 1, "at the head every decrease is behind us");
  assert.equal(p(5, 0), 0, "at the tail every decrease is ahead of us");
  assert.throws(() => powerProbability(0), /queue power 0 is not a positive number/);
});

Deno.test("queue model attributes a depth decrease between ahead and behind (hand-computed)", () => {
  const model = probQueueModel(powerProbability(2));
  const state = newQueueState();
  model.join(state, 4);
  assert.equal(state.front, 4, "joins behind the displayed 4");
  model.onDepth(state, 10, Infinity, 0);
  assert.equal(state.front, 4, "growth behind us does not move us");
  // 10 → 7 with no trades: chg 3, back 6, p = 36/52; front = 4 − (16/52)·3 = 40/13.
  model.onDepth(state, 7, Infinity, 0);
  close(state.front, 40 / 13, "front after a decrease of 3");
});

Deno.test("queue model does not count a trade twice when the next book shows it", () => {
  const model = probQueueModel();
  const state = newQueueState();
  const out: TradeOutcome = { fill: 0, cause: "queue" };
  model.join(state, 7);
  assert.equal(model.onTrade(state, 1, 1, false, 2, 2, out), 0);
  assert.equal(out.fill, 0);
  assert.equal(state.front, 5);
  // The book drops by exactly the 2 traded: nothing more is attributed to cancels.
  model.onDepth(state, 5, Infinity, 0);
  assert.equal(state.front, 5);
  // A further 1 cancelled with the whole queue ahead of us (back = 0) moves us forward by 1.
  model.onDepth(state, 4, Infinity, 0);
  assert.equal(state.front, 4);
});

Deno.test("queue model fills the excess over the queue ahead, and a trade-through up to its size", () => {
  const model = probQueueModel();
  const state = newQueueState();
  const out: TradeOutcome = { fill: 0, cause: "queue" };
  model.join(state, 0.5);
  close(model.onTrade(state, 0.2, 0.2, false, 0.6, 0.6, out), 0.1, "excess of 0.6 over 0.5 ahead");
  assert.equal(out.cause, "queue");
  const through = newQueueState();
  model.join(through, 3);
  assert.equal(model.onTrade(through, 0.2, 0.2, true, 5, 5, out), 0.2);
  assert.equal(out.cause, "trade-through");
  assert.equal(model.onTrade(through, 0.2, 0.2, true, 0.05, 0.05, out), 0.05, "capped by volume");
});

const named = (model: string, priorityShare = 0, turnoverS = 0, requoteShare = 0) =>
  createQueueModel({ model, priorityShare, turnoverS, requoteShare });

Deno.test("models are built by name, and a name that is not one is refused by name", () => {
  assert.equal(named("spec").name, "spec");
  assert.equal(named("queue").name, "queue");
  assert.equal(named("power:0.5", 0.2, 5).name, "power:0.5+priority:0.2+turnover:5");
  assert.deepEqual(parseCandidateKey("log+turnover:2+requote:0.4"), {
    model: "log",
    priorityShare: 0,
    turnoverS: 2,
    requoteShare: 0.4,
  });
  assert.throws(
    () => named("fifo"),
    /queue model "fifo" is not one of spec, queue, power:N, tail:N, log, risk-averse/,
  );
  assert.throws(() => named("power:0"), /queue model "power:0"/);
  assert.throws(() => named("log", 1.5), /queue priority share 1.5 is not in 0..1/);
  assert.throws(() => parseCandidateKey("log+speed:2"), /queue candidate "log\+speed:2" is not/);
});

Deno.test("the profiles split a decrease of 3 ahead of a front of 4 and a back of 6 (hand-computed)", () => {
  // front' = 4 − (1 − p)·3 with back = 6 ≥ p·3.
  const after = (name: string) => {
    const model = named(name);
    const state = newQueueState();
    model.join(state, 10);
    state.front = 4;
    model.onDepth(state, 7, Infinity, 0);
    return state.front;
  };
  close(after("power:1"), 4 - 0.4 * 3, "power 1: p = 6/10");
  close(after("tail:1"), 4 - 0.4 * 3, "tail 1: p = 1 − 4/10");
  close(after("tail:2"), 4 - 0.16 * 3, "tail 2: p = 1 − (4/10)²");
  const log = Math.log1p(6) / (Math.log1p(6) + Math.log1p(4));
  close(after("log"), 4 - (1 - log) * 3, "log: p = ln 7 / (ln 7 + ln 5)");
  assert.equal(after("risk-averse"), 4, "risk-averse: every cancellation was behind us");
});

Deno.test("size added at our price in the first 400 ms goes ahead of us at the priority share", () => {
  const model = named("queue", 0.5);
  const young = newQueueState();
  model.join(young, 4);
  model.onDepth(young, 10, 399, 0);
  assert.equal(young.front, 4 + 0.5 * 6, "half of the 6 added paid priority");
  const old = newQueueState();
  model.join(old, 4);
  model.onDepth(old, 10, 400, 0);
  assert.equal(old.front, 4, "from 400 ms on, new orders join behind");
});

Deno.test("with turnover, the queue ahead halves every half-life while the book shows the same size", () => {
  const model = named("risk-averse", 0, 2);
  const state = newQueueState();
  model.join(state, 8);
  model.onDepth(state, 8, 500, 0);
  assert.equal(state.front, 8, "the first book after joining only starts the clock");
  model.onDepth(state, 8, 2_500, 0);
  assert.equal(state.front, 4, "2 s later: half of the queue ahead has turned over");
  model.onDepth(state, 8, 6_500, 0);
  assert.equal(state.front, 1);
  const still = named("risk-averse");
  const kept = newQueueState();
  still.join(kept, 8);
  still.onDepth(kept, 8, 500, 0);
  still.onDepth(kept, 8, 6_500, 0);
  assert.equal(kept.front, 8, "without turnover an unchanged book moves nobody");
});

Deno.test("with requotes, a move of the touch sends that share of the queue ahead to the new price", () => {
  const model = named("risk-averse", 0, 0, 0.8);
  const state = newQueueState();
  model.join(state, 10);
  model.onDepth(state, 10, 1_000, 0);
  assert.equal(state.front, 10, "no move: nobody ahead left");
  model.onDepth(state, 10, 1_500, 1);
  close(
    state.front,
    2,
    "the touch moved a tick: 80% of the 10 ahead requoted, others joined behind",
  );
  model.onDepth(state, 10, 2_000, 2);
  close(state.front, 2 * 0.2 * 0.2, "two ticks: two requotes");
  assert.throws(() => named("log", 0, 0, 2), /queue requote share 2 is not in 0..1/);
});

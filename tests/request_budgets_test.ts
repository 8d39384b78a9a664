/**
 * The two rations Hyperliquid puts on an account, as the engine keeps them: the per-IP weight
 * budget with a ceiling per priority (so cancelling everything is always possible), the pace
 * of requote batches, the address budget's pause and resume, and the request economy that
 * keeps requests per USDC under its target.
 */
import assert from "node:assert/strict";
import { createLogger } from "../engine/log.ts";
import {
  ECONOMY_HALF_LIFE_MS,
  MAX_SCALE,
  RequestEconomy,
  requestsPerUsdc,
} from "../engine/request_economy.ts";
import {
  RATE_LIMITED_PAUSE_MS,
  WeightBudget,
  WeightBudgetError,
} from "../engine/hyperliquid/weight_budget.ts";
import { AddressBudget } from "../engine/venue/address_budget.ts";
import {
  QUOTE_BURST_WEIGHT,
  QUOTE_WEIGHT_PER_MINUTE,
  RequestGovernor,
} from "../engine/venue/request_governor.ts";

const T0 = Date.UTC(2026, 11, 3, 12);

Deno.test("requoting stops at 60% of the IP weight, routine reads at 80%, safety may use it all", () => {
  let now = T0;
  const budget = new WeightBudget({ now: () => now });
  for (let i = 0; i < 720; i++) budget.consume(1, "quote");
  assert.equal(budget.tryConsume(1, "quote"), false, "the quote ceiling is 720 of 1200");
  assert.throws(
    () => budget.consume(1, "quote"),
    (e: unknown) => e instanceof WeightBudgetError && /for quote requests/.test(e.message),
  );
  for (let i = 0; i < 12; i++) budget.consume(20, "routine");
  assert.equal(budget.tryConsume(1, "routine"), false, "routine stops at 960");
  // What is left is there for cancel-all: 240 weight, six batches of up to 1,599 cancels.
  assert.equal(budget.remaining("safety"), 240);
  for (let i = 0; i < 240; i++) budget.consume(1, "safety");
  assert.equal(budget.remaining("safety"), 0);
  assert.equal(budget.peak, 1200);
  assert.equal(budget.refusals, 1, "the thrown refusal is counted");
  now += 60_000;
  assert.equal(budget.remaining("quote"), 720, "a minute later the window is empty");
});

Deno.test("after a 429 only safety requests go out for 10 s", () => {
  let now = T0;
  const budget = new WeightBudget({ now: () => now });
  budget.rateLimited();
  assert.equal(budget.tryConsume(2, "routine"), false);
  assert.equal(budget.tryConsume(1, "quote"), false);
  assert.equal(budget.waitMs(1, "quote"), RATE_LIMITED_PAUSE_MS);
  assert.equal(budget.tryConsume(20, "safety"), true, "cancel-all and reconcile still go");
  now += RATE_LIMITED_PAUSE_MS;
  assert.equal(budget.tryConsume(1, "quote"), true);
  assert.equal(budget.refusals, 1);
});

Deno.test("requote batches are paced to 600 weight a minute after a burst, one per tick at most", () => {
  let now = T0;
  const weight = new WeightBudget({ now: () => now });
  const address = new AddressBudget({ log: createLogger({ sink: () => {} }), tag: "[TEST]" });
  const governor = new RequestGovernor({ weight, address, minIntervalMs: 100 });
  assert.equal(QUOTE_WEIGHT_PER_MINUTE, 600);
  // A quiet venue may send a burst: QUOTE_BURST_WEIGHT / 2 batches of weight 2, a tick apart.
  let sent = 0;
  for (let t = 0; t < 60_000; t += 100) {
    now = T0 + t;
    if (governor.batchDelayMs(now, 2) === 0) {
      governor.recordBatch(now, 2);
      weight.consume(2, "quote");
      sent++;
    }
  }
  // 600 weight a minute is 300 batches of 2, plus the burst allowance.
  assert.equal(sent, 300 + QUOTE_BURST_WEIGHT / 2);
  assert.ok(weight.peak <= 0.6 * 1200, `peak ${weight.peak}`);
  assert.equal(governor.batches, sent);
  // The economy slows batches further apart.
  governor.setSlowdown(16);
  now += 100;
  assert.ok(governor.batchDelayMs(now, 1) >= 1_400);
  assert.throws(() => governor.setSlowdown(0.5), /slowdown must be a number >= 1/);
});

Deno.test("the address budget pauses placing under its reserve and resumes above the hysteresis", async () => {
  const lines: string[] = [];
  let resumed = 0;
  const log = createLogger({ timestamps: false, sink: (t) => void lines.push(t) });
  const budget = new AddressBudget({
    log,
    tag: "[SHADOW]",
    onResume: () => resumed++,
  });
  assert.equal(budget.mayPlace, false, "unknown until read");
  assert.equal(budget.view(), null);
  budget.set(8_500, 10_000);
  assert.equal(budget.mayPlace, true);
  budget.spend(600); // 900 left: under the 1,000 reserve
  assert.deepEqual(budget.view(), { used: 9_100, cap: 10_000, left: 900, paused: true });
  budget.earn(400); // 1,300 left: not yet 1,500
  assert.equal(budget.mayPlace, false);
  budget.earn(200); // trading $200 more earns 200 requests: 1,500 left
  assert.equal(budget.mayPlace, true);
  assert.equal(resumed, 1);
  // The exchange says the cap is reached: pause at once, whatever the local count says.
  budget.exhausted();
  assert.equal(budget.mayPlace, false);
  // A read taken while 5 requests were on their way counts them on top.
  const sentAtAsk = budget.sent;
  budget.spend(5);
  budget.set(100, 10_600, sentAtAsk);
  assert.equal(budget.view()?.used, 105);
  assert.equal(budget.sent, 605);
  await log.flush();
  assert.match(lines.join(""), /\[SHADOW\] address budget low: 900 requests left of 10000/);
  assert.match(lines.join(""), /\[SHADOW\] address budget back to 1500 requests left/);
  assert.throws(
    () => new AddressBudget({ reserve: 1.5, log: createLogger(), tag: "" }),
    /reserve must be a non-negative integer, got 1.5/,
  );
});

Deno.test("the request economy widens until requests per USDC hold under the target, and relaxes after", () => {
  const economy = new RequestEconomy(0.5);
  let requests = 0;
  let volume = 0;
  let now = T0;
  economy.update(now, requests, volume);
  // Two requests per USDC traded for ten minutes: four times the target.
  for (let s = 1; s <= 600; s++) {
    now += 1_000;
    requests += 20;
    volume += 10;
    economy.update(now, requests, volume);
  }
  assert.ok(economy.pressure > 1, `pressure ${economy.pressure}`);
  assert.equal(economy.scale, MAX_SCALE);
  assert.equal(economy.share(0.5), 1, "the share is capped at the level's whole distance");
  assert.equal(economy.minRestMs(1_000), 16_000);
  assert.equal(economy.slowdown(), 16);
  // Cheap again: 0.1 requests per USDC for four half-lives: the scale comes back down.
  for (let s = 1; s <= (4 * ECONOMY_HALF_LIFE_MS) / 1_000; s++) {
    now += 1_000;
    requests += 1;
    volume += 10;
    economy.update(now, requests, volume);
  }
  assert.ok(economy.pressure < 0.6, `pressure ${economy.pressure}`);
  assert.equal(economy.scale, 1);
  assert.equal(economy.share(0.5), 0.5);
  assert.equal(requestsPerUsdc(requests, volume), 14_400 / 30_000);
  assert.equal(requestsPerUsdc(5, 0), null);
  assert.throws(() => new RequestEconomy(0), /target must be a positive number/);
});

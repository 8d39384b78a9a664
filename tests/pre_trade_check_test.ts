/**
 * The pre-trade check, one rule at a time, on a BTC-like coin (szDecimals 5, mid 100,000, a
 * 20-unit book): what passes, what is refused, and the rule each refusal names.
 */
import assert from "node:assert/strict";
import {
  type IntendedOrder,
  preTradeCheck,
  type PreTradeFacts,
} from "../engine/venue/pre_trade_check.ts";

/** BTC at 100,000 with an empty position and nothing resting; `over` replaces any fact. */
function btc(over: Partial<PreTradeFacts> = {}): PreTradeFacts {
  return {
    szDecimals: 5,
    referencePx: 100_000,
    minNotionalUsd: 10,
    inventoryUsd: 0,
    maxExposureUsd: 344,
    restingBidUsd: 0,
    restingAskUsd: 0,
    bestBid: 99_990,
    bestAsk: 100_010,
    ...over,
  };
}

const bid = (px: number, sz: number): IntendedOrder => ({ side: "bid", px, sz });
const ask = (px: number, sz: number): IntendedOrder => ({ side: "ask", px, sz });

/** The rule each order broke, or "ok". */
function verdicts(orders: IntendedOrder[], facts: PreTradeFacts): string[] {
  const result = preTradeCheck(orders, facts);
  return orders.map((_, i) => result.refused.find((r) => r.index === i)?.rule ?? "ok");
}

Deno.test("a grid like the kernel's passes every rule", () => {
  const grid = [bid(99_985, 0.00012), bid(99_962, 0.00024), ask(100_015, 0.00012)];
  const result = preTradeCheck(grid, btc());
  assert.deepEqual(result, { passed: [0, 1, 2], refused: [] });
});

Deno.test("price band: an order more than 80% away from the reference price is refused", () => {
  assert.deepEqual(
    verdicts([bid(19_999, 0.001), bid(20_001, 0.001), ask(180_001, 0.0001)], btc()),
    ["price-band", "ok", "price-band"],
  );
  const [refusal] = preTradeCheck([bid(19_999, 0.001)], btc()).refused;
  assert.match(refusal.reason, /19999 is more than 80% away from the reference 100000/);
});

Deno.test("tick: a price past 5 significant figures or a size past szDecimals is refused", () => {
  assert.deepEqual(
    verdicts(
      [bid(99_985.5, 0.00012), bid(99_985, 0.000123), bid(123_456, 0.0001)],
      btc({
        bestAsk: 200_000,
      }),
    ),
    ["tick", "tick", "ok"], // an integer price is always valid
  );
  // At szDecimals 2 a price may carry 4 decimals at most.
  assert.deepEqual(
    verdicts(
      [bid(0.12345, 100), bid(0.1234, 100)],
      btc({
        szDecimals: 2,
        referencePx: 0.1235,
        bestBid: 0.1234,
        bestAsk: 0.1236,
        maxExposureUsd: 1e6,
      }),
    ),
    ["tick", "ok"],
  );
});

Deno.test("minimum notional: an order worth less than $10 is refused", () => {
  const result = preTradeCheck([bid(99_985, 0.00009), bid(99_985, 0.00011)], btc());
  assert.deepEqual(result.passed, [1]);
  assert.equal(result.refused[0].rule, "min-notional");
  assert.match(result.refused[0].reason, /value \$9\.00 is below the minimum \$10\.00/);
});

Deno.test("post-only: a bid at or above the best ask, or an ask at or below the best bid, is refused", () => {
  assert.deepEqual(
    verdicts([
      bid(100_010, 0.00012),
      bid(100_009, 0.00012),
      ask(99_990, 0.00012),
      ask(99_991, 0.00012),
    ], btc()),
    ["post-only", "ok", "post-only", "ok"],
  );
  // An empty side cannot be crossed.
  assert.deepEqual(verdicts([bid(100_500, 0.0001)], btc({ bestAsk: 0 })), ["ok"]);
});

Deno.test("max inventory: inventory plus resting orders plus the tick's orders stay within the cap", () => {
  // Long $300 with $20 of bids resting: a $12 bid reaches $332, a further $24 one $356 > $344.
  const facts = btc({ inventoryUsd: 300, restingBidUsd: 20 });
  const orders = [bid(99_985, 0.00012), bid(99_962, 0.00024), ask(100_015, 0.00036)];
  assert.deepEqual(verdicts(orders, facts), ["ok", "max-inventory", "ok"]);
  const refusal = preTradeCheck(orders, facts).refused[0];
  assert.match(refusal.reason, /inventory \$300\.00 \+ resting \$32\.00 \+ order \$23\.99/);
  // The same bids against a short position only reduce it.
  assert.deepEqual(verdicts(orders, btc({ inventoryUsd: -300, restingBidUsd: 20 })), [
    "ok",
    "ok",
    "ok",
  ]);
});

Deno.test("facts that are not usable numbers are refused by name", () => {
  assert.throws(
    () => preTradeCheck([], btc({ szDecimals: 7 })),
    /szDecimals must be an integer 0\.\.6, got 7/,
  );
  assert.throws(
    () => preTradeCheck([], btc({ referencePx: NaN })),
    /referencePx must be a positive number/,
  );
  assert.throws(
    () => preTradeCheck([], btc({ bestAsk: -1 })),
    /bestAsk must be a number >= 0, got -1/,
  );
});

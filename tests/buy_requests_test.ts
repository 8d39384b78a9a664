/**
 * `deno task buy-requests <n>` against the venue simulator: it shows the price and the budget,
 * sends nothing unless the operator confirms, and once confirmed the account pays 0.0005 USDC a
 * request and may send that many more orders past its cap. Bad input is refused by name.
 */
import assert from "node:assert/strict";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { buyRequestsCommand } from "../tools/buy_requests.ts";
import type { VenueSim } from "../tools/venue_sim/mod.ts";
import { farEthBids } from "./helpers/live_grid.ts";
import { startTestVenue, TEST_ACCOUNT, TEST_PRIVATE_KEY, venueEndpoints } from "./helpers/venue.ts";

/** The command's outside world: the simulator's address, the test key, a scripted answer. */
function io(venue: VenueSim, answer: string | null) {
  const printed: string[] = [];
  const asked: string[] = [];
  return {
    printed,
    asked,
    env: (name: string) =>
      ({ HL_ADDRESS: TEST_ACCOUNT, HL_NETWORK: "mainnet", HL_API_URL: venue.apiUrl })[name],
    readKey: () => Promise.resolve(TEST_PRIVATE_KEY),
    confirm: (question: string) => {
      asked.push(question);
      return answer === "BUY";
    },
    print: (line: string) => void printed.push(line),
  };
}

Deno.test("buy-requests shows the price, and nothing is sent or paid without BUY", async () => {
  const venue = await startTestVenue();
  try {
    const balance = venue.sim.account.balance;
    const run = io(venue, "no");
    assert.deepEqual(await buyRequestsCommand(["10000"], run), { kind: "declined" });
    assert.deepEqual(run.asked, ["Buy 10000 requests for 5.0000 USDC? Type BUY to confirm:"]);
    assert.match(run.printed.join("\n"), /10000 requests × 0\.0005 USDC = 5\.0000 USDC/);
    assert.match(run.printed.join("\n"), /used 0 of cap 10000 \+ bought 0 \(10000 left/);
    assert.match(run.printed.at(-1)!, /not confirmed; nothing was sent/);
    assert.equal(venue.sim.account.balance, balance, "nothing paid");
    assert.equal(venue.sim.account.requestSurplus, 0);
  } finally {
    await venue.close();
  }
});

Deno.test("confirmed, the account pays 0.0005 USDC a request and its orders pass the cap", async () => {
  const venue = await startTestVenue({ requestsUsed: 10_000 });
  try {
    const balance = venue.sim.account.balance;
    const run = io(venue, "BUY");
    const result = await buyRequestsCommand(["2000"], run);
    assert.equal(result.kind, "bought");
    assert.ok(Math.abs(venue.sim.account.balance - (balance - 1)) < 1e-9, "paid 1 USDC");
    assert.match(
      run.printed.at(-1)!,
      /bought 2000 requests for 1\.0000 USDC: used 10001 of cap 10000 \+ bought 2000 \(1999 left/,
    );
    assert.ok(
      !run.printed.join("\n").includes(TEST_PRIVATE_KEY.slice(2)),
      "the key is never printed",
    );

    // The bought requests are spendable: a two-order batch past the cap now goes through.
    const exchange = new ExchangeClient({
      endpoints: venueEndpoints(venue),
      privateKey: TEST_PRIVATE_KEY,
    });
    const order = farEthBids(venue);
    const placed = await exchange.placeOrders([order(10), order(11)]);
    assert.deepEqual(placed.map((o) => o.kind), ["resting", "resting"]);
    const budget = await new InfoClient({ endpoints: venueEndpoints(venue) }).userRateLimit(
      TEST_ACCOUNT,
    );
    assert.equal(budget.nRequestsSurplus, 2000);
  } finally {
    await venue.close();
  }
});

Deno.test("buy-requests refuses bad input by name before reading the key", async () => {
  const venue = await startTestVenue();
  try {
    let keyRead = false;
    const run = { ...io(venue, "BUY"), readKey: () => (keyRead = true, Promise.resolve("")) };
    for (
      const [args, message] of [
        [[], /exactly one argument/],
        [["ten"], /positive integer, got "ten"/],
        [["0"], /positive integer, got "0"/],
        [["-5"], /positive integer, got "-5"/],
        [["1.5"], /positive integer, got "1.5"/],
        [["2000000"], /at most 1000000 requests at a time, got 2000000/],
      ] as const
    ) {
      await assert.rejects(buyRequestsCommand(args, run), message);
    }
    await assert.rejects(
      buyRequestsCommand(["10"], { ...run, env: () => undefined }),
      /HL_ADDRESS must be set/,
    );
    assert.equal(keyRead, false);
  } finally {
    await venue.close();
  }
});

/**
 * Unified and portfolio-margin accounts report zero in `clearinghouseState`: live mode reads the
 * account's mode and takes its equity from the state that holds it, or refuses to start.
 */
import assert from "node:assert/strict";
import {
  AccountEquityError,
  equityOf,
  readAccountEquity,
} from "../engine/hyperliquid/account_equity.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import {
  parseClearinghouseState,
  parseSpotClearinghouseState,
} from "../engine/hyperliquid/info_answers.ts";
import { startTestVenue, TEST_ACCOUNT, venueEndpoints } from "./helpers/venue.ts";
import { hip3Fixture } from "./helpers/hip3_fixture.ts";

Deno.test("a unified account's equity is its spot collateral plus unrealized PnL, not the zero perp value", async () => {
  const perp = parseClearinghouseState(await hip3Fixture("clearinghouse_state_unified.json"));
  const spot = parseSpotClearinghouseState(
    await hip3Fixture("spot_clearinghouse_state_unified.json"),
  );
  assert.equal(perp.accountValue, 0);
  // The outcome holding (+12) is no collateral and is not listed.
  assert.deepEqual(spot.balances.map((b) => b.coin), ["USDC", "HYPE"]);
  const equity = equityOf("unifiedAccount", perp, spot);
  assert.equal(equity.mode, "unified");
  assert.equal(equity.equityUsd, 1520.4512 + 1);
  assert.match(equity.source, /spotClearinghouseState USDC \+ unrealized PnL/);
});

Deno.test("a standard account's equity is the perp account value", async () => {
  const perp = parseClearinghouseState({
    ...(await hip3Fixture("clearinghouse_state_unified.json")),
    marginSummary: {
      accountValue: "2500.5",
      totalNtlPos: "0",
      totalRawUsd: "0",
      totalMarginUsed: "0",
    },
  });
  for (const mode of ["default", "disabled", "dexAbstraction"]) {
    assert.equal(equityOf(mode, perp, null).equityUsd, 2500.5);
  }
});

Deno.test("equity that cannot be told refuses live trading with a message saying why", async () => {
  const perp = parseClearinghouseState(await hip3Fixture("clearinghouse_state_unified.json"));
  const portfolio = parseSpotClearinghouseState(
    await hip3Fixture("spot_clearinghouse_state_portfolio.json"),
  );
  assert.equal(portfolio.portfolioMarginEnabled, true);
  assert.throws(
    () => equityOf("portfolioMargin", perp, portfolio),
    (e) =>
      e instanceof AccountEquityError &&
      /portfolio margin with 12\.5 HYPE as collateral.*cannot price it/.test(e.message),
  );
  assert.throws(
    () => equityOf("someNewMode", perp, null),
    /userAbstraction answered "someNewMode", an account mode this engine does not know/,
  );
  // Read as a standard account, a unified account's perp state says $0: refused, with the hint.
  assert.throws(
    () => equityOf("default", perp, null),
    /equity reads \$0\.00 \(default mode, clearinghouseState accountValue\).*spot state/,
  );
  assert.throws(
    () => equityOf("unifiedAccount", perp, null),
    /spotClearinghouseState.*could not be read/,
  );
});

Deno.test("the venue simulator runs a unified account: zero perp value, equity read from the spot state", async () => {
  const venue = await startTestVenue({ abstraction: "unifiedAccount", balanceUsd: 12_345 });
  try {
    const info = new InfoClient({ endpoints: venueEndpoints(venue), dexes: ["", "xyz"] });
    assert.equal(await info.userAbstraction(TEST_ACCOUNT), "unifiedAccount");
    assert.equal((await info.clearinghouseState(TEST_ACCOUNT)).accountValue, 0);
    const equity = await readAccountEquity(info, TEST_ACCOUNT);
    assert.deepEqual([equity.mode, equity.equityUsd], ["unified", 12_345]);
  } finally {
    await venue.close();
  }
  const standard = await startTestVenue({ balanceUsd: 12_345 });
  try {
    const info = new InfoClient({ endpoints: venueEndpoints(standard) });
    const equity = await readAccountEquity(info, TEST_ACCOUNT);
    assert.deepEqual([equity.mode, equity.equityUsd], ["standard", 12_345]);
    assert.equal((await info.spotClearinghouseState(TEST_ACCOUNT)).balances[0].total, 0);
  } finally {
    await standard.close();
  }
});

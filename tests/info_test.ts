import assert from "node:assert/strict";
import { HttpError } from "../engine/hyperliquid/http.ts";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import {
  InfoResponseError,
  parseClearinghouseState,
  parseL2Book,
  parseUserFills,
  parseUserRateLimit,
} from "../engine/hyperliquid/info_answers.ts";
import type { NetworkEndpoints } from "../engine/hyperliquid/types.ts";
import { WeightBudget } from "../engine/hyperliquid/weight_budget.ts";

const USER = "0x14791697260e4c9a71f18484c9f997b308e59325";

// Example answers from the Hyperliquid docs (engine/hyperliquid/README.md § Info requests).
const CLEARINGHOUSE = {
  assetPositions: [{
    position: {
      coin: "ETH",
      cumFunding: { allTime: "514.085417", sinceChange: "0.0", sinceOpen: "0.0" },
      entryPx: "2986.3",
      leverage: { rawUsd: "-95.059824", type: "isolated", value: 20 },
      liquidationPx: "2866.26936529",
      marginUsed: "4.967826",
      maxLeverage: 50,
      positionValue: "100.02765",
      returnOnEquity: "-0.0026789",
      szi: "0.0335",
      unrealizedPnl: "-0.0134",
    },
    type: "oneWay",
  }, {
    position: {
      coin: "BTC",
      entryPx: "60000.0",
      leverage: { type: "cross", value: 5 },
      liquidationPx: null,
      marginUsed: "12.0",
      maxLeverage: 50,
      positionValue: "60.0",
      returnOnEquity: "0.0",
      szi: "-0.001",
      unrealizedPnl: "0.0",
    },
    type: "oneWay",
  }],
  crossMaintenanceMarginUsed: "0.0",
  crossMarginSummary: {
    accountValue: "13104.514502",
    totalMarginUsed: "0.0",
    totalNtlPos: "0.0",
    totalRawUsd: "13104.514502",
  },
  marginSummary: {
    accountValue: "13109.482328",
    totalMarginUsed: "4.967826",
    totalNtlPos: "100.02765",
    totalRawUsd: "13009.454678",
  },
  time: 1708622398623,
  withdrawable: "13104.514502",
};
const OPEN_ORDERS = [{
  coin: "BTC",
  limitPx: "29792.0",
  oid: 91490942,
  side: "A",
  sz: "0.0",
  timestamp: 1681247412573,
}];
const FRONTEND_OPEN_ORDERS = [{
  coin: "BTC",
  isPositionTpsl: false,
  isTrigger: false,
  limitPx: "29792.0",
  oid: 91490942,
  orderType: "Limit",
  origSz: "5.0",
  reduceOnly: false,
  side: "A",
  sz: "5.0",
  timestamp: 1681247412573,
  triggerCondition: "N/A",
  triggerPx: "0.0",
  tif: "Alo",
  cloid: "0x0000000000000000000000000000002a",
}];
const FILLS = [{
  closedPnl: "0.0",
  coin: "AVAX",
  crossed: false,
  dir: "Open Long",
  hash: "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
  oid: 90542681,
  px: "18.435",
  side: "B",
  startPosition: "26.86",
  sz: "93.53",
  time: 1681222254710,
  fee: "0.01",
  feeToken: "USDC",
  builderFee: "0.01",
  tid: 118906512037719,
}];
const ORDER_STATUS = {
  status: "order",
  order: {
    order: {
      coin: "ETH",
      side: "A",
      limitPx: "2412.7",
      sz: "0.0",
      oid: 1,
      timestamp: 1724361546645,
      triggerCondition: "N/A",
      isTrigger: false,
      triggerPx: "0.0",
      children: [],
      isPositionTpsl: false,
      reduceOnly: true,
      orderType: "Market",
      origSz: "0.0076",
      tif: "FrontendMarket",
      cloid: null,
    },
    status: "filled",
    statusTimestamp: 1724361546645,
  },
};
const L2_BOOK = {
  coin: "BTC",
  time: 1754450974231,
  levels: [
    [{ px: "113377.0", sz: "7.6699", n: 17 }, { px: "113376.0", sz: "4.13714", n: 8 }],
    [{ px: "113397.0", sz: "0.11543", n: 3 }],
  ],
};

// deno-lint-ignore no-explicit-any
type Body = any;

/** A fake `/info` on a free loopback port answering from `answer`; closed after `run`. */
async function withFakeInfo(
  answer: (body: Body) => Response,
  run: (client: InfoClient, bodies: Body[]) => Promise<void>,
  budget?: WeightBudget,
): Promise<void> {
  const bodies: Body[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    assert.equal(new URL(req.url).pathname, "/info");
    const body = await req.json();
    bodies.push(body);
    return answer(body);
  });
  const endpoints: NetworkEndpoints = {
    network: "mainnet",
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    wsUrl: `ws://127.0.0.1:${server.addr.port}/ws`,
    isMainnet: true,
  };
  try {
    await run(new InfoClient({ endpoints, budget }), bodies);
  } finally {
    await server.shutdown();
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

const DOC_ANSWERS: Record<string, unknown> = {
  clearinghouseState: CLEARINGHOUSE,
  openOrders: OPEN_ORDERS,
  frontendOpenOrders: FRONTEND_OPEN_ORDERS,
  userFills: FILLS,
  userFillsByTime: FILLS,
  orderStatus: ORDER_STATUS,
  l2Book: L2_BOOK,
};

Deno.test("clearinghouseState gives account value and signed positions", async () => {
  await withFakeInfo((b) => json(DOC_ANSWERS[b.type]), async (info, bodies) => {
    const state = await info.clearinghouseState(USER);
    assert.deepEqual(bodies[0], { type: "clearinghouseState", user: USER });
    assert.equal(state.accountValue, 13109.482328);
    assert.equal(state.withdrawable, 13104.514502);
    assert.equal(state.crossAccountValue, 13104.514502);
    assert.equal(state.timeMs, 1708622398623);
    assert.equal(state.positions.length, 2);
    const [eth, btc] = state.positions;
    assert.deepEqual(eth, {
      coin: "ETH",
      szi: 0.0335,
      entryPx: 2986.3,
      positionValue: 100.02765,
      unrealizedPnl: -0.0134,
      returnOnEquity: -0.0026789,
      liquidationPx: 2866.26936529,
      marginUsed: 4.967826,
      maxLeverage: 50,
      leverage: { type: "isolated", value: 20, rawUsd: -95.059824 },
      cumFundingSinceOpen: 0,
    });
    assert.equal(btc.szi, -0.001);
    assert.equal(btc.liquidationPx, null);
    assert.deepEqual(btc.leverage, { type: "cross", value: 5 });
  });
});

Deno.test("open orders, fills, order status and the REST book parse into typed records", async () => {
  await withFakeInfo((b) => json(DOC_ANSWERS[b.type]), async (info, bodies) => {
    assert.deepEqual(await info.openOrders(USER), [{
      coin: "BTC",
      side: "A",
      limitPx: 29792,
      sz: 0,
      oid: 91490942,
      timestampMs: 1681247412573,
      reduceOnly: false,
    }]);
    const [front] = await info.frontendOpenOrders(USER);
    assert.equal(front.origSz, 5);
    assert.equal(front.tif, "Alo");
    assert.equal(front.cloid, "0x0000000000000000000000000000002a");
    assert.equal(front.orderType, "Limit");
    const [fill] = await info.userFills(USER);
    assert.deepEqual(fill, {
      coin: "AVAX",
      px: 18.435,
      sz: 93.53,
      side: "B",
      timeMs: 1681222254710,
      startPosition: 26.86,
      dir: "Open Long",
      closedPnl: 0,
      hash: "0xa166e3fa63c25663024b03f2e0da011a00307e4017465df020210d3d432e7cb8",
      oid: 90542681,
      crossed: false,
      fee: 0.01,
      feeToken: "USDC",
      tid: 118906512037719,
    });
    assert.equal((await info.userFillsByTime(USER, 1681222254000, 1681222255000)).length, 1);
    assert.equal((await info.userFillsByTime(USER, 1681222254000)).length, 1);
    const status = await info.orderStatus(USER, 1);
    assert.equal(status.status, "order");
    if (status.status === "order") {
      assert.equal(status.orderStatus, "filled");
      assert.equal(status.order.tif, "FrontendMarket");
      assert.equal(status.order.reduceOnly, true);
      assert.equal(status.statusTimestampMs, 1724361546645);
    }
    assert.deepEqual(await info.l2Book("BTC"), {
      coin: "BTC",
      timeMs: 1754450974231,
      bids: [{ px: 113377, sz: 7.6699, n: 17 }, { px: 113376, sz: 4.13714, n: 8 }],
      asks: [{ px: 113397, sz: 0.11543, n: 3 }],
    });
    assert.deepEqual(bodies.map((b) => b.type), [
      "openOrders",
      "frontendOpenOrders",
      "userFills",
      "userFillsByTime",
      "userFillsByTime",
      "orderStatus",
      "l2Book",
    ]);
    assert.deepEqual(bodies[3], {
      type: "userFillsByTime",
      user: USER,
      startTime: 1681222254000,
      aggregateByTime: false,
      endTime: 1681222255000,
    });
    assert.equal("endTime" in bodies[4], false);
    assert.deepEqual(bodies[5], { type: "orderStatus", user: USER, oid: 1 });
  });
});

Deno.test("orderStatus by cloid, and an oid the exchange does not know", async () => {
  await withFakeInfo(() => json({ status: "unknownOid" }), async (info, bodies) => {
    const cloid = "0x0000000000000000000000000000002a";
    assert.deepEqual(await info.orderStatus(USER, cloid), { status: "unknownOid" });
    assert.equal(bodies[0].oid, cloid);
    await assert.rejects(() => info.orderStatus(USER, "0x2a"), /neither an oid nor a cloid/);
  });
});

Deno.test("userRateLimit gives the address budget as numbers, charged at weight 20", async () => {
  // The shape of Hyperliquid's answer (engine/hyperliquid/README.md § Rate limits): volume as a
  // decimal string, counts as integers.
  const answer = {
    cumVlm: "4295.52",
    nRequestsUsed: 14_290,
    nRequestsCap: 14_295,
    nRequestsSurplus: 0,
  };
  const budget = new WeightBudget({ now: () => 0 });
  await withFakeInfo(() => json(answer), async (info, bodies) => {
    assert.deepEqual(await info.userRateLimit(USER), {
      cumVlm: 4295.52,
      nRequestsUsed: 14_290,
      nRequestsCap: 14_295,
      nRequestsSurplus: 0,
    });
    assert.deepEqual(bodies[0], { type: "userRateLimit", user: USER });
    assert.equal(budget.remaining(), 1180);
    await assert.rejects(() => info.userRateLimit("0xabc"), /user must be 0x/);
  }, budget);
  assert.throws(
    () => parseUserRateLimit({ ...answer, nRequestsUsed: "14290" }),
    (err: unknown) =>
      err instanceof InfoResponseError && err.requestType === "userRateLimit" &&
      err.field === "nRequestsUsed" && /should be an integer/.test(err.message),
  );
  assert.throws(
    () => parseUserRateLimit({ ...answer, nRequestsCap: -1 }),
    /info userRateLimit: field nRequestsCap should not be negative/,
  );
  assert.throws(
    () => parseUserRateLimit({ ...answer, cumVlm: undefined }),
    /info userRateLimit: field cumVlm should be a decimal/,
  );
});

Deno.test("an unexpected shape names the request and the field", () => {
  const broken = structuredClone(CLEARINGHOUSE);
  broken.assetPositions[0].position.szi = "0.03x";
  assert.throws(
    () => parseClearinghouseState(broken),
    (err: unknown) =>
      err instanceof InfoResponseError && err.requestType === "clearinghouseState" &&
      err.field === "assetPositions[0].position.szi" &&
      /info clearinghouseState: field assetPositions\[0\]\.position\.szi should be a decimal/.test(
        err.message,
      ),
  );
  assert.throws(
    () => parseClearinghouseState({ ...CLEARINGHOUSE, marginSummary: undefined }),
    /clearinghouseState: field marginSummary should be an object/,
  );
  assert.throws(
    () => parseL2Book({ ...L2_BOOK, levels: [[]] }),
    /info l2Book: field levels should hold two sides/,
  );
  assert.throws(
    () => parseL2Book({ ...L2_BOOK, levels: [[{ px: "1", sz: "-2", n: 1 }], []] }),
    /l2Book: field levels\[0\]\[0\]\.sz should not be negative/,
  );
  assert.throws(
    () => parseUserFills([{ ...FILLS[0], side: "X" }], "userFillsByTime"),
    /userFillsByTime: field \[0\]\.side should be "B" or "A"/,
  );
  assert.throws(
    () => parseUserFills({ error: "x" }),
    /info userFills: field \(root\) should be an array/,
  );
});

Deno.test("bad answers from the server surface as errors naming the request", async () => {
  await withFakeInfo(() => json({ levels: "nope" }), async (info) => {
    await assert.rejects(() => info.l2Book("BTC"), /info l2Book: field levels should be an array/);
  });
  await withFakeInfo(() => json("Failed to deserialize", 422), async (info) => {
    await assert.rejects(
      () => info.openOrders(USER),
      (err: unknown) => err instanceof HttpError && err.status === 422,
    );
  });
  await withFakeInfo(() => json({}), async (info) => {
    await assert.rejects(
      () => info.openOrders("0x123"),
      /user must be 0x followed by 40 hex digits/,
    );
    await assert.rejects(() => info.userFillsByTime(USER, 10, 5), /endMs/);
  });
});

Deno.test("info requests charge their published weight, plus per-item weight for fills", async () => {
  const budget = new WeightBudget({ now: () => 0 });
  const manyFills = Array.from({ length: 45 }, (_, i) => ({ ...FILLS[0], tid: i }));
  await withFakeInfo(
    (b) => json(b.type === "userFills" ? manyFills : DOC_ANSWERS[b.type]),
    async (info) => {
      await info.l2Book("BTC");
      assert.equal(budget.remaining(), 1198);
      await info.openOrders(USER);
      assert.equal(budget.remaining(), 1178);
      await info.userFills(USER);
      assert.equal(budget.remaining(), 1178 - 20 - 2);
      assert.deepEqual(await info.post({ type: "clearinghouseState", user: USER }), CLEARINGHOUSE);
      assert.equal(budget.remaining(), 1156 - 2);
    },
    budget,
  );
});

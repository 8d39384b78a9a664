/**
 * The universe: metaAndAssetCtxs becomes AssetInfo records, the top coins by volume or an
 * explicit list are selected, and unknown, miscased or delisted names are refused up front.
 */
import assert from "node:assert/strict";
import {
  loadUniverse,
  parseCoinList,
  parseMetaAndAssetCtxs,
  selectCoins,
} from "../engine/hyperliquid/universe.ts";

/**
 * Shaped like the documented response (engine/hyperliquid/README.md § Info requests), with kPEPE's
 * case and a delisting.
 */
function response(): [Record<string, unknown>, Record<string, unknown>[]] {
  return [
    {
      universe: [
        { name: "BTC", szDecimals: 5, maxLeverage: 50 },
        { name: "ETH", szDecimals: 4, maxLeverage: 50 },
        { name: "HPOS", szDecimals: 0, maxLeverage: 3, onlyIsolated: true },
        {
          name: "LOOM",
          szDecimals: 1,
          maxLeverage: 3,
          isDelisted: true,
          marginMode: "strictIsolated",
          onlyIsolated: true,
        },
        { name: "kPEPE", szDecimals: 0, maxLeverage: 10, marginTableId: 10 },
        { name: "SOL", szDecimals: 2, maxLeverage: 20 },
      ],
      marginTables: [],
      collateralToken: 0,
    },
    [
      ctx({
        dayNtlVlm: "1169046.29406",
        funding: "0.0000125",
        markPx: "84143.0",
        midPx: "84143.5",
      }),
      ctx({ dayNtlVlm: "950000000.0", funding: "-0.00000625", markPx: "3007.1", midPx: "3007.15" }),
      ctx({ dayNtlVlm: "120.5", funding: "0.0", markPx: "14.3161", midPx: null }),
      ctx({ dayNtlVlm: "99999999999.0", funding: "0.0", markPx: "0.0123", midPx: null }),
      ctx({ dayNtlVlm: "45000000.0", funding: "0.0001", markPx: "0.012345", midPx: "0.0123455" }),
      ctx({ dayNtlVlm: "45000000.0", funding: "0.00002", markPx: "187.45", midPx: "187.455" }),
    ],
  ];
}

function ctx(fields: Record<string, string | null>): Record<string, unknown> {
  return {
    impactPxs: ["14.3047", "14.3444"],
    openInterest: "688.11",
    oraclePx: "14.32",
    premium: "0.00031774",
    prevDayPx: "15.322",
    ...fields,
  };
}

Deno.test("metaAndAssetCtxs becomes one AssetInfo per universe entry, indexed as the asset id", () => {
  const assets = parseMetaAndAssetCtxs(response());
  assert.equal(assets.length, 6);
  assert.deepEqual(assets[0], {
    name: "BTC",
    assetIndex: 0,
    szDecimals: 5,
    maxLeverage: 50,
    fundingHourly: 0.0000125,
    markPx: 84143,
    midPx: 84143.5,
    dayNtlVlm: 1169046.29406,
    isDelisted: false,
    dex: "",
    feeMultiplier: 1,
    requestCredit: 1,
    collateralToken: 0,
  });
  assert.equal(assets[2].midPx, null);
  assert.equal(assets[3].isDelisted, true);
  assert.equal(assets[4].name, "kPEPE");
  assert.equal(assets[4].assetIndex, 4);
  assert.equal(assets[1].fundingHourly, -0.00000625);
});

Deno.test("the top N by 24h notional volume skips delisted coins and breaks ties by asset id", () => {
  const assets = parseMetaAndAssetCtxs(response());
  assert.deepEqual(selectCoins(assets, { topN: 3 }).map((a) => a.name), ["ETH", "kPEPE", "SOL"]);
  assert.deepEqual(selectCoins(assets, {}).map((a) => a.name), [
    "ETH",
    "kPEPE",
    "SOL",
    "BTC",
    "HPOS",
  ]);
  assert.throws(() => selectCoins(assets, { topN: 0 }), /MM_COINS_TOP_N.*positive integer, got 0/);
});

Deno.test("an explicit list is kept in its order and wins over top N", () => {
  const assets = parseMetaAndAssetCtxs(response());
  const selected = selectCoins(assets, { coins: ["kPEPE", "BTC"], topN: 1 });
  assert.deepEqual(selected.map((a) => [a.name, a.assetIndex]), [["kPEPE", 4], ["BTC", 0]]);
});

Deno.test("unknown, miscased, delisted and repeated names are refused, naming the coin", () => {
  const assets = parseMetaAndAssetCtxs(response());
  assert.throws(
    () => selectCoins(assets, { coins: ["BTC", "DOGE"] }),
    /unknown coin "DOGE" \(it is not in the exchange's universe\)/,
  );
  assert.throws(
    () => selectCoins(assets, { coins: ["KPEPE"] }),
    /unknown coin "KPEPE" \(names are case-sensitive: did you mean "kPEPE"\?\)/,
  );
  assert.throws(() => selectCoins(assets, { coins: ["btc"] }), /did you mean "BTC"/);
  assert.throws(() => selectCoins(assets, { coins: ["LOOM"] }), /"LOOM" is delisted/);
  assert.throws(() => selectCoins(assets, { coins: ["ETH", "ETH"] }), /"ETH" is listed twice/);
});

Deno.test("MM_COINS text splits into exact names", () => {
  assert.deepEqual(parseCoinList("BTC, ETH,kPEPE"), ["BTC", "ETH", "kPEPE"]);
  assert.throws(() => parseCoinList("BTC,,ETH"), /empty entry at position 2/);
});

Deno.test("a response that is not as documented is refused, naming the field", () => {
  const broken = (edit: (r: ReturnType<typeof response>) => unknown) => {
    const r = response();
    return () => parseMetaAndAssetCtxs(edit(r) ?? r);
  };
  assert.throws(
    () => parseMetaAndAssetCtxs({ universe: [] }),
    /expected a \[meta, assetCtxs\] pair/,
  );
  assert.throws(broken((r) => [{}, r[1]]), /meta.universe is not an array/);
  assert.throws(broken((r) => [r[0], r[1].slice(1)]), /expected 6 asset contexts.*got 5/);
  assert.throws(
    broken((r) => void ((r[0].universe as Record<string, unknown>[])[1].szDecimals = "4")),
    /meta.universe\[1\].szDecimals \(ETH\) is "4", expected an integer >= 0/,
  );
  assert.throws(
    broken((r) => void delete (r[0].universe as Record<string, unknown>[])[2].name),
    /meta.universe\[2\].name is missing/,
  );
  assert.throws(
    broken((r) => void ((r[0].universe as Record<string, unknown>[])[5].name = "BTC")),
    /meta.universe\[5\].name "BTC" appears twice/,
  );
  assert.throws(
    broken((r) => void (r[1][4].dayNtlVlm = "lots")),
    /assetCtxs\[4\] \(kPEPE\).dayNtlVlm is "lots", expected a decimal string/,
  );
  assert.throws(
    broken((r) => void delete r[1][0].markPx),
    /assetCtxs\[0\] \(BTC\).markPx is missing/,
  );
  assert.throws(broken((r) => void (r[1][0].funding = "")), /\(BTC\).funding is ""/);
});

Deno.test("loadUniverse asks for metaAndAssetCtxs through the injected postInfo", async () => {
  const bodies: object[] = [];
  const universe = await loadUniverse((body) => {
    bodies.push(body);
    return Promise.resolve(response());
  }, { coins: ["BTC", "kPEPE"] });
  assert.deepEqual(bodies, [{ type: "metaAndAssetCtxs" }]);
  assert.equal(universe.assets.length, 6);
  assert.deepEqual(universe.selected.map((a) => a.name), ["BTC", "kPEPE"]);
  await assert.rejects(
    loadUniverse(() => Promise.reject(new Error("HTTP 429")), {}),
    /metaAndAssetCtxs request failed: HTTP 429/,
  );
  await assert.rejects(
    loadUniverse(() => Promise.resolve(response()), { coins: ["PEPE"] }),
    /unknown coin "PEPE"/,
  );
});

/**
 * Builder-deployed perps (HIP-3): `perpDexs` read, asset ids 100000 + dex × 10000 + index, fee
 * multipliers from the deployer's scale, and a universe that ranks and lists across dexes.
 */
import assert from "node:assert/strict";
import {
  assetIdOf,
  dexOfCoin,
  feeMultiplier,
  parseDexList,
  parsePerpDexs,
} from "../engine/hyperliquid/perp_dexs.ts";
import { loadUniverse, parseMetaAndAssetCtxs } from "../engine/hyperliquid/universe.ts";
import { loadConfig } from "../engine/config.ts";
import { marketMakerFee } from "../engine/fees.ts";
import { hip3Fixture } from "./helpers/hip3_fixture.ts";

/** The main dex's answer: BTC and ETH, ETH trading 950M a day. */
const MAIN = [
  {
    universe: [
      { name: "BTC", szDecimals: 5, maxLeverage: 40 },
      { name: "ETH", szDecimals: 4, maxLeverage: 25 },
    ],
    marginTables: [],
    collateralToken: 0,
  },
  [
    { funding: "0.0", markPx: "90000.0", midPx: "90000.5", dayNtlVlm: "120000000.0" },
    { funding: "0.0", markPx: "3000.0", midPx: "3000.05", dayNtlVlm: "950000000.0" },
  ],
];

Deno.test("perpDexs: the main dex first, then each builder dex with its index and fee scale", async () => {
  const dexes = parsePerpDexs(await hip3Fixture("perp_dexs.json"));
  assert.deepEqual(dexes, [
    { name: "", index: 0, deployerFeeScale: 0 },
    { name: "xyz", index: 1, deployerFeeScale: 1 },
    { name: "flx", index: 2, deployerFeeScale: 0.5 },
  ]);
  assert.throws(() => parsePerpDexs([{ name: "xyz" }]), /perpDexs\[0\] should be null/);
  assert.throws(
    () => parsePerpDexs([null, { name: "xyz", deployerFeeScale: "lots" }]),
    /perpDexs\[1\]\.deployerFeeScale \(xyz\)/,
  );
});

Deno.test("asset ids: the index on the main dex, 100000 + dex × 10000 + index on a builder dex", () => {
  assert.equal(assetIdOf(0, 5), 5);
  assert.equal(assetIdOf(1, 0), 110_000);
  assert.equal(assetIdOf(2, 3), 120_003);
  assert.throws(() => assetIdOf(1, 10_000), /does not fit perp dex 1/);
  assert.equal(dexOfCoin("xyz:XYZ100"), "xyz");
  assert.equal(dexOfCoin("BTC"), "");
});

Deno.test("a deployer's fee scale s multiplies fees by s + 1 below 1 and 2s above; growth mode by a tenth more", () => {
  assert.equal(feeMultiplier({ name: "", index: 0, deployerFeeScale: 0 }), 1);
  assert.equal(feeMultiplier({ name: "flx", index: 2, deployerFeeScale: 0.5 }), 1.5);
  assert.equal(feeMultiplier({ name: "xyz", index: 1, deployerFeeScale: 1 }), 2);
  assert.equal(feeMultiplier({ name: "big", index: 3, deployerFeeScale: 3 }), 6);
  assert.equal(feeMultiplier({ name: "xyz", index: 1, deployerFeeScale: 1 }, true), 0.2);
  // The shadow fee model charges each market its own multiple of the configured maker rate.
  const fees = marketMakerFee(0.00015, { "xyz:XYZ100": 2 });
  assert.equal(fees.makerFeeUsd(1000, "xyz:XYZ100"), 0.3);
  assert.equal(fees.makerFeeUsd(1000, "BTC"), 0.15);
});

Deno.test("a builder dex's metaAndAssetCtxs: asset ids of that dex, its fee multiplier, growth mode's tenth of fees and request credit", async () => {
  const xyz = { name: "xyz", index: 1, deployerFeeScale: 1 };
  const assets = parseMetaAndAssetCtxs(await hip3Fixture("meta_and_asset_ctxs_xyz.json"), xyz);
  assert.deepEqual(
    assets.map((
      a,
    ) => [a.name, a.assetIndex, a.dex, a.feeMultiplier, a.collateralToken, a.requestCredit]),
    [
      ["xyz:XYZ100", 110_000, "xyz", 2, 0, 1],
      ["xyz:NVDA", 110_001, "xyz", 2, 0, 1],
      ["xyz:SILVER", 110_002, "xyz", 0.2, 0, 0.1],
    ],
  );
  // A coin of another dex in the answer is a wrong answer, not a market to quote.
  assert.throws(
    () => parseMetaAndAssetCtxs(MAIN, xyz),
    /meta\.universe\[0\]\.name "BTC" does not belong to dex "xyz"/,
  );
});

/** A fake `/info` that answers from fixtures and records what was asked. */
async function fakeInfo() {
  const asked: object[] = [];
  const dexes = await hip3Fixture("perp_dexs.json");
  const xyz = await hip3Fixture("meta_and_asset_ctxs_xyz.json");
  const post = (body: object) => {
    asked.push(body);
    const b = body as { type: string; dex?: string };
    if (b.type === "perpDexs") return Promise.resolve(dexes);
    if (b.type === "metaAndAssetCtxs" && b.dex === undefined) return Promise.resolve(MAIN);
    if (b.type === "metaAndAssetCtxs" && b.dex === "xyz") return Promise.resolve(xyz);
    return Promise.reject(new Error(`unexpected ${JSON.stringify(body)}`));
  };
  return { post, asked };
}

Deno.test("by default only the main dex is read: no perpDexs request, no builder coin", async () => {
  const info = await fakeInfo();
  const universe = await loadUniverse(info.post, { topN: 5 });
  assert.deepEqual(info.asked, [{ type: "metaAndAssetCtxs" }]);
  assert.deepEqual(universe.selected.map((a) => a.name), ["ETH", "BTC"]);
});

Deno.test("MM_DEXES=main,xyz ranks the top N across both dexes by 24 h volume", async () => {
  const info = await fakeInfo();
  const config = loadConfig({ MM_DEXES: "main,xyz" });
  const universe = await loadUniverse(info.post, { topN: 3, dexes: config.dexes });
  assert.deepEqual(info.asked, [
    { type: "perpDexs" },
    { type: "metaAndAssetCtxs" },
    { type: "metaAndAssetCtxs", dex: "xyz" },
  ]);
  assert.deepEqual(universe.selected.map((a) => [a.name, a.assetIndex]), [
    ["xyz:XYZ100", 110_000],
    ["ETH", 1],
    ["BTC", 0],
  ]);
  assert.equal(universe.assets.length, 5);
});

Deno.test("MM_COINS=xyz:NVDA reads the xyz dex by itself; an unknown dex is named with the known ones", async () => {
  const info = await fakeInfo();
  const universe = await loadUniverse(info.post, { coins: ["BTC", "xyz:NVDA"] });
  assert.deepEqual(universe.selected.map((a) => [a.name, a.assetIndex]), [
    ["BTC", 0],
    ["xyz:NVDA", 110_001],
  ]);
  await assert.rejects(
    loadUniverse(info.post, { coins: ["abc:FOO"] }),
    /perp dex "abc" is not listed by perpDexs \(builder dexes: xyz, flx\)/,
  );
  await assert.rejects(
    loadUniverse(info.post, { coins: ["xyz:nvda"] }),
    /unknown coin "xyz:nvda" \(names are case-sensitive: did you mean "xyz:NVDA"\?\)/,
  );
});

Deno.test("MM_DEXES: main (or empty) is the main dex; anything but dex names is refused", () => {
  assert.deepEqual(loadConfig({}).dexes, [""]);
  assert.deepEqual(loadConfig({ MM_DEXES: "xyz" }).dexes, ["xyz"]);
  assert.deepEqual(parseDexList("main, xyz,main"), ["", "xyz"]);
  assert.throws(() => loadConfig({ MM_DEXES: "main,x-y" }), /MM_DEXES="main,x-y" is invalid/);
  assert.deepEqual(loadConfig({ MM_COINS: "BTC,xyz:XYZ100" }).coins, ["BTC", "xyz:XYZ100"]);
});

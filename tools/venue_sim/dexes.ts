/**
 * The simulated builder-deployed perp dexes (HIP-3): one dex, `xyz`, listing stock-index, equity
 * and commodity perps, as builder dexes did on mainnet in late 2025. Its coins are named
 * `xyz:NAME`, have asset ids 100000 + dexIndex × 10000 + index, settle in USDC and carry the
 * deployer's fee scale, so clients meet the same `perpDexs`, `meta {dex}` and asset-id rules as on
 * the exchange. Values are representative, not a copy of mainnet.
 */
import { assetIdOf, dexOfCoin, feeMultiplier } from "../../engine/hyperliquid/perp_dexs.ts";
import { type SimCoin, simCoin, type SimCoinRow } from "./universe.ts";

/** One simulated builder dex and its coins. */
export interface SimDex {
  /** Short name, the prefix of its coins. */
  name: string;
  fullName: string;
  /** Position in `perpDexs` (1 = the first builder dex). */
  index: number;
  /** The deployer fee scale, as the exchange writes it. */
  deployerFeeScale: string;
  /** Spot token index of the collateral (0 = USDC). */
  collateralToken: number;
  /** Coins in `meta.universe` order, names with the `dex:` prefix. */
  coins: readonly SimCoin[];
}

// Deployer address of the simulated dex (no key: nothing is signed for it).
const XYZ_DEPLOYER = "0x0000000000000000000000000000000000000333";

const XYZ_ROWS: SimCoinRow[] = [
  ["xyz:XYZ100", 4, 20, 25_412.5, 3.0e8, 0.012],
  ["xyz:NVDA", 3, 10, 181.42, 6.0e7, 0.03],
  ["xyz:GOLD", 4, 20, 4_012.3, 2.5e7, 0.01],
];

/** The simulated builder dexes, in `perpDexs` order (the main dex, index 0, is not listed). */
export const BUILDER_DEXES: readonly SimDex[] = [{
  name: "xyz",
  fullName: "XYZ (simulated)",
  index: 1,
  deployerFeeScale: "1.0",
  collateralToken: 0,
  coins: XYZ_ROWS.map(simCoin),
}];

/** Every builder-dex coin with its asset id and dex, in `perpDexs` then `meta.universe` order. */
export function builderCoins(): { coin: SimCoin; asset: number; dex: SimDex; index: number }[] {
  return BUILDER_DEXES.flatMap((dex) =>
    dex.coins.map((coin, index) => ({ coin, asset: assetIdOf(dex.index, index), dex, index }))
  );
}

/** The `perpDexs` answer: `null` for the main dex, then each builder dex (SDK v0.33's fields). */
export function perpDexs(): unknown[] {
  return [
    null,
    ...BUILDER_DEXES.map((dex) => ({
      name: dex.name,
      fullName: dex.fullName,
      deployer: XYZ_DEPLOYER,
      oracleUpdater: null,
      feeRecipient: null,
      assetToStreamingOiCap: [],
      subDeployers: [],
      deployerFeeScale: dex.deployerFeeScale,
      lastDeployerFeeScaleChangeTime: "1970-01-01T00:00:00",
      assetToFundingMultiplier: [],
      assetToFundingInterestRate: [],
    })),
  ];
}

/** What a coin's dex multiplies every fee by: 1 on the main dex, the deployer's scale rule else. */
export function feeScaleOf(coin: string): number {
  const dex = BUILDER_DEXES.find((d) => d.name === dexOfCoin(coin));
  if (dex === undefined) return 1;
  return feeMultiplier({
    name: dex.name,
    index: dex.index,
    deployerFeeScale: Number(dex.deployerFeeScale),
  });
}

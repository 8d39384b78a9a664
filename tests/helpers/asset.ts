/**
 * A perp's exchange metadata for tests that build an engine by hand.
 *
 * @module
 */
import type { AssetInfo } from "../../engine/hyperliquid/types.ts";

/**
 * `name` at asset index 0 with `szDecimals`, 20x leverage, no funding, no mark, mid or volume
 * yet; `overrides` replace any of these.
 */
export function testAsset(
  name: string,
  szDecimals: number,
  overrides: Partial<AssetInfo> = {},
): AssetInfo {
  return {
    name,
    assetIndex: 0,
    szDecimals,
    maxLeverage: 20,
    fundingHourly: 0,
    markPx: 0,
    midPx: null,
    dayNtlVlm: 0,
    isDelisted: false,
    ...overrides,
  };
}

/**
 * Funding refresh: the Regime Governor halts a coin whose funding goes beyond 0.3% per 8 h, so the
 * engine re-reads every quoted coin's hourly funding from `metaAndAssetCtxs` once a minute
 * (Hyperliquid pays funding hourly; a minute is well inside that).
 */
import type { Engine } from "./engine.ts";
import { loadUniverse, type PostInfo } from "./hyperliquid/universe.ts";

/** How often funding is re-read, ms. */
export const FUNDING_REFRESH_MS = 60_000;

/** Re-reads the hourly funding of `coins` and hands it to the engine. */
export async function refreshFunding(
  engine: Pick<Engine, "setFunding">,
  postInfo: PostInfo,
  coins: readonly string[],
): Promise<void> {
  const fresh = await loadUniverse(postInfo, { coins });
  for (const asset of fresh.selected) engine.setFunding(asset.name, asset.fundingHourly);
}

/**
 * The `meta` and `metaAndAssetCtxs` answers (engine/hyperliquid/README.md § Info requests): the
 * universe in asset-id order with one margin table per leverage cap, and per coin the simulated
 * mark, mid, funding, open interest and day volume as decimal strings.
 */
import { dexOfCoin } from "../../engine/hyperliquid/perp_dexs.ts";
import { floatToWire } from "../../engine/hyperliquid/wire.ts";
import { BUILDER_DEXES } from "./dexes.ts";
import { num } from "./format.ts";
import { BASE_FUNDING_HOURLY } from "./market.ts";
import type { Simulator } from "./simulator.ts";

/** Formats a large amount with 2 decimals (shortest form, no float noise). */
function cents(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/**
 * The `metaAndAssetCtxs` answer of perp dex `dex` ("" = the main dex; a builder dex of dexes.ts):
 * `[meta, ctxs]`, `ctxs[i]` belonging to `meta.universe[i]`.
 */
export function metaAndAssetCtxs(sim: Simulator, dex = "") {
  const coins = sim.coins.filter((c) => dexOfCoin(c.info.name) === dex);
  const universe = coins.map((c) => ({
    name: c.info.name,
    szDecimals: c.info.szDecimals,
    maxLeverage: c.info.maxLeverage,
    marginTableId: c.info.maxLeverage,
  }));
  const tables = [...new Set(coins.map((c) => c.info.maxLeverage))].map((lev) => [
    lev,
    { description: "", marginTiers: [{ lowerBound: "0.0", maxLeverage: lev }] },
  ]);
  const ctxs = coins.map((c) => {
    const m = c.market;
    const [bid, ask] = sim.bbo(c);
    const mid = bid !== undefined && ask !== undefined ? (bid + ask) / 2 : null;
    // Mark and oracle prices: 6 significant figures, as the exchange reports them.
    const px = (x: number) => num(Number(x.toPrecision(6)));
    return {
      funding: floatToWire(Number(m.funding.toFixed(8))),
      openInterest: cents(m.openInterest),
      prevDayPx: px(m.prevDayPx),
      dayNtlVlm: cents(c.info.dayNtlVlm + m.tradedUsd),
      premium: floatToWire(Number((m.funding - BASE_FUNDING_HOURLY).toFixed(8))),
      oraclePx: px(m.mid),
      markPx: px(m.mid),
      midPx: mid === null ? null : px(mid),
      impactPxs: bid !== undefined && ask !== undefined ? [num(bid), num(ask)] : null,
      dayBaseVlm: cents((c.info.dayNtlVlm + m.tradedUsd) / m.mid),
    };
  });
  const collateralToken = BUILDER_DEXES.find((d) => d.name === dex)?.collateralToken ?? 0;
  return [{ universe, marginTables: tables, collateralToken }, ctxs];
}

/**
 * Gate 3, spread calibration (spec section 10): a recommended `base_spread_bps` (half-spread per
 * side) per coin, written as a ready-to-use `MmAssetConfig` list (`reports/mm_asset_config.json`).
 * Recommended = the largest of: the 1.0 bps minimum viable spread, adverse selection at 10 s with
 * a 20% margin, and half the coin's median book spread; rounded up to 0.1 bps. Coins gate 1
 * excludes get regime "halt"; coins whose median hourly range is above the spec's calm ATR bound
 * (0.15%) get "uncertain"; the rest "calm".
 */

import { gate1Numbers } from "./gate1.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport } from "./gate.ts";
import { partialsOf, round } from "./gate.ts";
import { formatTable } from "./table.ts";
import { DEFAULT_ASSET, type MmAssetConfig } from "../../engine/asset_config.ts";

/** Spec section 10: spreads below 1.0 bps are not viable. */
export const MIN_VIABLE_BPS = 1.0;
/** Margin over measured adverse selection. */
export const ADVERSE_MARGIN = 1.2;
/** Spec phase 9G: calm below 0.15% ATR. */
export const CALM_ATR = 0.0015;

/** One coin's median spread and median hourly range fraction (table `ticks` holds one coin). */
export const GATE3_SQL = `
WITH coin_hours AS (
  SELECT (max(mid) - min(mid)) / avg(mid) AS range_fraction FROM ticks GROUP BY timestamp_ms // 3600000
)
SELECT (SELECT median(spread_bps) FROM ticks) AS median_spread_bps,
  (SELECT median(range_fraction) FROM coin_hours) AS atr_fraction
`;

/** One coin's gate 3 inputs. */
export interface Gate3Partial {
  medianSpreadBps: number;
  atrFraction: number | null;
}

/** Gate 3's per-coin step. */
export function gate3Coin(pass: CoinPass, into: CoinPartials): void {
  const row = pass.db.query(GATE3_SQL)[0];
  into.gate3 = {
    medianSpreadBps: row.median_spread_bps as number,
    atrFraction: row.atr_fraction as number | null,
  };
}

/** Gate 3's result. */
export interface Gate3Result {
  configs: MmAssetConfig[];
  details: {
    coin: string;
    medianSpreadBps: number | null;
    adverse10sBps: number | null;
    recommendedBps: number;
    aboveMinViable: boolean;
  }[];
}

/** Gate 3 report. */
export function gate3(ctx: GateContext): GateReport<Gate3Result> {
  const g1 = new Map(gate1Numbers(ctx).coins.map((c) => [c.coin, c]));
  const details: Gate3Result["details"] = [];
  const configs = partialsOf(ctx, "gate3").map(({ coin, partial: p }): MmAssetConfig => {
    const medianSpread = p.medianSpreadBps;
    const adverse = g1.get(coin)?.adverse10sBps ?? null;
    const raw = Math.max(MIN_VIABLE_BPS, ADVERSE_MARGIN * (adverse ?? 0), medianSpread / 2);
    // Round up in tenths; the epsilon keeps 1.2 * 1.5 = 1.8000000000000003 at 1.8.
    const recommended = Math.ceil(raw * 10 - 1e-9) / 10;
    const atr = p.atrFraction ?? DEFAULT_ASSET.atrFraction;
    details.push({
      coin,
      medianSpreadBps: round(medianSpread),
      adverse10sBps: adverse,
      recommendedBps: recommended,
      aboveMinViable: recommended >= MIN_VIABLE_BPS,
    });
    return {
      coin,
      base_spread_bps: recommended,
      max_inv_usd: DEFAULT_ASSET.maxInvUsd,
      min_order_usd: DEFAULT_ASSET.minOrderUsd,
      atr_fraction: round(atr, 8) as number,
      regime: g1.get(coin)?.exclude ?? true ? "halt" : atr >= CALM_ATR ? "uncertain" : "calm",
    };
  });
  const table = formatTable(
    ["coin", "median spread bps", "AS 10s bps", "base_spread_bps", "atr_fraction", "regime"],
    configs.map((c, i) => [
      c.coin,
      details[i].medianSpreadBps,
      details[i].adverse10sBps,
      c.base_spread_bps.toFixed(1),
      c.atr_fraction.toFixed(6),
      c.regime,
    ]),
  );
  return {
    gate: 3,
    title: "Spread calibration",
    text:
      `${table}\n\nMmAssetConfig written to reports/mm_asset_config.json (${configs.length} coins; ` +
      `every base_spread_bps >= ${MIN_VIABLE_BPS} bps minimum viable)`,
    result: { configs, details },
    charts: {},
    files: { "mm_asset_config.json": JSON.stringify(configs, null, 2) + "\n" },
  };
}

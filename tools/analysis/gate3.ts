/**
 * Gate 3, spread calibration (README, "The five gates"): a recommended `base_spread_bps`
 * (half-spread per side) per coin, written as a ready-to-use `MmAssetConfig` list
 * (`reports/mm_asset_config.json`). Recommended = the largest of: the 1.0 bps minimum viable
 * spread, the half-spread at which a passive fill breaks even (adverse selection at 10 s plus the
 * maker fee: edge.ts, gate 1's definition) with a 20% margin, and half the coin's median book
 * spread; rounded up to 0.1 bps. `atr_fraction` is the coin's median ATR fraction on the regime
 * governor's scale (engine/atr.ts); coins gate 1 excludes get regime "halt", coins at or above the
 * governor's calm bound (`calmAtr`, 0.15%) "uncertain", the rest "calm".
 */

import { DEFAULT_ASSET, type MmAssetConfig } from "../../engine/asset_config.ts";
import { REGIME_DEFAULTS } from "../../engine/regime.ts";
import { breakEvenHalfSpreadBps, edgeBps } from "./edge.ts";
import { gate1Numbers } from "./gate1.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport } from "./gate.ts";
import { partialsOf, quantileSorted, round } from "./gate.ts";
import { formatTable } from "./table.ts";

/** Spec section 10: spreads below 1.0 bps are not viable. */
export const MIN_VIABLE_BPS = 1.0;
/** Margin over the break-even half-spread. */
export const ADVERSE_MARGIN = 1.2;

/** One coin's median spread (table `ticks` holds one coin). */
export const GATE3_SQL = `SELECT median(spread_bps) AS median_spread_bps FROM ticks`;

/** One coin's gate 3 inputs. */
export interface Gate3Partial {
  medianSpreadBps: number;
  /** Median of the governor's ATR fraction at the end of each one-minute bar. */
  atrFraction: number | null;
}

/** Gate 3's per-coin step. */
export function gate3Coin(pass: CoinPass, into: CoinPartials): void {
  const row = pass.db.query(GATE3_SQL)[0];
  into.gate3 = {
    medianSpreadBps: row.median_spread_bps as number,
    atrFraction: quantileSorted(pass.atr().slice().sort(), 0.5),
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
    /** Edge of a fill at the recommended half-spread (gate 1's definition); null unmeasured. */
    edgeBps: number | null;
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
    const raw = Math.max(
      MIN_VIABLE_BPS,
      ADVERSE_MARGIN * breakEvenHalfSpreadBps(adverse ?? 0),
      medianSpread / 2,
    );
    // Round up in tenths; the epsilon keeps 1.2 * 1.5 = 1.8000000000000003 at 1.8.
    const recommended = Math.ceil(raw * 10 - 1e-9) / 10;
    const atr = p.atrFraction ?? DEFAULT_ASSET.atrFraction;
    details.push({
      coin,
      medianSpreadBps: round(medianSpread),
      adverse10sBps: adverse,
      recommendedBps: recommended,
      edgeBps: adverse === null ? null : round(edgeBps(recommended, adverse)),
      aboveMinViable: recommended >= MIN_VIABLE_BPS,
    });
    return {
      coin,
      base_spread_bps: recommended,
      max_inv_usd: DEFAULT_ASSET.maxInvUsd,
      min_order_usd: DEFAULT_ASSET.minOrderUsd,
      atr_fraction: round(atr, 8) as number,
      regime: g1.get(coin)?.exclude ?? true
        ? "halt"
        : atr >= REGIME_DEFAULTS.calmAtr
        ? "uncertain"
        : "calm",
    };
  });
  const table = formatTable(
    [
      "coin",
      "median spread bps",
      "AS 10s bps",
      "base_spread_bps",
      "edge bps",
      "atr_fraction",
      "regime",
    ],
    configs.map((c, i) => [
      c.coin,
      details[i].medianSpreadBps,
      details[i].adverse10sBps,
      c.base_spread_bps.toFixed(1),
      details[i].edgeBps,
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

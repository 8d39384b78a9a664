/**
 * Builder-deployed perp dexes (HIP-3): the `perpDexs` answer, the asset ids of their markets and
 * what their deployers' fee settings do to a maker's fee. Sources in engine/hyperliquid/wire_reference.md
 * (§ Builder-deployed perps): the docs' "Asset IDs" page, `perpDexs` as the TS SDK
 * `@nktkas/hyperliquid` v0.33 types it, and the fee rule of the docs' "Fees" page.
 */
import { GROWTH_MODE_SHARE } from "./exchange_facts.ts";

/** One perp dex: the main (validator-operated) dex is index 0 and named "". */
export interface PerpDex {
  /** Short name, the prefix of its coins (`xyz` in `xyz:XYZ100`); "" for the main dex. */
  name: string;
  /** Position in the `perpDexs` list: part of every asset id of the dex. */
  index: number;
  /** The deployer's fee scale (0 on the main dex, which has none). */
  deployerFeeScale: number;
}

/** Hyperliquid: asset ids of builder dexes start here (docs "Asset IDs"). */
export const BUILDER_ASSET_BASE = 100_000;
/** Hyperliquid: each builder dex owns 10,000 asset ids. */
export const ASSETS_PER_DEX = 10_000;

/**
 * The asset id of the `index`-th coin of `meta.universe` on perp dex `dexIndex`: the index itself
 * on the main dex, else 100000 + dexIndex × 10000 + index.
 */
export function assetIdOf(dexIndex: number, index: number): number {
  if (!Number.isSafeInteger(dexIndex) || dexIndex < 0) {
    throw new Error(`perp dex index must be an integer >= 0, got ${dexIndex}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || (dexIndex > 0 && index >= ASSETS_PER_DEX)) {
    throw new Error(`asset index ${index} does not fit perp dex ${dexIndex}`);
  }
  return dexIndex === 0 ? index : BUILDER_ASSET_BASE + dexIndex * ASSETS_PER_DEX + index;
}

/** The dex part of a coin name: `xyz` for `xyz:XYZ100`, "" for a main-dex coin. */
export function dexOfCoin(coin: string): string {
  const colon = coin.indexOf(":");
  return colon === -1 ? "" : coin.slice(0, colon);
}

/**
 * What a builder dex's deployer fee scale `s` does to every user fee: × (s + 1) below 1, × 2s from
 * 1 up (docs "Fees": the deployer adds fees on top of the base rate and keeps a share); growth
 * mode cuts the result to a tenth. The main dex (no scale) is × 1.
 */
export function feeMultiplier(dex: PerpDex, growthMode = false): number {
  if (dex.index === 0) return 1;
  const s = dex.deployerFeeScale;
  const scaled = s < 1 ? s + 1 : 2 * s;
  return growthMode ? scaled * GROWTH_MODE_SHARE : scaled;
}

/** Reads a `perpDexs` answer: `null` (the main dex) first, then one record per builder dex. */
export function parsePerpDexs(raw: unknown): PerpDex[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error(
      `perpDexs: expected a list starting with null (the main dex), got ${show(raw)}`,
    );
  }
  if (raw[0] !== null) {
    throw new Error(`perpDexs[0] should be null (the main dex), got ${show(raw[0])}`);
  }
  const names = new Set<string>();
  return raw.map((entry, index): PerpDex => {
    if (index === 0) return { name: "", index: 0, deployerFeeScale: 0 };
    const at = `perpDexs[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new Error(`${at} should be a dex record, got ${show(entry)}`);
    }
    const record = entry as Record<string, unknown>;
    const name = record.name;
    if (typeof name !== "string" || !/^[a-z0-9]{1,6}$/i.test(name)) {
      throw new Error(
        `${at}.name should be a dex name of 1 to 6 letters or digits, got ${show(name)}`,
      );
    }
    if (names.has(name)) throw new Error(`${at}.name "${name}" appears twice`);
    names.add(name);
    // Older answers (before fee scales) carry no field: no added fee.
    const scaleText = record.deployerFeeScale ?? "0";
    const scale = typeof scaleText === "string" ? Number(scaleText) : NaN;
    if (!Number.isFinite(scale) || scale < 0 || scale >= 10) {
      throw new Error(
        `${at}.deployerFeeScale (${name}) should be a decimal string from 0 to 10, got ${
          show(record.deployerFeeScale)
        }`,
      );
    }
    return { name, index, deployerFeeScale: scale };
  });
}

/** Splits `MM_DEXES` ("", "main", "xyz", "main,xyz") into dex names; "main" and "" are the main dex. */
export function parseDexList(text: string): string[] {
  const names = text.split(",").map((n) => n.trim()).map((n) => n === "main" ? "" : n);
  const bad = names.find((n) => n !== "" && !/^[a-z0-9]{1,6}$/i.test(n));
  if (bad !== undefined) {
    throw new Error(
      `dex list (MM_DEXES) "${text}": "${bad}" is not a dex name (1 to 6 letters or digits; main = the main dex)`,
    );
  }
  return [...new Set(names)];
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * The tradable universe: `metaAndAssetCtxs` (engine/hyperliquid/README.md § Info requests) of each
 * chosen perp dex read into AssetInfo records, and the coins to quote chosen from it, either the
 * top N by 24 h notional volume across those dexes or an explicit list. Builder-deployed dexes
 * (HIP-3) are listed by `perpDexs` and read with a `dex` field (perp_dexs.ts); their coins are
 * `dex:COIN`. Every name is checked against the live universe before anything subscribes, because
 * the exchange silently drops a socket that subscribes to an unknown coin (section 2.1).
 */
import { GROWTH_MODE_SHARE, REQUESTS_PER_USDC } from "./exchange_facts.ts";
import { assetIdOf, dexOfCoin, feeMultiplier, parsePerpDexs, type PerpDex } from "./perp_dexs.ts";
import type { AssetInfo } from "./types.ts";
import { isRecord } from "../util/guards.ts";
import { errorMessage } from "../util/errors.ts";

/** Sends one `POST /info` body and resolves to the decoded JSON (the engine passes InfoClient's). */
export type PostInfo = (body: object) => Promise<unknown>;

/** Which coins to quote. An explicit `coins` list wins over `topN`. */
export interface CoinSelection {
  /** Exact, case-sensitive names (`MM_COINS=BTC,ETH,kPEPE`). */
  coins?: readonly string[];
  /** How many of the most traded coins to take when no list is given (default 30). */
  topN?: number;
  /**
   * The perp dexes ranked for the top N (`MM_DEXES`; "" = the main dex, the default). The dex
   * of every listed `dex:COIN` is read as well.
   */
  dexes?: readonly string[];
}

/** The whole universe and the coins selected from it. */
export interface Universe {
  /** Every perp of the dexes read, each dex in `meta.universe` order. */
  assets: AssetInfo[];
  /** The coins to quote, in selection order. */
  selected: AssetInfo[];
}

/** Default number of coins quoted when no explicit list is given (issue 3: MM_COINS_TOP_N). */
export const DEFAULT_TOP_N = 30;

/**
 * Fetches `metaAndAssetCtxs` of every dex needed through `postInfo` (and `perpDexs` when a
 * builder dex is among them) and selects the coins to quote.
 */
export async function loadUniverse(
  postInfo: PostInfo,
  selection: CoinSelection,
): Promise<Universe> {
  const wanted = new Set(selection.dexes ?? [""]);
  for (const coin of selection.coins ?? []) wanted.add(dexOfCoin(coin));
  let dexes: PerpDex[] = [{ name: "", index: 0, deployerFeeScale: 0 }];
  if ([...wanted].some((name) => name !== "")) {
    dexes = parsePerpDexs(await ask(postInfo, { type: "perpDexs" }));
  }
  const assets: AssetInfo[] = [];
  for (const name of wanted) {
    const dex = dexes.find((d) => d.name === name);
    if (dex === undefined) {
      const known = dexes.filter((d) => d.index > 0).map((d) => d.name).join(", ") || "none";
      throw new Error(`perp dex "${name}" is not listed by perpDexs (builder dexes: ${known})`);
    }
    const body = name === ""
      ? { type: "metaAndAssetCtxs" }
      : { type: "metaAndAssetCtxs", dex: name };
    assets.push(...parseMetaAndAssetCtxs(await ask(postInfo, body), dex));
  }
  return { assets, selected: selectCoins(assets, selection) };
}

async function ask(postInfo: PostInfo, body: { type: string; dex?: string }): Promise<unknown> {
  try {
    return await postInfo(body);
  } catch (error) {
    const what = body.dex === undefined ? body.type : `${body.type} (dex ${body.dex})`;
    throw new Error(`${what} request failed: ${errorMessage(error)}`, { cause: error });
  }
}

const MAIN_DEX: PerpDex = { name: "", index: 0, deployerFeeScale: 0 };

/**
 * Reads a `metaAndAssetCtxs` response of perp dex `dex` (default the main dex); throws naming the
 * first field that is not as documented.
 */
export function parseMetaAndAssetCtxs(raw: unknown, dex: PerpDex = MAIN_DEX): AssetInfo[] {
  if (!Array.isArray(raw) || raw.length !== 2) {
    throw new Error(`metaAndAssetCtxs: expected a [meta, assetCtxs] pair, got ${describe(raw)}`);
  }
  const [meta, ctxs] = raw;
  if (!isRecord(meta) || !Array.isArray(meta.universe)) {
    throw new Error(`metaAndAssetCtxs: meta.universe is not an array (got ${describe(meta)})`);
  }
  const universe: unknown[] = meta.universe;
  if (!Array.isArray(ctxs) || ctxs.length !== universe.length) {
    throw new Error(
      `metaAndAssetCtxs: expected ${universe.length} asset contexts (one per universe entry), ` +
        `got ${Array.isArray(ctxs) ? ctxs.length : describe(ctxs)}`,
    );
  }
  const collateralToken = meta.collateralToken ?? 0;
  if (!Number.isSafeInteger(collateralToken) || (collateralToken as number) < 0) {
    throw new Error(
      `metaAndAssetCtxs: meta.collateralToken is ${
        describe(meta.collateralToken)
      }, expected a token index`,
    );
  }
  const names = new Set<string>();
  return universe.map((entry, i) => {
    const at = `meta.universe[${i}]`;
    if (!isRecord(entry)) throw new Error(`metaAndAssetCtxs: ${at} is ${describe(entry)}`);
    const name = entry.name;
    if (typeof name !== "string" || name === "") {
      throw new Error(`metaAndAssetCtxs: ${at}.name is ${describe(name)}, expected a coin name`);
    }
    if (names.has(name)) throw new Error(`metaAndAssetCtxs: ${at}.name "${name}" appears twice`);
    if (dexOfCoin(name) !== dex.name) {
      throw new Error(
        `metaAndAssetCtxs: ${at}.name "${name}" does not belong to ${
          dex.name === "" ? "the main dex" : `dex "${dex.name}" (expected "${dex.name}:…")`
        }`,
      );
    }
    names.add(name);
    const szDecimals = entry.szDecimals;
    if (!Number.isSafeInteger(szDecimals) || (szDecimals as number) < 0) {
      throw new Error(
        `metaAndAssetCtxs: ${at}.szDecimals (${name}) is ${describe(szDecimals)}, ` +
          `expected an integer >= 0`,
      );
    }
    const maxLeverage = entry.maxLeverage;
    if (typeof maxLeverage !== "number" || !(maxLeverage > 0)) {
      throw new Error(
        `metaAndAssetCtxs: ${at}.maxLeverage (${name}) is ${describe(maxLeverage)}, ` +
          `expected a positive number`,
      );
    }
    if (entry.isDelisted !== undefined && typeof entry.isDelisted !== "boolean") {
      throw new Error(
        `metaAndAssetCtxs: ${at}.isDelisted (${name}) is ${describe(entry.isDelisted)}`,
      );
    }
    const ctx = ctxs[i];
    const ctxAt = `assetCtxs[${i}] (${name})`;
    if (!isRecord(ctx)) throw new Error(`metaAndAssetCtxs: ${ctxAt} is ${describe(ctx)}`);
    const growthMode = entry.growthMode === "enabled";
    return {
      name,
      assetIndex: assetIdOf(dex.index, i),
      dex: dex.name,
      feeMultiplier: feeMultiplier(dex, growthMode),
      requestCredit: growthMode ? REQUESTS_PER_USDC * GROWTH_MODE_SHARE : REQUESTS_PER_USDC,
      collateralToken: collateralToken as number,
      szDecimals: szDecimals as number,
      maxLeverage,
      fundingHourly: decimal(ctx, "funding", ctxAt),
      markPx: decimal(ctx, "markPx", ctxAt),
      midPx: ctx.midPx === null || ctx.midPx === undefined ? null : decimal(ctx, "midPx", ctxAt),
      dayNtlVlm: decimal(ctx, "dayNtlVlm", ctxAt),
      isDelisted: entry.isDelisted === true,
    };
  });
}

/**
 * Picks the coins to quote: the explicit list (each name must exist, exactly as spelled, and
 * not be delisted) or else the `topN` live coins by 24 h notional volume.
 */
export function selectCoins(assets: readonly AssetInfo[], selection: CoinSelection): AssetInfo[] {
  if (selection.coins !== undefined && selection.coins.length > 0) {
    return pickListed(assets, selection.coins);
  }
  const topN = selection.topN ?? DEFAULT_TOP_N;
  if (!Number.isSafeInteger(topN) || topN < 1) {
    throw new Error(`top-N coin count (MM_COINS_TOP_N) must be a positive integer, got ${topN}`);
  }
  return assets
    .filter((asset) => !asset.isDelisted)
    .sort((a, b) => b.dayNtlVlm - a.dayNtlVlm || a.assetIndex - b.assetIndex)
    .slice(0, topN);
}

/** Splits a coin list such as `MM_COINS` ("BTC, ETH,kPEPE") into names; case is kept. */
export function parseCoinList(text: string): string[] {
  const names = text.split(",").map((name) => name.trim());
  const empty = names.findIndex((name) => name === "");
  if (empty !== -1) {
    throw new Error(`coin list (MM_COINS) "${text}" has an empty entry at position ${empty + 1}`);
  }
  return names;
}

function pickListed(assets: readonly AssetInfo[], coins: readonly string[]): AssetInfo[] {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const seen = new Set<string>();
  return coins.map((coin) => {
    if (seen.has(coin)) throw new Error(`coin list (MM_COINS): "${coin}" is listed twice`);
    seen.add(coin);
    const asset = byName.get(coin);
    if (asset === undefined) {
      const sameLetters = assets.find((a) => a.name.toLowerCase() === coin.toLowerCase());
      const hint = sameLetters === undefined
        ? "it is not in the exchange's universe"
        : `names are case-sensitive: did you mean "${sameLetters.name}"?`;
      throw new Error(`coin list (MM_COINS): unknown coin "${coin}" (${hint})`);
    }
    if (asset.isDelisted) {
      throw new Error(`coin list (MM_COINS): "${coin}" is delisted and cannot be quoted`);
    }
    return asset;
  });
}

/** A decimal string field (numbers are strings on the wire; a JSON number is accepted too). */
function decimal(record: Record<string, unknown>, field: string, at: string): number {
  const value = record[field];
  const number = typeof value === "number"
    ? value
    : typeof value === "string" && value.trim() !== ""
    ? Number(value)
    : NaN;
  if (!Number.isFinite(number)) {
    throw new Error(
      `metaAndAssetCtxs: ${at}.${field} is ${describe(value)}, expected a decimal string`,
    );
  }
  return number;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

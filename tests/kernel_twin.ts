/**
 * Plain TypeScript twin of the WASM kernel (wasm/assembly/*): the readable specification.
 *
 * Used only by tests (which require bit-identical output from kernel and twin on the same
 * inputs) and benches (which show the speed ratio). Every expression is written in the same
 * order as in the kernel, so IEEE-754 gives the same bits in both.
 *
 * @module
 */
import {
  GRID_LEVELS,
  LATENCY_CAPACITY,
  MAX_COINS,
  MODEL_GLFT,
  MODEL_GRID,
  MODEL_MICROPRICE,
  OFI_WINDOW,
  SIDE_ASK,
  SIDE_BID,
  STATUS_BAD_INPUT,
  STATUS_BELOW_MIN_NOTIONAL,
  STATUS_CROSSED_BOOK,
  STATUS_EMPTY_BOOK,
  STATUS_INVENTORY_LIMIT,
  STATUS_OK,
  STATUS_PRICE_UNREPRESENTABLE,
} from "../wasm/layout.ts";

/** Grid shift per unit of q = inventory / max_inv_usd, in regime-scaled base half-spreads. */
export const SKEW_GAIN = 1.0;
/** Hyperliquid: minimum order value is $10 (perps). */
export const MIN_NOTIONAL_USD = 10.0;
/** Prices at or above this are bad input (scaled prices stay exact integers below 2^53). */
export const MAX_PRICE = 1e12;
/** min_order_usd above this is bad input (scaled sizes stay exact integers below 2^53). */
export const MAX_ORDER_USD = 1e6;
/** Largest szDecimals the perp price rule allows (6 - szDecimals decimals). */
export const MAX_SZ_DECIMALS = 6;
/** Level offsets in base half-spreads (1.5, 3.75, 7.5 bps at 1.5 bps; README, "The grid"). */
export const LEVEL_OFFSETS = [1.0, 2.5, 5.0] as const;
/** OFI lots per coin unit: sizes are summed exactly as integers of 10^-6 coin. */
export const OFI_LOTS_PER_UNIT = 1e6;
/** Largest OFI trade size accepted, in coin units. */
export const OFI_MAX_TRADE_SIZE = 1e10;

/** 10^e for e in 0..6, exact. */
export function pow10(e: number): number {
  return [1, 10, 100, 1000, 10000, 100000, 1000000][Math.max(0, Math.min(6, e))];
}

/** Decimals allowed near px: 5 significant figures, at most 6 - szDecimals (Hyperliquid perps). */
export function priceDecimals(px: number, szDecimals: number): number {
  let sig = 6;
  if (px >= 10000) sig = 0;
  else if (px >= 1000) sig = 1;
  else if (px >= 100) sig = 2;
  else if (px >= 10) sig = 3;
  else if (px >= 1) sig = 4;
  else if (px >= 0.1) sig = 5;
  return Math.min(sig, 6 - szDecimals);
}

/** Snap, in steps: within SNAP + SNAP_RELATIVE * |value| steps of a multiple is that multiple. */
export const SNAP = 1e-9;
/** Relative part of the snap: undoes usd / px noise (36 / 0.00001 = 3599999.9999999995). */
export const SNAP_RELATIVE = 1e-12;

/** x rounded down to a multiple of 1 / scale, snapping float noise (100000 * 1.00015). */
export function floorTo(x: number, scale: number): number {
  const y = x * scale;
  return Math.floor(y + (SNAP + SNAP_RELATIVE * Math.abs(y))) / scale;
}

/** x rounded up to a multiple of 1 / scale, snapping float noise. */
export function ceilTo(x: number, scale: number): number {
  const y = x * scale;
  return Math.ceil(y - (SNAP + SNAP_RELATIVE * Math.abs(y))) / scale;
}

/** Same fields and calls as engine/kernel.ts's Kernel, computed in plain TypeScript. */
export class KernelTwin {
  /** Input per coin: best bid (0 = empty side). */
  readonly bestBid = new Float64Array(MAX_COINS);
  /** Input per coin: best ask (0 = empty side). */
  readonly bestAsk = new Float64Array(MAX_COINS);
  /** Input per coin: szDecimals. */
  readonly szDecimals = new Uint8Array(MAX_COINS);
  /** Input per coin: signed inventory in USD. */
  readonly inventoryUsd = new Float64Array(MAX_COINS);
  /** Input per coin: max_inv_usd. */
  readonly maxInvUsd = new Float64Array(MAX_COINS).fill(200);
  /** Input per coin: base_spread_bps. */
  readonly baseSpreadBps = new Float64Array(MAX_COINS).fill(1.5);
  /** Input per coin: min_order_usd. */
  readonly minOrderUsd = new Float64Array(MAX_COINS).fill(12);
  /** Input per coin: regime multiplier. */
  readonly regimeMultiplier = new Float64Array(MAX_COINS).fill(1);
  /** Input per coin: SIDE_BID | SIDE_ASK. */
  readonly sideMask = new Uint8Array(MAX_COINS).fill(SIDE_BID | SIDE_ASK);
  /** Input per coin: MODEL_GRID, MODEL_MICROPRICE or MODEL_GLFT. */
  readonly quoteModel = new Uint8Array(MAX_COINS);
  /** Input per coin: size at the best bid. */
  readonly bestBidSz = new Float64Array(MAX_COINS);
  /** Input per coin: size at the best ask. */
  readonly bestAskSz = new Float64Array(MAX_COINS);
  /** Input per coin: GLFT c1, bps. */
  readonly glftC1 = new Float64Array(MAX_COINS);
  /** Input per coin: GLFT c2, square-root seconds per order. */
  readonly glftC2 = new Float64Array(MAX_COINS);
  /** Input per coin: GLFT sigma, bps per square-root second. */
  readonly glftSigma = new Float64Array(MAX_COINS);
  /** Output: bid prices, coin * 3 + level. */
  readonly bidPx = new Float64Array(MAX_COINS * GRID_LEVELS);
  /** Output: bid sizes, coin * 3 + level. */
  readonly bidSz = new Float64Array(MAX_COINS * GRID_LEVELS);
  /** Output: ask prices, coin * 3 + level. */
  readonly askPx = new Float64Array(MAX_COINS * GRID_LEVELS);
  /** Output: ask sizes, coin * 3 + level. */
  readonly askSz = new Float64Array(MAX_COINS * GRID_LEVELS);
  /** Output per coin: price increment at the mid. */
  readonly tick = new Float64Array(MAX_COINS);
  /** Output per coin: STATUS_* flags. */
  readonly status = new Uint8Array(MAX_COINS);

  #ofiRing = Array.from({ length: MAX_COINS }, () => new BigInt64Array(OFI_WINDOW));
  #ofiHead = new Int32Array(MAX_COINS);
  #ofiCount = new Int32Array(MAX_COINS);
  #ofiBuy = new BigInt64Array(MAX_COINS);
  #ofiSell = new BigInt64Array(MAX_COINS);
  #latency = new Float64Array(LATENCY_CAPACITY);
  #latencyHead = 0;
  #latencyCount = 0;

  /** Quotes coins 0..coinCount-1; returns how many were beyond capacity. */
  computeQuotes(coinCount: number): number {
    const n = Math.max(0, Math.min(MAX_COINS, coinCount));
    for (let c = 0; c < n; c++) this.#quoteCoin(c);
    return coinCount > MAX_COINS ? coinCount - MAX_COINS : 0;
  }

  #inputStatus(c: number): number {
    const bid = this.bestBid[c];
    const ask = this.bestAsk[c];
    const maxInv = this.maxInvUsd[c];
    const spread = this.baseSpreadBps[c];
    const minOrder = this.minOrderUsd[c];
    if (
      !(bid >= 0 && bid < MAX_PRICE) || !(ask >= 0 && ask < MAX_PRICE) ||
      this.szDecimals[c] > MAX_SZ_DECIMALS ||
      !Number.isFinite(this.inventoryUsd[c]) ||
      !(maxInv > 0 && Number.isFinite(maxInv)) ||
      !(spread >= 0 && Number.isFinite(spread)) ||
      !(minOrder > 0 && minOrder <= MAX_ORDER_USD) ||
      !Number.isFinite(this.regimeMultiplier[c]) ||
      !this.#modelInputsValid(c)
    ) return STATUS_BAD_INPUT;
    if (bid === 0 || ask === 0) return STATUS_EMPTY_BOOK;
    if (bid >= ask) return STATUS_CROSSED_BOOK;
    return STATUS_OK;
  }

  /** Only the inputs of the coin's own model are checked. */
  #modelInputsValid(c: number): boolean {
    const model = this.quoteModel[c];
    if (model === MODEL_MICROPRICE) {
      const bidSz = this.bestBidSz[c];
      const askSz = this.bestAskSz[c];
      return bidSz >= 0 && Number.isFinite(bidSz) && askSz >= 0 && Number.isFinite(askSz);
    }
    if (model === MODEL_GLFT) {
      const c1 = this.glftC1[c];
      const c2 = this.glftC2[c];
      const sigma = this.glftSigma[c];
      return c1 > 0 && Number.isFinite(c1) && c2 >= 0 && Number.isFinite(c2) &&
        sigma >= 0 && Number.isFinite(sigma);
    }
    return model === MODEL_GRID;
  }

  #quoteCoin(c: number): void {
    for (let l = 0; l < GRID_LEVELS; l++) {
      const i = c * GRID_LEVELS + l;
      this.bidPx[i] =
        this.bidSz[i] =
        this.askPx[i] =
        this.askSz[i] =
          0;
    }
    const status = this.#inputStatus(c);
    if (status !== STATUS_OK) {
      this.tick[c] = 0;
      this.status[c] = status;
      return;
    }
    const bestBid = this.bestBid[c];
    const bestAsk = this.bestAsk[c];
    const szDecimals = this.szDecimals[c];
    const regime = this.regimeMultiplier[c];
    const ratio = this.inventoryUsd[c] / this.maxInvUsd[c];
    const mid = (bestBid + bestAsk) * 0.5;
    const multiplier = regime < 1 ? 1 : regime > 4 ? 4 : regime;
    const q = ratio > 1 ? 1 : ratio < -1 ? -1 : ratio;
    const model = this.quoteModel[c];
    // Grid and microprice: unit is the regime-scaled base half-spread as a fraction of the
    // centre (bps / 10^4) and the whole grid shifts by -SKEW_GAIN * q * unit. GLFT: unit is the
    // regime per bps; half = c1 + sigma * c2 / 2 and skew = sigma * c2 * Q (Q in level-1 orders),
    // both in bps, the skew within [-half, half].
    let unit = this.baseSpreadBps[c] * multiplier / 10000;
    let skew = SKEW_GAIN * q;
    let half = 1;
    let center = mid;
    if (model === MODEL_MICROPRICE) {
      const bidSz = this.bestBidSz[c];
      const askSz = this.bestAskSz[c];
      if (bidSz > 0 && askSz > 0) center = (bestBid * askSz + bestAsk * bidSz) / (bidSz + askSz);
    } else if (model === MODEL_GLFT) {
      const sigma = this.glftSigma[c];
      const c2 = this.glftC2[c];
      half = this.glftC1[c] + sigma * c2 * 0.5;
      const s = sigma * c2 * (this.inventoryUsd[c] / this.minOrderUsd[c]);
      skew = s > half ? half : s < -half ? -half : s;
      unit = multiplier / 10000;
    }
    const sizeScale = pow10(szDecimals);
    this.tick[c] = 1 / pow10(priceDecimals(mid, szDecimals));

    let flags = STATUS_OK;
    let bidOn = (this.sideMask[c] & SIDE_BID) !== 0;
    let askOn = (this.sideMask[c] & SIDE_ASK) !== 0;
    // At or beyond max_inv_usd the side that would grow the position is not quoted.
    if (bidOn && ratio >= 1) {
      bidOn = false;
      flags |= STATUS_INVENTORY_LIMIT;
    }
    if (askOn && ratio <= -1) {
      askOn = false;
      flags |= STATUS_INVENTORY_LIMIT;
    }
    const level = { px: 0, sz: 0 };
    for (let l = 0; l < GRID_LEVELS; l++) {
      const offset = LEVEL_OFFSETS[l] * half;
      const usd = this.minOrderUsd[c] * (l + 1);
      const i = c * GRID_LEVELS + l;
      if (bidOn) {
        const raw = center * (1 - (offset + skew) * unit);
        flags |= placeLevel(raw, true, bestBid, bestAsk, szDecimals, sizeScale, usd, level);
        this.bidPx[i] = level.px;
        this.bidSz[i] = level.sz;
      }
      if (askOn) {
        const raw = center * (1 + (offset - skew) * unit);
        flags |= placeLevel(raw, false, bestBid, bestAsk, szDecimals, sizeScale, usd, level);
        this.askPx[i] = level.px;
        this.askSz[i] = level.sz;
      }
    }
    this.status[c] = flags;
  }

  /** Adds a taker trade to the coin's window; false for a bad coin or size. */
  ofiPush(coin: number, isBuy: boolean, size: number): boolean {
    if (!(coin >= 0 && coin < MAX_COINS) || !(size > 0 && size <= OFI_MAX_TRADE_SIZE)) return false;
    const lots = BigInt(Math.floor(size * OFI_LOTS_PER_UNIT + 0.5));
    if (lots === 0n) return false;
    const ring = this.#ofiRing[coin];
    const head = this.#ofiHead[coin];
    if (this.#ofiCount[coin] === OFI_WINDOW) {
      const old = ring[head];
      if (old > 0n) this.#ofiBuy[coin] -= old;
      else this.#ofiSell[coin] += old;
    } else {
      this.#ofiCount[coin]++;
    }
    ring[head] = isBuy ? lots : -lots;
    if (isBuy) this.#ofiBuy[coin] += lots;
    else this.#ofiSell[coin] += lots;
    this.#ofiHead[coin] = head + 1 === OFI_WINDOW ? 0 : head + 1;
    return true;
  }

  /** (buy - sell) / (buy + sell) over the coin's window; 0 without trades. */
  ofi(coin: number): number {
    const buy = this.#ofiBuy[coin];
    const sell = this.#ofiSell[coin];
    const total = buy + sell;
    if (total === 0n) return 0;
    return Number(buy - sell) / Number(total);
  }

  /** Trades in the coin's window. */
  ofiCount(coin: number): number {
    return this.#ofiCount[coin];
  }

  /** Empties the coin's window. */
  ofiReset(coin: number): void {
    this.#ofiBuy[coin] = 0n;
    this.#ofiSell[coin] = 0n;
    this.#ofiHead[coin] = 0;
    this.#ofiCount[coin] = 0;
  }

  /** Records a latency sample (finite, >= 0); false if rejected. */
  latencyRecord(sample: number): boolean {
    if (!(sample >= 0 && Number.isFinite(sample))) return false;
    this.#latency[this.#latencyHead] = sample + 0;
    this.#latencyHead = this.#latencyHead + 1 === LATENCY_CAPACITY ? 0 : this.#latencyHead + 1;
    if (this.#latencyCount < LATENCY_CAPACITY) this.#latencyCount++;
    return true;
  }

  /** Nearest-rank percentile: sorted[max(1, ceil(p * n / 100)) - 1]; NaN when empty. */
  latencyPercentile(p: number): number {
    const n = this.#latencyCount;
    if (n === 0 || !(p >= 0 && p <= 100)) return NaN;
    const sorted = this.#latency.slice(0, n).sort();
    const rank = Math.max(1, Math.ceil(p * n / 100));
    return sorted[rank - 1];
  }

  /** Samples held. */
  latencyCount(): number {
    return this.#latencyCount;
  }

  /** Forgets every sample. */
  latencyReset(): void {
    this.#latencyHead = 0;
    this.#latencyCount = 0;
  }
}

function placeLevel(
  raw: number,
  isBid: boolean,
  bestBid: number,
  bestAsk: number,
  szDecimals: number,
  sizeScale: number,
  usd: number,
  out: { px: number; sz: number },
): number {
  out.px = 0;
  out.sz = 0;
  if (!(raw > 0)) return STATUS_PRICE_UNREPRESENTABLE;
  const scale = pow10(priceDecimals(raw, szDecimals));
  // Rounding never makes a quote more aggressive: bids down, asks up.
  const px = isBid ? floorTo(raw, scale) : ceilTo(raw, scale);
  // Post-only: a bid at or above the best ask (an ask at or below the best bid) would cross.
  if (px <= 0 || (isBid ? px >= bestAsk : px <= bestBid)) return STATUS_PRICE_UNREPRESENTABLE;
  const sz = floorTo(usd / px, sizeScale);
  if (px * sz < MIN_NOTIONAL_USD) return STATUS_BELOW_MIN_NOTIONAL;
  out.px = px;
  out.sz = sz;
  return STATUS_OK;
}

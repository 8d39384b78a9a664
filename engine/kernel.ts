/**
 * Loads the WASM kernel (wasm/build/kernel.wasm) and owns the typed-array views on its memory.
 *
 * The memory is fixed-size (initial = maximum pages, imported by the module), so the views
 * created here never detach: the engine writes inputs into them, calls
 * {@linkcode Kernel.computeQuotes} once per tick, and reads the quotes back, without copying
 * or allocating. Layout and status codes: wasm/layout.ts.
 *
 * @module
 */
import { DEFAULT_ASSET } from "./asset_config.ts";
import {
  ASK_PX_OFFSET,
  ASK_SZ_OFFSET,
  BASE_SPREAD_BPS_OFFSET,
  BEST_ASK_OFFSET,
  BEST_ASK_SZ_OFFSET,
  BEST_BID_OFFSET,
  BEST_BID_SZ_OFFSET,
  BID_PX_OFFSET,
  BID_SZ_OFFSET,
  GLFT_C1_OFFSET,
  GLFT_C2_OFFSET,
  GLFT_SIGMA_OFFSET,
  GRID_LEVELS,
  INVENTORY_USD_OFFSET,
  KERNEL_MEMORY_PAGES,
  MAX_COINS,
  MAX_INV_USD_OFFSET,
  MIN_ORDER_USD_OFFSET,
  QUOTE_MODEL_OFFSET,
  REGIME_MULTIPLIER_OFFSET,
  SIDE_ASK,
  SIDE_BID,
  SIDE_MASK_OFFSET,
  STATUS_OFFSET,
  SZ_DECIMALS_OFFSET,
  TICK_OFFSET,
} from "../wasm/layout.ts";

export {
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
  STATUS_NO_QUOTE,
  STATUS_OK,
  STATUS_PRICE_UNREPRESENTABLE,
} from "../wasm/layout.ts";

/** Where the build task writes the kernel. */
export const KERNEL_WASM_URL: URL = new URL("../wasm/build/kernel.wasm", import.meta.url);

interface KernelExports {
  computeQuotes(coinCount: number): number;
  ofiPush(coin: number, isBuy: number, size: number): number;
  ofiValue(coin: number): number;
  ofiCount(coin: number): number;
  ofiReset(coin: number): void;
  latencyRecord(sample: number): number;
  latencyPercentile(p: number): number;
  latencyCount(): number;
  latencyReset(): void;
}

const EXPORT_NAMES: (keyof KernelExports)[] = [
  "computeQuotes",
  "ofiPush",
  "ofiValue",
  "ofiCount",
  "ofiReset",
  "latencyRecord",
  "latencyPercentile",
  "latencyCount",
  "latencyReset",
];

/**
 * The loaded kernel: input views, one call per tick, output views, OFI and latency rings.
 * Inputs start at the spec defaults (max_inv_usd, base_spread_bps and min_order_usd of
 * `DEFAULT_ASSET`, engine/asset_config.ts; regime multiplier 1, both sides allowed, the grid
 * model); prices, sizes, szDecimals, inventory and the GLFT inputs start at 0.
 */
export class Kernel {
  /** The kernel's whole linear memory (fixed size: never grows, so views never detach). */
  readonly memory: WebAssembly.Memory;

  /** Input per coin: best bid price (0 = empty side). */
  readonly bestBid: Float64Array;
  /** Input per coin: best ask price (0 = empty side). */
  readonly bestAsk: Float64Array;
  /** Input per coin: Hyperliquid szDecimals (0..6). */
  readonly szDecimals: Uint8Array;
  /** Input per coin: signed inventory in USD (long > 0). */
  readonly inventoryUsd: Float64Array;
  /** Input per coin: max_inv_usd (spec default: `DEFAULT_ASSET`). */
  readonly maxInvUsd: Float64Array;
  /** Input per coin: base_spread_bps, the level-1 half-spread (spec default: `DEFAULT_ASSET`). */
  readonly baseSpreadBps: Float64Array;
  /** Input per coin: min_order_usd, the level-1 order value (spec default: `DEFAULT_ASSET`). */
  readonly minOrderUsd: Float64Array;
  /** Input per coin: regime spread multiplier (clamped to [1, 4] by the kernel). */
  readonly regimeMultiplier: Float64Array;
  /** Input per coin: allowed sides, SIDE_BID | SIDE_ASK (0 = quote nothing). */
  readonly sideMask: Uint8Array;
  /** Input per coin: MODEL_GRID (default), MODEL_MICROPRICE or MODEL_GLFT. */
  readonly quoteModel: Uint8Array;
  /** Input per coin: size at the best bid, coin units (microprice; 0 = unknown: the mid). */
  readonly bestBidSz: Float64Array;
  /** Input per coin: size at the best ask, coin units (microprice; 0 = unknown: the mid). */
  readonly bestAskSz: Float64Array;
  /** Input per coin: GLFT c1 in bps of the mid (engine/quote_models/glft.ts). */
  readonly glftC1: Float64Array;
  /** Input per coin: GLFT c2 in square-root seconds per order (engine/quote_models/glft.ts). */
  readonly glftC2: Float64Array;
  /** Input per coin: GLFT volatility in bps of the mid per square-root second. */
  readonly glftSigma: Float64Array;

  /** Output, index coin * 3 + level: bid price (0 = no quote). */
  readonly bidPx: Float64Array;
  /** Output, index coin * 3 + level: bid size in coin units (0 = no quote). */
  readonly bidSz: Float64Array;
  /** Output, index coin * 3 + level: ask price (0 = no quote). */
  readonly askPx: Float64Array;
  /** Output, index coin * 3 + level: ask size in coin units (0 = no quote). */
  readonly askSz: Float64Array;
  /** Output per coin: the price increment at the mid (0 when the coin is not quoted). */
  readonly tick: Float64Array;
  /** Output per coin: STATUS_* flags (STATUS_OK = 0). */
  readonly status: Uint8Array;

  /** Coins one call can quote. */
  readonly MAX_COINS: number = MAX_COINS;

  #exports: KernelExports;
  /** Per coin, how many times its OFI window was pushed to or reset. */
  readonly #ofiChanges = new Float64Array(MAX_COINS);

  /** Wraps an instantiated kernel; use {@linkcode loadKernel} instead. */
  constructor(memory: WebAssembly.Memory, exports: KernelExports) {
    this.memory = memory;
    this.#exports = exports;
    const buffer = memory.buffer;
    const f64 = (offset: number, length: number) => new Float64Array(buffer, offset, length);
    const u8 = (offset: number) => new Uint8Array(buffer, offset, MAX_COINS);
    const levels = MAX_COINS * GRID_LEVELS;
    this.bestBid = f64(BEST_BID_OFFSET, MAX_COINS);
    this.bestAsk = f64(BEST_ASK_OFFSET, MAX_COINS);
    this.szDecimals = u8(SZ_DECIMALS_OFFSET);
    this.inventoryUsd = f64(INVENTORY_USD_OFFSET, MAX_COINS);
    this.maxInvUsd = f64(MAX_INV_USD_OFFSET, MAX_COINS);
    this.baseSpreadBps = f64(BASE_SPREAD_BPS_OFFSET, MAX_COINS);
    this.minOrderUsd = f64(MIN_ORDER_USD_OFFSET, MAX_COINS);
    this.regimeMultiplier = f64(REGIME_MULTIPLIER_OFFSET, MAX_COINS);
    this.sideMask = u8(SIDE_MASK_OFFSET);
    this.quoteModel = u8(QUOTE_MODEL_OFFSET);
    this.bestBidSz = f64(BEST_BID_SZ_OFFSET, MAX_COINS);
    this.bestAskSz = f64(BEST_ASK_SZ_OFFSET, MAX_COINS);
    this.glftC1 = f64(GLFT_C1_OFFSET, MAX_COINS);
    this.glftC2 = f64(GLFT_C2_OFFSET, MAX_COINS);
    this.glftSigma = f64(GLFT_SIGMA_OFFSET, MAX_COINS);
    this.bidPx = f64(BID_PX_OFFSET, levels);
    this.bidSz = f64(BID_SZ_OFFSET, levels);
    this.askPx = f64(ASK_PX_OFFSET, levels);
    this.askSz = f64(ASK_SZ_OFFSET, levels);
    this.tick = f64(TICK_OFFSET, MAX_COINS);
    this.status = u8(STATUS_OFFSET);
    this.maxInvUsd.fill(DEFAULT_ASSET.maxInvUsd);
    this.baseSpreadBps.fill(DEFAULT_ASSET.baseSpreadBps);
    this.minOrderUsd.fill(DEFAULT_ASSET.minOrderUsd);
    this.regimeMultiplier.fill(1);
    this.sideMask.fill(SIDE_BID | SIDE_ASK);
  }

  /**
   * Computes the quotes of coins 0..coinCount-1 from the input views into the output views.
   * Returns how many coins were beyond MAX_COINS and got no quotes (0 when all fit).
   */
  computeQuotes(coinCount: number): number {
    if (!Number.isInteger(coinCount) || coinCount < 0) {
      throw new RangeError(`kernel: coinCount must be a non-negative integer, got ${coinCount}`);
    }
    return this.#exports.computeQuotes(Math.min(coinCount, 0x7fffffff));
  }

  /** Adds a taker trade to the coin's 200-trade OFI window; false if the size was rejected. */
  ofiPush(coin: number, isBuy: boolean, size: number): boolean {
    checkCoin(coin);
    this.#ofiChanges[coin]++;
    return this.#exports.ofiPush(coin, isBuy ? 1 : 0, size) === 1;
  }

  /**
   * How many times the coin's OFI window was pushed to or reset: while it stays the same, so do
   * {@link ofi} and {@link ofiCount}, and a reader may skip asking.
   */
  ofiChanges(coin: number): number {
    checkCoin(coin);
    return this.#ofiChanges[coin];
  }

  /** The coin's order-flow imbalance, (buy - sell) / (buy + sell) in [-1, 1]; 0 without trades. */
  ofi(coin: number): number {
    checkCoin(coin);
    return this.#exports.ofiValue(coin);
  }

  /** Trades currently in the coin's OFI window (at most OFI_WINDOW). */
  ofiCount(coin: number): number {
    checkCoin(coin);
    return this.#exports.ofiCount(coin);
  }

  /** Empties the coin's OFI window. */
  ofiReset(coin: number): void {
    checkCoin(coin);
    this.#ofiChanges[coin]++;
    this.#exports.ofiReset(coin);
  }

  /** Records a latency sample (finite, >= 0; e.g. microseconds); false if rejected. */
  latencyRecord(sample: number): boolean {
    return this.#exports.latencyRecord(sample) === 1;
  }

  /** Nearest-rank percentile (p in [0, 100]) of the held samples; NaN when there are none. */
  latencyPercentile(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new RangeError(`kernel: percentile must be within [0, 100], got ${p}`);
    }
    return this.#exports.latencyPercentile(p);
  }

  /** Latency samples held (at most LATENCY_CAPACITY). */
  latencyCount(): number {
    return this.#exports.latencyCount();
  }

  /** Forgets every latency sample. */
  latencyReset(): void {
    this.#exports.latencyReset();
  }
}

function checkCoin(coin: number): void {
  if (!Number.isInteger(coin) || coin < 0 || coin >= MAX_COINS) {
    throw new RangeError(`kernel: coin index must be an integer in [0, ${MAX_COINS}), got ${coin}`);
  }
}

/** Loads and instantiates the kernel (by default wasm/build/kernel.wasm next to this module). */
export async function loadKernel(wasmUrl: URL = KERNEL_WASM_URL): Promise<Kernel> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await Deno.readFile(wasmUrl);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `kernel: ${wasmUrl.pathname} is missing; build it with \`./deno task build:wasm\``,
      );
    }
    throw error;
  }
  const memory = new WebAssembly.Memory({
    initial: KERNEL_MEMORY_PAGES,
    maximum: KERNEL_MEMORY_PAGES,
  });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const raw = instance.exports as Record<string, unknown>;
  for (const name of EXPORT_NAMES) {
    if (typeof raw[name] !== "function") {
      throw new Error(
        `kernel: ${wasmUrl.pathname} has no export "${name}"; rebuild it with \`./deno task build:wasm\``,
      );
    }
  }
  return new Kernel(memory, raw as unknown as KernelExports);
}

/**
 * Memory contract of the WASM kernel: one fixed-size linear memory, imported by the module,
 * holding structure-of-arrays regions at fixed byte offsets.
 *
 * This file is read by three compilers: Deno (wasm/build.ts, engine/kernel.ts, the tests)
 * and AssemblyScript (wasm/assembly/*). So it holds only integer constants built from
 * integer constants: AssemblyScript infers them as i32, TypeScript as number.
 */

/** Coins one kernel call can quote: the capacity of every per-coin region. */
export const MAX_COINS = 64;
/** Quote levels per side (the 3-tier grid). */
export const GRID_LEVELS = 3;
/**
 * Taker trades kept per coin in the order-flow-imbalance window (README, "OFI window and latency
 * ring").
 */
export const OFI_WINDOW = 200;
/** Samples kept in the latency ring (README, "OFI window and latency ring"). */
export const LATENCY_CAPACITY = 10000;

/** Side-mask bit: bids may be quoted. */
export const SIDE_BID = 1;
/** Side-mask bit: asks may be quoted. */
export const SIDE_ASK = 2;

/** Quote model: the grid around the mid (the default). */
export const MODEL_GRID = 0;
/** Quote model: the same grid around the microprice (the top of book's size-weighted price). */
export const MODEL_MICROPRICE = 1;
/** Quote model: Gueant-Lehalle-Fernandez-Tapia half-spread and skew around the mid. */
export const MODEL_GLFT = 2;

/** Status: the coin was quoted (levels may still be empty, see the flags below). */
export const STATUS_OK = 0;
/** Status flag: NaN, infinite, negative or out-of-range input; nothing quoted. */
export const STATUS_BAD_INPUT = 1;
/** Status flag: best bid or best ask is 0 (that side of the book is empty); nothing quoted. */
export const STATUS_EMPTY_BOOK = 2;
/** Status flag: best bid >= best ask; nothing quoted. */
export const STATUS_CROSSED_BOOK = 4;
/** Status flag: |inventory| reached max_inv_usd, so the side that would grow it is not quoted. */
export const STATUS_INVENTORY_LIMIT = 8;
/** Status flag: at least one level was dropped because its notional is under $10. */
export const STATUS_BELOW_MIN_NOTIONAL = 16;
/** Status flag: at least one level was dropped because its price rounds to 0 or would cross. */
export const STATUS_PRICE_UNREPRESENTABLE = 32;
/** The status flags that mean "no quote at all for this coin". */
export const STATUS_NO_QUOTE = 7;

// Region sizes in bytes: f64 = 8, i64 = 8, i32 = 4, u8 = 1.
const COIN_F64 = MAX_COINS * 8;
const LEVEL_F64 = MAX_COINS * GRID_LEVELS * 8;

/** First byte of the regions: the low kilobyte stays unused so address 0 is never data. */
export const LAYOUT_BASE = 1024;

/** Input f64[MAX_COINS]: best bid price (0 = empty side). */
export const BEST_BID_OFFSET = LAYOUT_BASE;
/** Input f64[MAX_COINS]: best ask price (0 = empty side). */
export const BEST_ASK_OFFSET = BEST_BID_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: signed inventory in USD (long > 0). */
export const INVENTORY_USD_OFFSET = BEST_ASK_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: max_inv_usd, inventory at which the growing side stops. */
export const MAX_INV_USD_OFFSET = INVENTORY_USD_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: base_spread_bps, the level-1 half-spread in basis points. */
export const BASE_SPREAD_BPS_OFFSET = MAX_INV_USD_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: min_order_usd, the level-1 order value in USD. */
export const MIN_ORDER_USD_OFFSET = BASE_SPREAD_BPS_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: regime spread multiplier, clamped to [1, 4] by the kernel. */
export const REGIME_MULTIPLIER_OFFSET = MIN_ORDER_USD_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: size at the best bid, coin units (microprice; 0 = unknown). */
export const BEST_BID_SZ_OFFSET = REGIME_MULTIPLIER_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: size at the best ask, coin units (microprice; 0 = unknown). */
export const BEST_ASK_SZ_OFFSET = BEST_BID_SZ_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: GLFT c1, basis points of the mid (engine/quote_models/glft.ts). */
export const GLFT_C1_OFFSET = BEST_ASK_SZ_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: GLFT c2, square-root seconds per order (engine/quote_models/glft.ts). */
export const GLFT_C2_OFFSET = GLFT_C1_OFFSET + COIN_F64;
/** Input f64[MAX_COINS]: GLFT volatility sigma, basis points per square-root second. */
export const GLFT_SIGMA_OFFSET = GLFT_C2_OFFSET + COIN_F64;
/** Output f64[MAX_COINS]: price increment at the mid (for the one-tick requote guard). */
export const TICK_OFFSET = GLFT_SIGMA_OFFSET + COIN_F64;
/** Output f64[MAX_COINS * GRID_LEVELS]: bid prices, index coin * 3 + level (0 = no quote). */
export const BID_PX_OFFSET = TICK_OFFSET + COIN_F64;
/** Output f64[MAX_COINS * GRID_LEVELS]: bid sizes in coin units (0 = no quote). */
export const BID_SZ_OFFSET = BID_PX_OFFSET + LEVEL_F64;
/** Output f64[MAX_COINS * GRID_LEVELS]: ask prices, index coin * 3 + level (0 = no quote). */
export const ASK_PX_OFFSET = BID_SZ_OFFSET + LEVEL_F64;
/** Output f64[MAX_COINS * GRID_LEVELS]: ask sizes in coin units (0 = no quote). */
export const ASK_SZ_OFFSET = ASK_PX_OFFSET + LEVEL_F64;
/** Input u8[MAX_COINS]: szDecimals of the coin (0..6). */
export const SZ_DECIMALS_OFFSET = ASK_SZ_OFFSET + LEVEL_F64;
/** Input u8[MAX_COINS]: allowed sides, SIDE_BID | SIDE_ASK. */
export const SIDE_MASK_OFFSET = SZ_DECIMALS_OFFSET + MAX_COINS;
/** Input u8[MAX_COINS]: quote model, MODEL_GRID, MODEL_MICROPRICE or MODEL_GLFT. */
export const QUOTE_MODEL_OFFSET = SIDE_MASK_OFFSET + MAX_COINS;
/** Output u8[MAX_COINS]: STATUS_* flags of the last computeQuotes. */
export const STATUS_OFFSET = QUOTE_MODEL_OFFSET + MAX_COINS;

/** Kernel-private i64[MAX_COINS * OFI_WINDOW]: signed trade sizes in lots (buy > 0). */
export const OFI_RING_OFFSET = STATUS_OFFSET + MAX_COINS;
/** Kernel-private i64[MAX_COINS]: buy volume in the window, in lots. */
export const OFI_BUY_OFFSET = OFI_RING_OFFSET + MAX_COINS * OFI_WINDOW * 8;
/** Kernel-private i64[MAX_COINS]: sell volume in the window, in lots. */
export const OFI_SELL_OFFSET = OFI_BUY_OFFSET + MAX_COINS * 8;
/** Kernel-private i32[MAX_COINS]: next ring slot per coin. */
export const OFI_HEAD_OFFSET = OFI_SELL_OFFSET + MAX_COINS * 8;
/** Kernel-private i32[MAX_COINS]: trades held per coin (up to OFI_WINDOW). */
export const OFI_COUNT_OFFSET = OFI_HEAD_OFFSET + MAX_COINS * 4;

/** Kernel-private f64[LATENCY_CAPACITY]: the latency ring. */
export const LATENCY_RING_OFFSET = OFI_COUNT_OFFSET + MAX_COINS * 4;
/** Kernel-private f64[LATENCY_CAPACITY]: first sort buffer for percentile queries. */
export const LATENCY_SORT_A_OFFSET = LATENCY_RING_OFFSET + LATENCY_CAPACITY * 8;
/** Kernel-private f64[LATENCY_CAPACITY]: second sort buffer (radix sort ping-pong). */
export const LATENCY_SORT_B_OFFSET = LATENCY_SORT_A_OFFSET + LATENCY_CAPACITY * 8;
/** Kernel-private u32[8 * 256]: radix histograms, one per byte of the f64 bit pattern. */
export const LATENCY_HISTOGRAM_OFFSET = LATENCY_SORT_B_OFFSET + LATENCY_CAPACITY * 8;
/** End of the regions: AssemblyScript's own static data (if any) is placed from here. */
export const LAYOUT_END = LATENCY_HISTOGRAM_OFFSET + 8 * 256 * 4;

/** Size of the imported memory in 64 KiB pages: the regions plus one page for static data. */
export const KERNEL_MEMORY_PAGES = ((LAYOUT_END + 65535) >> 16) + 1;

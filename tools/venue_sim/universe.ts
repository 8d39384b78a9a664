/**
 * The simulated perp universe: 44 coins ordered roughly by volume (so asset 0 is BTC, as on
 * mainnet), with Hyperliquid-like `szDecimals`, leverage caps, starting prices from 0.00001 to
 * about 100,000, daily notional volumes and daily volatilities. Values are representative of
 * late-2025 mainnet, not a copy of it; the shape of each coin's market comes from the fit to real
 * recordings (market_profile.ts).
 */

/** One coin of the simulated universe and the parameters of its synthetic market. */
export interface SimCoin {
  name: string;
  szDecimals: number;
  maxLeverage: number;
  /** Starting mid price in USD. */
  startPx: number;
  /** 24 h notional volume in USD. */
  dayNtlVlm: number;
  /** Daily volatility (fraction, e.g. 0.03 = 3 %): how far the previous day's price lies. */
  dailyVol: number;
}

/** A coin as a table row: [name, szDecimals, maxLeverage, startPx, dayNtlVlm USD, dailyVol]. */
export type SimCoinRow = [string, number, number, number, number, number];

/** The coin of a table row. */
export function simCoin(
  [name, szDecimals, maxLeverage, startPx, dayNtlVlm, dailyVol]: SimCoinRow,
): SimCoin {
  return { name, szDecimals, maxLeverage, startPx, dayNtlVlm, dailyVol };
}

const ROWS: SimCoinRow[] = [
  ["BTC", 5, 40, 97_250, 2.1e9, 0.025],
  ["ETH", 4, 25, 3_480.5, 9.5e8, 0.035],
  ["SOL", 2, 20, 182.37, 4.2e8, 0.045],
  ["HYPE", 2, 10, 31.428, 3.1e8, 0.06],
  ["XRP", 0, 20, 2.3145, 2.2e8, 0.045],
  ["DOGE", 0, 10, 0.35871, 1.6e8, 0.055],
  ["SUI", 1, 10, 3.5512, 1.1e8, 0.06],
  ["kPEPE", 0, 10, 0.019873, 9.0e7, 0.07],
  ["ENA", 0, 10, 0.81234, 7.5e7, 0.07],
  ["LINK", 1, 10, 20.412, 6.0e7, 0.05],
  ["AVAX", 2, 10, 35.118, 5.5e7, 0.055],
  ["BNB", 3, 10, 651.27, 5.0e7, 0.03],
  ["LTC", 2, 10, 101.34, 4.2e7, 0.045],
  ["ADA", 0, 10, 0.90215, 4.0e7, 0.05],
  ["AAVE", 2, 10, 301.66, 3.8e7, 0.05],
  ["WIF", 0, 5, 2.0114, 3.5e7, 0.08],
  ["TAO", 3, 5, 452.31, 3.2e7, 0.07],
  ["kBONK", 0, 5, 0.031245, 3.0e7, 0.08],
  ["ONDO", 0, 5, 1.2033, 2.8e7, 0.06],
  ["TRX", 0, 10, 0.25142, 2.6e7, 0.03],
  ["UNI", 1, 10, 12.071, 2.4e7, 0.055],
  ["NEAR", 1, 10, 5.1092, 2.2e7, 0.06],
  ["APT", 2, 10, 9.2214, 2.0e7, 0.06],
  ["ARB", 1, 10, 0.80117, 1.9e7, 0.06],
  ["OP", 1, 10, 2.0135, 1.8e7, 0.06],
  ["INJ", 1, 10, 25.117, 1.7e7, 0.065],
  ["TIA", 1, 10, 6.0214, 1.6e7, 0.07],
  ["SEI", 0, 10, 0.40123, 1.5e7, 0.07],
  ["JUP", 0, 10, 0.90412, 1.4e7, 0.07],
  ["FET", 0, 5, 1.3012, 1.3e7, 0.07],
  ["RENDER", 1, 5, 7.0213, 1.2e7, 0.07],
  ["DOT", 1, 10, 7.0121, 1.2e7, 0.05],
  ["ATOM", 2, 10, 7.1204, 1.1e7, 0.05],
  ["FIL", 1, 10, 5.0123, 1.0e7, 0.06],
  ["PENDLE", 0, 5, 5.0214, 9.0e6, 0.07],
  ["TON", 1, 10, 5.5123, 8.5e6, 0.05],
  ["BCH", 3, 10, 452.17, 8.0e6, 0.045],
  ["ETC", 2, 10, 27.124, 7.5e6, 0.05],
  ["MKR", 4, 10, 1_523.4, 7.0e6, 0.05],
  ["POPCAT", 0, 5, 0.80213, 6.5e6, 0.09],
  ["kSHIB", 0, 10, 0.021544, 6.0e6, 0.06],
  ["MEW", 0, 3, 0.0081234, 5.0e6, 0.09],
  // Sub-cent coins: at these prices one tick is several percent, as on any venue with a
  // 5-significant-figure price rule and a 6-decimal cap (Hyperliquid perps).
  ["NEIRO", 0, 3, 0.00041234, 3.0e6, 0.1],
  ["SATS", 0, 3, 0.000012, 1.5e6, 0.1],
];

/** Every coin of the simulated universe; the array index is the asset id. */
export const UNIVERSE: readonly SimCoin[] = ROWS.map(simCoin);

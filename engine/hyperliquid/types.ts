/**
 * Market-data and universe types shared by the protocol client, the venue simulator and the
 * engine. Prices and sizes are JavaScript numbers here (market data is read, not signed);
 * anything sent to the exchange is formatted by `wire.ts` into exact decimal strings.
 */

/** One price level of an `l2Book` side: price, size in coin units, number of orders. */
export interface BookLevel {
  px: number;
  sz: number;
  n: number;
}

/** A full `l2Book` snapshot (Hyperliquid sends snapshots, never deltas). */
export interface BookSnapshot {
  coin: string;
  /** Block time of the snapshot, ms since the Unix epoch (the frame's `time`). */
  timeMs: number;
  /** Best first (descending prices). */
  bids: BookLevel[];
  /** Best first (ascending prices). */
  asks: BookLevel[];
}

/** Taker side of a trade: `B` = the buyer took liquidity (lifted the ask), `A` = the seller hit the bid. */
export type TakerSide = "B" | "A";

/** One public trade from the `trades` channel. */
export interface Trade {
  coin: string;
  side: TakerSide;
  px: number;
  sz: number;
  /** Trade time, ms since the Unix epoch. */
  timeMs: number;
  /** 50-bit trade id; unique only together with `(timeMs, coin)` (Hyperliquid docs). */
  tid: number;
}

/** One perpetual of the universe (`metaAndAssetCtxs`), as the engine needs it. */
export interface AssetInfo {
  /** Coin name as used in subscriptions and info requests (`BTC`, `kPEPE`). */
  name: string;
  /**
   * Asset id for actions: the coin's index in `meta.universe` on the main dex, 100000 +
   * dexIndex × 10000 + index on a builder dex (perp_dexs.ts).
   */
  assetIndex: number;
  /** The perp dex listing it: "" (or absent) for the main dex, e.g. `xyz` for `xyz:XYZ100`. */
  dex?: string;
  /** What the dex's deployer fee scale (and growth mode) multiplies every fee by (absent: 1). */
  feeMultiplier?: number;
  /**
   * Address requests earned per USDC traded on this market: 1, a tenth in growth mode
   * (exchange_facts.ts `GROWTH_MODE_SHARE`; absent: 1).
   */
  requestCredit?: number;
  /** Spot token index of the dex's collateral (`meta.collateralToken`; 0 = USDC; absent: 0). */
  collateralToken?: number;
  /** Size decimals; prices may have at most `6 - szDecimals` decimals. */
  szDecimals: number;
  maxLeverage: number;
  /** Current funding rate per hour (Hyperliquid pays funding hourly). */
  fundingHourly: number;
  markPx: number;
  /** Mid price, or null when the book is empty. */
  midPx: number | null;
  /** 24 h notional volume in USD. */
  dayNtlVlm: number;
  isDelisted: boolean;
}

/** Which Hyperliquid deployment to talk to, and where. */
export interface NetworkEndpoints {
  network: "mainnet" | "testnet";
  /** REST base, e.g. `https://api.hyperliquid.xyz` (no trailing slash). */
  apiUrl: string;
  /** WebSocket URL, e.g. `wss://api.hyperliquid.xyz/ws`. */
  wsUrl: string;
  /** Whether L1 actions are signed for mainnet (phantom agent source "a") or testnet ("b"). */
  isMainnet: boolean;
}

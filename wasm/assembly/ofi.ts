// Order-flow imbalance over the last OFI_WINDOW taker trades of each coin.
//
// Sizes are kept as integer lots of 10^-6 coin units (perp sizes have at most 5 decimals,
// szDecimals <= 5, so every exchange size is a whole number of lots) and summed in i64:
// the running sums are exact, so there is no drift however many trades are pushed.

import {
  MAX_COINS,
  OFI_BUY_OFFSET,
  OFI_COUNT_OFFSET,
  OFI_HEAD_OFFSET,
  OFI_RING_OFFSET,
  OFI_SELL_OFFSET,
  OFI_WINDOW,
} from "../layout";

/** Lots per coin unit: 10^6 (one lot = 0.000001 coin). */
const LOTS_PER_UNIT: f64 = 1e6;
/** Largest accepted trade size in coin units: 200 trades of 1e16 lots still fit in i64. */
const MAX_TRADE_SIZE: f64 = 1e10;

/** Adds one taker trade (isBuy != 0 for a buy); returns 1 if taken, 0 for a bad coin or size. */
export function ofiPush(coin: i32, isBuy: i32, size: f64): i32 {
  if (<u32>coin >= <u32>MAX_COINS || !(size > 0.0 && size <= MAX_TRADE_SIZE)) return 0;
  const lots = <i64>Math.floor(size * LOTS_PER_UNIT + 0.5);
  if (lots == 0) return 0;
  const c4 = coin << 2;
  const c8 = coin << 3;
  const head = load<i32>(OFI_HEAD_OFFSET + c4);
  const count = load<i32>(OFI_COUNT_OFFSET + c4);
  const slot = OFI_RING_OFFSET + ((coin * OFI_WINDOW + head) << 3);
  let buy = load<i64>(OFI_BUY_OFFSET + c8);
  let sell = load<i64>(OFI_SELL_OFFSET + c8);
  if (count == OFI_WINDOW) {
    const old = load<i64>(slot);
    if (old > 0) buy -= old;
    else sell += old;
  } else {
    store<i32>(OFI_COUNT_OFFSET + c4, count + 1);
  }
  if (isBuy != 0) {
    store<i64>(slot, lots);
    buy += lots;
  } else {
    store<i64>(slot, -lots);
    sell += lots;
  }
  store<i64>(OFI_BUY_OFFSET + c8, buy);
  store<i64>(OFI_SELL_OFFSET + c8, sell);
  store<i32>(OFI_HEAD_OFFSET + c4, head + 1 == OFI_WINDOW ? 0 : head + 1);
  return 1;
}

/** (buy - sell) / (buy + sell) over the window, in [-1, 1]; 0 with no trades, NaN for a bad coin. */
export function ofiValue(coin: i32): f64 {
  if (<u32>coin >= <u32>MAX_COINS) return NaN;
  const buy = load<i64>(OFI_BUY_OFFSET + (coin << 3));
  const sell = load<i64>(OFI_SELL_OFFSET + (coin << 3));
  const total = buy + sell;
  if (total == 0) return 0.0;
  return <f64>(buy - sell) / <f64>total;
}

/** Trades currently in the coin's window (0 for a bad coin). */
export function ofiCount(coin: i32): i32 {
  if (<u32>coin >= <u32>MAX_COINS) return 0;
  return load<i32>(OFI_COUNT_OFFSET + (coin << 2));
}

/** Empties the coin's window (e.g. when the coin is replaced). */
export function ofiReset(coin: i32): void {
  if (<u32>coin >= <u32>MAX_COINS) return;
  store<i64>(OFI_BUY_OFFSET + (coin << 3), 0);
  store<i64>(OFI_SELL_OFFSET + (coin << 3), 0);
  store<i32>(OFI_HEAD_OFFSET + (coin << 2), 0);
  store<i32>(OFI_COUNT_OFFSET + (coin << 2), 0);
}

/**
 * The refusals the exchange documents for one order of an `order` answer
 * (engine/hyperliquid/README.md § Exchange actions), by the start of their `error` string: live
 * strings carry suffixes ("… bbo was 1@2. asset=0"). Source: the docs' "Error responses" page
 * (December 2026), plus the price band and address rate-limit texts seen in public captures (README
 * "Where this differs from the specification"). A message not in the table is not a known refusal:
 * the client reports that order's outcome as unknown and the live venue checks it with
 * `orderStatus` after its expiry.
 */

/** Each documented refusal: its error type as the docs name it, and the start of its message. */
export const REJECTIONS: readonly { type: string; prefix: string }[] = [
  { type: "Tick", prefix: "Price must be divisible by tick size" },
  { type: "MinTradeNtl", prefix: "Order must have minimum value of" },
  { type: "PerpMargin", prefix: "Insufficient margin to place order" },
  { type: "ReduceOnly", prefix: "Reduce only order would increase position" },
  { type: "BadAloPx", prefix: "Post only order would have immediately matched" },
  { type: "IocCancel", prefix: "Order could not immediately match against any resting orders" },
  { type: "BadTriggerPx", prefix: "Invalid TP/SL price" },
  { type: "MarketOrderNoLiquidity", prefix: "No liquidity available for market order" },
  // PositionIncreaseAtOpenInterestCap and PositionFlipAtOpenInterestCap share this text.
  {
    type: "PositionIncreaseAtOpenInterestCap",
    prefix: "Order would increase open interest while open interest is capped",
  },
  {
    type: "TooAggressiveAtOpenInterestCap",
    prefix: "Order rejected due to price more aggressive than oracle while at open interest cap",
  },
  { type: "OpenInterestIncrease", prefix: "Order would increase open interest too quickly" },
  { type: "InsufficientSpotBalance", prefix: "(Spot-only) Order has insufficient spot balance" },
  { type: "Oracle", prefix: "Order price too far from oracle" },
  {
    type: "PerpMaxPosition",
    prefix: "Order would cause position to exceed margin tier limit at current leverage",
  },
  {
    type: "PriceBand",
    prefix: "Order price cannot be more than 80% away from the reference price",
  },
  { type: "AddressRateLimit", prefix: "Too many cumulative requests sent" },
];

/** The documented error type of a refusal message, or undefined for a message not documented. */
export function rejectionType(message: string): string | undefined {
  return REJECTIONS.find((r) => message.startsWith(r.prefix))?.type;
}

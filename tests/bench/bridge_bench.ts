/**
 * What the quoting loop pays for the Redis bridge: a config lookup per coin per tick, and a
 * publish per fill (JSON encoding plus a ring-buffer push; the send happens later, off the loop).
 * The bridge is not started, so the queue is full and every publish also drops the oldest
 * message: the worst case, when Redis is down.
 */
import { RedisBridge } from "../../engine/bridge.ts";
import { createLogger } from "../../engine/log.ts";
import type { Fill } from "../../engine/venue/venue.ts";

const bridge = new RedisBridge({
  isKnownCoin: () => true,
  logger: createLogger({ sink: () => {} }),
  maxQueued: 1_000,
});
const coins = Array.from({ length: 30 }, (_, i) => `COIN${i}`);
const fill: Fill = {
  coin: "ETH",
  side: "bid",
  level: 1,
  px: 3000.5,
  sz: 0.01,
  timeMs: 1_771_733_346_055,
  feeUsd: 0.0045,
  cause: "trade-through",
  orderId: "s-42",
};

Deno.bench("bridge: configFor, 30 coins (one tick)", () => {
  for (const coin of coins) bridge.configFor(coin);
});

Deno.bench("bridge: publishFill while Redis is down (encode + queue + drop)", () => {
  bridge.publishFill(fill);
});

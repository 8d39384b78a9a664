/**
 * Grids for live-venue tests: six orders of about $15 each (the exchange's minimum is $10) placed a
 * chosen number of ticks outside the simulator's current touch, so they rest without crossing.
 */
import type { OrderRequest } from "../../engine/hyperliquid/exchange_actions.ts";
import type { InfoClient } from "../../engine/hyperliquid/info.ts";
import type { AssetInfo } from "../../engine/hyperliquid/types.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../../engine/hyperliquid/wire.ts";
import type { DesiredQuotes } from "../../engine/venue/venue.ts";
import type { VenueSim } from "../../tools/venue_sim/mod.ts";

/**
 * Reads the coin's book and returns a grid maker: levels `ticksOut` ticks outside the touch,
 * the whole grid shifted down by `shiftTicks` ticks; the requote tolerance is one tick (share 0)
 * and orders may be moved as soon as they rest.
 */
export async function gridFor(
  info: InfoClient,
  asset: AssetInfo,
  ticksOut: readonly number[] = [2, 4, 8],
): Promise<(shiftTicks: number) => DesiredQuotes> {
  const book = await info.l2Book(asset.name);
  const bid = book.bids[0].px, ask = book.asks[0].px;
  const tick = priceTick(bid, asset.szDecimals);
  const step = 10 ** -asset.szDecimals;
  const sz = Math.ceil(15 / bid / step) * step;
  const round = (x: number) => Number(x.toFixed(8));
  return (shiftTicks) => ({
    coin: asset.name,
    bidPx: ticksOut.map((k) => round(bid - (k + shiftTicks) * tick)),
    bidSz: [sz, 2 * sz, 3 * sz],
    askPx: ticksOut.map((k) => round(ask + (k - shiftTicks) * tick)),
    askSz: [sz, 2 * sz, 3 * sz],
    tick,
    mid: (bid + ask) / 2,
    requoteShare: 0,
    minRestMs: 0,
  });
}

/**
 * A maker of 0.01 ETH post-only bids far below the venue's ETH touch (asset 1): bid number `k`
 * rests 20 × k ticks under it, so no simulated taker reaches them.
 */
export function farEthBids(venue: VenueSim): (k: number) => OrderRequest {
  const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
  return (k) => ({
    asset: 1,
    isBuy: true,
    px: floatToWire(roundPerpPrice(bid - 20 * k * priceTick(bid, 4), 4, "down")),
    sz: "0.01",
    tif: "Alo",
  });
}

/**
 * One coin's grid inputs written into the kernel (or its TypeScript twin), with the
 * defaults (README, "Configuration"), and the quotes read back: the fixtures of the kernel's tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { GRID_LEVELS, type Kernel, SIDE_ASK, SIDE_BID } from "../../engine/kernel.ts";

/** The grid inputs of a kernel or its twin. */
export type GridInputs = Pick<
  Kernel,
  | "bestBid"
  | "bestAsk"
  | "szDecimals"
  | "inventoryUsd"
  | "maxInvUsd"
  | "baseSpreadBps"
  | "minOrderUsd"
  | "regimeMultiplier"
  | "sideMask"
>;

/** One coin's grid inputs; what is left out takes its default. */
export interface GridCoin {
  bid: number;
  ask: number;
  szDecimals?: number;
  inventoryUsd?: number;
  maxInvUsd?: number;
  baseSpreadBps?: number;
  minOrderUsd?: number;
  regime?: number;
  mask?: number;
}

/** Writes `coin` into slot `c` of `target` (defaults: $200 max, 1.5 bps, $12 orders). */
export function setGridCoin(target: GridInputs, c: number, coin: GridCoin): void {
  target.bestBid[c] = coin.bid;
  target.bestAsk[c] = coin.ask;
  target.szDecimals[c] = coin.szDecimals ?? 2;
  target.inventoryUsd[c] = coin.inventoryUsd ?? 0;
  target.maxInvUsd[c] = coin.maxInvUsd ?? 200;
  target.baseSpreadBps[c] = coin.baseSpreadBps ?? 1.5;
  target.minOrderUsd[c] = coin.minOrderUsd ?? 12;
  target.regimeMultiplier[c] = coin.regime ?? 1;
  target.sideMask[c] = coin.mask ?? (SIDE_BID | SIDE_ASK);
}

/** Quotes the one coin in slot 0 of `kernel`: its status, tick and three levels a side. */
export function quoteSlot0(kernel: Kernel) {
  kernel.computeQuotes(1);
  const levels = [0, 1, 2];
  return {
    status: kernel.status[0],
    tick: kernel.tick[0],
    bids: levels.map((l) => ({ px: kernel.bidPx[l], sz: kernel.bidSz[l] })),
    asks: levels.map((l) => ({ px: kernel.askPx[l], sz: kernel.askSz[l] })),
  };
}

/** A kernel's (or its twin's) quote outputs. */
export type QuoteOutputs = Pick<
  Kernel,
  "status" | "tick" | "bidPx" | "bidSz" | "askPx" | "askSz"
>;

/**
 * Asserts that the kernel and its twin quoted the first `n` coins bit for bit alike (status,
 * tick and every level); `round` names the round in a failure. Returns how many level values
 * were compared.
 */
export function assertSameQuotes(
  kernel: QuoteOutputs,
  twin: QuoteOutputs,
  n: number,
  round: number,
): number {
  let compared = 0;
  for (let c = 0; c < n; c++) {
    assert.equal(kernel.status[c], twin.status[c], `status of coin ${c} in round ${round}`);
    assert.ok(Object.is(kernel.tick[c], twin.tick[c]), `tick of coin ${c} in round ${round}`);
    for (let i = c * GRID_LEVELS; i < (c + 1) * GRID_LEVELS; i++) {
      for (const view of ["bidPx", "bidSz", "askPx", "askSz"] as const) {
        assert.ok(
          Object.is(kernel[view][i], twin[view][i]),
          `${view}[${i}] in round ${round}: kernel ${kernel[view][i]}, twin ${twin[view][i]}`,
        );
        compared++;
      }
    }
  }
  return compared;
}

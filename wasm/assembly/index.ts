// The WASM kernel's exports: the quote grid, the OFI window and the latency ring.
// Memory layout and status codes: wasm/layout.ts. Loader: engine/kernel.ts.

export { computeQuotes } from "./grid";
export { ofiCount, ofiPush, ofiReset, ofiValue } from "./ofi";
export { latencyCount, latencyPercentile, latencyRecord, latencyReset } from "./latency";

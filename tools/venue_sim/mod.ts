/**
 * The local Hyperliquid venue simulator: start it in-process with {@link startVenueSim} and
 * point the engine at `apiUrl`/`wsUrl` (HL_API_URL/HL_WS_URL).
 */
export { startVenueSim } from "./server.ts";
export type { VenueSim, VenueSimOptions } from "./server.ts";
export type { VenueState } from "./control.ts";
export type { MarketSteer, SteerState } from "./market.ts";
export { type Fault, type FaultKind, parseFaultSpec, type SocketScope } from "./faults.ts";
export type { IpWeightState } from "./ip_weight.ts";
export { loadReplay, type ReplayEvent } from "./replay.ts";
export { BASE_BOOK_INTERVAL_MS } from "./simulator.ts";
export { UNIVERSE } from "./universe.ts";

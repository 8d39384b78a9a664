/**
 * Signing cost per call for a 6-order ALO grid action (3 bids, 3 asks, with cloids), the action
 * the live venue sends each requote. Target: signL1Action under 400 µs. The viem
 * `signTypedData` row is the straightforward alternative this module's direct digest replaces.
 */
import { encode } from "@msgpack/msgpack";
import { signTypedData } from "viem/accounts";
import { buildOrderAction, type OrderRequest } from "../../engine/hyperliquid/exchange_actions.ts";
import { actionHash, l1TypedData, signL1Action } from "../../engine/hyperliquid/signing.ts";
import { cloidFromInt } from "../../engine/hyperliquid/wire.ts";

// Hardhat's first well-known test key: public, never funded on Hyperliquid.
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const NONCE = 1_700_000_000_000;

const grid: OrderRequest[] = [
  ["60000", "0.001"],
  ["59990", "0.002"],
  ["59970", "0.003"],
].flatMap(([bid, sz], i) => [
  { asset: 0, isBuy: true, px: bid, sz, cloid: cloidFromInt(2 * i + 1) },
  { asset: 0, isBuy: false, px: String(120010 - Number(bid)), sz, cloid: cloidFromInt(2 * i + 2) },
]);
const action = buildOrderAction(grid);
const id = actionHash(action, null, NONCE);

Deno.bench("msgpack encode, 6-order action", { group: "hash" }, () => {
  encode(action, { ignoreUndefined: true });
});

Deno.bench("actionHash, 6-order action", { group: "hash", baseline: true }, () => {
  actionHash(action, null, NONCE);
});

Deno.bench("buildOrderAction + actionHash, 6 orders", { group: "hash" }, () => {
  actionHash(buildOrderAction(grid), null, NONCE);
});

Deno.bench(
  "signL1Action, 6-order action (direct digest)",
  { group: "sign", baseline: true },
  async () => {
    await signL1Action({ privateKey: KEY, action, nonce: NONCE, isMainnet: true });
  },
);

Deno.bench("actionHash + viem signTypedData, 6-order action", { group: "sign" }, async () => {
  await signTypedData({ privateKey: KEY, ...l1TypedData(id, true) });
});

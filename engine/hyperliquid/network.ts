/**
 * Which Hyperliquid deployment to talk to (engine/hyperliquid/README.md § Networks and names).
 * `HL_NETWORK` picks mainnet or testnet and with it the signing source ("a"/"b"); `HL_API_URL` and
 * `HL_WS_URL` only move the endpoints, so a loopback simulator can be told to verify mainnet
 * signatures. (The Python SDK instead infers mainnet from the URL, which silently signs any proxy's
 * traffic as testnet.)
 */
import type { NetworkEndpoints } from "./types.ts";

/** Hyperliquid mainnet endpoints. */
export const MAINNET: NetworkEndpoints = {
  network: "mainnet",
  apiUrl: "https://api.hyperliquid.xyz",
  wsUrl: "wss://api.hyperliquid.xyz/ws",
  isMainnet: true,
};

/** Hyperliquid testnet endpoints. */
export const TESTNET: NetworkEndpoints = {
  network: "testnet",
  apiUrl: "https://api.hyperliquid-testnet.xyz",
  wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
  isMainnet: false,
};

/** Settings that pick the endpoints (the values of HL_NETWORK, HL_API_URL, HL_WS_URL). */
export interface NetworkSettings {
  network?: string;
  apiUrl?: string;
  wsUrl?: string;
}

function checkedUrl(name: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}=${JSON.stringify(value)} is not a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new Error(
      `${name}=${JSON.stringify(value)} must use ${protocols.map((p) => p + "//").join(" or ")}`,
    );
  }
  return value.replace(/\/+$/, "");
}

/** Resolves endpoints from settings; throws naming the variable and the allowed values. */
export function resolveNetwork(settings: NetworkSettings = {}): NetworkEndpoints {
  const name = (settings.network ?? "").trim().toLowerCase() || "mainnet";
  if (name !== "mainnet" && name !== "testnet") {
    throw new Error(`HL_NETWORK=${JSON.stringify(settings.network)} must be mainnet or testnet`);
  }
  const base = name === "mainnet" ? MAINNET : TESTNET;
  return {
    ...base,
    apiUrl: settings.apiUrl
      ? checkedUrl("HL_API_URL", settings.apiUrl, ["https:", "http:"])
      : base.apiUrl,
    wsUrl: settings.wsUrl ? checkedUrl("HL_WS_URL", settings.wsUrl, ["wss:", "ws:"]) : base.wsUrl,
  };
}

/** Resolves endpoints from HL_NETWORK, HL_API_URL and HL_WS_URL (needs env permission for them). */
export function networkFromEnv(
  get: (name: string) => string | undefined = (name) => Deno.env.get(name),
): NetworkEndpoints {
  return resolveNetwork({
    network: get("HL_NETWORK"),
    apiUrl: get("HL_API_URL"),
    wsUrl: get("HL_WS_URL"),
  });
}

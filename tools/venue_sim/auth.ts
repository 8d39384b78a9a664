/**
 * Who signed an `/exchange` request, and whether its nonce may be used. The signer is
 * recovered exactly as the exchange does (the EIP-712 phantom agent over the L1 action hash,
 * or the user-signed typed data for approveAgent); a signature over anything else recovers
 * some other address, which the venue then does not know. Nonces follow the exchange's rule:
 * per signer, the 100 highest are kept, a new one must beat the smallest of them, never repeat,
 * and lie within (T − 2 days, T + 1 day) of the venue's wall clock.
 */
import {
  recoverL1Signer,
  recoverUserSignedSigner,
  type Signature,
} from "../../engine/hyperliquid/signing.ts";

// Hyperliquid: the 100 highest nonces are stored per signer.
const NONCES_KEPT = 100;
const DAY_MS = 86_400_000;
// Hyperliquid: nonces must lie within (T - 2 days, T + 1 day).
const NONCE_PAST_MS = 2 * DAY_MS;
const NONCE_FUTURE_MS = DAY_MS;

/** EIP-712 fields of approveAgent (engine/hyperliquid/README.md § Signing). */
export const APPROVE_AGENT_TYPES = [
  { name: "hyperliquidChain", type: "string" },
  { name: "agentAddress", type: "address" },
  { name: "agentName", type: "string" },
  { name: "nonce", type: "uint64" },
] as const;

/** Per-signer nonce sets. */
export class NonceBook {
  readonly #sets = new Map<string, number[]>();

  /** Checks and records a nonce; returns the exchange's error string, or null when accepted. */
  use(signer: string, nonce: number, nowMs: number): string | null {
    if (
      !Number.isSafeInteger(nonce) || nonce <= nowMs - NONCE_PAST_MS ||
      nonce >= nowMs + NONCE_FUTURE_MS
    ) {
      return `Invalid nonce: nonce ${nonce} is outside the allowed window (${
        nowMs - NONCE_PAST_MS
      }, ${nowMs + NONCE_FUTURE_MS})`;
    }
    let set = this.#sets.get(signer);
    if (!set) this.#sets.set(signer, set = []);
    if (set.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    if (set.length >= NONCES_KEPT && nonce < set[0]) {
      return `Invalid nonce: nonce too low ${nonce} < ${set[0]}`;
    }
    let i = set.length;
    while (i > 0 && set[i - 1] > nonce) i--;
    set.splice(i, 0, nonce);
    if (set.length > NONCES_KEPT) set.shift();
    return null;
  }
}

/** The fields of an `/exchange` body that identify its signer. */
export interface SignedRequest {
  action: Record<string, unknown>;
  nonce: number;
  signature: Signature;
  vaultAddress?: string | null;
  expiresAfter?: number | null;
}

/** Recovers the (lowercase) signer of a request; throws when no address can be recovered. */
export async function recoverSigner(req: SignedRequest, isMainnet: boolean): Promise<string> {
  if (req.action.type === "approveAgent") {
    const action = { ...req.action, agentName: req.action.agentName ?? "" };
    const signer = await recoverUserSignedSigner({
      action,
      types: APPROVE_AGENT_TYPES,
      primaryType: "HyperliquidTransaction:ApproveAgent",
      signature: req.signature,
    });
    return signer.toLowerCase();
  }
  const signer = await recoverL1Signer({
    action: req.action,
    nonce: req.nonce,
    vaultAddress: req.vaultAddress ?? null,
    expiresAfter: req.expiresAfter ?? null,
    isMainnet,
    signature: req.signature,
  });
  return signer.toLowerCase();
}

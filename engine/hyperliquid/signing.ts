/**
 * Hyperliquid request signing (engine/hyperliquid/README.md § Signing): L1 actions are hashed as
 * msgpack ‖ nonce ‖ vault ‖ expiresAfter and signed as an EIP-712 "phantom agent"; user-signed
 * actions (approveAgent, transfers) are plain EIP-712 messages under the
 * `HyperliquidSignTransaction` domain.
 *
 * The L1 digest is computed here directly with Keccak-256 (constants below are the EIP-712
 * type hashes and domain separator) so the hot path pays for one msgpack encode, three small
 * hashes and one secp256k1 signature; `l1TypedData` gives the same digest through any EIP-712
 * library, which the tests check.
 */
import { Encoder } from "@msgpack/msgpack";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, hashTypedData, hexToBytes, recoverAddress } from "viem";
import { sign } from "viem/accounts";

/** A 0x-prefixed hex string. */
export type Hex = `0x${string}`;

/** An ECDSA signature as Hyperliquid's `/exchange` expects it: 32-byte r and s, v = 27 | 28. */
export interface Signature {
  r: Hex;
  s: Hex;
  v: number;
}

/** One field of an EIP-712 struct type. */
export interface TypedField {
  name: string;
  type: string;
}

/**
 * Hyperliquid L1 EIP-712 domain (engine/hyperliquid/README.md § Signing): chain id 1337 is fixed,
 * unrelated to any chain.
 */
export const L1_DOMAIN = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: "0x0000000000000000000000000000000000000000",
} as const;

const AGENT_TYPES = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
} as const;

const utf8 = new TextEncoder();
const keccak = (data: Uint8Array): Uint8Array => keccak_256(data);

// keccak("Agent(string source,bytes32 connectionId)"), its value 0x26f05c2f…
// (Python SDK `utils/signing.py`, checked by the signing tests)
const AGENT_TYPE_HASH = keccak(utf8.encode("Agent(string source,bytes32 connectionId)"));
// keccak(abi.encode(EIP712Domain typehash, name, version, 1337, address 0)): 0xd79297fc…
// (checked by the signing tests against the Python SDK's vectors)
const L1_DOMAIN_SEPARATOR = hexToBytes(
  hashDomain(L1_DOMAIN.name, L1_DOMAIN.version, L1_DOMAIN.chainId),
);
const SOURCE_HASH = {
  mainnet: keccak(utf8.encode("a")),
  testnet: keccak(utf8.encode("b")),
};

// Optional fields are omitted, never nil (engine/hyperliquid/README.md § Signing); integers get
// their smallest encoding.
const msgpack = new Encoder({ ignoreUndefined: true });

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const PRIVATE_KEY_RE = /^0x[0-9a-fA-F]{64}$/;
const U64_MAX = 2n ** 64n - 1n;

function hashDomain(name: string, version: string, chainId: number): Hex {
  const typeHash = keccak(
    utf8.encode(
      "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
    ),
  );
  const buf = new Uint8Array(5 * 32);
  buf.set(typeHash, 0);
  buf.set(keccak(utf8.encode(name)), 32);
  buf.set(keccak(utf8.encode(version)), 64);
  new DataView(buf.buffer).setBigUint64(96 + 24, BigInt(chainId));
  // verifyingContract is the zero address: the last word stays zero.
  return bytesToHex(keccak(buf));
}

function writeU64(view: DataView, offset: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || BigInt(value) > U64_MAX) {
    throw new Error(`${what} must be a non-negative safe integer, got ${value}`);
  }
  view.setBigUint64(offset, BigInt(value));
}

/** Throws unless `address` is 0x + 40 hex digits; `what` names the field in the message. */
export function assertAddress(address: string, what: string): void {
  if (typeof address !== "string" || !ADDRESS_RE.test(address)) {
    throw new Error(`${what} must be 0x followed by 40 hex digits, got ${JSON.stringify(address)}`);
  }
}

// The key itself never appears in the message.
function assertPrivateKey(privateKey: string): asserts privateKey is Hex {
  if (typeof privateKey !== "string" || !PRIVATE_KEY_RE.test(privateKey)) {
    throw new Error("private key must be 0x followed by 64 hex digits");
  }
}

function actionHashBytes(
  action: unknown,
  vaultAddress: string | null | undefined,
  nonce: number,
  expiresAfter: number | null | undefined,
): Uint8Array {
  const packed = msgpack.encodeSharedRef(action);
  const hasVault = vaultAddress !== null && vaultAddress !== undefined;
  const hasExpiry = expiresAfter !== null && expiresAfter !== undefined;
  const length = packed.length + 8 + 1 + (hasVault ? 20 : 0) + (hasExpiry ? 9 : 0);
  const pre = new Uint8Array(length);
  const view = new DataView(pre.buffer);
  pre.set(packed, 0);
  let at = packed.length;
  writeU64(view, at, nonce, "nonce");
  at += 8;
  if (hasVault) {
    assertAddress(vaultAddress, "vaultAddress");
    pre[at++] = 1;
    pre.set(hexToBytes(vaultAddress as Hex), at);
    at += 20;
  } else {
    pre[at++] = 0;
  }
  if (hasExpiry) {
    // Separator byte, not a presence flag (Python SDK `action_hash`).
    pre[at++] = 0;
    writeU64(view, at, expiresAfter, "expiresAfter");
  }
  return keccak(pre);
}

/**
 * The L1 action hash (the phantom agent's `connectionId`): keccak256 of
 * msgpack(action) ‖ nonce u64 BE ‖ (0x00 | 0x01 ‖ vault 20 B) [‖ 0x00 ‖ expiresAfter u64 BE].
 */
export function actionHash(
  action: unknown,
  vaultAddress: string | null,
  nonce: number,
  expiresAfter?: number | null,
): Hex {
  return bytesToHex(actionHashBytes(action, vaultAddress, nonce, expiresAfter));
}

/** The EIP-712 typed data of an L1 action's phantom agent (for verifiers and wallets). */
export function l1TypedData(connectionId: Hex, isMainnet: boolean) {
  return {
    domain: L1_DOMAIN,
    types: AGENT_TYPES,
    primaryType: "Agent" as const,
    message: { source: isMainnet ? "a" : "b", connectionId },
  };
}

function l1Digest(connectionId: Uint8Array, isMainnet: boolean): Hex {
  const struct = new Uint8Array(96);
  struct.set(AGENT_TYPE_HASH, 0);
  struct.set(isMainnet ? SOURCE_HASH.mainnet : SOURCE_HASH.testnet, 32);
  struct.set(connectionId, 64);
  const pre = new Uint8Array(66);
  pre[0] = 0x19;
  pre[1] = 0x01;
  pre.set(L1_DOMAIN_SEPARATOR, 2);
  pre.set(keccak(struct), 34);
  return bytesToHex(keccak(pre));
}

/** What identifies one signed L1 action (the fields of its hash plus the network). */
export interface L1ActionInput {
  action: unknown;
  nonce: number;
  vaultAddress?: string | null;
  expiresAfter?: number | null;
  /** Mainnet signs phantom agent source "a", testnet "b". */
  isMainnet: boolean;
}

/** The EIP-712 digest an L1 action's signature signs. */
export function l1ActionDigest(input: L1ActionInput): Hex {
  const id = actionHashBytes(input.action, input.vaultAddress, input.nonce, input.expiresAfter);
  return l1Digest(id, input.isMainnet);
}

async function signDigest(digest: Hex, privateKey: string): Promise<Signature> {
  assertPrivateKey(privateKey);
  const sig = await sign({ hash: digest, privateKey });
  return { r: sig.r, s: sig.s, v: Number(sig.v) };
}

/** Signs an L1 action (order, cancel, batchModify, scheduleCancel, updateLeverage, noop, …). */
export function signL1Action(input: L1ActionInput & { privateKey: string }): Promise<Signature> {
  return signDigest(l1ActionDigest(input), input.privateKey);
}

function toViemSignature(signature: Signature) {
  if (signature.v !== 27 && signature.v !== 28) {
    throw new Error(`signature v must be 27 or 28, got ${signature.v}`);
  }
  return { r: signature.r, s: signature.s, yParity: signature.v - 27 };
}

/** Recovers the address that signed an L1 action (checksummed), as the exchange does. */
export function recoverL1Signer(input: L1ActionInput & { signature: Signature }): Promise<Hex> {
  return recoverAddress({
    hash: l1ActionDigest(input),
    signature: toViemSignature(input.signature),
  });
}

/** The fields of a user-signed action's primary type, or a full EIP-712 `types` record. */
export type UserSignedTypes = readonly TypedField[] | Record<string, readonly TypedField[]>;

/** What identifies one user-signed action: the action (with `signatureChainId`) and its type. */
export interface UserSignedInput {
  action: Record<string, unknown>;
  types: UserSignedTypes;
  /** e.g. `HyperliquidTransaction:ApproveAgent`. */
  primaryType: string;
}

/** The EIP-712 digest of a user-signed action (domain `HyperliquidSignTransaction`). */
export function userSignedDigest({ action, types, primaryType }: UserSignedInput): Hex {
  const chainIdHex = action.signatureChainId;
  if (typeof chainIdHex !== "string" || !/^0x[0-9a-fA-F]+$/.test(chainIdHex)) {
    throw new Error(
      `user-signed action needs signatureChainId as a hex string, got ${
        JSON.stringify(chainIdHex)
      }`,
    );
  }
  const typeRecord = Array.isArray(types) ? { [primaryType]: types } : types;
  if (!(primaryType in typeRecord)) {
    throw new Error(`user-signed types do not define the primary type ${primaryType}`);
  }
  return hashTypedData({
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: parseInt(chainIdHex, 16),
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: typeRecord as Record<string, TypedField[]>,
    primaryType,
    // Fields not in the type (type, signatureChainId) are ignored by the encoder, as in the SDK.
    message: action,
  });
}

/** Signs a user-signed action (approveAgent, usdSend, withdraw3, …) with the master key. */
export function signUserSignedAction(
  input: UserSignedInput & { privateKey: string },
): Promise<Signature> {
  return signDigest(userSignedDigest(input), input.privateKey);
}

/** Recovers the address that signed a user-signed action (checksummed). */
export function recoverUserSignedSigner(
  input: UserSignedInput & { signature: Signature },
): Promise<Hex> {
  return recoverAddress({
    hash: userSignedDigest(input),
    signature: toViemSignature(input.signature),
  });
}

import assert from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import { bytesToHex, hashTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  actionHash,
  l1ActionDigest,
  l1TypedData,
  recoverL1Signer,
  recoverUserSignedSigner,
  signL1Action,
  signUserSignedAction,
  type TypedField,
  userSignedDigest,
} from "../engine/hyperliquid/signing.ts";

/** One known-answer vector of tests/fixtures/signing-vectors.json (official Python SDK tests). */
interface Vector {
  name: string;
  kind: "l1_connection_id" | "l1_sign" | "user_signed";
  private_key: string | null;
  action: Record<string, unknown>;
  nonce: number;
  vault_address: string | null;
  is_mainnet: boolean;
  expires_after: number | null;
  primary_type?: string;
  eip712_fields?: TypedField[];
  expected: { connection_id?: string; r?: string; s?: string; v?: number };
  derived: {
    msgpack_hex?: string;
    connection_id?: string;
    eip712_digest: string;
    signer_address: string | null;
  };
}

const vectors: Vector[] = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/signing-vectors.json", import.meta.url)),
);
const KNOWN_KINDS = new Set(["l1_connection_id", "l1_sign", "user_signed"]);

Deno.test("every fixture vector has a kind this suite checks", () => {
  assert.equal(vectors.length, 21);
  for (const v of vectors) assert.ok(KNOWN_KINDS.has(v.kind), `${v.name}: kind ${v.kind}`);
});

// Signatures are compared as integers: the Python SDK drops leading zeros of r and s.
function assertSameSignature(
  name: string,
  got: { r: string; s: string; v: number },
  want: { r?: string; s?: string; v?: number },
) {
  assert.equal(BigInt(got.r), BigInt(want.r!), `${name}: r`);
  assert.equal(BigInt(got.s), BigInt(want.s!), `${name}: s`);
  assert.equal(got.v, want.v, `${name}: v`);
  assert.match(got.r, /^0x[0-9a-f]{64}$/, `${name}: r is padded to 32 bytes`);
  assert.match(got.s, /^0x[0-9a-f]{64}$/, `${name}: s is padded to 32 bytes`);
}

for (const v of vectors.filter((v) => v.kind !== "user_signed")) {
  Deno.test(`L1 vector ${v.name}`, async () => {
    const input = {
      action: v.action,
      nonce: v.nonce,
      vaultAddress: v.vault_address,
      expiresAfter: v.expires_after,
      isMainnet: v.is_mainnet,
    };
    assert.equal(bytesToHex(encode(v.action, { ignoreUndefined: true })), v.derived.msgpack_hex);
    const id = actionHash(v.action, v.vault_address, v.nonce, v.expires_after);
    assert.equal(id, v.expected.connection_id ?? v.derived.connection_id);
    const digest = l1ActionDigest(input);
    assert.equal(digest, v.derived.eip712_digest);
    assert.equal(hashTypedData(l1TypedData(id, v.is_mainnet)), digest);
    if (v.kind === "l1_connection_id") {
      // The vector asserts only the hash: it carries no key, so there is nothing to sign.
      assert.equal(v.private_key, null);
      return;
    }
    const sig = await signL1Action({ ...input, privateKey: v.private_key! });
    assertSameSignature(v.name, sig, v.expected);
    const signer = await recoverL1Signer({ ...input, signature: sig });
    assert.equal(signer, v.derived.signer_address);
    assert.equal(signer, privateKeyToAccount(v.private_key as `0x${string}`).address);
  });
}

for (const v of vectors.filter((v) => v.kind === "user_signed")) {
  Deno.test(`user-signed vector ${v.name}`, async () => {
    const input = { action: v.action, types: v.eip712_fields!, primaryType: v.primary_type! };
    assert.equal(userSignedDigest(input), v.derived.eip712_digest);
    const sig = await signUserSignedAction({ ...input, privateKey: v.private_key! });
    assertSameSignature(v.name, sig, v.expected);
    assert.equal(
      await recoverUserSignedSigner({ ...input, signature: sig }),
      v.derived.signer_address,
    );
  });
}

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const ORDER = {
  type: "order",
  orders: [{ a: 1, b: true, p: "100", s: "100", r: false, t: { limit: { tif: "Gtc" } } }],
  grouping: "na",
};

// Known answers from the community TS SDK's tests (nktkas/hyperliquid @ db80d59, signing tests),
// the only vectors covering vaultAddress and expiresAfter together
// (engine/hyperliquid/README.md § Signing).
const NK = {
  privateKey: "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff",
  action: {
    type: "order",
    orders: [{ a: 0, b: true, p: "30000", s: "0.1", r: false, t: { limit: { tif: "Gtc" } } }],
    grouping: "na",
  },
  nonce: 1234567890,
  vault: "0x1234567890123456789012345678901234567890",
  expiresAfter: 1234567890,
};

Deno.test("vault and expiresAfter hashes match the NK vectors, all four combinations", () => {
  const { action, nonce, vault, expiresAfter } = NK;
  assert.equal(
    actionHash(action, null, nonce),
    "0x25367e0dba84351148288c2233cd6130ed6cec5967ded0c0b7334f36f957cc90",
  );
  assert.equal(
    actionHash(action, vault, nonce),
    "0x214e2ea3270981b6fd18174216691e69f56872663139d396b10ded319cb4bb1e",
  );
  assert.equal(
    actionHash(action, null, nonce, expiresAfter),
    "0xc30b002ba3775e4c31c43c1dfd3291dfc85c6ae06c6b9f393991de86cad5fac7",
  );
  assert.equal(
    actionHash(action, vault, nonce, expiresAfter),
    "0x2d62412aa0fc57441b5189841d81554a6a9680bf07204e1454983a9ca44f0744",
  );
});

Deno.test("NK L1 and user-signed signatures reproduce (types given as a full record)", async () => {
  const base = { privateKey: NK.privateKey, action: NK.action, nonce: NK.nonce };
  assertSameSignature("nk mainnet", await signL1Action({ ...base, isMainnet: true }), {
    r: "0x61078d8ffa3cb591de045438a1ae2ed299b271891d1943a33901e7cfb3a31ed8",
    s: "0x0e91df4f9841641d3322dad8d932874b74d7e082cdb5b533f804964a6963aef9",
    v: 28,
  });
  assertSameSignature("nk testnet", await signL1Action({ ...base, isMainnet: false }), {
    r: "0x6b0283a894d87b996ad0182b86251cc80d27d61ef307449a2ed249a508ded1f7",
    s: "0x6f884e79f4a0a10af62db831af6f8e03b3f11d899eb49b352f836746ee9226da",
    v: 27,
  });
  const usdSend = {
    privateKey: NK.privateKey,
    action: {
      hyperliquidChain: "Mainnet",
      signatureChainId: "0x66eee",
      destination: "0x1234567890123456789012345678901234567890",
      amount: "1000",
      time: 1234567890,
    },
    primaryType: "HyperliquidTransaction:UsdSend",
    types: {
      "HyperliquidTransaction:UsdSend": [
        { name: "hyperliquidChain", type: "string" },
        { name: "destination", type: "string" },
        { name: "amount", type: "string" },
        { name: "time", type: "uint64" },
      ],
    },
  };
  assertSameSignature("nk usdSend", await signUserSignedAction(usdSend), {
    r: "0xf777c38efe7c24cc71209526ae608f4e384d0586edf578f0e97b4b9f7c7adcc6",
    s: "0x104a4a97c48ae77bf5bd777bdd45fe72d8f5ff29116b5ff64fd8cfe4ea610786",
    v: 28,
  });
});

Deno.test("undefined optional fields are omitted from the hash, never encoded as nil", () => {
  const withUndefined = {
    ...ORDER,
    orders: [{ ...ORDER.orders[0], c: undefined }],
    builder: undefined,
  };
  assert.equal(actionHash(withUndefined, null, 0), actionHash(ORDER, null, 0));
});

Deno.test("a signature over a different network or nonce recovers a different address", async () => {
  const sig = await signL1Action({ privateKey: KEY, action: ORDER, nonce: 5, isMainnet: true });
  const signer = privateKeyToAccount(KEY).address;
  assert.equal(
    await recoverL1Signer({ action: ORDER, nonce: 5, isMainnet: true, signature: sig }),
    signer,
  );
  assert.notEqual(
    await recoverL1Signer({ action: ORDER, nonce: 5, isMainnet: false, signature: sig }),
    signer,
  );
  assert.notEqual(
    await recoverL1Signer({ action: ORDER, nonce: 6, isMainnet: true, signature: sig }),
    signer,
  );
});

Deno.test("bad inputs are refused with a message naming the field, never echoing the key", async () => {
  assert.throws(() => actionHash(ORDER, "0x1234", 0), /vaultAddress/);
  assert.throws(() => actionHash(ORDER, null, -1), /nonce/);
  assert.throws(() => actionHash(ORDER, null, 1.5), /nonce/);
  assert.throws(() => actionHash(ORDER, null, 1, 2 ** 60), /expiresAfter/);
  const badKey = "0xnot-a-key-but-secret-material";
  await assert.rejects(
    () => signL1Action({ privateKey: badKey, action: ORDER, nonce: 1, isMainnet: true }),
    (err: Error) => /private key/.test(err.message) && !err.message.includes(badKey),
  );
  assert.throws(
    () => userSignedDigest({ action: { time: 1 }, types: [], primaryType: "X" }),
    /signatureChainId/,
  );
});

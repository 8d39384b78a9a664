import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import {
  APPROVE_AGENT_PRIMARY_TYPE,
  APPROVE_AGENT_TYPES,
  buildCancelAction,
  buildOrderAction,
  type OrderRequest,
} from "../engine/hyperliquid/exchange_actions.ts";
import { ExchangeClient, type ExchangeClientOptions } from "../engine/hyperliquid/exchange.ts";
import { MAINNET, networkFromEnv, resolveNetwork, TESTNET } from "../engine/hyperliquid/network.ts";
import { NonceSource, nonceSourceFor } from "../engine/hyperliquid/nonce.ts";
import { recoverL1Signer, recoverUserSignedSigner } from "../engine/hyperliquid/signing.ts";
import type { NetworkEndpoints } from "../engine/hyperliquid/types.ts";
import {
  exchangeWeight,
  infoItemWeight,
  infoWeight,
  WeightBudget,
  WeightBudgetError,
} from "../engine/hyperliquid/weight_budget.ts";
import { cloidFromInt } from "../engine/hyperliquid/wire.ts";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const SIGNER = privateKeyToAccount(KEY).address;
const AGENT_KEY = "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff";
const VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";
const T0 = 1_700_000_000_000;

/** One request the fake exchange received. */
interface Received {
  method: string;
  path: string;
  contentType: string | null;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

type Reply = (req: Received) => Response | Promise<Response>;

/** A fake `/exchange` on a free loopback port, answering with `reply`; closed after `run`. */
async function withFakeExchange(
  reply: Reply,
  run: (endpoints: NetworkEndpoints, received: Received[]) => Promise<void>,
  isMainnet = true,
): Promise<void> {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const text = await req.text();
    const entry: Received = {
      method: req.method,
      path: new URL(req.url).pathname,
      contentType: req.headers.get("content-type"),
      text,
      json: JSON.parse(text),
    };
    received.push(entry);
    return await reply(entry);
  });
  const endpoints: NetworkEndpoints = {
    network: isMainnet ? "mainnet" : "testnet",
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    wsUrl: `ws://127.0.0.1:${server.addr.port}/ws`,
    isMainnet,
  };
  try {
    await run(endpoints, received);
  } finally {
    await server.shutdown();
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A client with a frozen clock, so nonces are predictable. */
function client(
  endpoints: NetworkEndpoints,
  extra: Partial<ExchangeClientOptions> = {},
): ExchangeClient {
  return new ExchangeClient({
    endpoints,
    privateKey: KEY,
    nonces: new NonceSource(() => T0),
    ...extra,
  });
}

const BID: OrderRequest = {
  asset: 0,
  isBuy: true,
  px: "60000.5",
  sz: "0.001",
  cloid: cloidFromInt(42),
};
const ASK: OrderRequest = {
  asset: 3,
  isBuy: false,
  px: "1670.1",
  sz: "0.0147",
  tif: "Gtc",
  reduceOnly: true,
};
const RESTING = {
  status: "ok",
  response: { type: "order", data: { statuses: [{ resting: { oid: 77738308 } }] } },
};

Deno.test("placeOrders posts the action byte-exact, signed by the key for the vault", async () => {
  await withFakeExchange(() => json(RESTING), async (endpoints, received) => {
    const outcomes = await client(endpoints, { vaultAddress: VAULT }).placeOrders([BID, ASK]);
    assert.equal(outcomes.length, 2);
    const [req] = received;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/exchange");
    assert.equal(req.contentType, "application/json");
    const expectedAction = '{"type":"order","orders":[' +
      '{"a":0,"b":true,"p":"60000.5","s":"0.001","r":false,"t":{"limit":{"tif":"Alo"}},' +
      '"c":"0x0000000000000000000000000000002a"},' +
      '{"a":3,"b":false,"p":"1670.1","s":"0.0147","r":true,"t":{"limit":{"tif":"Gtc"}}}],' +
      '"grouping":"na"}';
    const sig = req.json.signature;
    assert.equal(
      req.text,
      `{"action":${expectedAction},"nonce":${T0},` +
        `"signature":{"r":"${sig.r}","s":"${sig.s}","v":${sig.v}},` +
        `"vaultAddress":"${VAULT}","expiresAfter":null}`,
    );
    const signer = await recoverL1Signer({
      action: JSON.parse(expectedAction),
      nonce: T0,
      vaultAddress: VAULT,
      isMainnet: true,
      signature: sig,
    });
    assert.equal(signer, SIGNER);
  });
});

Deno.test("an API wallet signs for another account; testnet signs source b; expiresAfter is signed", async () => {
  await withFakeExchange(() => json(RESTING), async (endpoints, received) => {
    const agent = new ExchangeClient({
      endpoints,
      privateKey: AGENT_KEY,
      accountAddress: SIGNER,
      nonces: new NonceSource(() => T0),
    });
    assert.ok(agent.isApiWallet);
    assert.equal(agent.accountAddress, SIGNER.toLowerCase());
    await agent.placeOrders([BID], { expiresAfter: T0 + 5000 });
    const { action, nonce, signature, vaultAddress, expiresAfter } = received[0].json;
    assert.equal(vaultAddress, null);
    assert.equal(expiresAfter, T0 + 5000);
    const input = { action, nonce, vaultAddress, expiresAfter, signature };
    assert.equal(await recoverL1Signer({ ...input, isMainnet: false }), agent.signerAddress);
    assert.notEqual(await recoverL1Signer({ ...input, isMainnet: true }), agent.signerAddress);
    assert.notEqual(agent.signerAddress, SIGNER);
  }, false);
});

Deno.test("every documented order answer becomes the right outcome", async () => {
  const answers: [unknown, unknown[]][] = [
    [RESTING, [{ kind: "resting", oid: 77738308 }]],
    [
      {
        status: "ok",
        response: {
          type: "order",
          data: { statuses: [{ filled: { totalSz: "0.02", avgPx: "1891.4", oid: 77747314 } }] },
        },
      },
      [{ kind: "filled", oid: 77747314, totalSz: 0.02, avgPx: 1891.4 }],
    ],
    [
      {
        status: "ok",
        response: {
          type: "order",
          data: { statuses: [{ error: "Order must have minimum value of $10." }] },
        },
      },
      [{ kind: "rejected", message: "Order must have minimum value of $10." }],
    ],
    [
      {
        status: "ok",
        response: {
          type: "order",
          data: {
            statuses: [{
              error: "Post only order would have immediately matched, bbo was 90901@90902. asset=0",
            }],
          },
        },
      },
      [{
        kind: "postOnlyRejected",
        message: "Post only order would have immediately matched, bbo was 90901@90902. asset=0",
      }],
    ],
    [
      { status: "ok", response: { type: "order", data: { statuses: ["waitingForFill"] } } },
      [{ kind: "unknown", reason: 'unrecognized order status "waitingForFill"' }],
    ],
    [
      { status: "err", response: "Unable to recover signer." },
      [{ kind: "rejected", message: "Unable to recover signer." }],
    ],
  ];
  for (const [answer, expected] of answers) {
    await withFakeExchange(() => json(answer), async (endpoints) => {
      assert.deepEqual(
        await client(endpoints).placeOrders([BID]),
        expected,
        JSON.stringify(answer),
      );
    });
  }
});

Deno.test("a batch answer lines up with its orders, carrying cloids back", async () => {
  const answer = {
    status: "ok",
    response: {
      type: "order",
      data: {
        statuses: [
          { resting: { oid: 287286372177, cloid: cloidFromInt(42) } },
          { filled: { totalSz: "0.0147", avgPx: "1670.1", oid: 9, cloid: cloidFromInt(7) } },
          {
            error: "Post only order would have immediately matched, bbo was 99.99@100.0. asset=159",
          },
        ],
      },
    },
  };
  await withFakeExchange(() => json(answer), async (endpoints) => {
    const outcomes = await client(endpoints).placeOrders([BID, ASK, BID]);
    assert.deepEqual(outcomes, [
      { kind: "resting", oid: 287286372177, cloid: cloidFromInt(42) },
      { kind: "filled", oid: 9, totalSz: 0.0147, avgPx: 1670.1, cloid: cloidFromInt(7) },
      {
        kind: "postOnlyRejected",
        message: "Post only order would have immediately matched, bbo was 99.99@100.0. asset=159",
      },
    ]);
  });
});

Deno.test("a single pre-validation error or a whole-request err applies to every order", async () => {
  const single = {
    status: "ok",
    response: {
      type: "order",
      data: { statuses: [{ error: "Price must be divisible by tick size." }] },
    },
  };
  await withFakeExchange(() => json(single), async (endpoints) => {
    const outcomes = await client(endpoints).placeOrders([BID, ASK, BID]);
    assert.equal(outcomes.length, 3);
    for (const o of outcomes) {
      assert.deepEqual(o, { kind: "rejected", message: "Price must be divisible by tick size." });
    }
  });
  const err = { status: "err", response: "L1 error: User or API Wallet 0xabc does not exist." };
  await withFakeExchange(() => json(err), async (endpoints) => {
    const outcomes = await client(endpoints).placeOrders([BID, ASK]);
    assert.deepEqual(outcomes, [
      { kind: "rejected", message: err.response },
      { kind: "rejected", message: err.response },
    ]);
  });
  const short = {
    status: "ok",
    response: { type: "order", data: { statuses: [{ resting: { oid: 1 } }] } },
  };
  await withFakeExchange(() => json(short), async (endpoints) => {
    const outcomes = await client(endpoints).placeOrders([BID, ASK]);
    assert.deepEqual(outcomes[0], { kind: "resting", oid: 1 });
    assert.equal(outcomes[1].kind, "unknown");
  });
});

Deno.test("HTTP 500, 429, unreadable bodies, timeouts and dead sockets are unknown, never rejected", async () => {
  const replies: [string, Reply][] = [
    ["500", () => new Response("internal error", { status: 500 })],
    ["429", () => new Response("", { status: 429 })],
    ["bad json", () => new Response("<html>gateway</html>", { status: 200 })],
    ["unexpected shape", () => json({ status: "ok", response: { type: "cancel" } })],
  ];
  for (const [label, reply] of replies) {
    await withFakeExchange(reply, async (endpoints) => {
      const outcomes = await client(endpoints).placeOrders([BID, ASK]);
      for (const o of outcomes) assert.equal(o.kind, "unknown", `${label}: ${JSON.stringify(o)}`);
    });
  }
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await withFakeExchange(async () => {
    await held;
    return json(RESTING);
  }, async (endpoints) => {
    const outcomes = await client(endpoints, { timeoutMs: 50 }).placeOrders([BID]);
    release();
    assert.equal(outcomes[0].kind, "unknown");
    assert.match((outcomes[0] as { reason: string }).reason, /no answer within 50 ms/);
  });
  // A port nothing listens on: connection refused.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const dead = client({
    network: "mainnet",
    apiUrl: `http://127.0.0.1:${deadPort}`,
    wsUrl: "ws://127.0.0.1:1/ws",
    isMainnet: true,
  });
  const outcomes = await dead.cancel([{ asset: 0, oid: 1 }]);
  assert.equal(outcomes[0].kind, "unknown");
});

Deno.test("a 4xx other than 408/429 means the exchange refused the request", async () => {
  await withFakeExchange(
    () => new Response("Failed to deserialize the JSON body", { status: 422 }),
    async (endpoints) => {
      const [o] = await client(endpoints).placeOrders([BID]);
      assert.equal(o.kind, "rejected");
      assert.match((o as { message: string }).message, /HTTP 422: Failed to deserialize/);
    },
  );
});

Deno.test("cancel answers: success, missing order, other errors", async () => {
  const answer = {
    status: "ok",
    response: {
      type: "cancel",
      data: {
        statuses: [
          "success",
          { error: "Order was never placed, already canceled, or filled. asset=0" },
          { error: "Too many requests" },
        ],
      },
    },
  };
  await withFakeExchange(() => json(answer), async (endpoints, received) => {
    const outcomes = await client(endpoints).cancel(
      [{ asset: 0, oid: 77738308 }, { asset: 0, oid: 287286372177 }, { asset: 5, oid: 3 }],
      { fast: true },
    );
    assert.deepEqual(outcomes, [
      { kind: "success" },
      { kind: "missing", message: "Order was never placed, already canceled, or filled. asset=0" },
      { kind: "rejected", message: "Too many requests" },
    ]);
    assert.equal(
      JSON.stringify(received[0].json.action),
      '{"type":"cancel","cancels":[{"a":0,"o":77738308},{"a":0,"o":287286372177},{"a":5,"o":3}],"f":true}',
    );
  });
  await withFakeExchange(
    () => json({ status: "ok", response: { type: "cancel", data: { statuses: ["success"] } } }),
    async (endpoints, received) => {
      const outcomes = await client(endpoints).cancelByCloid([{
        asset: 1,
        cloid: cloidFromInt(42),
      }]);
      assert.deepEqual(outcomes, [{ kind: "success" }]);
      assert.equal(
        JSON.stringify(received[0].json.action),
        '{"type":"cancelByCloid","cancels":[{"asset":1,"cloid":"0x0000000000000000000000000000002a"}]}',
      );
    },
  );
});

Deno.test("a lone missing-order status for a batch of cancels leaves the others unknown", async () => {
  const answer = {
    status: "ok",
    response: {
      type: "cancel",
      data: { statuses: [{ error: "Order was never placed, already canceled, or filled." }] },
    },
  };
  await withFakeExchange(() => json(answer), async (endpoints) => {
    const outcomes = await client(endpoints).cancel([{ asset: 0, oid: 1 }, { asset: 0, oid: 2 }]);
    assert.equal(outcomes[0].kind, "missing");
    assert.equal(outcomes[1].kind, "unknown");
  });
  const refused = { status: "err", response: "Too many cumulative requests sent (14295 > 14294)" };
  await withFakeExchange(() => json(refused), async (endpoints) => {
    const outcomes = await client(endpoints).cancel([{ asset: 0, oid: 1 }, { asset: 0, oid: 2 }]);
    assert.deepEqual(outcomes, [
      { kind: "rejected", message: refused.response },
      { kind: "rejected", message: refused.response },
    ]);
  });
});

Deno.test("batchModify, scheduleCancel, updateLeverage and noop post their documented key order", async () => {
  await withFakeExchange((req) => {
    return req.json.action.type === "batchModify"
      ? json(RESTING)
      : json({ status: "ok", response: { type: "default" } });
  }, async (endpoints, received) => {
    const c = client(endpoints);
    const modified = await c.batchModify([
      { oid: 287286372177, order: { asset: 0, isBuy: true, px: "60001", sz: "0.001" } },
      { oid: cloidFromInt(42), order: BID },
    ]);
    assert.deepEqual(modified[0], { kind: "resting", oid: 77738308 });
    assert.deepEqual(await c.scheduleCancel(T0 + 60_000), { kind: "ok" });
    assert.deepEqual(await c.scheduleCancel(), { kind: "ok" });
    assert.deepEqual(await c.updateLeverage(1, false, 5), { kind: "ok" });
    assert.deepEqual(await c.noop({ nonce: 12345 }), { kind: "ok" });
    const actions = received.map((r) => JSON.stringify(r.json.action));
    assert.deepEqual(actions, [
      '{"type":"batchModify","modifies":[' +
      '{"oid":287286372177,"order":{"a":0,"b":true,"p":"60001","s":"0.001","r":false,"t":{"limit":{"tif":"Alo"}}}},' +
      '{"oid":"0x0000000000000000000000000000002a","order":{"a":0,"b":true,"p":"60000.5","s":"0.001","r":false,' +
      '"t":{"limit":{"tif":"Alo"}},"c":"0x0000000000000000000000000000002a"}}]}',
      `{"type":"scheduleCancel","time":${T0 + 60_000}}`,
      '{"type":"scheduleCancel"}',
      '{"type":"updateLeverage","asset":1,"isCross":false,"leverage":5}',
      '{"type":"noop"}',
    ]);
    assert.equal(received[4].json.nonce, 12345);
    for (const r of received) {
      const { action, nonce, signature } = r.json;
      assert.equal(await recoverL1Signer({ action, nonce, isMainnet: true, signature }), SIGNER);
    }
  });
});

Deno.test("scheduleCancel refused by the volume gate is a rejection with the exchange's words", async () => {
  const gate =
    "Cannot set scheduled cancel time until enough volume traded. Required: $1000000. Traded: $373.47205.";
  await withFakeExchange(() => json({ status: "err", response: gate }), async (endpoints) => {
    assert.deepEqual(await client(endpoints).scheduleCancel(T0 + 10_000), {
      kind: "rejected",
      message: gate,
    });
  });
});

Deno.test("approveAgent is user-signed by the master key; an unnamed agent omits agentName", async () => {
  const agent = privateKeyToAccount(AGENT_KEY).address;
  await withFakeExchange(
    () => json({ status: "ok", response: { type: "default" } }),
    async (endpoints, received) => {
      const c = client(endpoints);
      assert.deepEqual(await c.approveAgent({ agentAddress: agent }), { kind: "ok" });
      assert.deepEqual(await c.approveAgent({ agentAddress: agent, agentName: "mm-bot-1" }), {
        kind: "ok",
      });
      const [unnamed, named] = received.map((r) => r.json);
      assert.equal(
        JSON.stringify(unnamed.action),
        `{"type":"approveAgent","signatureChainId":"0x66eee","hyperliquidChain":"Mainnet",` +
          `"agentAddress":"${agent.toLowerCase()}","nonce":${T0}}`,
      );
      assert.equal(unnamed.nonce, T0);
      assert.equal(named.action.agentName, "mm-bot-1");
      assert.equal(named.nonce, T0 + 1);
      assert.equal(named.action.nonce, named.nonce);
      const recover = (action: Record<string, unknown>, signature: never) =>
        recoverUserSignedSigner({
          action,
          types: APPROVE_AGENT_TYPES,
          primaryType: APPROVE_AGENT_PRIMARY_TYPE,
          signature,
        });
      assert.equal(
        await recover({ ...unnamed.action, agentName: "" }, unnamed.signature as never),
        SIGNER,
      );
      assert.equal(await recover(named.action, named.signature as never), SIGNER);
    },
  );
  const viaAgent = new ExchangeClient({
    endpoints: {
      network: "mainnet",
      apiUrl: "http://127.0.0.1:1",
      wsUrl: "ws://127.0.0.1:1",
      isMainnet: true,
    },
    privateKey: AGENT_KEY,
    accountAddress: SIGNER,
  });
  await assert.rejects(() => viaAgent.approveAgent({ agentAddress: agent }), /own key/);
});

Deno.test("1000 actions built in the same millisecond get 1000 increasing nonces", async () => {
  await withFakeExchange(
    () => json({ status: "ok", response: { type: "default" } }),
    async (endpoints, received) => {
      const c = client(endpoints);
      // 1000 weight: more than routine requests may spend (80% of 1200), within safety's 100%.
      const outcomes = await Promise.all(
        Array.from({ length: 1000 }, () => c.noop({ priority: "safety" })),
      );
      assert.ok(outcomes.every((o) => o.kind === "ok"));
      const nonces = received.map((r) => r.json.nonce as number).sort((a, b) => a - b);
      assert.equal(new Set(nonces).size, 1000);
      assert.equal(nonces[0], T0);
      assert.equal(nonces[999], T0 + 999);
    },
  );
});

Deno.test("the weight budget stops requests before they are sent, and says so", async () => {
  await withFakeExchange(() => json(RESTING), async (endpoints, received) => {
    const c = client(endpoints, { budget: new WeightBudget({ limit: 2, now: () => T0 }) });
    const safety = { priority: "safety" as const };
    await c.placeOrders([BID], safety);
    await c.placeOrders([BID], safety);
    const [third] = await c.placeOrders([BID], safety);
    assert.equal(third.kind, "rejected");
    assert.match((third as { message: string }).message, /not sent: REST weight budget exhausted/);
    assert.equal(received.length, 2);
  });
});

Deno.test("malformed orders are refused before signing, naming the order and field", async () => {
  await withFakeExchange(() => json(RESTING), async (endpoints, received) => {
    const c = client(endpoints);
    await assert.rejects(
      () => c.placeOrders([BID, { ...ASK, px: "1670.10" }]),
      /order 1: px "1670.10"/,
    );
    await assert.rejects(() => c.placeOrders([{ ...BID, sz: "1e-3" }]), /order 0: sz/);
    await assert.rejects(() => c.placeOrders([{ ...BID, cloid: "0x2A" }]), /order 0: cloid/);
    await assert.rejects(() => c.placeOrders([{ ...BID, asset: -1 }]), /order 0: asset/);
    await assert.rejects(() => c.placeOrders([{ ...BID, tif: "Fok" as "Alo" }]), /order 0: tif/);
    await assert.rejects(() => c.cancel([{ asset: 0, oid: 1.5 }]), /cancel 0: oid/);
    assert.deepEqual(await c.placeOrders([]), []);
    assert.equal(received.length, 0);
  });
});

Deno.test("the private key never shows in the client, its errors or its inspection", () => {
  const endpoints = {
    network: "mainnet",
    apiUrl: "http://127.0.0.1:1",
    wsUrl: "ws://127.0.0.1:1",
    isMainnet: true,
  } as const;
  const c = new ExchangeClient({ endpoints, privateKey: KEY });
  const secret = KEY.slice(2);
  assert.ok(!Deno.inspect(c, { depth: 10, showHidden: true }).includes(secret));
  assert.ok(!JSON.stringify(c).includes(secret));
  assert.throws(
    () => new ExchangeClient({ endpoints, privateKey: secret }),
    (err: Error) => /privateKey/.test(err.message) && !err.message.includes(secret),
  );
});

Deno.test("pure builders omit optional keys instead of sending null", () => {
  assert.equal(
    JSON.stringify(buildOrderAction([{ asset: 2, isBuy: false, px: "14.314", sz: "10" }])),
    '{"type":"order","orders":[{"a":2,"b":false,"p":"14.314","s":"10","r":false,"t":{"limit":{"tif":"Alo"}}}],"grouping":"na"}',
  );
  assert.equal(
    JSON.stringify(
      buildOrderAction([BID], "na", { b: "0xABCDEFabcdef0123456789012345678901234567", f: 10 }),
    ).endsWith(
      ',"grouping":"na","builder":{"b":"0xabcdefabcdef0123456789012345678901234567","f":10}}',
    ),
    true,
  );
  assert.equal(
    JSON.stringify(buildCancelAction([{ asset: 0, oid: 1 }])),
    '{"type":"cancel","cancels":[{"a":0,"o":1}]}',
  );
});

Deno.test("network: HL_NETWORK picks the signing source; URL overrides only move endpoints", () => {
  assert.deepEqual(resolveNetwork(), MAINNET);
  assert.deepEqual(resolveNetwork({ network: "testnet" }), TESTNET);
  const sim = networkFromEnv((name) =>
    ({
      HL_NETWORK: "mainnet",
      HL_API_URL: "http://127.0.0.1:8080/",
      HL_WS_URL: "ws://127.0.0.1:8080/ws",
    })[name]
  );
  assert.deepEqual(sim, {
    network: "mainnet",
    apiUrl: "http://127.0.0.1:8080",
    wsUrl: "ws://127.0.0.1:8080/ws",
    isMainnet: true,
  });
  assert.equal(
    resolveNetwork({ network: "testnet", apiUrl: "https://api.hyperliquid.xyz" }).isMainnet,
    false,
  );
  assert.throws(
    () => resolveNetwork({ network: "devnet" }),
    /HL_NETWORK="devnet" must be mainnet or testnet/,
  );
  assert.throws(
    () => resolveNetwork({ apiUrl: "ftp://x" }),
    /HL_API_URL="ftp:\/\/x" must use https:\/\/ or http:\/\//,
  );
  assert.throws(() => resolveNetwork({ wsUrl: "not a url" }), /HL_WS_URL="not a url" is not a URL/);
});

Deno.test("nonces follow the clock, never repeat when it stalls or steps back, and are shared per signer", () => {
  let now = T0;
  const nonces = new NonceSource(() => now);
  assert.equal(nonces.next(), T0);
  assert.equal(nonces.next(), T0 + 1);
  now = T0 - 5000; // clock stepped back (NTP)
  assert.equal(nonces.next(), T0 + 2);
  now = T0 + 100;
  assert.equal(nonces.next(), T0 + 100);
  assert.equal(nonces.last, T0 + 100);
  assert.equal(nonceSourceFor(SIGNER), nonceSourceFor(SIGNER.toLowerCase()));
  assert.notEqual(nonceSourceFor(SIGNER), nonceSourceFor(VAULT));
});

Deno.test("weights follow the published table", () => {
  assert.equal(exchangeWeight(1), 1);
  assert.equal(exchangeWeight(39), 1);
  assert.equal(exchangeWeight(40), 2);
  assert.equal(exchangeWeight(79), 2);
  assert.equal(exchangeWeight(80), 3);
  assert.equal(infoWeight("l2Book"), 2);
  assert.equal(infoWeight("clearinghouseState"), 2);
  assert.equal(infoWeight("orderStatus"), 2);
  assert.equal(infoWeight("openOrders"), 20);
  assert.equal(infoWeight("metaAndAssetCtxs"), 20);
  assert.equal(infoWeight("userRole"), 60);
  assert.equal(infoItemWeight("userFills", 2000), 100);
  assert.equal(infoItemWeight("candleSnapshot", 120), 2);
  assert.equal(infoItemWeight("l2Book", 40), 0);
});

Deno.test("the budget holds any 60 s window to the limit and says how long to wait", () => {
  let now = T0;
  const budget = new WeightBudget({ now: () => now });
  assert.equal(budget.remaining(), 1200);
  for (let i = 0; i < 59; i++) budget.consume(20);
  assert.equal(budget.remaining(), 20);
  now += 30_000;
  budget.consume(20);
  assert.equal(budget.remaining(), 0);
  assert.equal(budget.tryConsume(1), false);
  assert.equal(budget.waitMs(1), 30_000);
  assert.equal(budget.waitMs(21), 30_000);
  assert.throws(
    () => budget.consume(2),
    (err: unknown) => err instanceof WeightBudgetError && err.waitMs === 30_000,
  );
  now += 30_000; // the first 59 requests leave the window
  assert.equal(budget.remaining(), 1180);
  budget.charge(100);
  assert.equal(budget.remaining(), 1080);
  assert.equal(budget.waitMs(1000), 0);
  assert.throws(() => new WeightBudget({ limit: 0 }), /limit/);
  assert.throws(() => budget.tryConsume(-1), /weight/);
});

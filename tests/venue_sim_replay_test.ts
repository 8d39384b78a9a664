/**
 * The venue beyond the synthetic market: replaying harvested data, WebSocket `post` requests,
 * and the `venue-sim` task run as a separate process.
 */
import assert from "node:assert/strict";
import { signL1Action } from "../engine/hyperliquid/signing.ts";
import { loadReplay } from "../tools/venue_sim/replay.ts";
import {
  startTestVenue,
  startVenueProcess,
  TEST_ACCOUNT,
  TEST_PRIVATE_KEY,
  WsProbe,
} from "./helpers/venue.ts";
import { ExchangeClient } from "../engine/hyperliquid/exchange.ts";
import { venueEndpoints } from "./helpers/venue.ts";

const T0 = 1_780_000_000_000;

async function writeReplayFiles(dir: string): Promise<string[]> {
  const ticks = [
    "timestamp_ms,coin,bid,ask,mid,spread_bps",
    `${T0},ETH,3000.1,3000.3,3000.2,0.67`,
    `${T0 + 500},ETH,3000.2,3000.4,3000.3,0.67`,
    `${T0 + 1_000},PUMP,0.0051,0.0052,0.00515,19.4`,
    `${T0 + 2_000},ETH,2999.5,2999.7,2999.6,0.67`,
  ].join("\n");
  const trades = [
    "timestamp_ms,coin,side,px,sz,tid",
    `${T0 + 1_500},ETH,A,2999.9,5,111`,
  ].join("\n");
  const frames = JSON.stringify({
    channel: "l2Book",
    data: {
      coin: "BTC",
      time: T0 + 700,
      levels: [[{ px: "84143", sz: "10.25923", n: 36 }], [{ px: "84144", sz: "50.66449", n: 18 }]],
    },
  });
  const paths = [`${dir}/ticks.csv`, `${dir}/trades.csv`, `${dir}/frames.jsonl`];
  await Deno.writeTextFile(paths[0], ticks);
  await Deno.writeTextFile(paths[1], trades);
  await Deno.writeTextFile(paths[2], frames + "\n");
  return paths;
}

Deno.test("replay serves harvested ticks, trades and frames in time order, and recorded trades fill resting orders", async () => {
  const dir = await Deno.makeTempDir();
  const venue = await startTestVenue({
    replay: await loadReplay(await writeReplayFiles(dir), 1),
    startTimeMs: T0 - 1,
  });
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    for (const coin of ["ETH", "BTC", "PUMP"]) await probe.subscribe({ type: "l2Book", coin });
    await probe.subscribe({ type: "trades", coin: "ETH" });
    await probe.subscribe({ type: "userFills", user: TEST_ACCOUNT });
    const from = probe.frames.length;
    venue.advance(600);
    await probe.sync();
    const eth = probe.channel("l2Book", from).map((f) =>
      f.json!.data as { coin: string; time: number; levels: { px: string }[][] }
    );
    assert.deepEqual(eth.map((b) => [b.coin, b.time, b.levels[0][0].px, b.levels[1][0].px]), [
      ["ETH", T0, "3000.1", "3000.3"],
      ["ETH", T0 + 500, "3000.2", "3000.4"],
    ]);
    assert.equal(
      eth[0].levels[0].length,
      20,
      "depth is synthesized behind the recorded top of book",
    );

    // A bid above the recorded trade's price is traded through by it.
    const exchange = new ExchangeClient({
      endpoints: venueEndpoints(venue),
      privateKey: TEST_PRIVATE_KEY,
    });
    const [placed] = await exchange.placeOrders([{
      asset: 1,
      isBuy: true,
      px: "3000",
      sz: "0.01",
    }]);
    assert.equal(placed.kind, "resting");
    const fromFill = probe.frames.length;
    venue.advance(3_000);
    await probe.sync();
    const later = probe.frames.slice(fromFill).map((f) => f.json!);
    const btc = later.find((f) =>
      f.channel === "l2Book" && (f.data as { coin: string }).coin === "BTC"
    );
    assert.deepEqual((btc!.data as { levels: unknown }).levels, [[{
      px: "84143",
      sz: "10.25923",
      n: 36,
    }], [{
      px: "84144",
      sz: "50.66449",
      n: 18,
    }]]);
    assert.ok(
      later.some((f) => f.channel === "l2Book" && (f.data as { coin: string }).coin === "PUMP"),
      "unknown coins join the universe",
    );
    const trade = later.find((f) => f.channel === "trades")!.data as {
      px: string;
      sz: string;
      tid: number;
    }[];
    assert.deepEqual([trade[0].px, trade[0].sz, trade[0].tid], ["2999.9", "5", 111]);
    const fill = later.find((f) => f.channel === "userFills")!.data as {
      fills: { px: string; oid: number }[];
    };
    assert.equal(fill.fills[0].px, "3000");
    assert.equal(fill.fills[0].oid, (placed as { oid: number }).oid);
    assert.equal(venue.sim.replayDone, true);
  } finally {
    await probe.close();
    await venue.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad replay row is refused naming the file, line and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, `${T0},ETH,A,abc,1,5`);
    await assert.rejects(loadReplay([`${dir}/t.csv`], 1), /t\.csv:1: px is not a number: "abc"/);
    await assert.rejects(loadReplay([`${dir}/t.parquet`], 1), /expected a \.csv/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WebSocket post requests answer info and actions in the exchange's envelopes", async () => {
  const venue = await startTestVenue();
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    probe.send({
      method: "post",
      id: 123,
      request: { type: "info", payload: { type: "l2Book", coin: "ETH", nSigFigs: null } },
    });
    const infoAnswer = await probe.waitFor((f) => f.json?.channel === "post");
    const data = infoAnswer.json!.data as {
      id: number;
      response: { type: string; payload: { type: string; data: { coin: string } } };
    };
    assert.equal(data.id, 123);
    assert.equal(data.response.type, "info");
    assert.equal(data.response.payload.type, "l2Book");
    assert.equal(data.response.payload.data.coin, "ETH");

    const bid = Number(venue.sim.l2Book("ETH").levels[0][0].px);
    const action = {
      type: "order",
      orders: [{
        a: 1,
        b: true,
        p: String(Math.floor(bid * 0.9)),
        s: "0.01",
        r: false,
        t: { limit: { tif: "Alo" } },
      }],
      grouping: "na",
    };
    const nonce = Date.now();
    const signature = await signL1Action({
      privateKey: TEST_PRIVATE_KEY,
      action,
      nonce,
      isMainnet: true,
    });
    const from = probe.frames.length;
    probe.send({
      method: "post",
      id: 256,
      request: { type: "action", payload: { action, nonce, signature, vaultAddress: null } },
    });
    const actionAnswer = await probe.waitFor((f) => f.json?.channel === "post", from);
    const resp = actionAnswer.json!.data as {
      id: number;
      response: { type: string; payload: Record<string, unknown> };
    };
    assert.equal(resp.id, 256);
    assert.equal(resp.response.type, "action");
    const payload = resp.response.payload as {
      status: string;
      response: { type: string; data: { statuses: { resting: { oid: number } }[] } };
    };
    assert.equal(payload.status, "ok");
    assert.equal(payload.response.type, "order");
    assert.ok(payload.response.data.statuses[0].resting.oid > 0);

    // A replayed action is refused inside an action envelope, not as a post error.
    const from2 = probe.frames.length;
    probe.send({
      method: "post",
      id: 257,
      request: { type: "action", payload: { action, nonce, signature, vaultAddress: null } },
    });
    const replayed = await probe.waitFor((f) => f.json?.channel === "post", from2);
    assert.deepEqual((replayed.json!.data as { response: unknown }).response, {
      type: "action",
      payload: { status: "err", response: `Invalid nonce: duplicate nonce ${nonce}` },
    });
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("the venue-sim task runs as a process, prints the URLs to use, and serves the market", async () => {
  const venue = await startVenueProcess(["--seed", "3", "--coins", "2", "--rate", "10"]);
  try {
    assert.match(venue.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${venue.apiUrl}/info`, {
      method: "POST",
      body: JSON.stringify({ type: "meta" }),
    });
    assert.ok((await res.json()).universe.length >= 40);
    const probe = await WsProbe.connect(venue.wsUrl);
    await probe.subscribe({ type: "l2Book", coin: "BTC" });
    const from = probe.frames.length;
    await probe.waitFor((f) => f.json?.channel === "l2Book", from);
    await probe.close();
  } finally {
    await venue.close();
  }
});

Deno.test("replay as fast as possible runs an hour of recorded books in a moment of wall time", async () => {
  const dir = await Deno.makeTempDir();
  const rows = ["timestamp_ms,coin,bid,ask,mid,spread_bps"];
  // One ETH book a second for an hour.
  for (let i = 0; i < 3_600; i++) rows.push(`${T0 + i * 1_000},ETH,3000.1,3000.3,3000.2,0.67`);
  await Deno.writeTextFile(`${dir}/ticks.csv`, rows.join("\n"));
  const venue = await startTestVenue({
    replay: await loadReplay([`${dir}/ticks.csv`], 1),
    clock: "realtime",
    replaySpeed: "asap",
    startTimeMs: undefined,
  });
  try {
    while (!venue.sim.replayDone) await new Promise((r) => setTimeout(r, 10));
    assert.equal(venue.sim.now, T0 + 3_599_000);
  } finally {
    await venue.close();
    await Deno.remove(dir, { recursive: true });
  }
});

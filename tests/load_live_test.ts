import assert from "node:assert/strict";
import {
  checkLedger,
  compareFills,
  countLogRefusals,
  type EngineFill,
  judgeRun,
  type LoadSummary,
  pairRuns,
  parseOptions,
  readVenueState,
  requestsPerUsd,
  type RunReport,
  sumSessions,
  type VenueFill,
} from "../tools/load_live.ts";
import { engineCommand } from "../tools/engine_process.ts";

const venueFill = (tid: number, oid: number, px: string, sz: string, time: number): VenueFill => ({
  tid,
  oid,
  px,
  sz,
  time,
});
const engineFill = (oid: number, px: number, sz: number, timeMs: number, tid?: number) => ({
  orderId: String(oid),
  px,
  sz,
  timeMs,
  ...(tid === undefined ? {} : { tid }),
});

const VENUE: VenueFill[] = [
  venueFill(1, 10, "100.5", "0.1", 1000),
  venueFill(2, 10, "100.5", "0.1", 1000), // a second fill of the same order, same size, same ms
  venueFill(3, 11, "0.00123", "5000", 2000),
  venueFill(4, 12, "97000", "0.0002", 3000),
];

Deno.test("compareFills matches every fill once by oid, price, size and time", () => {
  const engine: EngineFill[] = [
    engineFill(10, 100.5, 0.1, 1000),
    engineFill(10, 100.5, 0.1, 1000),
    engineFill(11, 0.00123, 5000, 2000),
    engineFill(12, 97000, 0.0002, 3000),
  ];
  assert.deepEqual(compareFills(VENUE, engine), {
    matched: 4,
    missing: 0,
    duplicated: 0,
    unknown: 0,
    adopted: 0,
  });
});

Deno.test("compareFills finds a planted duplicate, a missing fill and an invented one", () => {
  const engine: EngineFill[] = [
    engineFill(10, 100.5, 0.1, 1000),
    engineFill(10, 100.5, 0.1, 1000),
    engineFill(10, 100.5, 0.1, 1000), // booked twice: the venue made two such fills, not three
    engineFill(11, 0.00123, 5000, 2000),
    engineFill(11, 0.00123, 5000, 2000), // a plain duplicate
    // oid 12 is missing; this one has the right order but the wrong size:
    engineFill(12, 97000, 0.0003, 3000),
    { orderId: "reconcile", px: 97000, sz: 0.0002, timeMs: 3500 },
  ];
  assert.deepEqual(compareFills(VENUE, engine), {
    matched: 3,
    missing: 1,
    duplicated: 2,
    unknown: 1,
    adopted: 1,
  });
});

Deno.test("compareFills matches by tid when the engine records one", () => {
  const engine: EngineFill[] = [
    engineFill(10, 100.5, 0.1, 1000, 2),
    engineFill(10, 100.5, 0.1, 1000, 2), // the same trade id twice
    engineFill(99, 1, 1, 1, 3), // other fields wrong: the tid decides
    engineFill(12, 97000, 0.0002, 3000, 77), // a tid the venue never gave
    engineFill(10, 100.5, 0.1, 1000), // an older record without tid takes the free twin (tid 1)
  ];
  assert.deepEqual(compareFills(VENUE, engine), {
    matched: 3,
    missing: 1,
    duplicated: 1,
    unknown: 1,
    adopted: 0,
  });
  assert.equal(compareFills([], []).missing, 0);
});

Deno.test("countLogRefusals counts refusal lines, not prices that contain 429", () => {
  const log = [
    "INFO [FILL] BTC bid L1 @ 0.429 | sz=$12",
    "INFO oid 14290 placed at 429.5",
    "WARN info userFills failed: POST http://127.0.0.1:1/info: HTTP 429: rate limited",
    "WARN REST weight budget exhausted for quote requests: need 1, 0 left of 1200/min",
    "WARN [LIVE] 3 order(s) refused: Too many cumulative requests sent (10002 > 10000)",
    "WARN exchange rate-limited us",
  ].join("\n");
  assert.deepEqual(countLogRefusals(log), {
    lines: 4,
    byPattern: {
      "HTTP 429": 1,
      "rate limited": 2,
      "weight budget exhausted": 1,
      "Too many cumulative requests": 1,
    },
  });
  assert.equal(countLogRefusals("").lines, 0);
});

Deno.test("readVenueState reads /control with or without ipWeight", () => {
  const base = {
    openOrders: [{ oid: 1 }, { oid: 2 }],
    fills: 5,
    volumeUsd: "123.45",
    requestsUsed: 40,
  };
  assert.deepEqual(readVenueState(base), {
    restingOrders: 2,
    fills: 5,
    requestsUsed: 40,
    volumeUsd: 123.45,
    ipWeight: null,
  });
  const withWeight = readVenueState({
    ...base,
    ipWeight: { limit: 1200, usedLastMinute: 300, peakPerMinute: 900, refusals: 3 },
  });
  assert.deepEqual(withWeight.ipWeight, { limit: 1200, peakPerMinute: 900, refusals: 3 });
  assert.throws(() => readVenueState({ error: "no route" }), /no openOrders list/);
});

Deno.test("parseOptions: defaults, fractions of minutes, and bad flags named", () => {
  assert.deepEqual(parseOptions([]), {
    mode: "live",
    runs: 3,
    minutes: 10,
    coins: 30,
    rate: 10,
    delayMs: 20,
    seed: 1,
    env: {},
  });
  const quick = parseOptions(["--mode", "both", "--minutes", "0.5", "--delay-ms", "0"]);
  assert.equal(quick.mode, "both");
  assert.equal(quick.minutes, 0.5);
  assert.equal(quick.delayMs, 0);
  assert.throws(() => parseOptions(["--mode", "paper"]), /--mode must be live, shadow or both/);
  assert.throws(() => parseOptions(["--runs", "1.5"]), /--runs must be an integer >= 1/);
  assert.throws(() => parseOptions(["--minutes", "0"]), /--minutes must be a positive number/);
  assert.throws(() => parseOptions(["--coins", "45"]), /--coins must be an integer 1-44/);
  assert.throws(() => parseOptions(["--rate", "fast"]), /--rate must be a positive number/);
  assert.throws(() => parseOptions(["extra"]), /unexpected argument extra/);
  const fitted = parseOptions([
    "--env",
    "MM_QUEUE_MODEL=power:1",
    "--env",
    "MM_CANCEL_LATENCY_MS=40",
  ]);
  assert.deepEqual(fitted.env, { MM_QUEUE_MODEL: "power:1", MM_CANCEL_LATENCY_MS: "40" });
  assert.throws(
    () => parseOptions(["--env", "HL_PRIVATE_KEY=0x1"]),
    /--env must be MM_NAME=value, got "HL_PRIVATE_KEY=0x1"/,
  );
});

Deno.test("engineCommand: live signs with the public test key, shadow never gets a key", () => {
  const venue = { apiUrl: "http://127.0.0.1:1", wsUrl: "ws://127.0.0.1:1/ws" };
  const live = engineCommand("live", venue, 30, "data/load/x/1-live", "redis://127.0.0.1:2");
  assert.deepEqual(live.args, ["live"]);
  assert.equal(live.env.MM_SHADOW_MODE, "false");
  assert.equal(live.env.HL_ADDRESS, "0x14791697260E4c9A71f18484C9f997B308e59325");
  assert.match(live.env.HL_PRIVATE_KEY, /^0x(0123456789){6}0123$/);
  assert.equal(live.env.MM_HARVEST_TICKS, "false");
  assert.equal(live.env.MM_COINS_TOP_N, "30");
  const shadow = engineCommand(
    "shadow",
    venue,
    3,
    "data/load/x/1-shadow",
    "redis://127.0.0.1:2",
    20,
  );
  assert.deepEqual(shadow.args, ["shadow"]);
  assert.equal(shadow.env.MM_SHADOW_MODE, "true");
  assert.equal(shadow.env.HL_PRIVATE_KEY, undefined);
  assert.equal(shadow.env.MM_DATA_DIR, "data/load/x/1-shadow");
  // The venue's 20 ms on every answer is shadow's order and cancel latency, as live meets it.
  assert.equal(shadow.env.MM_ENTRY_LATENCY_MS, "20");
  assert.equal(live.env.MM_ENTRY_LATENCY_MS, undefined);
  // --env settings reach both modes and win over the defaults.
  const settings = { MM_QUEUE_MODEL: "log", MM_ENTRY_LATENCY_MS: "35" };
  const fitted = engineCommand("shadow", venue, 3, "d", "redis://127.0.0.1:2", 20, settings);
  assert.equal(fitted.env.MM_ENTRY_LATENCY_MS, "35");
  assert.equal(fitted.env.MM_QUEUE_MODEL, "log");
  const fittedLive = engineCommand("live", venue, 3, "d", "redis://127.0.0.1:2", 20, settings);
  assert.equal(fittedLive.env.MM_QUEUE_MODEL, "log");
});

Deno.test("checkLedger sums the ledger and finds a record whose real fills the venue did not make", () => {
  const record = (oid: number, px: number, realSz: number, predictedSz: number) => ({
    oid,
    px,
    realSz,
    predictedSz,
  });
  const venue = [venueFill(1, 10, "100", "0.1", 1000), venueFill(2, 10, "100", "0.1", 1001)];
  const check = checkLedger([record(10, 100, 0.2, 0.1), record(11, 50, 0, 0.3)], venue);
  assert.deepEqual(check, {
    orders: 2,
    realUsd: 20,
    predictedUsd: 25,
    realOverPredicted: 0.8,
    realMismatches: 0,
  });
  // The ledger says order 11 filled 0.1, the venue never filled it.
  assert.equal(checkLedger([record(11, 50, 0.1, 0)], venue).realMismatches, 1);
  assert.equal(checkLedger([], null).realOverPredicted, null);
});

Deno.test("sessions sum; requests per USDC from the venue in live, the session in shadow", () => {
  const old = sumSessions([{ cancels: 5, fills: 1 }]);
  assert.deepEqual(old, {
    records: 1,
    placed: null,
    cancels: 5,
    requests: null,
    volumeUsd: null,
    fills: 1,
  });
  const session = sumSessions([
    { cancels: 5, placed: 10, requests: null, volumeUsd: 30 },
    { cancels: 1, placed: 2, requests: 8, volumeUsd: 10 },
  ]);
  assert.equal(session.placed, 12);
  assert.equal(session.requests, 8);
  assert.equal(session.volumeUsd, 40);
  const venue = { restingOrders: 0, fills: 3, requestsUsed: 50, volumeUsd: 25, ipWeight: null };
  assert.equal(requestsPerUsd("live", venue, session), 2);
  assert.equal(requestsPerUsd("shadow", venue, session), 0.2);
  assert.equal(requestsPerUsd("live", { ...venue, volumeUsd: 0 }, session), null);
  assert.equal(requestsPerUsd("live", null, session), 0.2);
});

const CLEAN: Parameters<typeof judgeRun>[0] = {
  end: "time",
  durationS: 60,
  engineExitCode: 0,
  engineKilled: false,
  venue: {
    restingOrders: 0,
    fills: 1,
    requestsUsed: 10,
    volumeUsd: 20,
    ipWeight: { limit: 1200, peakPerMinute: 100, refusals: 0 },
  },
  fillCheck: { matched: 1, missing: 0, duplicated: 0, unknown: 0, adopted: 0 },
  logRefusals: countLogRefusals(""),
  ledger: { orders: 3, realUsd: 10, predictedUsd: 9, realOverPredicted: 10 / 9, realMismatches: 0 },
};

Deno.test("judgeRun fails resting orders, fill mismatches, refusals and an engine that died", () => {
  assert.deepEqual(judgeRun(CLEAN), []);
  assert.deepEqual(
    judgeRun({
      ...CLEAN,
      venue: {
        ...CLEAN.venue!,
        restingOrders: 3,
        ipWeight: { ...CLEAN.venue!.ipWeight!, refusals: 2 },
      },
      fillCheck: { matched: 1, missing: 1, duplicated: 2, unknown: 1, adopted: 0 },
      logRefusals: countLogRefusals("HTTP 429: slow down"),
      ledger: { ...CLEAN.ledger!, realMismatches: 2 },
    }),
    [
      "3 orders left resting",
      "1 venue fills missing from the engine's file",
      "2 fills booked twice",
      "1 engine fills the venue never made",
      "2 ledger records disagree with the venue's fills",
      "2 requests refused by the venue for IP weight",
      "1 refusal lines in the engine log",
    ],
  );
  assert.deepEqual(
    judgeRun({ ...CLEAN, end: "engine-exited", durationS: 0.5, engineExitCode: 1 }),
    [
      "the engine exited by itself after 0.5 s (see engine.log)",
    ],
  );
  assert.deepEqual(judgeRun({ ...CLEAN, engineKilled: true, engineExitCode: null }), [
    "the engine ignored SIGTERM and was killed",
  ]);
  assert.deepEqual(judgeRun({ ...CLEAN, venue: null }, ["venue: connection refused"]), [
    "venue: connection refused",
    "the venue's state after the stop is unknown",
  ]);
});

Deno.test("pairRuns compares the placed orders of live and shadow per run index", () => {
  const run = (n: number, mode: "live" | "shadow", placed: number | null) =>
    ({ run: n, mode, session: { ...sumSessions([]), placed } }) as RunReport;
  assert.deepEqual(
    pairRuns([
      run(1, "live", 100),
      run(1, "shadow", 108),
      run(2, "live", 100),
      run(2, "shadow", 80),
    ]),
    [
      { run: 1, livePlaced: 100, shadowPlaced: 108, ratio: 1.08, withinTarget: true },
      { run: 2, livePlaced: 100, shadowPlaced: 80, ratio: 0.8, withinTarget: false },
    ],
  );
  assert.deepEqual(pairRuns([run(1, "live", null), run(1, "shadow", 5)])[0].ratio, null);
  assert.deepEqual(pairRuns([run(1, "shadow", 5)]), []);
});

Deno.test("deno task load-live runs live and shadow against the venue and reports both", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command("./deno", {
    args: [
      "task",
      "-q",
      "load-live",
      ...["--mode", "both", "--runs", "1", "--coins", "3", "--minutes", "0.3"],
      ...["--rate", "10", "--delay-ms", "20", "--seed", "5"],
    ],
    cwd: root,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const context = `exit ${out.code}\n${stdout}\n${new TextDecoder().decode(out.stderr)}`;
  const dir = /details in (\S+)\/summary\.json/.exec(stdout)?.[1];
  assert.ok(dir, `the summary's path is printed\n${context}`);
  const summary: LoadSummary = JSON.parse(
    await Deno.readTextFile(new URL(`${dir}/summary.json`, root)),
  );
  // The verdict on the engine is not this test's business; the report's consistency is.
  assert.equal(out.code, summary.ok ? 0 : 1, context);
  assert.equal(summary.ok, summary.runs.every((r) => r.problems.length === 0));
  assert.equal(summary.interrupted, false);
  assert.deepEqual(summary.options, {
    mode: "both",
    runs: 1,
    minutes: 0.3,
    coins: 3,
    rate: 10,
    delayMs: 20,
    seed: 5,
    env: {},
  });
  assert.deepEqual(summary.runs.map((r) => [r.run, r.mode, r.seed]), [
    [1, "live", 5],
    [1, "shadow", 5],
  ]);
  for (const run of summary.runs) {
    assert.equal(run.dir, `${dir}/1-${run.mode}`);
    // Live: every order that rested has its ledger record, and its real side is the venue's.
    if (run.mode === "live") {
      assert.ok(run.ledger && run.ledger.orders > 0, `a ledger was written\n${context}`);
      assert.equal(run.ledger.realMismatches, 0, context);
    } else assert.equal(run.ledger, null);
    assert.ok(run.venue, `run ${run.mode}: the venue was read after the stop\n${context}`);
    assert.equal(typeof run.venue.restingOrders, "number");
    assert.equal(typeof run.venue.fills, "number");
    assert.equal(typeof run.engineFills, "number");
    assert.ok(["time", "engine-exited"].includes(run.end), run.end);
    assert.ok(run.durationS > 0);
    assert.ok(Object.keys(run.logRefusals.byPattern).includes("HTTP 429"));
    const log = await Deno.readTextFile(new URL(`${run.dir}/engine.log`, root));
    assert.equal(run.logRefusals.lines, countLogRefusals(log).lines);
    if (run.venue.ipWeight?.peakPerMinute != null) {
      assert.equal(run.peakWeightShare, run.venue.ipWeight.peakPerMinute / 1200);
    }
    // The venue is stopped: its port no longer answers.
    const venueLog = await Deno.readTextFile(new URL(`${run.dir}/venue.log`, root));
    const apiUrl = /HL_API_URL=(\S+)/.exec(venueLog)?.[1];
    assert.ok(apiUrl, venueLog);
    await assert.rejects(fetch(`${apiUrl}/control`, { signal: AbortSignal.timeout(5_000) }));
  }
  const [live, shadow] = summary.runs;
  assert.ok(live.fillCheck, "the live run compares fills");
  assert.equal(live.fillCheck.matched + live.fillCheck.missing, live.venue!.fills);
  assert.equal(
    live.fillCheck.matched + live.fillCheck.duplicated + live.fillCheck.unknown +
      live.fillCheck.adopted,
    live.engineFills,
  );
  assert.equal(shadow.fillCheck, null, "shadow fills never reach the venue");
  assert.equal(shadow.venue!.fills, 0);
  assert.equal(summary.pairs.length, 1);
  assert.equal(summary.pairs[0].shadowPlaced, shadow.session.placed);
  assert.match(stdout, /run\s+mode\s+exit\s+resting\s+venue fills/);
  assert.match(stdout, /live placed\s+shadow placed/);
});

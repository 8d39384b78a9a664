/**
 * Load test of the engine against the venue simulator, in live and shadow mode:
 *
 *   ./deno task load-live [--mode live|shadow|both] [--runs 3] [--minutes 10] [--coins 30]
 *     [--rate 10] [--delay-ms 20] [--seed 1] [--env MM_NAME=value]...
 *
 * Each run starts a venue simulator of its own (seed `--seed` + run index − 1, `--coins` active
 * coins, `--rate` × the simulator's base update rate, every answer delayed `--delay-ms`), runs the
 * engine against it for `--minutes`, stops it with SIGTERM and asks the venue what is left: orders
 * still resting, fills the engine missed or booked twice, requests spent per USDC traded, requests
 * the venue refused for weight and the peak weight per minute. `both` runs live and shadow on the
 * same venue settings per run index, to compare the orders each places. `--env` sets an engine
 * variable for every run (repeatable; e.g. the fill model `calibrate-fills` printed). A live run's
 * ledger (data/live/ledger/) is summed: real against predicted filled volume, and every record's
 * real fills checked against the venue's.
 *
 * Everything goes under `data/load/<stamp>/`: one folder per run (`1-live`, `1-shadow`, …) with
 * the engine's data, `engine.log` and `venue.log`, and `summary.json`. A table is printed. The exit
 * code is 0 when every run passed; 1 when one left orders resting, missed, duplicated or invented
 * a fill, was refused for its request rate, or its engine died or would not stop in order; 2 on
 * bad flags; 130 when interrupted (Ctrl-C stops the engine, then the venue, first).
 */

import { parseArgs } from "node:util";
import { IP_WEIGHT_PER_MINUTE } from "../engine/hyperliquid/exchange_facts.ts";
import { isRecord } from "../engine/util/guards.ts";
import { type Cell, formatTable } from "./analysis/table.ts";
import {
  closedRedisUrl,
  type EngineMode,
  EXIT_INTERRUPTED,
  interruptOnSignals,
  isInteger as int,
  modeFlag,
  numberFlag as number,
  stampedDir,
} from "./run_cli.ts";
import {
  engineCommand,
  KILL_WAIT_MS,
  pipeToFile,
  sleep,
  spawn,
  startVenue,
  stopProcess,
  type VenueProcess,
  within,
} from "./engine_process.ts";
import { errorMessage } from "../engine/util/errors.ts";
import { UNIVERSE } from "./venue_sim/universe.ts";

/** The command line, validated. */
export interface LoadOptions {
  mode: EngineMode | "both";
  runs: number;
  minutes: number;
  coins: number;
  rate: number;
  /** Extra wall-time delay of every REST and WS `post` answer, ms (0: none). */
  delayMs: number;
  seed: number;
  /** `--env` settings for the engine, `MM_*` names only. */
  env: Record<string, string>;
}

/** One fill as the venue recorded it (`POST /control {"fills":true}`). */
export interface VenueFill {
  oid: number;
  px: string | number;
  sz: string | number;
  time: number;
  tid: number;
}

/** A live run's ledger (engine/ledger/) summed, and its real side checked against the venue. */
export interface LedgerCheck {
  orders: number;
  /** Filled volume, USD: the ledger's real fills, and the configured model's prediction. */
  realUsd: number;
  predictedUsd: number;
  /** realUsd / predictedUsd (null when nothing was predicted). */
  realOverPredicted: number | null;
  /** Records whose real filled size is not what the venue filled for that order. */
  realMismatches: number;
}

/** One line of the engine's fill file (`ShadowFillRecord`; `tid` only in newer live records). */
export interface EngineFill {
  orderId: string;
  px: number;
  sz: number;
  timeMs: number;
  tid?: number;
}

/** Venue fills against the engine's fill file. */
export interface FillComparison {
  /** Engine records that found their venue fill. */
  matched: number;
  /** Venue fills with no engine record. */
  missing: number;
  /** Engine records of a venue fill already matched by another record. */
  duplicated: number;
  /** Engine records of a fill the venue never made. */
  unknown: number;
  /** Position adoptions booked by reconcile (`orderId` "reconcile"): not venue fills. */
  adopted: number;
}

/** What `GET /control` says after the stop, read defensively (`ipWeight` is recent). */
export interface VenueReading {
  restingOrders: number;
  fills: number;
  requestsUsed: number | null;
  volumeUsd: number | null;
  ipWeight: { limit: number | null; peakPerMinute: number | null; refusals: number | null } | null;
}

/** The engine's session record(s) of a run, summed (null: no record carries the field). */
export interface SessionTotals {
  records: number;
  placed: number | null;
  cancels: number | null;
  requests: number | null;
  volumeUsd: number | null;
  fills: number | null;
}

/** Engine log lines that report a refusal for request rate or budget, by pattern. */
export interface LogRefusals {
  lines: number;
  byPattern: Record<string, number>;
}

/** One run's figures and verdict. */
export interface RunReport {
  run: number;
  mode: EngineMode;
  seed: number;
  dir: string;
  /** Why the engine was stopped: the minutes ran out, Ctrl-C, or it exited by itself. */
  end: "time" | "interrupted" | "engine-exited";
  /** Seconds from the engine's start to its exit. */
  durationS: number;
  /** Null when the engine never started or could not be reaped. */
  engineExitCode: number | null;
  /** The signal that ended the engine, when one did. */
  engineSignal: string | null;
  /** Whether the engine ignored SIGTERM past the timeout and was killed. */
  engineKilled: boolean;
  /** The venue's state after the stop; null when it could not be read. */
  venue: VenueReading | null;
  session: SessionTotals;
  engineFills: number;
  /** Live runs only: shadow fills are simulated and never reach the venue. */
  fillCheck: FillComparison | null;
  /** Live runs only: the ledger of real against predicted fills. */
  ledger: LedgerCheck | null;
  /** Requests per USDC traded: the venue's counts in live, the session record's in shadow. */
  requestsPerUsd: number | null;
  logRefusals: LogRefusals;
  /** The venue's peak IP weight in one minute as a share of 1200. */
  peakWeightShare: number | null;
  /** Why the run failed; empty when it passed. */
  problems: string[];
}

/** Placed orders of the live and shadow runs of one run index (`--mode both`). */
export interface PairReport {
  run: number;
  livePlaced: number | null;
  shadowPlaced: number | null;
  /** shadowPlaced / livePlaced. */
  ratio: number | null;
  /** The goal: within 10% of each other. */
  withinTarget: boolean | null;
}

/** `data/load/<stamp>/summary.json`. */
export interface LoadSummary {
  startedAt: string;
  dir: string;
  options: LoadOptions;
  runs: RunReport[];
  pairs: PairReport[];
  interrupted: boolean;
  ok: boolean;
}

/** The placed-order ratio of live and shadow the team aims at. */
const PAIR_TOLERANCE = 0.1;
/** Far above the engine's own 5 s shutdown deadline: only a hung engine is killed. */
const ENGINE_STOP_TIMEOUT_MS = 30_000;
const CONTROL_TIMEOUT_MS = 10_000;
/** The brief pause after the engine's exit, so the venue settles orders still in flight. */
const SETTLE_MS = 1_000;

/**
 * What counts as a refusal in the engine's log. A bare "429" would also match prices and ids,
 * so the status is matched as the HTTP errors print it (`HTTP 429`).
 */
export const REFUSAL_PATTERNS: Readonly<Record<string, RegExp>> = {
  "HTTP 429": /\b(?:HTTP|status) 429\b/,
  "rate limited": /rate[- ]limited/i,
  "weight budget exhausted": /weight budget exhausted/i,
  "Too many cumulative requests": /Too many cumulative requests/,
};

const USAGE = `usage: ./deno task load-live [options]
  --mode live|shadow|both  engine mode (default live; both: a live and a shadow run per index)
  --runs N                 runs (default 3), venue seed + run index - 1
  --minutes M              engine time per run (default 10; fractions allowed)
  --coins N                active venue coins and MM_COINS_TOP_N (default 30)
  --rate R                 venue market time per clock time (default 10)
  --delay-ms D             delay of every venue answer, ms (default 20; 0: none)
  --seed S                 venue seed of the first run (default 1)`;

/** Parses and checks the command line; throws naming the bad flag. */
export function parseOptions(args: string[]): LoadOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      mode: { type: "string", default: "live" },
      runs: { type: "string", default: "3" },
      minutes: { type: "string", default: "10" },
      coins: { type: "string", default: "30" },
      rate: { type: "string", default: "10" },
      "delay-ms": { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
      env: { type: "string", multiple: true, default: [] },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  return {
    mode: modeFlag(values.mode),
    runs: number("runs", values.runs, (x) => int(x) && x >= 1, "an integer >= 1"),
    minutes: number("minutes", values.minutes, (x) => x > 0, "a positive number"),
    // The venue lists UNIVERSE.length (44) coins; the engine quotes at most 64.
    coins: number(
      "coins",
      values.coins,
      (x) => int(x) && x >= 1 && x <= UNIVERSE.length,
      `an integer 1-${UNIVERSE.length}`,
    ),
    rate: number("rate", values.rate, (x) => x > 0, "a positive number"),
    delayMs: number("delay-ms", values["delay-ms"], (x) => x >= 0, "a number >= 0"),
    seed: number("seed", values.seed, int, "an integer"),
    env: engineEnv(values.env),
  };
}

/** `--env MM_NAME=value` settings; throws naming one that is not of that form. */
function engineEnv(settings: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of settings) {
    const match = /^(MM_[A-Z0-9_]+)=(.*)$/.exec(setting);
    if (match === null) {
      throw new Error(`--env must be MM_NAME=value, got ${JSON.stringify(setting)}`);
    }
    env[match[1]] = match[2];
  }
  return env;
}

/**
 * Sums ledger records and checks each one's real filled size against the venue's fills of its
 * order (sizes within a millionth of a lot).
 */
export function checkLedger(
  records: Record<string, unknown>[],
  venueFills: VenueFill[] | null,
): LedgerCheck {
  const venueSz = new Map<number, number>();
  for (const f of venueFills ?? []) venueSz.set(f.oid, (venueSz.get(f.oid) ?? 0) + Number(f.sz));
  let realUsd = 0;
  let predictedUsd = 0;
  let realMismatches = 0;
  for (const r of records) {
    const px = Number(r.px);
    realUsd += Number(r.realSz) * px;
    predictedUsd += Number(r.predictedSz) * px;
    const venue = venueSz.get(Number(r.oid)) ?? 0;
    if (venueFills !== null && Math.abs(venue - Number(r.realSz)) > 1e-9) realMismatches++;
  }
  return {
    orders: records.length,
    realUsd,
    predictedUsd,
    realOverPredicted: predictedUsd > 0 ? realUsd / predictedUsd : null,
    realMismatches,
  };
}

/**
 * Matches the engine's fill records to the venue's fills: by `tid` when a record has one, else
 * by order id, price, size and time. Each venue fill is matched once; a second record of it is a
 * duplicate, a record of no venue fill is unknown, a venue fill left over is missing.
 */
export function compareFills(venue: VenueFill[], engine: EngineFill[]): FillComparison {
  const key = (oid: string | number, px: number, sz: number, time: number) =>
    `${oid}|${px}|${sz}|${time}`;
  const byTid = new Map<number, number>();
  const byKey = new Map<string, number[]>();
  for (const [i, f] of venue.entries()) {
    byTid.set(f.tid, i);
    const k = key(f.oid, Number(f.px), Number(f.sz), f.time);
    byKey.set(k, [...byKey.get(k) ?? [], i]);
  }
  const matched = new Set<number>();
  const out: FillComparison = { matched: 0, missing: 0, duplicated: 0, unknown: 0, adopted: 0 };
  const book = (candidates: number[]) => {
    if (candidates.length === 0) out.unknown++;
    else {
      const free = candidates.find((i) => !matched.has(i));
      if (free === undefined) out.duplicated++;
      else {
        matched.add(free);
        out.matched++;
      }
    }
  };
  // Records with a tid first: they are certain, so the ones without take what is left.
  const withTid = engine.filter((f) => f.tid !== undefined);
  const without = engine.filter((f) => f.tid === undefined);
  for (const f of withTid) {
    const i = byTid.get(f.tid as number);
    book(i === undefined ? [] : [i]);
  }
  for (const f of without) {
    if (f.orderId === "reconcile") out.adopted++;
    else book(byKey.get(key(f.orderId, f.px, f.sz, f.timeMs)) ?? []);
  }
  out.missing = venue.length - matched.size;
  return out;
}

/** Counts the engine log's refusal lines (a line matching several patterns counts once). */
export function countLogRefusals(log: string): LogRefusals {
  const byPattern = Object.fromEntries(Object.keys(REFUSAL_PATTERNS).map((k) => [k, 0]));
  let lines = 0;
  for (const line of log.split("\n")) {
    let hit = false;
    for (const [name, pattern] of Object.entries(REFUSAL_PATTERNS)) {
      if (pattern.test(line)) {
        byPattern[name]++;
        hit = true;
      }
    }
    if (hit) lines++;
  }
  return { lines, byPattern };
}

/** A finite number from a JSON value (numbers and numeric strings), else null. */
function numberOrNull(v: unknown): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/** Reads `GET /control`'s answer; fields a venue version lacks come out null. */
export function readVenueState(json: unknown): VenueReading {
  const s = isRecord(json) ? json : {};
  if (!Array.isArray(s.openOrders)) throw new Error("GET /control: no openOrders list");
  const w = s.ipWeight;
  const weight = typeof w === "object" && w !== null ? w as Record<string, unknown> : null;
  return {
    restingOrders: s.openOrders.length,
    fills: numberOrNull(s.fills) ?? 0,
    requestsUsed: numberOrNull(s.requestsUsed),
    volumeUsd: numberOrNull(s.volumeUsd),
    ipWeight: weight && {
      limit: numberOrNull(weight.limit),
      peakPerMinute: numberOrNull(weight.peakPerMinute),
      refusals: numberOrNull(weight.refusals),
    },
  };
}

/** Sums session records (JSON objects); a field stays null unless some record carries it. */
export function sumSessions(records: Record<string, unknown>[]): SessionTotals {
  const total = (field: string) => {
    const values = records.map((r) => numberOrNull(r[field])).filter((x) => x !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  };
  return {
    records: records.length,
    placed: total("placed"),
    cancels: total("cancels"),
    requests: total("requests"),
    volumeUsd: total("volumeUsd"),
    fills: total("fills"),
  };
}

/**
 * Requests per USDC traded: in live the venue's address count over its volume (what the exchange
 * would charge), in shadow the session record's would-be requests over its simulated volume.
 */
export function requestsPerUsd(
  mode: EngineMode,
  venue: VenueReading | null,
  session: SessionTotals,
): number | null {
  const [requests, volume] = mode === "live" && venue?.requestsUsed != null
    ? [venue.requestsUsed, venue.volumeUsd]
    : [session.requests, session.volumeUsd];
  return requests !== null && volume !== null && volume > 0 ? requests / volume : null;
}

/** Why a run failed (empty: it passed); `errors` are failures to run or read it at all. */
export function judgeRun(
  run: Pick<
    RunReport,
    | "end"
    | "durationS"
    | "engineExitCode"
    | "engineKilled"
    | "venue"
    | "fillCheck"
    | "logRefusals"
    | "ledger"
  >,
  errors: string[] = [],
): string[] {
  const problems = [...errors];
  // A run whose engine died early or did not shut down in order measured nothing reliable.
  if (run.end === "engine-exited") {
    problems.push(`the engine exited by itself after ${run.durationS} s (see engine.log)`);
  } else if (run.engineKilled) problems.push("the engine ignored SIGTERM and was killed");
  else if (run.engineExitCode !== null && run.engineExitCode !== 0) {
    problems.push(`the engine exited with code ${run.engineExitCode} after SIGTERM`);
  }
  const v = run.venue;
  if (v === null) problems.push("the venue's state after the stop is unknown");
  else if (v.restingOrders > 0) problems.push(`${v.restingOrders} orders left resting`);
  const f = run.fillCheck;
  if (f?.missing) problems.push(`${f.missing} venue fills missing from the engine's file`);
  if (f?.duplicated) problems.push(`${f.duplicated} fills booked twice`);
  if (f?.unknown) problems.push(`${f.unknown} engine fills the venue never made`);
  if (run.ledger?.realMismatches) {
    problems.push(`${run.ledger.realMismatches} ledger records disagree with the venue's fills`);
  }
  // The load test injects no refusal fault: every refusal is the engine's request rate.
  const refused = v?.ipWeight?.refusals ?? 0;
  if (refused > 0) problems.push(`${refused} requests refused by the venue for IP weight`);
  if (run.logRefusals.lines > 0) {
    problems.push(`${run.logRefusals.lines} refusal lines in the engine log`);
  }
  return problems;
}

/** Pairs the live and shadow runs of each run index. */
export function pairRuns(runs: RunReport[]): PairReport[] {
  const pairs: PairReport[] = [];
  for (const live of runs.filter((r) => r.mode === "live")) {
    const shadow = runs.find((r) => r.mode === "shadow" && r.run === live.run);
    if (shadow === undefined) continue;
    const livePlaced = live.session.placed, shadowPlaced = shadow.session.placed;
    const ratio = livePlaced !== null && shadowPlaced !== null && livePlaced > 0
      ? shadowPlaced / livePlaced
      : null;
    pairs.push({
      run: live.run,
      livePlaced,
      shadowPlaced,
      ratio,
      withinTarget: ratio === null ? null : Math.abs(ratio - 1) <= PAIR_TOLERANCE,
    });
  }
  return pairs;
}

/** The human report: one row per run, the live/shadow pairs, and every problem. */
export function formatSummary(summary: LoadSummary): string {
  const pct = (x: number | null) => x === null ? null : `${(x * 100).toFixed(1)}%`;
  const rows: Cell[][] = summary.runs.map((r) => [
    `${r.run}`,
    r.mode,
    r.engineExitCode === null ? r.engineSignal ?? "?" : `${r.engineExitCode}`,
    r.venue?.restingOrders,
    r.venue?.fills,
    r.engineFills,
    r.fillCheck?.missing,
    r.fillCheck?.duplicated,
    r.session.placed,
    r.session.cancels,
    r.requestsPerUsd,
    r.venue?.ipWeight?.refusals,
    r.logRefusals.lines,
    pct(r.peakWeightShare),
    r.ledger?.orders,
    r.ledger?.realOverPredicted,
    r.problems.length ? "FAIL" : "PASS",
  ]);
  const parts = [
    formatTable(
      [
        "run",
        "mode",
        "exit",
        "resting",
        "venue fills",
        "engine fills",
        "missing",
        "dup",
        "placed",
        "cancels",
        "req/USDC",
        "refused",
        "log refusals",
        "peak weight",
        "ledger orders",
        "real/predicted",
        "result",
      ],
      rows,
    ),
  ];
  if (summary.pairs.length) {
    parts.push(formatTable(
      ["run", "live placed", "shadow placed", "shadow/live", "within 10%"],
      summary.pairs.map((p) => [
        `${p.run}`,
        p.livePlaced,
        p.shadowPlaced,
        p.ratio,
        p.withinTarget === null ? null : p.withinTarget ? "yes" : "no",
      ]),
    ));
  }
  const problems = summary.runs.flatMap((r) =>
    r.problems.map((p) => `run ${r.run} ${r.mode}: ${p}`)
  );
  if (problems.length) parts.push(problems.join("\n"));
  if (summary.interrupted) parts.push("interrupted: the remaining runs were not started");
  parts.push(`${summary.ok ? "PASS" : "FAIL"}; details in ${summary.dir}/summary.json`);
  return parts.join("\n\n");
}

/** JSON lines of a file; a missing file has none, an unfinished last line is not data. */
async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const lines = text.split("\n");
  lines.pop();
  return lines.filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** Every record of the `*.jsonl` files in `dir` but sessions.jsonl, by file name (UTC day). */
async function readJsonLinesIn(dir: string): Promise<Record<string, unknown>[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".jsonl") && e.name !== "sessions.jsonl") names.push(e.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const records: Record<string, unknown>[] = [];
  for (const name of names.sort()) records.push(...await jsonLines(`${dir}/${name}`));
  return records;
}

/** The engine's fill records in `<dir>` (every `*.jsonl` but sessions.jsonl). */
export async function readEngineFills(dir: string): Promise<EngineFill[]> {
  return (await readJsonLinesIn(dir)).map((r) => {
    const tid = numberOrNull(r.tid);
    return {
      orderId: String(r.orderId),
      px: Number(r.px),
      sz: Number(r.sz),
      timeMs: Number(r.timeMs),
      ...(tid === null ? {} : { tid }),
    };
  });
}

/** `GET /control` (or a POST command) on the venue, with a timeout. */
export async function control(apiUrl: string, command?: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}/control`, {
    method: command === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: command === undefined ? undefined : JSON.stringify(command),
    signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`/control: HTTP ${response.status}`);
  return await response.json();
}

/** The venue's state and fills after the stop; null state when the venue does not answer. */
export async function readVenue(
  apiUrl: string,
  withFills: boolean,
): Promise<{ state: VenueReading | null; fills: VenueFill[] | null; error?: string }> {
  try {
    const state = readVenueState(await control(apiUrl));
    if (!withFills) return { state, fills: null };
    const answer = await control(apiUrl, { fills: true }) as { fills?: VenueFill[] };
    if (!Array.isArray(answer.fills)) throw new Error('/control {"fills":true}: no fills list');
    return { state, fills: answer.fills };
  } catch (error) {
    return { state: null, fills: null, error: `venue: ${errorMessage(error)}` };
  }
}

/** Runs the engine against a venue until the time is up, the user stops, or it exits. */
async function driveEngine(
  mode: EngineMode,
  venue: VenueProcess,
  options: LoadOptions,
  dir: string,
  interrupt: AbortSignal,
) {
  const { args, env } = engineCommand(
    mode,
    venue,
    options.coins,
    dir,
    closedRedisUrl(),
    options.delayMs,
    options.env,
  );
  const startedMs = Date.now();
  const child = spawn(args, env);
  const piped = pipeToFile(child, `${dir}/engine.log`);
  const exited = child.status.then(() => true);
  // Ended early too when the engine exits, so no timer outlives the run.
  const waited = new AbortController();
  const timeUp = sleep(options.minutes * 60_000, AbortSignal.any([interrupt, waited.signal]))
    .then(() => false);
  const byItself = await Promise.race([exited, timeUp]);
  waited.abort();
  const end: RunReport["end"] = byItself
    ? "engine-exited"
    : interrupt.aborted
    ? "interrupted"
    : "time";
  const { status, killed } = await stopProcess(child, ENGINE_STOP_TIMEOUT_MS);
  await within(piped, KILL_WAIT_MS);
  return { end, status, killed, durationS: (Date.now() - startedMs) / 1000 };
}

/** One run: a fresh venue, the engine for the given time, then the venue's account of it. */
async function runOnce(
  mode: EngineMode,
  run: number,
  options: LoadOptions,
  stampDir: string,
  interrupt: AbortSignal,
): Promise<RunReport> {
  const seed = options.seed + run - 1;
  const dir = `${stampDir}/${run}-${mode}`;
  await Deno.mkdir(dir, { recursive: true });
  const report: RunReport = {
    run,
    mode,
    seed,
    dir,
    end: "time",
    durationS: 0,
    engineExitCode: null,
    engineSignal: null,
    engineKilled: false,
    venue: null,
    session: sumSessions([]),
    engineFills: 0,
    fillCheck: null,
    ledger: null,
    requestsPerUsd: null,
    logRefusals: countLogRefusals(""),
    peakWeightShare: null,
    problems: [],
  };
  const errors: string[] = [];
  let venueFills: VenueFill[] | null = null;
  try {
    const venue = await startVenue(options, seed, `${dir}/venue.log`);
    try {
      const engine = await driveEngine(mode, venue, options, dir, interrupt);
      report.end = engine.end;
      report.durationS = Math.round(engine.durationS * 10) / 10;
      report.engineExitCode = engine.status?.code ?? null;
      report.engineSignal = engine.status?.signal ?? null;
      report.engineKilled = engine.killed;
      await sleep(SETTLE_MS);
      const read = await readVenue(venue.apiUrl, mode === "live");
      report.venue = read.state;
      venueFills = read.fills;
      if (read.error !== undefined) errors.push(read.error);
    } finally {
      await venue.stop();
    }
  } catch (e) {
    errors.push(errorMessage(e));
  }
  try {
    await readEngineOutput(report, venueFills);
  } catch (e) {
    errors.push(`reading the engine's output: ${errorMessage(e)}`);
  }
  report.problems = judgeRun(report, errors);
  return report;
}

/** Fills in what the engine's files say: session totals, fills against the venue's, refusals. */
async function readEngineOutput(report: RunReport, venueFills: VenueFill[] | null): Promise<void> {
  // Where the engine keeps a mode's records (engine/mode_paths.ts, recordsDirFor).
  const records = `${report.dir}/${report.mode}`;
  report.session = sumSessions(await jsonLines(`${records}/sessions.jsonl`));
  const fills = await readEngineFills(records);
  report.engineFills = fills.length;
  if (venueFills !== null) report.fillCheck = compareFills(venueFills, fills);
  if (report.mode === "live") {
    report.ledger = checkLedger(await readJsonLinesIn(`${records}/ledger`), venueFills);
  }
  report.requestsPerUsd = requestsPerUsd(report.mode, report.venue, report.session);
  report.logRefusals = countLogRefusals(await readOr(`${report.dir}/engine.log`, ""));
  const peak = report.venue?.ipWeight?.peakPerMinute ?? null;
  report.peakWeightShare = peak === null ? null : peak / IP_WEIGHT_PER_MINUTE;
}

/** A text file, or `fallback` when it does not exist. */
async function readOr(path: string, fallback: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return fallback;
    throw error;
  }
}

/** Runs every run of `options` (stopping early when `interrupt` aborts) and writes the summary. */
export async function loadTest(
  options: LoadOptions,
  interrupt: AbortSignal,
  print: (text: string) => void = console.log,
): Promise<LoadSummary> {
  const { startedAt, dir } = await stampedDir("data/load");
  const modes: EngineMode[] = options.mode === "both" ? ["live", "shadow"] : [options.mode];
  const runs: RunReport[] = [];
  for (let run = 1; run <= options.runs && !interrupt.aborted; run++) {
    for (const mode of modes) {
      if (interrupt.aborted) break;
      print(
        `run ${run} ${mode}: ${options.minutes} min against the venue (seed ${
          options.seed + run - 1
        }), output in ${dir}/${run}-${mode}`,
      );
      runs.push(await runOnce(mode, run, options, dir, interrupt));
    }
  }
  const summary: LoadSummary = {
    startedAt,
    dir,
    options,
    runs,
    pairs: pairRuns(runs),
    interrupted: interrupt.aborted,
    ok: !interrupt.aborted && runs.every((r) => r.problems.length === 0),
  };
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

async function main(): Promise<number> {
  let options: LoadOptions;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error(`load-live: ${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const summary = await loadTest(options, interruptOnSignals("load-live"));
  console.log(`\n${formatSummary(summary)}`);
  return summary.interrupted ? EXIT_INTERRUPTED : summary.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());

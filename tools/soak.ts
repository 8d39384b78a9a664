/**
 * Soak test: the engine against the venue simulator with faults switched on, for a long time, in
 * shadow and in live mode. Outside the test suite (it runs for minutes):
 *
 *   ./deno task soak [--minutes 10] [--mode both|live|shadow] [--coins 10] [--rate 10]
 *     [--seed 1] [--faults "SPEC;SPEC"] [--sample-s 10]
 *
 * Each mode gets a fresh venue (same seed, every answer delayed 20 ms) and the engine with its
 * status server on a free loopback port; the faults are switched on (POST /control) once the
 * engine answers its first sample, so they hit a running engine, not its start-up (a start that
 * fails is the watchdog's business). Every `--sample-s` the soak reads the engine's /status.json and
 * /metrics and the venue's /control, and looks for orders resting at the venue that the engine
 * does not know: in neither the oids nor the cloids its live venue holds (status.json
 * `heldOrders`), at least 10 s old and so in two samples in a row (an order placed between the
 * two readings is not counted). It also counts stale orders: known, but on a coin side beyond
 * the levels the engine wants there for 30 s and more (quotes pulled whose cancel has not landed).
 * At the end the engine gets SIGTERM and the venue is asked what rests.
 *
 * It reports per mode: market-data reconnects survived and user-feed breaks, stall panics, fills
 * (live: checked one by one against the venue's), the engine's resident memory at the first and
 * last sample, the peak of unknown resting orders (must be 0), the peak of stale ones, and the
 * orders resting after the stop (must be 0). Everything goes to `data/soak/<stamp>/`; exit code 0 when every mode passed.
 *
 * Fault durations and periods are in seconds of the venue's clock, which runs at wall time
 * (`--rate` speeds the market's events, not the clock). The defaults drop every socket every
 * 90 s, silence market data for 40 s (past the 30 s stall timeout) every 5 min, answer 502 to
 * every REST request for 3 s every 150 s, and send two malformed frames every 110 s.
 */
import { parseArgs } from "node:util";
import { type Cell, formatTable } from "./analysis/table.ts";
import { parseFaultSpec } from "./venue_sim/faults.ts";
import {
  closedRedisUrl,
  EXIT_INTERRUPTED,
  freePort,
  interruptOnSignals,
  isInteger as int,
  modeFlag,
  numberFlag as number,
  stampedDir,
} from "./run_cli.ts";
import {
  compareFills,
  control,
  type FillComparison,
  readEngineFills,
  readVenue,
} from "./load_live.ts";
import {
  engineCommand,
  pipeToFile,
  sleep,
  spawn,
  startVenue,
  stopProcess,
  within,
} from "./engine_process.ts";
import { errorMessage } from "../engine/util/errors.ts";

/** The modes a soak runs. */
export type SoakMode = "live" | "shadow";

/** The command line, validated. */
export interface SoakOptions {
  mode: SoakMode | "both";
  minutes: number;
  coins: number;
  rate: number;
  seed: number;
  /** Venue fault specs (tools/venue_sim/faults.ts). */
  faults: string[];
  sampleS: number;
}

/** The faults on by default (seconds of the venue's clock; see the header). */
export const DEFAULT_FAULTS = [
  "dropWs:every=90",
  "silence:scope=market,seconds=40,every=300",
  "httpError:status=502,seconds=3,every=150",
  "malformed:count=2,every=110",
];

// Every venue answer's delay, ms (as load-live), and shadow's order latency to match it.
const DELAY_MS = 20;

// An order younger than this may have been placed after the engine's reading: not yet unknown.
const UNKNOWN_MIN_AGE_MS = 10_000;
// A known order beyond the wanted levels this long is stale (its cancel has not landed).
const STALE_MIN_AGE_MS = 30_000;
// Far above the engine's own 5 s shutdown deadline: only a hung engine is killed.
const ENGINE_STOP_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1_000;
const FETCH_TIMEOUT_MS = 5_000;

const USAGE = `usage: ./deno task soak [options]
  --minutes M        engine time per mode (default 10; fractions allowed)
  --mode M           both (default), live or shadow
  --coins N          active venue coins and MM_COINS_TOP_N (default 10)
  --rate R           venue market time per clock time (default 10)
  --seed S           venue seed (default 1)
  --faults "A;B"     venue faults (default: ${DEFAULT_FAULTS.join(";")})
  --sample-s S       seconds between samples (default 10)`;

/** Parses and checks the command line; throws naming the bad flag. */
export function parseSoakOptions(args: string[]): SoakOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      minutes: { type: "string", default: "10" },
      mode: { type: "string", default: "both" },
      coins: { type: "string", default: "10" },
      rate: { type: "string", default: "10" },
      seed: { type: "string", default: "1" },
      faults: { type: "string" },
      "sample-s": { type: "string", default: "10" },
    },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
  const faults = values.faults === undefined
    ? [...DEFAULT_FAULTS]
    : values.faults.split(";").map((f) => f.trim()).filter((f) => f !== "");
  for (const fault of faults) parseFaultSpec(fault);
  return {
    mode: modeFlag(values.mode),
    minutes: number("minutes", values.minutes, (x) => x > 0, "a positive number"),
    coins: number("coins", values.coins, (x) => int(x) && x >= 1 && x <= 44, "an integer 1-44"),
    rate: number("rate", values.rate, (x) => x > 0, "a positive number"),
    seed: number("seed", values.seed, int, "an integer"),
    faults,
    sampleS: number("sample-s", values["sample-s"], (x) => x >= 1, "a number >= 1"),
  };
}

/** One resting order at the venue, as `GET /control` lists it. */
export interface VenueOrder {
  oid: number;
  cloid: string | null;
  coin: string;
  side: "B" | "A";
}

/** The orders the engine holds (its status.json `heldOrders`). */
export interface HeldOrders {
  oids: number[];
  cloids: string[];
}

/**
 * The oids of venue orders at least `minAgeMs` old (`firstSeen` holds when each was first seen)
 * that the engine holds neither by oid nor by cloid.
 */
export function unknownOrders(
  orders: readonly VenueOrder[],
  held: HeldOrders,
  firstSeen: ReadonlyMap<number, number>,
  nowMs: number,
  minAgeMs = UNKNOWN_MIN_AGE_MS,
): number[] {
  const oids = new Set(held.oids);
  const cloids = new Set(held.cloids);
  return orders
    .filter((o) => nowMs - (firstSeen.get(o.oid) ?? nowMs) >= minAgeMs)
    .filter((o) => !oids.has(o.oid) && (o.cloid === null || !cloids.has(o.cloid)))
    .map((o) => o.oid);
}

/** One coin's grid as the engine's /status.json shows it. */
export interface EngineCoin {
  coin: string;
  bidLevels: number;
  askLevels: number;
}

/**
 * The oids of orders the engine's grid does not account for: on each coin side, the orders
 * beyond the levels the engine quotes there, oldest first, counting only orders at least
 * `minAgeMs` old (`firstSeen` holds when each oid was first seen).
 */
export function surplusOrders(
  orders: readonly VenueOrder[],
  coins: readonly EngineCoin[],
  firstSeen: ReadonlyMap<number, number>,
  nowMs: number,
  minAgeMs = STALE_MIN_AGE_MS,
): number[] {
  const levels = new Map<string, number>();
  for (const c of coins) {
    levels.set(`${c.coin}|B`, c.bidLevels);
    levels.set(`${c.coin}|A`, c.askLevels);
  }
  const bySide = new Map<string, VenueOrder[]>();
  for (const o of orders) {
    const key = `${o.coin}|${o.side}`;
    bySide.set(key, [...bySide.get(key) ?? [], o]);
  }
  const out: number[] = [];
  for (const [key, list] of bySide) {
    const surplus = list.length - (levels.get(key) ?? 0);
    if (surplus <= 0) continue;
    const old = list
      .filter((o) => nowMs - (firstSeen.get(o.oid) ?? nowMs) >= minAgeMs)
      .sort((a, b) => firstSeen.get(a.oid)! - firstSeen.get(b.oid)!);
    out.push(...old.slice(0, surplus).map((o) => o.oid));
  }
  return out;
}

/** A metric's value in a Prometheus text exposition (the first sample of that name). */
export function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : null;
}

/** One mode's figures and verdict. */
export interface SoakRun {
  mode: SoakMode;
  dir: string;
  durationS: number;
  /** Why the engine stopped: the time ran out, or it exited by itself. */
  end: "time" | "engine-exited" | "interrupted";
  engineExitCode: number | null;
  samples: number;
  sampleErrors: number;
  /** Whether the faults were switched on (after the first sample). */
  faultsOn: boolean;
  /** Market-data reconnects the engine completed (its mm_reconnects_total). */
  reconnects: number | null;
  /** User-data feed breaks in the log (`[FILLS] unhealthy`), each followed by a catch-up. */
  userFeedBreaks: number;
  stallPanics: number | null;
  /** Fills in the engine's fills file; live, also the venue's own count. */
  engineFills: number;
  venueFills: number | null;
  fillCheck: FillComparison | null;
  rssStartMb: number | null;
  rssEndMb: number | null;
  /** Most unknown resting orders seen at once (two samples in a row), and how many distinct. */
  unknownPeak: number;
  unknownDistinct: number;
  /** Most stale orders at once (known, beyond the wanted levels for 30 s, two samples). */
  stalePeak: number;
  restingAfterStop: number | null;
  problems: string[];
}

/** `data/soak/<stamp>/summary.json`. */
export interface SoakSummary {
  startedAt: string;
  dir: string;
  options: SoakOptions;
  runs: SoakRun[];
  ok: boolean;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return await response.text();
}

/** Why a run failed (empty: it passed). */
export function judgeSoak(run: Omit<SoakRun, "problems">, errors: string[] = []): string[] {
  const problems = [...errors];
  if (run.end === "engine-exited") {
    problems.push(`the engine exited by itself after ${run.durationS} s`);
  } else if (run.engineExitCode !== 0) {
    problems.push(`the engine exited with code ${run.engineExitCode} after SIGTERM`);
  }
  if (run.unknownPeak > 0) {
    problems.push(`${run.unknownDistinct} resting order(s) the engine did not account for`);
  }
  if (run.restingAfterStop === null) problems.push("the venue could not be read after the stop");
  else if (run.restingAfterStop > 0) {
    problems.push(`${run.restingAfterStop} order(s) resting after the stop`);
  }
  const f = run.fillCheck;
  if (f?.missing) problems.push(`${f.missing} venue fills missing from the engine's file`);
  if (f?.duplicated) problems.push(`${f.duplicated} fills booked twice`);
  if (f?.unknown) problems.push(`${f.unknown} engine fills the venue never made`);
  if (run.samples === 0) problems.push("no sample of the engine could be taken");
  if (!run.faultsOn) problems.push("the faults could not be switched on");
  return problems;
}

/** One mode: a fresh venue with faults, the engine for the given time, then the venue's account. */
async function soakOnce(
  mode: SoakMode,
  options: SoakOptions,
  stampDir: string,
  interrupt: AbortSignal,
  print: (text: string) => void,
): Promise<SoakRun> {
  const dir = `${stampDir}/${mode}`;
  await Deno.mkdir(dir, { recursive: true });
  const errors: string[] = [];
  const venue = await startVenue(
    { coins: options.coins, rate: options.rate, delayMs: DELAY_MS },
    options.seed,
    `${dir}/venue.log`,
  );
  const run: Omit<SoakRun, "problems"> = {
    mode,
    dir,
    durationS: 0,
    end: "time",
    engineExitCode: null,
    samples: 0,
    sampleErrors: 0,
    faultsOn: false,
    reconnects: null,
    userFeedBreaks: 0,
    stallPanics: null,
    engineFills: 0,
    venueFills: null,
    fillCheck: null,
    rssStartMb: null,
    rssEndMb: null,
    unknownPeak: 0,
    unknownDistinct: 0,
    stalePeak: 0,
    restingAfterStop: null,
  };
  try {
    const { args, env } = engineCommand(
      mode,
      venue,
      options.coins,
      dir,
      closedRedisUrl(),
      DELAY_MS,
    );
    const port = freePort();
    const engineUrl = `http://127.0.0.1:${port}`;
    const startedMs = Date.now();
    const child = spawn(args, { ...env, MM_HTTP_PORT: `${port}` });
    const piped = pipeToFile(child, `${dir}/engine.log`);
    let exited = false;
    child.status.then(() => exited = true);
    const firstSeen = new Map<number, number>();
    let flaggedBefore = new Set<number>();
    let staleBefore = new Set<number>();
    const unknown = new Set<number>();
    let faultsOn = false;
    const endMs = startedMs + options.minutes * 60_000;
    while (!exited && !interrupt.aborted && Date.now() < endMs) {
      await sleep(Math.min(options.sampleS * 1000, Math.max(0, endMs - Date.now())), interrupt);
      if (exited || interrupt.aborted) break;
      try {
        const [status, metrics, venueState] = await Promise.all([
          fetchText(`${engineUrl}/status.json`).then((t) => JSON.parse(t)),
          fetchText(`${engineUrl}/metrics`),
          fetchText(`${venue.apiUrl}/control`).then((t) => JSON.parse(t)),
        ]);
        const nowMs = Date.now();
        const orders = venueState.openOrders as VenueOrder[];
        for (const o of orders) if (!firstSeen.has(o.oid)) firstSeen.set(o.oid, nowMs);
        // Shadow holds no venue orders: there is nothing to miss.
        const held: HeldOrders = status.heldOrders ?? { oids: [], cloids: [] };
        const flagged = new Set(unknownOrders(orders, held, firstSeen, nowMs));
        const confirmed = [...flagged].filter((oid) => flaggedBefore.has(oid));
        for (const oid of confirmed) unknown.add(oid);
        run.unknownPeak = Math.max(run.unknownPeak, confirmed.length);
        flaggedBefore = flagged;
        const stale = new Set(
          surplusOrders(orders, status.coins as EngineCoin[], firstSeen, nowMs),
        );
        run.stalePeak = Math.max(
          run.stalePeak,
          [...stale].filter((oid) => staleBefore.has(oid)).length,
        );
        staleBefore = stale;
        // One line per sample, to look into a failure afterwards.
        await Deno.writeTextFile(
          `${dir}/samples.jsonl`,
          JSON.stringify({
            tMs: nowMs - startedMs,
            state: status.state,
            venue: orders.map((o) => `${o.coin} ${o.side} ${o.oid}`),
            engine: (status.coins as EngineCoin[]).map((c) =>
              `${c.coin} ${c.bidLevels}/${c.askLevels}`
            ),
            unknown: [...flagged],
            stale: [...stale],
          }) + "\n",
          { append: true },
        );
        const rss = metricValue(metrics, "mm_resident_memory_bytes");
        if (rss !== null) {
          run.rssStartMb ??= rss / 1e6;
          run.rssEndMb = rss / 1e6;
        }
        run.reconnects = metricValue(metrics, "mm_reconnects_total");
        run.stallPanics = metricValue(metrics, "mm_stall_panics_total");
        run.samples++;
        if (!faultsOn) {
          for (const fault of options.faults) {
            await control(venue.apiUrl, { fault: parseFaultSpec(fault) });
          }
          faultsOn = true;
        }
      } catch {
        // The engine's server is down while it starts or stops; counted, not fatal.
        run.sampleErrors++;
      }
    }
    run.unknownDistinct = unknown.size;
    run.faultsOn = faultsOn;
    run.end = exited ? "engine-exited" : interrupt.aborted ? "interrupted" : "time";
    const { status } = await stopProcess(child, ENGINE_STOP_TIMEOUT_MS);
    await within(piped, 5_000);
    run.engineExitCode = status?.code ?? null;
    run.durationS = Math.round((Date.now() - startedMs) / 100) / 10;
    await sleep(SETTLE_MS);
    const read = await readVenue(venue.apiUrl, mode === "live");
    if (read.error !== undefined) errors.push(read.error);
    run.restingAfterStop = read.state?.restingOrders ?? null;
    run.venueFills = mode === "live" ? read.state?.fills ?? null : null;
    const fills = await readEngineFills(`${dir}/${mode}`);
    run.engineFills = fills.length;
    if (read.fills !== null) run.fillCheck = compareFills(read.fills, fills);
    const log = await Deno.readTextFile(`${dir}/engine.log`).catch(() => "");
    run.userFeedBreaks = (log.match(/\[FILLS\] unhealthy/g) ?? []).length;
  } catch (error) {
    errors.push(errorMessage(error));
  } finally {
    await venue.stop();
  }
  const problems = judgeSoak(run, errors);
  print(`${mode}: ${problems.length === 0 ? "PASS" : `FAIL (${problems.join("; ")})`}`);
  return { ...run, problems };
}

/** The human report: one row per mode, then every problem. */
export function formatSoak(summary: SoakSummary): string {
  const mb = (x: number | null) => x === null ? null : x.toFixed(1);
  const rows: Cell[][] = summary.runs.map((r) => [
    r.mode,
    `${r.durationS}`,
    r.engineExitCode === null ? "?" : `${r.engineExitCode}`,
    r.reconnects,
    r.userFeedBreaks,
    r.stallPanics,
    r.engineFills,
    r.venueFills,
    r.fillCheck ? `${r.fillCheck.missing}/${r.fillCheck.duplicated}` : null,
    mb(r.rssStartMb),
    mb(r.rssEndMb),
    r.unknownPeak,
    r.stalePeak,
    r.restingAfterStop,
    r.problems.length ? "FAIL" : "PASS",
  ]);
  const parts = [
    formatTable(
      [
        "mode",
        "seconds",
        "exit",
        "reconnects",
        "feed breaks",
        "stall panics",
        "engine fills",
        "venue fills",
        "missing/dup",
        "RSS start MB",
        "RSS end MB",
        "unknown resting",
        "stale resting",
        "resting after stop",
        "result",
      ],
      rows,
    ),
  ];
  const problems = summary.runs.flatMap((r) => r.problems.map((p) => `${r.mode}: ${p}`));
  if (problems.length) parts.push(problems.join("\n"));
  parts.push(`${summary.ok ? "PASS" : "FAIL"}; details in ${summary.dir}/summary.json`);
  return parts.join("\n\n");
}

/** Runs the soak for every mode of `options` and writes the summary. */
export async function soak(
  options: SoakOptions,
  interrupt: AbortSignal,
  print: (text: string) => void = console.log,
): Promise<SoakSummary> {
  const { startedAt, dir } = await stampedDir("data/soak");
  const modes: SoakMode[] = options.mode === "both" ? ["shadow", "live"] : [options.mode];
  const runs: SoakRun[] = [];
  for (const mode of modes) {
    if (interrupt.aborted) break;
    print(
      `${mode}: ${options.minutes} min against the venue with faults, output in ${dir}/${mode}`,
    );
    runs.push(await soakOnce(mode, options, dir, interrupt, print));
  }
  const summary: SoakSummary = {
    startedAt,
    dir,
    options,
    runs,
    ok: !interrupt.aborted && runs.length === modes.length &&
      runs.every((r) => r.problems.length === 0),
  };
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakOptions(Deno.args);
  } catch (error) {
    console.error(`soak: ${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const interrupt = interruptOnSignals("soak");
  const summary = await soak(options, interrupt);
  console.log(`\n${formatSoak(summary)}`);
  return interrupt.aborted ? EXIT_INTERRUPTED : summary.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());

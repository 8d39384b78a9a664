/**
 * `./deno task analyze [--gate 1..5] [--coin C] [--from D --to D] [--data-dir DIR]
 *   [--ledger-min-orders N] [--ledger-min-filled N] [--ledger-tolerance X]`
 *
 * Runs the calibration gates (README, "The five gates") one coin at a time: a coin's ticks go into
 * DuckDB and its ticks and trades into time-sorted arrays, each gate keeps that coin's partial
 * results, the coin is dropped and the next loaded; then each gate combines its partials, prints a
 * table, writes `reports/gateN.json` and its SVG charts under the data directory. Memory is bounded
 * by the largest coin, not the data set.
 */

import { parseArgs } from "node:util";
import { explainError, resolveDataDir } from "./data_files.ts";
import { listCoins, loadCoin } from "./analysis/coin_series.ts";
import { type Database, openDatabase } from "./analysis/duckdb.ts";
import {
  type CoinPartials,
  DEFAULT_LEDGER_GATE,
  type GateContext,
  type GateDefinition,
  type GateReport,
  type LedgerGate,
  openCoinPass,
} from "./analysis/gate.ts";
import { gate1, gate1Coin } from "./analysis/gate1.ts";
import { gate2, gate2Coin } from "./analysis/gate2.ts";
import { gate3, gate3Coin } from "./analysis/gate3.ts";
import { gate4, gate4Coin } from "./analysis/gate4.ts";
import { type BackgroundIntegrity, gate5, gate5Coin, startIntegrity } from "./analysis/gate5.ts";
import { reportPage } from "./analysis/report_page.ts";
import {
  checkFilter,
  emptySummary,
  type LoadFilter,
  loadShadow,
  type LoadSummary,
} from "./analysis/load.ts";

/** The gates, in the order the README lists them. */
export const GATES: Record<number, GateDefinition> = {
  1: { perCoin: gate1Coin, report: gate1 },
  2: { perCoin: gate2Coin, report: gate2 },
  3: { perCoin: gate3Coin, report: gate3 },
  4: { perCoin: gate4Coin, report: gate4 },
  5: { perCoin: gate5Coin, report: gate5 },
};

/** Requests sent per USDC traded, per UTC day of the sessions that counted them. */
const REQUESTS_PER_USDC_SQL = `
SELECT date_utc AS day, sum(requests) / sum(volume_usd) AS rate FROM sessions
WHERE requests IS NOT NULL AND volume_usd > 0 GROUP BY date_utc ORDER BY date_utc
`;

/** The per-coin steps each gate's report reads: gate 3 uses gate 1's exclusions. */
const STEPS: Record<number, number[]> = { 1: [1], 2: [2], 3: [1, 3], 4: [4], 5: [5] };

/** Where the time of one run went, in ms (filled in when passed to {@link analyze}). */
export interface AnalyzeTimings {
  /** Reading files into DuckDB and into arrays, every coin. */
  loadMs: number;
  /** The adverse selection merge (fill_moves.ts), every coin. */
  movesMs: number;
  /**
   * Per gate: its per-coin steps over every coin plus its report (gate 5's report includes waiting
   * for the rest of the integrity check, which runs on a worker alongside the coin pass).
   */
  gateMs: Record<number, number>;
  totalMs: number;
  /** Largest resident set size seen after each coin's steps, bytes (the whole process). */
  peakRssBytes: number;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  dataDir: string;
  /** Only this gate (default all). */
  gate?: number;
  filter?: LoadFilter;
  nowMs?: number;
  /** Output lines go here (default stdout). */
  print?: (text: string) => void;
  /** Filled with where the time went (the bench reads it). */
  timings?: AnalyzeTimings;
  /** Gate 5's ledger check (default {@link DEFAULT_LEDGER_GATE}). */
  ledgerGate?: LedgerGate;
}

/** Runs the selected gates and writes their reports; returns them. */
export async function analyze(options: AnalyzeOptions): Promise<GateReport[]> {
  const started = performance.now();
  const print = options.print ?? ((t: string) => console.log(t));
  if (options.gate !== undefined && !(options.gate in GATES)) {
    throw new Error(`--gate ${options.gate} is not one of 1, 2, 3, 4, 5`);
  }
  const filter = options.filter ?? {};
  checkFilter(filter);
  const gates = options.gate === undefined ? [1, 2, 3, 4, 5] : [options.gate];
  const steps = [...new Set(gates.flatMap((g) => STEPS[g]))].sort();
  const timings = options.timings ??
    { loadMs: 0, movesMs: 0, gateMs: {}, totalMs: 0, peakRssBytes: 0 };
  Object.assign(timings, { loadMs: 0, movesMs: 0, gateMs: {}, totalMs: 0, peakRssBytes: 0 });
  for (const g of [...steps, ...gates]) timings.gateMs[g] = 0;

  const nowMs = options.nowMs ?? Date.now();
  const db = await openDatabase();
  const reports: GateReport[] = [];
  // Gate 5's integrity check re-reads every file: on a worker, it overlaps the coin pass.
  let integrity: BackgroundIntegrity | undefined;
  try {
    if (gates.includes(5)) integrity = startIntegrity({ dataDir: options.dataDir, nowMs });
    const loaded = emptySummary();
    await loadShadow(db, options.dataDir, filter, loaded);
    const coins = await coinPass(db, options.dataDir, filter, steps, loaded, timings);
    print(
      `loaded ${loaded.tickRows} ticks (${loaded.tickFiles} files), ${loaded.tradeRows} trades (${loaded.tradeFiles} files), ` +
        `${loaded.shadowFills} shadow fills, ${loaded.sessions} sessions, one coin at a time` +
        (loaded.corruptLines
          ? `; ${loaded.corruptLines} corrupt CSV lines skipped (see integrity)`
          : ""),
    );
    const ctx: GateContext = {
      db,
      dataDir: options.dataDir,
      filter,
      nowMs,
      coins,
      integrity,
      ledgerGate: options.ledgerGate,
    };
    const reportsDir = `${options.dataDir}/reports`;
    await Deno.mkdir(reportsDir, { recursive: true });
    for (const n of gates) {
      const t = performance.now();
      const report = await GATES[n].report(ctx);
      timings.gateMs[n] += performance.now() - t;
      reports.push(report);
      await writeReport(n, report, filter, reportsDir, print);
    }
    const page = await reportPage({
      reports,
      requestsPerUsdc: db.query(REQUESTS_PER_USDC_SQL).map((r) => ({
        day: r.day as string,
        requestsPerUsdc: r.rate as number,
      })),
      dataDir: options.dataDir,
      filter,
      generatedMs: nowMs,
    });
    await Deno.writeTextFile(`${reportsDir}/index.html`, page);
    print(`\nreport page: ${reportsDir}/index.html`);
  } finally {
    integrity?.stop();
    db.close();
  }
  timings.totalMs = performance.now() - started;
  return reports;
}

function clock(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Loads each coin in turn and runs the per-coin steps on it; returns the coins with ticks. */
async function coinPass(
  db: Database,
  dataDir: string,
  filter: LoadFilter,
  steps: number[],
  loaded: LoadSummary,
  timings: AnalyzeTimings,
): Promise<CoinPartials[]> {
  const coins: CoinPartials[] = [];
  for (const files of await listCoins(dataDir, filter)) {
    const t = performance.now();
    const series = await loadCoin(db, files, loaded);
    timings.loadMs += performance.now() - t;
    if (series.tickMs.length === 0) continue;
    const pass = openCoinPass(db, files.coin, series);
    if (steps.includes(1) || steps.includes(4)) timings.movesMs += clock(pass.moves);
    const partials: CoinPartials = { coin: files.coin };
    for (const step of steps) {
      timings.gateMs[step] += clock(() => GATES[step].perCoin(pass, partials));
    }
    coins.push(partials);
    timings.peakRssBytes = Math.max(timings.peakRssBytes, Deno.memoryUsage().rss);
  }
  db.dropTable("ticks");
  return coins;
}

async function writeReport(
  n: number,
  report: GateReport,
  filter: LoadFilter,
  reportsDir: string,
  print: (text: string) => void,
): Promise<void> {
  await Deno.writeTextFile(
    `${reportsDir}/gate${n}.json`,
    JSON.stringify(
      { gate: n, title: report.title, filter, ...report.result as object },
      null,
      2,
    ) + "\n",
  );
  for (const [name, content] of Object.entries({ ...report.charts, ...report.files })) {
    await Deno.writeTextFile(`${reportsDir}/${name}`, content);
  }
  const written = [
    `gate${n}.json`,
    ...Object.keys(report.charts),
    ...Object.keys(report.files ?? {}),
  ];
  print(
    `\n== Gate ${n}: ${report.title} ==\n${report.text}\nwritten: ${
      written.map((w) => `${reportsDir}/${w}`).join(", ")
    }`,
  );
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        gate: { type: "string" },
        coin: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "data-dir": { type: "string" },
        "ledger-min-orders": { type: "string" },
        "ledger-min-filled": { type: "string" },
        "ledger-tolerance": { type: "string" },
      },
    });
    const gate = values.gate === undefined ? undefined : Number(values.gate);
    if (gate !== undefined && !Number.isInteger(gate)) {
      throw new Error(`--gate "${values.gate}" is not a number 1..5`);
    }
    const minOrders = Number(values["ledger-min-orders"] ?? DEFAULT_LEDGER_GATE.minOrders);
    if (!Number.isSafeInteger(minOrders) || minOrders < 1) {
      throw new Error(
        `--ledger-min-orders "${values["ledger-min-orders"]}" is not an integer >= 1`,
      );
    }
    const minFilled = Number(values["ledger-min-filled"] ?? DEFAULT_LEDGER_GATE.minFilled);
    if (!Number.isSafeInteger(minFilled) || minFilled < 1) {
      throw new Error(
        `--ledger-min-filled "${values["ledger-min-filled"]}" is not an integer >= 1`,
      );
    }
    const tolerance = Number(values["ledger-tolerance"] ?? DEFAULT_LEDGER_GATE.tolerance);
    if (!(tolerance > 0 && tolerance < 1)) {
      throw new Error(
        `--ledger-tolerance "${values["ledger-tolerance"]}" is not a fraction in (0, 1)`,
      );
    }
    await analyze({
      dataDir: resolveDataDir(values["data-dir"]),
      gate,
      ledgerGate: { minOrders, minFilled, tolerance },
      filter: { coin: values.coin, from: values.from, to: values.to },
    });
  } catch (error) {
    console.error(`analyze: ${explainError(error)}`);
    Deno.exit(1);
  }
}

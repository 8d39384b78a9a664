/**
 * `./deno task analyze [--gate 1..5] [--coin C] [--from D --to D] [--data-dir DIR]`
 *
 * Loads the harvested data into DuckDB and runs the calibration gates of spec section 10. Each
 * gate prints a table, writes `reports/gateN.json` and its SVG charts under the data directory.
 */

import { parseArgs } from "node:util";
import { explainError, resolveDataDir } from "./data_files.ts";
import { type Database, openDatabase } from "./analysis/duckdb.ts";
import type { GateContext, GateReport } from "./analysis/gate.ts";
import { gate1 } from "./analysis/gate1.ts";
import { gate2 } from "./analysis/gate2.ts";
import { gate3 } from "./analysis/gate3.ts";
import { gate4 } from "./analysis/gate4.ts";
import { gate5 } from "./analysis/gate5.ts";
import { GATE_COLUMNS, loadData, type LoadFilter, type LoadSummary } from "./analysis/load.ts";

/** The gates, in the order the spec requires them. */
export const GATES: Record<number, (ctx: GateContext) => GateReport | Promise<GateReport>> = {
  1: gate1,
  2: gate2,
  3: gate3,
  4: gate4,
  5: gate5,
};

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  dataDir: string;
  /** Only this gate (default all). */
  gate?: number;
  filter?: LoadFilter;
  nowMs?: number;
  /** Output lines go here (default stdout). */
  print?: (text: string) => void;
  /** An already open database (the bench reuses one); loaded here when absent. */
  db?: Database;
}

/** Runs the selected gates and writes their reports; returns them. */
export async function analyze(options: AnalyzeOptions): Promise<GateReport[]> {
  const print = options.print ?? ((t: string) => console.log(t));
  if (options.gate !== undefined && !(options.gate in GATES)) {
    throw new Error(`--gate ${options.gate} is not one of 1, 2, 3, 4, 5`);
  }
  const filter = options.filter ?? {};
  const ownDb = options.db === undefined;
  const db = options.db ?? await openDatabase();
  if (ownDb) {
    const loaded: LoadSummary = await loadData(db, options.dataDir, filter, GATE_COLUMNS);
    print(
      `loaded ${loaded.tickRows} ticks (${loaded.tickFiles} files), ${loaded.tradeRows} trades (${loaded.tradeFiles} files), ` +
        `${loaded.shadowFills} shadow fills, ${loaded.sessions} sessions` +
        (loaded.corruptLines
          ? `; ${loaded.corruptLines} corrupt CSV lines skipped (see integrity)`
          : ""),
    );
  }
  const ctx: GateContext = {
    db,
    dataDir: options.dataDir,
    filter,
    nowMs: options.nowMs ?? Date.now(),
  };
  const reportsDir = `${options.dataDir}/reports`;
  await Deno.mkdir(reportsDir, { recursive: true });
  const reports: GateReport[] = [];
  try {
    await runGates(ctx, options.gate, reportsDir, reports, print);
  } finally {
    if (ownDb) db.close();
  }
  return reports;
}

async function runGates(
  ctx: GateContext,
  gate: number | undefined,
  reportsDir: string,
  reports: GateReport[],
  print: (text: string) => void,
): Promise<void> {
  const filter = ctx.filter;
  for (const n of gate === undefined ? [1, 2, 3, 4, 5] : [gate]) {
    const report = await GATES[n](ctx);
    reports.push(report);
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
      },
    });
    const gate = values.gate === undefined ? undefined : Number(values.gate);
    if (gate !== undefined && !Number.isInteger(gate)) {
      throw new Error(`--gate "${values.gate}" is not a number 1..5`);
    }
    await analyze({
      dataDir: resolveDataDir(values["data-dir"]),
      gate,
      filter: { coin: values.coin, from: values.from, to: values.to },
    });
  } catch (error) {
    console.error(`analyze: ${explainError(error)}`);
    Deno.exit(1);
  }
}

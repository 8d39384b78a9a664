/**
 * `./deno task sweep <data folder or files> --grid "<param>=<values>;..." [--heatmap X,Y]
 * [--walk-forward DAYS] [--workers N] [--out DIR]`
 *
 * Replays the same harvested or imported data through the engine once per combination of the
 * grid's parameters (tools/sweep/grid.ts), reading and parsing the data once. One row per run
 * (PnL after fees, fills, volume, requests per USDC, adverse selection at 10 s, max drawdown,
 * inventory, hourly Sharpe) goes to `sweep.json` and `sweep.csv`, and `sweep.html` shows the
 * ranking and a heatmap of PnL over two parameters (`--heatmap X,Y`, else the first two swept),
 * all in DIR (default `data/sweeps/<UTC time>/`; like every data task it may write only under
 * `data/`). Each run is exactly `deno task replay` with those variables set: the best one is
 * printed as that command. `--workers N` runs the configurations on N Web Workers sharing the
 * parsed data (tools/sweep/pool.ts). `--queue` makes each configuration a job on a BullMQ queue in
 * the engine's Redis (`REDIS_URL`, or `--redis URL`) for `deno task sweep-worker` processes on any
 * machines that see the same data (tools/sweep/queue_runner.ts), and waits for their rows.
 *
 * With `--walk-forward DAYS` the data is cut into windows of DAYS (fractions allowed) from the
 * first event's UTC midnight; every configuration runs on every window, and the best of each
 * window is scored on the next (tools/sweep/walk_forward.ts): `walk_forward.csv` puts in-sample
 * and out-of-sample figures side by side, `sweep.json` holds every window's rows too.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../engine/config.ts";
import { readEnv } from "../engine/config_env.ts";
import { loadReplay, type ReplayData } from "../engine/replay.ts";
import { expandGrid, label, parseGrid, SWEEP_ALIASES } from "./sweep/grid.ts";
import { SweepPool } from "./sweep/pool.ts";
import { QueueRunner } from "./sweep/queue_runner.ts";
import { sweepPage } from "./sweep/page.ts";
import { ranked, runSweep, type SweepRow } from "./sweep/run.ts";
import { sweepCsv, sweepJson } from "./sweep/table.ts";
import { type WalkForward, walkForward, walkForwardCsv } from "./sweep/walk_forward.ts";
import { errorMessage } from "../engine/util/errors.ts";

const USAGE = "usage: ./deno task sweep <data folder or files> " +
  '--grid "spread=1.5,3;model=grid,glft" [--heatmap X,Y] [--walk-forward DAYS] [--workers N] ' +
  "[--queue] [--redis URL] [--out DIR]";
const DAY_MS = 86_400_000;

/** Options of {@link sweep} and {@link sweepWalkForward}. */
export interface SweepOptions {
  /** The base environment every run starts from (the process's `MM_` variables). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where progress lines go (default the console). */
  print?: (line: string) => void;
  /** `--heatmap X,Y`. */
  heatmap?: string;
  /** Parallel workers sharing the parsed data (default 1: in this process). */
  workers?: number;
  /** Run the configurations as jobs on the queue in this Redis instead (`--queue`). */
  redisUrl?: string;
}

/** What {@link sweep} wrote and found. */
export interface SweepResult {
  rows: SweepRow[];
  /** Best first. */
  ranking: SweepRow[];
  jsonPath: string;
  csvPath: string;
  htmlPath: string;
}

/**
 * The two parameters of the heatmap: `heatmap` ("spread,model", names or short names, both
 * swept), or else the first two swept with more than one value (none when fewer).
 */
export function heatmapAxes(grid: string, heatmap?: string): string[] {
  const axes = parseGrid(grid);
  if (heatmap === undefined) {
    return axes.filter((a) => a.values.length > 1).slice(0, 2).map((a) => a.name);
  }
  const names = heatmap.split(",").map((n) => n.trim());
  const chosen = names.map((n) => SWEEP_ALIASES[n] ?? n);
  if (
    chosen.length !== 2 || chosen[0] === chosen[1] ||
    !chosen.every((n) => axes.some((a) => a.name === n))
  ) {
    throw new Error(
      `sweep: --heatmap "${heatmap}" is invalid: expected two different swept parameters, e.g. ${
        axes.slice(0, 2).map((a) => a.name).join(",")
      }`,
    );
  }
  return chosen;
}

/** What {@link sweepWalkForward} wrote and found. */
export interface WalkForwardResult {
  walkForward: WalkForward;
  jsonPath: string;
  csvPath: string;
}

/** Loads the data once, runs every configuration, writes the JSON and CSV into `outDir`. */
export async function sweep(
  paths: readonly string[],
  grid: string,
  outDir: string,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const { env = {}, print = console.log, heatmap, workers = 1, redisUrl } = options;
  const runs = expandGrid(grid, env);
  const axes = heatmapAxes(grid, heatmap);
  const base = loadConfig(env);
  const started = performance.now();
  const data = await loadReplay(paths, base.coins);
  if (data.length === 0) throw new Error(`sweep: no events in ${paths.join(", ")}`);
  const loadedMs = performance.now() - started;
  print(
    `sweep: ${data.length} events of ${data.coins.join(", ")} parsed in ${
      (loadedMs / 1000).toFixed(2)
    } s; ${runs.length} runs`,
  );
  const onRow = (row: SweepRow) =>
    print(
      `run ${row.run}/${runs.length} ${label(row.params)}: PnL ${
        row.pnlUsd.toFixed(2)
      } USD, ${row.fills} fills, ${row.requestsPerUsdc?.toFixed(3) ?? "-"} requests/USDC`,
    );
  const runner = openRunner(paths, data, workers, env, print, redisUrl);
  let rows: SweepRow[];
  try {
    rows = runner === undefined
      ? await runSweep(data, runs, onRow)
      : await runner.run(runs, null, onRow);
  } finally {
    await runner?.close();
  }
  const seconds = (performance.now() - started - loadedMs) / 1000;
  print(
    `sweep: ${runs.length} runs in ${seconds.toFixed(2)} s (${
      Math.round(data.length * runs.length / Math.max(seconds, 1e-9))
    } events/s after the parse, ${
      redisUrl === undefined ? `${workers} worker${workers === 1 ? "" : "s"}` : "queue workers"
    })`,
  );
  const ranking = ranked(rows);
  const rank = new Map(ranking.map((row, i) => [row.run, i + 1]));
  await Deno.mkdir(outDir, { recursive: true });
  const jsonPath = `${outDir}/sweep.json`;
  const csvPath = `${outDir}/sweep.csv`;
  const meta = {
    data: [...paths],
    grid,
    events: data.length,
    firstMs: data.timeMs[0],
    lastMs: data.timeMs[data.length - 1],
  };
  await Deno.writeTextFile(jsonPath, sweepJson(meta, rows, rank));
  await Deno.writeTextFile(csvPath, sweepCsv(rows, rank));
  const htmlPath = `${outDir}/sweep.html`;
  await Deno.writeTextFile(
    htmlPath,
    await sweepPage(`${paths.join(" ")}, --grid "${grid}"`, ranking, axes),
  );
  print(`wrote ${jsonPath}, ${csvPath} and ${htmlPath}`);
  for (const row of ranking.slice(0, 10)) {
    print(
      `#${rank.get(row.run)} ${label(row.params)}: PnL ${
        row.pnlUsd.toFixed(2)
      }, fills ${row.fills}, volume ${row.volumeUsd.toFixed(0)}, adverse 10 s ${
        row.adverse10sBps?.toFixed(2) ?? "-"
      } bps, max drawdown ${row.maxDrawdownUsd.toFixed(2)}`,
    );
  }
  print(
    `best, as a plain replay: ${label(ranking[0].params)} ./deno task replay ${paths.join(" ")}`,
  );
  return { rows, ranking, jsonPath, csvPath, htmlPath };
}

/**
 * Loads the data once, cuts it into windows of `days`, runs every configuration on every window
 * and scores each window's best on the next; writes `sweep.json` and `walk_forward.csv`.
 */
export async function sweepWalkForward(
  paths: readonly string[],
  grid: string,
  days: number,
  outDir: string,
  options: SweepOptions = {},
): Promise<WalkForwardResult> {
  const { env = {}, print = console.log, workers = 1, redisUrl } = options;
  if (!(days > 0) || !Number.isFinite(days)) {
    throw new Error(`sweep: --walk-forward "${days}" is invalid: expected a number of days > 0`);
  }
  const runs = expandGrid(grid, env);
  const data = await loadReplay(paths, loadConfig(env).coins);
  if (data.length === 0) throw new Error(`sweep: no events in ${paths.join(", ")}`);
  const pool = openRunner(paths, data, workers, env, print, redisUrl);
  let result: WalkForward;
  try {
    result = await walkForward(data, runs, days * DAY_MS, (w, row) =>
      print(
        `window ${w + 1} run ${row.run}/${runs.length} ${label(row.params)}: PnL ${
          row.pnlUsd.toFixed(2)
        } USD, ${row.fills} fills`,
      ), pool);
  } finally {
    await pool?.close();
  }
  if (result.folds.length === 0) {
    throw new Error(
      `sweep: --walk-forward ${days} leaves ${result.windows.length} window with data; it needs two`,
    );
  }
  await Deno.mkdir(outDir, { recursive: true });
  const jsonPath = `${outDir}/sweep.json`;
  const csvPath = `${outDir}/walk_forward.csv`;
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify({ data: [...paths], grid, walkForwardDays: days, ...result }, null, 2) + "\n",
  );
  await Deno.writeTextFile(csvPath, walkForwardCsv(result));
  print(`wrote ${jsonPath} and ${csvPath}`);
  let inSample = 0;
  let outOfSample = 0;
  result.folds.forEach((f, i) => {
    inSample += f.inSample.pnlUsd;
    outOfSample += f.outOfSample.pnlUsd;
    print(
      `fold ${i + 1}: ${label(f.params)} chosen on ${
        new Date(result.windows[f.train].fromMs).toISOString()
      }: in sample PnL ${f.inSample.pnlUsd.toFixed(2)}, out of sample ${
        f.outOfSample.pnlUsd.toFixed(2)
      } (rank ${f.outOfSampleRank} of ${runs.length}; the best there made ${
        f.bestOutOfSample.pnlUsd.toFixed(2)
      })`,
    );
  });
  print(
    `walk-forward over ${result.folds.length} folds: in sample ${inSample.toFixed(2)} USD, ` +
      `out of sample ${outOfSample.toFixed(2)} USD`,
  );
  return { walkForward: result, jsonPath, csvPath };
}

/**
 * What runs the configurations over `data` besides this process (undefined): `workers` Web
 * Workers sharing it, or the workers of the queue in the Redis at `redisUrl`.
 */
function openRunner(
  paths: readonly string[],
  data: ReplayData,
  workers: number,
  env: Readonly<Record<string, string | undefined>>,
  print: (line: string) => void,
  redisUrl?: string,
): SweepPool | QueueRunner | undefined {
  if (redisUrl !== undefined) return new QueueRunner(redisUrl, paths, data, env, print);
  if (workers > 1) return new SweepPool(data, workers, env);
  return undefined;
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: {
        grid: { type: "string" },
        out: { type: "string" },
        "walk-forward": { type: "string" },
        heatmap: { type: "string" },
        workers: { type: "string" },
        queue: { type: "boolean" },
        redis: { type: "string" },
      },
      allowPositionals: true,
    });
    if (positionals.length === 0 || values.grid === undefined) throw new Error(USAGE);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const out = values.out ?? `data/sweeps/${stamp}`;
    const workers = values.workers === undefined ? 1 : Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new Error(`sweep: --workers "${values.workers}" is invalid: expected 1 to 64`);
    }
    const env = readEnv();
    const queued = values.queue === true || values.redis !== undefined;
    const redisUrl = queued ? values.redis ?? loadConfig(env).redisUrl : undefined;
    const options = { env, heatmap: values.heatmap, workers, redisUrl };
    const days = values["walk-forward"];
    if (days === undefined) await sweep(positionals, values.grid, out, options);
    else {
      const n = Number(days);
      if (!(n > 0) || !Number.isFinite(n)) {
        throw new Error(
          `sweep: --walk-forward "${days}" is invalid: expected a number of days > 0`,
        );
      }
      await sweepWalkForward(positionals, values.grid, n, out, options);
    }
  } catch (error) {
    console.error(errorMessage(error));
    Deno.exit(1);
  }
}

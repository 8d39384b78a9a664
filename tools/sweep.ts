/**
 * `./deno task sweep <data folder or files> --grid "<param>=<values>;..." [--out DIR]`
 *
 * Replays the same harvested or imported data through the engine once per combination of the
 * grid's parameters (tools/sweep/grid.ts), reading and parsing the data once, and writes one row
 * per run (PnL after fees, fills, volume, requests per USDC, adverse selection at 10 s, max
 * drawdown, inventory) as `sweep.json` and `sweep.csv` in DIR (default
 * `data/sweeps/<UTC time>/`; like every data task it may write only under `data/`). Each run is
 * exactly `deno task replay` with those variables set: the best one is printed as that command.
 */
import { parseArgs } from "node:util";
import { loadConfig, readEnv } from "../engine/config.ts";
import { loadReplay } from "../engine/replay.ts";
import { expandGrid, label } from "./sweep/grid.ts";
import { ranked, runSweep, type SweepRow } from "./sweep/run.ts";
import { sweepCsv, sweepJson } from "./sweep/table.ts";

const USAGE =
  'usage: ./deno task sweep <data folder or files> --grid "spread=1.5,3;model=grid,glft" [--out DIR]';

/** What {@link sweep} wrote and found. */
export interface SweepResult {
  rows: SweepRow[];
  /** Best first. */
  ranking: SweepRow[];
  jsonPath: string;
  csvPath: string;
}

/** Loads the data once, runs every configuration, writes the JSON and CSV into `outDir`. */
export async function sweep(
  paths: readonly string[],
  grid: string,
  outDir: string,
  env: Readonly<Record<string, string | undefined>> = {},
  print: (line: string) => void = console.log,
): Promise<SweepResult> {
  const runs = expandGrid(grid, env);
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
  const rows = await runSweep(data, runs, (row) =>
    print(
      `run ${row.run}/${runs.length} ${label(row.params)}: PnL ${
        row.pnlUsd.toFixed(2)
      } USD, ${row.fills} fills, ${row.requestsPerUsdc?.toFixed(3) ?? "-"} requests/USDC`,
    ));
  const seconds = (performance.now() - started - loadedMs) / 1000;
  print(
    `sweep: ${runs.length} runs in ${seconds.toFixed(2)} s (${
      Math.round(data.length * runs.length / Math.max(seconds, 1e-9))
    } events/s after the parse)`,
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
  print(`wrote ${jsonPath} and ${csvPath}`);
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
  return { rows, ranking, jsonPath, csvPath };
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: { grid: { type: "string" }, out: { type: "string" } },
      allowPositionals: true,
    });
    if (positionals.length === 0 || values.grid === undefined) throw new Error(USAGE);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    await sweep(positionals, values.grid, values.out ?? `data/sweeps/${stamp}`, readEnv());
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}

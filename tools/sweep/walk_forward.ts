/**
 * Walk-forward: the grid is run on every window, the configuration that ranks first on one
 * window is scored on the next, and each fold puts its in-sample and out-of-sample figures side
 * by side. A configuration that is best in sample and poor out of sample was fitted to noise.
 *
 * @module
 */
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepRun } from "./grid.ts";
import { ranked, runSweep, type SweepRow } from "./run.ts";
import { splitWindows } from "./windows.ts";
import type { SweepPool } from "./pool.ts";

/** One window's runs. */
export interface WindowResult {
  fromMs: number;
  toMs: number;
  events: number;
  /** In grid order. */
  rows: SweepRow[];
}

/** One fold: chosen on window `train`, scored on window `test` (the next one with data). */
export interface Fold {
  train: number;
  test: number;
  /** The parameters that ranked first on the training window. */
  params: Record<string, string>;
  inSample: SweepRow;
  outOfSample: SweepRow;
  /** Rank of the chosen configuration among all on the test window (1 = it was best there too). */
  outOfSampleRank: number;
  /** The best configuration on the test window, for comparison (known only afterwards). */
  bestOutOfSample: SweepRow;
}

/** The windows' runs and the folds between consecutive windows. */
export interface WalkForward {
  windowMs: number;
  windows: WindowResult[];
  folds: Fold[];
}

/**
 * Runs every configuration on every window of `windowMs` (in process, or on `pool`'s workers,
 * which hold the same data: a {@link SweepPool} or a queue of tools/sweep/queue_runner.ts), then
 * chooses and scores fold by fold.
 */
export async function walkForward(
  data: ReplayData,
  runs: readonly SweepRun[],
  windowMs: number,
  onRow: (window: number, row: SweepRow) => void = () => {},
  pool?: Pick<SweepPool, "run">,
): Promise<WalkForward> {
  const split = splitWindows(data, windowMs);
  const rowsOf: SweepRow[][] = [];
  if (pool === undefined) {
    for (const [w, window] of split.entries()) {
      rowsOf.push(await runSweep(window.data, runs, (row) => onRow(w, row)));
    }
  } else {
    // Every window's runs at once: the pool's workers (or a queue's) never wait between windows.
    rowsOf.push(
      ...await Promise.all(
        split.map((window, w) =>
          pool.run(runs, [window.fromMs, window.toMs], (row) => onRow(w, row))
        ),
      ),
    );
  }
  const windows: WindowResult[] = split.map((window, w) => ({
    fromMs: window.fromMs,
    toMs: window.toMs,
    events: window.data.length,
    rows: rowsOf[w],
  }));
  const folds: Fold[] = [];
  for (let w = 1; w < windows.length; w++) {
    const chosen = ranked(windows[w - 1].rows)[0];
    const testRanking = ranked(windows[w].rows);
    const outOfSample = windows[w].rows[chosen.run - 1];
    folds.push({
      train: w - 1,
      test: w,
      params: chosen.params,
      inSample: chosen,
      outOfSample,
      outOfSampleRank: testRanking.indexOf(outOfSample) + 1,
      bestOutOfSample: testRanking[0],
    });
  }
  return { windowMs, windows, folds };
}

/** The folds as CSV: one line per fold, in-sample and out-of-sample figures side by side. */
export function walkForwardCsv(result: WalkForward): string {
  const params = result.folds.length > 0 ? Object.keys(result.folds[0].params) : [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = [
    [
      "fold",
      "train_from",
      "test_from",
      "test_to",
      ...params,
      "in_sample_pnl_usd",
      "out_of_sample_pnl_usd",
      "in_sample_fills",
      "out_of_sample_fills",
      "in_sample_max_drawdown_usd",
      "out_of_sample_max_drawdown_usd",
      "out_of_sample_rank",
      "best_out_of_sample_pnl_usd",
    ].join(","),
  ];
  result.folds.forEach((f, i) => {
    const train = result.windows[f.train];
    const test = result.windows[f.test];
    lines.push([
      String(i + 1),
      iso(train.fromMs),
      iso(test.fromMs),
      iso(test.toMs),
      ...params.map((p) => f.params[p]),
      String(f.inSample.pnlUsd),
      String(f.outOfSample.pnlUsd),
      String(f.inSample.fills),
      String(f.outOfSample.fills),
      String(f.inSample.maxDrawdownUsd),
      String(f.outOfSample.maxDrawdownUsd),
      String(f.outOfSampleRank),
      String(f.bestOutOfSample.pnlUsd),
    ].join(","));
  });
  return lines.join("\n") + "\n";
}

/**
 * Old code against new code on the data pipeline, as a ratio. The machine is shared (load
 * average 2-8 on 2 cores while other engineers run load tests), so seconds measured at
 * different hours cannot be compared; runs that alternate old, new, old, new on the same input
 * see the same contention on average, and the ratio of each adjacent pair is the figure.
 *
 *   git worktree add --detach /work/wt-old <commit> && git worktree add --detach /work/wt-new HEAD
 *   (cd /work/wt-old && ./deno task build:wasm); (cd /work/wt-new && ./deno task build:wasm)
 *   NO_COLOR=1 ./deno run -A tests/bench/pipeline_ab.ts /work/wt-old /work/wt-new [rounds, 4]
 *
 * The data is pipeline_bench.ts's at full scale, generated once under /tmp: one day of 30 coins
 * x 133,000 ticks (+ a trade every 5th; 257 MB CSV) for convert, and 5 days x 30 coins x 133,333
 * ticks (20 M ticks, 4 M trades), converted to Parquet with its CSVs kept, for analyze (smaller
 * with pipeline_bench.ts's MM_BENCH_DAY_ROWS_PER_COIN and MM_BENCH_GATE_ROWS_PER_COIN). Each
 * round runs, old then new: convert of the day (into a fresh copy of it), then analyze of the 5
 * days (all gates, integrity on its worker). Every run is a fresh process of that worktree's own
 * code and deno.json, started from this file with `--child`, so it times what the CLI tasks do
 * (tools/csv_to_parquet.ts convert(), tools/analyze.ts analyze()) with their AnalyzeTimings.
 * Recorded per run: wall time with start-up, process CPU time (user + system, all threads;
 * steadier than wall under contention, but not immune: the cores' caches are shared too),
 * analyze's load step, and the load average before and after. With MM_AB_PIECES=1 each round
 * also runs analyze's two concurrent halves alone: the load step (every coin into duckdb-wasm and
 * arrays) and the integrity check its worker runs.
 */

import process from "node:process";
import { FIRST_DAY, writeDays } from "./pipeline_data.ts";

const DAY = "2026-02-16";
const ANALYZE_NOW = FIRST_DAY + 6 * 86_400_000;

/** What one child run prints. */
interface ChildResult {
  /** The timed call, ms. */
  ms: number;
  /** Process CPU since start, user + system, ms. */
  cpuMs: number;
  /** analyze only: its load step, ms. */
  loadMs?: number;
}

/** Runs in a worktree (cwd): its own convert() or analyze() on dir. */
async function child(mode: string, dir: string): Promise<ChildResult> {
  const root = Deno.cwd();
  const t = performance.now();
  let loadMs: number | undefined;
  if (mode === "convert") {
    const { convert } = await import(`${root}/tools/csv_to_parquet.ts`);
    const r = await convert({
      dataDir: dir,
      date: DAY,
      nowMs: FIRST_DAY + 1.5 * 86_400_000,
      print: () => {},
      tty: false,
    });
    if (r.files.some((f: { status: string }) => f.status !== "converted")) {
      throw new Error("conversion failed");
    }
  } else if (mode === "convert-all") {
    const { convert } = await import(`${root}/tools/csv_to_parquet.ts`);
    await convert({ dataDir: dir, all: true, nowMs: ANALYZE_NOW, print: () => {}, tty: false });
  } else if (mode === "load") {
    // analyze's load step alone: every coin into duckdb-wasm and arrays, no gates, no worker.
    const { listCoins, loadCoin } = await import(`${root}/tools/analysis/coin_series.ts`);
    const { openDatabase } = await import(`${root}/tools/analysis/duckdb.ts`);
    const { emptySummary } = await import(`${root}/tools/analysis/load.ts`);
    const db = await openDatabase();
    const summary = emptySummary();
    for (const files of await listCoins(dir, {})) await loadCoin(db, files, summary);
  } else if (mode === "integrity") {
    // The check analyze's gate 5 runs on its worker, alone.
    const { checkIntegrity } = await import(`${root}/tools/integrity.ts`);
    await checkIntegrity({ dataDir: dir, nowMs: ANALYZE_NOW });
  } else {
    const { analyze } = await import(`${root}/tools/analyze.ts`);
    const timings = { loadMs: 0, movesMs: 0, gateMs: {}, totalMs: 0, peakRssBytes: 0 };
    await analyze({ dataDir: dir, nowMs: ANALYZE_NOW, print: () => {}, timings });
    loadMs = timings.loadMs;
  }
  const cpu = process.cpuUsage();
  return { ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, loadMs };
}

if (Deno.args[0] === "--child") {
  console.log(JSON.stringify(await child(Deno.args[1], Deno.args[2])));
  Deno.exit(0);
}

/** One run of mode in worktree wt, in a fresh process; wall time includes start-up. */
async function run(wt: string, mode: string, dir: string) {
  const load0 = Deno.loadavg()[0];
  const t = performance.now();
  const out = await new Deno.Command(`${wt}/deno`, {
    args: ["run", "-A", "--config", `${wt}/deno.json`, new URL(import.meta.url).pathname]
      .concat(["--child", mode, dir]),
    cwd: wt,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${mode} in ${wt} failed`);
  const r: ChildResult = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return { wallMs: performance.now() - t, ...r, load: [load0, Deno.loadavg()[0]] };
}

type Run = Awaited<ReturnType<typeof run>>;

function summary(name: string, old: Run[], neu: Run[], pick: (r: Run) => number): string {
  const ratios = old.map((o, i) => pick(neu[i]) / pick(o));
  const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  const s = (runs: Run[]) => {
    const v = runs.map(pick);
    const avg = v.reduce((a, x) => a + x, 0) / v.length / 1000;
    return `${avg.toFixed(1)} s (${(Math.min(...v) / 1000).toFixed(1)}-${
      (Math.max(...v) / 1000).toFixed(1)
    })`;
  };
  return `${name.padEnd(22)} old ${s(old)}  new ${s(neu)}  new/old per pair ${
    ratios.map((r) => r.toFixed(2)).join(" ")
  }  geometric mean ${geo.toFixed(2)}`;
}

if (import.meta.main) {
  const [oldWt, newWt, roundsArg] = Deno.args;
  if (!oldWt || !newWt) throw new Error("usage: pipeline_ab.ts OLD_WORKTREE NEW_WORKTREE [rounds]");
  const rounds = Number(roundsArg ?? 4);
  const root = await Deno.makeTempDir({ prefix: "mm_pipeline_ab_" });
  const day = `${root}/day`, five = `${root}/five_days`;
  await writeDays(day, 1, Number(Deno.env.get("MM_BENCH_DAY_ROWS_PER_COIN") ?? 133_000));
  await writeDays(five, 5, Number(Deno.env.get("MM_BENCH_GATE_ROWS_PER_COIN") ?? 133_333));
  // Both sides read the same Parquet: the new code's conversion (old and new write identical
  // bytes for this data; checked with `diff -r` on the converted day, 2026-12-03).
  await run(newWt, "convert-all", five);
  // MM_AB_PIECES=1 also times analyze's two concurrent halves apart, each alone.
  const pieces = Deno.env.get("MM_AB_PIECES") === "1" ? ["load", "integrity"] : [];
  const runs: Record<string, { old: Run[]; new: Run[] }> = {};
  for (const mode of ["convert", "analyze", ...pieces]) runs[mode] = { old: [], new: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [side, wt] of [["old", oldWt], ["new", newWt]] as const) {
      const copy = `${root}/convert_${side}`;
      await Deno.remove(copy, { recursive: true }).catch(() => {});
      await new Deno.Command("cp", { args: ["-r", day, copy] }).output();
      const r = await run(wt, "convert", copy);
      runs.convert[side].push(r);
      console.log(JSON.stringify({ round: i + 1, side, mode: "convert", ...r }));
    }
    for (const mode of ["analyze", ...pieces]) {
      for (const [side, wt] of [["old", oldWt], ["new", newWt]] as const) {
        const r = await run(wt, mode, five);
        runs[mode][side].push(r);
        console.log(JSON.stringify({ round: i + 1, side, mode, ...r }));
      }
    }
  }
  const c = runs.convert, a = runs.analyze;
  console.log(summary("convert (in process)", c.old, c.new, (r) => r.ms));
  console.log(summary("convert CPU", c.old, c.new, (r) => r.cpuMs));
  console.log(summary("analyze (in process)", a.old, a.new, (r) => r.ms));
  console.log(summary("analyze load step", a.old, a.new, (r) => r.loadMs!));
  console.log(summary("analyze CPU", a.old, a.new, (r) => r.cpuMs));
  for (const mode of pieces) {
    console.log(summary(`${mode} alone CPU`, runs[mode].old, runs[mode].new, (r) => r.cpuMs));
  }
  await Deno.remove(root, { recursive: true });
}

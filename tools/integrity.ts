/**
 * `./deno task integrity [--fix] [--gap-s 60] [--critical-s 600] [--data-dir DIR]`
 *
 * Scans every harvested CSV for corrupt lines (wrong column count, non-numeric values,
 * bid >= ask, timestamps going backwards, rows from another day or coin, an unfinished last
 * line) and every coin's ticks (CSV and Parquet) for gaps. `--fix` rewrites each damaged past-day
 * file without its bad lines, keeping the original next to it as `.bak`.
 * Exit code 0 when clean, 1 when corrupt lines or critical gaps remain.
 */

import { parseArgs } from "node:util";
import { HEADERS, type RowKind, utcDay } from "../engine/csv_rows.ts";
import { type BadLine, scanTicks, scanTrades } from "../engine/csv_scan.ts";
import { exists, explainError, listDayFiles, resolveDataDir } from "./data_files.ts";
import { decodeParquet, initParquet } from "./analysis/parquet_io.ts";

/** A stretch without ticks for one coin. */
export interface Gap {
  coin: string;
  startMs: number;
  endMs: number;
  seconds: number;
  /** Longer than the critical threshold (default 10 min). */
  critical: boolean;
}

/** Corrupt lines found in one file. */
export interface FileProblems {
  path: string;
  kind: RowKind;
  coin: string;
  day: string;
  bad: BadLine[];
  incomplete: boolean;
  /** Set when --fix rewrote the file. */
  fixed?: { backup: string; removed: number };
  /** Why --fix left the file alone. */
  notFixed?: string;
}

/** Per-coin summary of the ticks. */
export interface CoinSummary {
  coin: string;
  days: number;
  tickRows: number;
  tradeRows: number;
  corruptLines: number;
  gaps: number;
  criticalGaps: number;
  firstMs: number | null;
  lastMs: number | null;
}

/** The result of an integrity run. */
export interface IntegrityReport {
  dataDir: string;
  gapThresholdS: number;
  criticalGapS: number;
  files: number;
  problems: FileProblems[];
  gaps: Gap[];
  coins: CoinSummary[];
  corruptLines: number;
  criticalGaps: number;
  /** No corrupt line left (after --fix) and no critical gap. */
  clean: boolean;
}

/** Options of {@link checkIntegrity}. */
export interface IntegrityOptions {
  dataDir: string;
  fix?: boolean;
  /** Gaps longer than this are listed (default 60 s). */
  gapThresholdS?: number;
  /** Gaps longer than this are critical (default 600 s, spec gate 5). */
  criticalGapS?: number;
  /** The current time in ms; today's file is never rewritten (the harvester appends to it). */
  nowMs?: number;
}

/** Scans (and optionally repairs) the data directory. */
export async function checkIntegrity(options: IntegrityOptions): Promise<IntegrityReport> {
  const gapThresholdS = options.gapThresholdS ?? 60;
  const criticalGapS = options.criticalGapS ?? 600;
  if (!(gapThresholdS > 0) || !(criticalGapS > 0)) {
    throw new Error(
      `gap thresholds must be positive seconds (got ${gapThresholdS}, ${criticalGapS})`,
    );
  }
  const today = utcDay(options.nowMs ?? Date.now());
  const problems: FileProblems[] = [];
  const coins = new Map<string, CoinSummary>();
  const tickTimes = new Map<string, Map<string, Float64Array>>();
  const summary = (coin: string) => {
    let s = coins.get(coin);
    if (s === undefined) {
      s = {
        coin,
        days: 0,
        tickRows: 0,
        tradeRows: 0,
        corruptLines: 0,
        gaps: 0,
        criticalGaps: 0,
        firstMs: null,
        lastMs: null,
      };
      coins.set(coin, s);
    }
    return s;
  };
  let files = 0;
  for (const kind of ["ticks", "trades"] as RowKind[]) {
    for (const file of await listDayFiles(options.dataDir, kind, "csv")) {
      files++;
      const text = await Deno.readTextFile(file.path);
      const scanOptions = { coin: file.coin, day: file.day, keepLines: true };
      const scan = kind === "ticks" ? scanTicks(text, scanOptions) : scanTrades(text, scanOptions);
      const s = summary(file.coin);
      if (kind === "ticks") {
        s.days++;
        s.tickRows += scan.rows;
        byDay(tickTimes, file.coin).set(file.day, scan.columns.timestampMs);
      } else s.tradeRows += scan.rows;
      if (scan.bad.length === 0 && scan.incomplete === null) continue;
      const p: FileProblems = {
        path: file.path,
        kind,
        coin: file.coin,
        day: file.day,
        bad: scan.bad,
        incomplete: scan.incomplete !== null,
      };
      if (options.fix) {
        if (file.day >= today) p.notFixed = "today's file is still being written; fix it tomorrow";
        else {p.fixed = await rewrite(
            file.path,
            kind,
            scan.goodLines ?? [],
            scan.bad.length + (p.incomplete ? 1 : 0),
          );}
      }
      if (!p.fixed) s.corruptLines += scan.bad.length + (p.incomplete ? 1 : 0);
      problems.push(p);
    }
  }
  // Days already converted (and whose CSV was deleted) still count for gaps.
  const parquetTicks = await listDayFiles(options.dataDir, "ticks", "parquet");
  if (parquetTicks.length > 0) await initParquet();
  for (const file of parquetTicks) {
    const days = byDay(tickTimes, file.coin);
    if (days.has(file.day)) continue;
    const table = decodeParquet(await Deno.readFile(file.path));
    const ts = table.getChild("timestamp_ms")?.toArray() as BigInt64Array;
    const s = summary(file.coin);
    s.days++;
    s.tickRows += ts.length;
    days.set(file.day, Float64Array.from(ts, Number));
  }
  const gaps: Gap[] = [];
  for (const [coin, days] of tickTimes) {
    const s = summary(coin);
    let prev: number | null = null;
    for (const day of [...days.keys()].sort()) {
      for (const t of days.get(day)!) {
        if (s.firstMs === null) s.firstMs = t;
        if (prev !== null && t - prev > gapThresholdS * 1000) {
          const seconds = (t - prev) / 1000;
          gaps.push({ coin, startMs: prev, endMs: t, seconds, critical: seconds > criticalGapS });
          s.gaps++;
          if (seconds > criticalGapS) s.criticalGaps++;
        }
        prev = t;
      }
    }
    s.lastMs = prev;
  }
  const corruptLines = [...coins.values()].reduce((a, s) => a + s.corruptLines, 0);
  const criticalGaps = gaps.filter((g) => g.critical).length;
  return {
    dataDir: options.dataDir,
    gapThresholdS,
    criticalGapS,
    files,
    problems,
    gaps,
    coins: [...coins.values()].sort((a, b) => a.coin < b.coin ? -1 : 1),
    corruptLines,
    criticalGaps,
    clean: corruptLines === 0 && criticalGaps === 0,
  };
}

function byDay(map: Map<string, Map<string, Float64Array>>, coin: string) {
  let days = map.get(coin);
  if (days === undefined) {
    days = new Map();
    map.set(coin, days);
  }
  return days;
}

async function rewrite(path: string, kind: RowKind, good: string[], removed: number) {
  let backup = `${path}.bak`;
  for (let n = 1; await exists(backup); n++) backup = `${path}.bak.${n}`;
  const temp = `${path}.${Deno.pid}.tmp`;
  const body = good.length === 0 ? "" : good.join("\n") + "\n";
  await Deno.writeTextFile(temp, `${HEADERS[kind]}\n${body}`);
  await Deno.rename(path, backup);
  await Deno.rename(temp, path);
  return { backup, removed };
}

const iso = (ms: number | null) =>
  ms === null ? "-" : new Date(ms).toISOString().replace(".000Z", "Z");

/** The report as text for a person. */
export function formatIntegrity(r: IntegrityReport): string {
  const out: string[] = [];
  out.push(`integrity of ${r.dataDir}: ${r.files} CSV files`);
  out.push("");
  out.push("coin        days   tick rows  trade rows  corrupt  gaps  critical  first .. last");
  for (const s of r.coins) {
    out.push(
      `${s.coin.padEnd(10)} ${String(s.days).padStart(5)} ${String(s.tickRows).padStart(11)} ${
        String(s.tradeRows).padStart(11)
      } ${String(s.corruptLines).padStart(8)} ${String(s.gaps).padStart(5)} ${
        String(s.criticalGaps).padStart(9)
      }  ${iso(s.firstMs)} .. ${iso(s.lastMs)}`,
    );
  }
  if (r.gaps.length > 0) {
    out.push("");
    out.push(`gaps over ${r.gapThresholdS} s (critical over ${r.criticalGapS} s):`);
    for (const g of r.gaps) {
      out.push(
        `  ${g.coin.padEnd(10)} ${iso(g.startMs)} -> ${iso(g.endMs)}  ${g.seconds.toFixed(1)} s${
          g.critical ? "  CRITICAL" : ""
        }`,
      );
    }
  }
  for (const p of r.problems) {
    out.push("");
    out.push(`${p.path}: ${p.bad.length} bad lines${p.incomplete ? ", unfinished last line" : ""}`);
    for (const b of p.bad.slice(0, 10)) out.push(`  line ${b.line}: ${b.reason}`);
    if (p.bad.length > 10) out.push(`  ... and ${p.bad.length - 10} more`);
    if (p.fixed) {
      out.push(`  fixed: ${p.fixed.removed} lines removed, original kept as ${p.fixed.backup}`);
    }
    if (p.notFixed) out.push(`  not fixed: ${p.notFixed}`);
  }
  out.push("");
  out.push(
    r.clean
      ? `CLEAN: no corrupt lines, ${r.gaps.length} gaps, none critical`
      : `PROBLEMS: ${r.corruptLines} corrupt lines${
        r.corruptLines > 0 ? " (run with --fix to remove them)" : ""
      }, ${r.criticalGaps} critical gaps`,
  );
  return out.join("\n");
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        fix: { type: "boolean" },
        "gap-s": { type: "string" },
        "critical-s": { type: "string" },
        "data-dir": { type: "string" },
        json: { type: "boolean" },
      },
    });
    const seconds = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!(n > 0)) throw new Error(`--${name} "${v}" is not a positive number of seconds`);
      return n;
    };
    const report = await checkIntegrity({
      dataDir: resolveDataDir(values["data-dir"]),
      fix: values.fix,
      gapThresholdS: seconds("gap-s", values["gap-s"]),
      criticalGapS: seconds("critical-s", values["critical-s"]),
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatIntegrity(report));
    Deno.exit(report.clean ? 0 : 1);
  } catch (error) {
    console.error(`integrity: ${explainError(error)}`);
    Deno.exit(2);
  }
}

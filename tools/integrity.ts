/**
 * `./deno task integrity [--fix [--force]] [--gap-s 60] [--critical-s 600] [--data-dir DIR]`
 *
 * Scans every harvested CSV for corrupt lines (the row rules of engine/csv_scan.ts: wrong column
 * count, values that are not decimal numbers, a crossed book, a mid outside the quote, a
 * negative spread, rows from another day or coin, a time out of order with its neighbours, an
 * unfinished last line) and every coin's ticks (CSV and Parquet) for gaps, including a coin that
 * stops before the end of its last day while others go on. `--fix` rewrites each damaged past-day
 * file without its bad lines, naming each, and keeps the original next to it as `.bak`; it
 * removes at most {@link FIX_SHARE} of a file's rows unless `--force`.
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
  /** The coin's ticks stop here for the rest of its last day while other coins' go on. */
  stopped?: boolean;
}

/**
 * The largest share of a file's rows `--fix` removes without `--force`. Damage is a few rows; a
 * fix that would take more (a wrong rule, a file of another format) waits for a person.
 */
export const FIX_SHARE = 0.05;

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
  /** Files without a good row (empty, header only, every row corrupt): convert skips them. */
  emptyFiles: string[];
  /** No corrupt line left (after --fix) and no critical gap. */
  clean: boolean;
}

/** Options of {@link checkIntegrity}. */
export interface IntegrityOptions {
  dataDir: string;
  fix?: boolean;
  /** Let --fix remove more than {@link FIX_SHARE} of a file. */
  force?: boolean;
  /** Gaps longer than this are listed (default 60 s). */
  gapThresholdS?: number;
  /** Gaps longer than this are critical (default 600 s: README, "The five gates", Gate 5). */
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
  const emptyFiles: string[] = [];
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
      const removed = scan.bad.length + (scan.incomplete === null ? 0 : 1);
      if (scan.rows === 0) emptyFiles.push(file.path);
      if (removed === 0) continue;
      const p: FileProblems = {
        path: file.path,
        kind,
        coin: file.coin,
        day: file.day,
        bad: scan.bad,
        incomplete: scan.incomplete !== null,
      };
      if (options.fix) {
        // The header line is not a row: a bad header is replaced, not counted against the share.
        const lines = scan.rows + removed - (scan.headerOk ? 0 : 1);
        const share = lines === 0 ? 0 : (removed - (scan.headerOk ? 0 : 1)) / lines;
        if (file.day >= today) p.notFixed = "today's file is still being written; fix it tomorrow";
        else if (share > FIX_SHARE && !options.force) {
          p.notFixed = `it would remove ${(share * 100).toFixed(1)}% of the rows, more than the ${
            FIX_SHARE * 100
          }% --fix removes on its own; check the lines listed, then run with --fix --force`;
        } else p.fixed = await rewrite(file.path, kind, scan.goodLines ?? [], removed);
      }
      if (!p.fixed) s.corruptLines += removed;
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
  const lastDay = new Map<string, string>();
  for (const [coin, days] of tickTimes) {
    const s = summary(coin);
    let prev: number | null = null;
    for (const day of [...days.keys()].sort()) {
      lastDay.set(coin, day);
      for (const t of days.get(day)!) {
        if (s.firstMs === null) s.firstMs = t;
        if (prev !== null && t - prev > gapThresholdS * 1000) {
          gaps.push(gap(coin, prev, t, criticalGapS));
          s.gaps++;
          if (gaps[gaps.length - 1].critical) s.criticalGaps++;
        }
        prev = t;
      }
    }
    s.lastMs = prev;
  }
  // A coin whose ticks stop while other coins' go on has a gap up to the end of its last day (or
  // of the data, if that comes first): without this, a coin silent for the rest of the day
  // would look clean.
  const dataEnd = Math.max(...[...coins.values()].map((c) => c.lastMs ?? -Infinity));
  for (const s of coins.values()) {
    if (s.lastMs === null) continue;
    const dayEnd = Date.parse(`${lastDay.get(s.coin)}T00:00:00Z`) + 86_400_000;
    const end = Math.min(dataEnd, dayEnd);
    if (end - s.lastMs > gapThresholdS * 1000) {
      gaps.push({ ...gap(s.coin, s.lastMs, end, criticalGapS), stopped: true });
      s.gaps++;
      if (gaps[gaps.length - 1].critical) s.criticalGaps++;
    }
  }
  gaps.sort((a, b) => a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : a.startMs - b.startMs);
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
    emptyFiles,
    clean: corruptLines === 0 && criticalGaps === 0,
  };
}

function gap(coin: string, startMs: number, endMs: number, criticalGapS: number): Gap {
  const seconds = (endMs - startMs) / 1000;
  return { coin, startMs, endMs, seconds, critical: seconds > criticalGapS };
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
        }${g.stopped ? "  (no ticks for the rest of the day while other coins have them)" : ""}`,
      );
    }
  }
  for (const p of r.problems) {
    out.push("");
    out.push(`${p.path}: ${p.bad.length} bad lines${p.incomplete ? ", unfinished last line" : ""}`);
    // A fix names every line it removed; a report without one shows the first few.
    const shown = p.fixed ? p.bad : p.bad.slice(0, 10);
    const verb = p.fixed ? "removed line" : "line";
    for (const b of shown) out.push(`  ${verb} ${b.line}: ${b.reason}: ${b.text.slice(0, 120)}`);
    if (shown.length < p.bad.length) out.push(`  ... and ${p.bad.length - shown.length} more`);
    if (p.fixed) {
      if (p.incomplete) out.push(`  removed the unfinished last line`);
      out.push(`  fixed: ${p.fixed.removed} lines removed, original kept as ${p.fixed.backup}`);
    }
    if (p.notFixed) out.push(`  not fixed: ${p.notFixed}`);
  }
  for (const path of r.emptyFiles) {
    out.push("");
    out.push(`${path}: no good rows (empty, header only or every row bad); convert skips it`);
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
        force: { type: "boolean" },
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
      force: values.force,
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

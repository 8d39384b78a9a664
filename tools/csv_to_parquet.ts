/**
 * `./deno task convert [--all] [--date D] [--coin C] [--delete-csv] [--data-dir DIR]`
 *
 * Converts harvested day CSVs (ticks and trades) to zstd Parquet under `DATA/parquet/`. Default:
 * the previous UTC day; `--all`: every day not yet converted except today's open file. A day that
 * already has its Parquet file is skipped, so running twice does nothing the second time.
 */

import { parseArgs } from "node:util";
import { type RowKind, utcDay } from "../engine/csv_rows.ts";
import { scanTicks, scanTrades } from "../engine/csv_scan.ts";
import {
  csvPath,
  type DayFile,
  exists,
  explainError,
  listDayFiles,
  parquetPath,
  resolveDataDir,
} from "./data_files.ts";
import {
  columnsTable,
  encodeParquet,
  initParquet,
  parquetRowCount,
} from "./analysis/parquet_io.ts";
import { errorMessage } from "../engine/util/errors.ts";

/** Options of {@link convert}. */
export interface ConvertOptions {
  dataDir: string;
  /** Convert every day not yet converted (today excluded). */
  all?: boolean;
  /** Convert this UTC day (default: yesterday). */
  date?: string;
  coin?: string;
  /** Delete each CSV once its Parquet file has been re-read and holds every good row. */
  deleteCsv?: boolean;
  /** The current time, ms (tests fix it; default now). */
  nowMs?: number;
  /** Progress and result lines go here (default stdout). */
  print?: (line: string) => void;
  /** Draw a progress bar in place (default: stdout is a terminal). */
  tty?: boolean;
}

/** What happened to one file. */
export interface ConvertedFile {
  file: DayFile;
  /** `empty`: no good row to convert (empty, header only, every row corrupt); skipped. */
  status: "converted" | "skipped" | "empty" | "failed";
  rows: number;
  corruptRows: number;
  /** First corrupt lines (line number and reason), at most 5 per file. */
  corruptSamples: string[];
  csvDeleted: boolean;
  message?: string;
}

/** The outcome of a conversion run. */
export interface ConvertReport {
  files: ConvertedFile[];
  rows: number;
  corruptRows: number;
  bytesRead: number;
  seconds: number;
}

/** Converts the selected day files; never throws for one bad file (it is reported as failed). */
export async function convert(options: ConvertOptions): Promise<ConvertReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const nowMs = options.nowMs ?? Date.now();
  const today = utcDay(nowMs);
  if (options.date !== undefined && options.all) {
    throw new Error("use either --all or --date, not both");
  }
  if (options.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.date)) {
    throw new Error(`--date "${options.date}" is not YYYY-MM-DD`);
  }
  if (options.date === today) {
    throw new Error(`--date ${today} is today (UTC): its file is still being written`);
  }
  const wanted = options.all ? null : options.date ?? utcDay(nowMs - 86_400_000);
  const files: DayFile[] = [];
  for (const kind of ["ticks", "trades"] as RowKind[]) {
    for (const f of await listDayFiles(options.dataDir, kind, "csv")) {
      if (options.coin !== undefined && f.coin !== options.coin) continue;
      if (wanted !== null ? f.day !== wanted : f.day >= today) continue;
      files.push(f);
    }
  }
  await initParquet();
  const started = performance.now();
  const out: ConvertedFile[] = [];
  let rows = 0, corrupt = 0, bytesRead = 0;
  for (const [i, file] of files.entries()) {
    const result = await convertFile(options.dataDir, file, options.deleteCsv ?? false);
    out.push(result);
    rows += result.rows;
    corrupt += result.corruptRows;
    bytesRead += result.status === "converted" ? (result as { bytes?: number }).bytes ?? 0 : 0;
    const seconds = (performance.now() - started) / 1000;
    const mbs = bytesRead / 1e6 / Math.max(seconds, 1e-3);
    if (tty) {
      const done = Math.round(((i + 1) / files.length) * 30);
      Deno.stdout.writeSync(
        new TextEncoder().encode(
          `\r[${"#".repeat(done)}${"-".repeat(30 - done)}] ${
            i + 1
          }/${files.length} files  ${rows} rows  ${mbs.toFixed(1)} MB/s`,
        ),
      );
    } else {
      print(
        `${result.status} ${file.path}: ${result.rows} rows, ${result.corruptRows} corrupt${
          result.message ? ` (${result.message})` : ""
        }`,
      );
    }
  }
  if (tty && files.length > 0) print("");
  const seconds = (performance.now() - started) / 1000;
  for (const f of out) {
    if (tty && f.status === "empty") print(`empty ${f.file.path}: ${f.message}`);
    for (const sample of f.corruptSamples) print(`  corrupt ${f.file.path}: ${sample}`);
  }
  const converted = out.filter((f) => f.status === "converted").length;
  const skipped = out.filter((f) => f.status === "skipped").length;
  const empty = out.filter((f) => f.status === "empty").length;
  const failed = out.filter((f) => f.status === "failed").length;
  print(
    files.length === 0
      ? `nothing to convert for ${wanted ?? "any past day"} under ${options.dataDir}`
      : `${converted} converted, ${skipped} already converted, ${empty} without rows, ${failed} failed; ${rows} rows, ${corrupt} corrupt rows not converted; ${
        seconds.toFixed(2)
      } s`,
  );
  if (corrupt > 0) {
    print(`corrupt rows stay in the CSVs: inspect with ./deno task integrity, remove with --fix`);
  }
  return { files: out, rows, corruptRows: corrupt, bytesRead, seconds };
}

async function convertFile(
  dataDir: string,
  file: DayFile,
  deleteCsv: boolean,
): Promise<ConvertedFile & { bytes?: number }> {
  const target = parquetPath(dataDir, file.kind, file.coin, file.day);
  const base = { file, rows: 0, corruptRows: 0, corruptSamples: [], csvDeleted: false };
  try {
    const bytes = await Deno.readFile(file.path);
    const text = new TextDecoder().decode(bytes);
    const options = { coin: file.coin, day: file.day };
    const scan = file.kind === "ticks" ? scanTicks(text, options) : scanTrades(text, options);
    const corruptRows = scan.bad.length + (scan.incomplete === null ? 0 : 1);
    const corruptSamples = scan.bad.slice(0, 5).map((b) => `line ${b.line}: ${b.reason}`);
    if (scan.incomplete !== null) {
      corruptSamples.push("last line has no newline (unfinished write)");
    }
    if (scan.rows === 0) {
      // parquet-wasm cannot write a file without rows, and there is nothing to analyse in one.
      return {
        ...base,
        status: "empty",
        corruptRows,
        corruptSamples,
        message: "no good rows (empty, header only or every row corrupt): nothing to convert",
      };
    }
    let status: "converted" | "skipped" = "skipped";
    if (!await exists(target)) {
      const parquet = encodeParquet(columnsTable(file.kind, file.coin, scan.columns));
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      // Write then rename: a reader never sees a half-written Parquet file.
      const temp = `${target}.${Deno.pid}.tmp`;
      await Deno.writeFile(temp, parquet);
      await Deno.rename(temp, target);
      status = "converted";
    }
    const stored = await parquetRowCount(await Deno.readFile(target));
    if (stored !== scan.rows) {
      return {
        ...base,
        status: "failed",
        rows: scan.rows,
        corruptRows,
        corruptSamples,
        message: `${target} holds ${stored} rows but the CSV has ${scan.rows} good rows; ` +
          `delete the Parquet file and convert again`,
      };
    }
    let csvDeleted = false;
    let message: string | undefined;
    if (deleteCsv) {
      if (corruptRows === 0) {
        await Deno.remove(csvPath(dataDir, file.kind, file.coin, file.day));
        csvDeleted = true;
      } else message = "CSV kept: it has corrupt rows";
    }
    return {
      ...base,
      status,
      rows: scan.rows,
      corruptRows,
      corruptSamples,
      csvDeleted,
      message,
      bytes: bytes.length,
    };
  } catch (error) {
    return { ...base, status: "failed", message: errorMessage(error) };
  }
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        all: { type: "boolean" },
        date: { type: "string" },
        coin: { type: "string" },
        "delete-csv": { type: "boolean" },
        "data-dir": { type: "string" },
      },
    });
    const report = await convert({
      dataDir: resolveDataDir(values["data-dir"]),
      all: values.all,
      date: values.date,
      coin: values.coin,
      deleteCsv: values["delete-csv"],
    });
    Deno.exit(report.files.some((f) => f.status === "failed") ? 1 : 0);
  } catch (error) {
    console.error(`convert: ${explainError(error)}`);
    Deno.exit(2);
  }
}

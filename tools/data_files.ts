/**
 * Where harvested day files live and how to find them:
 * `DATA/ticks/COIN/DAY.csv`, `DATA/trades/COIN/DAY.csv`,
 * `DATA/parquet/ticks/COIN/DAY.parquet`, `DATA/parquet/trades/COIN/DAY.parquet`.
 */

import type { RowKind } from "../engine/csv_rows.ts";
import { refuseEscapingLinks } from "../engine/data_links.ts";
import { errorMessage } from "../engine/util/errors.ts";

/** One day file of one coin. */
export interface DayFile {
  kind: RowKind;
  coin: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  path: string;
}

/** File format of a day file. */
export type DayFormat = "csv" | "parquet";

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.(csv|parquet)$/;

/**
 * The data directory: `--data-dir`, else MM_DATA_DIR, else `data`. Throws when a symbolic link
 * under it leads outside what the task may read (engine/data_links.ts).
 */
export function resolveDataDir(flag: string | undefined): string {
  const dir = flag ?? Deno.env.get("MM_DATA_DIR") ?? "data";
  if (dir.trim() === "") throw new Error("the data directory (--data-dir / MM_DATA_DIR) is empty");
  const clean = dir.replace(/\/+$/, "");
  refuseEscapingLinks([clean]);
  return clean;
}

/** The message for a failed command, with a hint when the task's permissions were the cause. */
export function explainError(error: unknown): string {
  const message = errorMessage(error);
  if (error instanceof Deno.errors.NotCapable) {
    return `${message}\n(the data tasks may read and write only under data/: ` +
      `give a --data-dir or MM_DATA_DIR inside it)`;
  }
  return message;
}

/** Path of a CSV day file. */
export function csvPath(dataDir: string, kind: RowKind, coin: string, day: string): string {
  return `${dataDir}/${kind}/${coin}/${day}.csv`;
}

/** Path of a Parquet day file. */
export function parquetPath(dataDir: string, kind: RowKind, coin: string, day: string): string {
  return `${dataDir}/parquet/${kind}/${coin}/${day}.parquet`;
}

/** Every day file of a kind and format, sorted by coin then day; a missing folder is empty. */
export async function listDayFiles(
  dataDir: string,
  kind: RowKind,
  format: DayFormat,
): Promise<DayFile[]> {
  const root = format === "csv" ? `${dataDir}/${kind}` : `${dataDir}/parquet/${kind}`;
  const out: DayFile[] = [];
  for (const coin of await listDir(root)) {
    if (!coin.isDirectory) continue;
    for (const entry of await listDir(`${root}/${coin.name}`)) {
      const m = DAY_FILE.exec(entry.name);
      if (!entry.isFile || m === null || m[2] !== format) continue;
      out.push({ kind, coin: coin.name, day: m[1], path: `${root}/${coin.name}/${entry.name}` });
    }
  }
  return out.sort((a, b) => a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : a.day < b.day ? -1 : 1);
}

/**
 * The files to read for analysis: the Parquet file of each (coin, day) if there is one, else its
 * CSV (today's open file, or days not yet converted).
 */
export async function listReadableDays(dataDir: string, kind: RowKind): Promise<DayFile[]> {
  const parquet = await listDayFiles(dataDir, kind, "parquet");
  const have = new Set(parquet.map((f) => `${f.coin}/${f.day}`));
  const csv = (await listDayFiles(dataDir, kind, "csv")).filter((f) =>
    !have.has(`${f.coin}/${f.day}`)
  );
  return [...parquet, ...csv].sort((a, b) =>
    a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : a.day < b.day ? -1 : 1
  );
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

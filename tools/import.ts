/**
 * `./deno task import <files or folders> [--coin C] [--replace] [--data-dir DIR]`
 *
 * Converts recordings made by other collectors into the harvester's layout, so `deno task
 * replay`, `convert`, `integrity` and `analyze` read them as if the engine had harvested them:
 * `DATA/ticks/COIN/DAY.csv`, `DATA/trades/COIN/DAY.csv` and raw l2Book frames in
 * `DATA/depth/COIN/DAY.jsonl` (for queue-aware replay). Each file's format is told by its first
 * line: wide book-snapshot and trade CSVs, hftbacktest captures and Tardis CSVs (see
 * tools/import/). Like every data task it may read and write only under `data/`: put the
 * recordings (or a symbolic link to them) under `data/import/`, which git ignores.
 */

import { parseArgs } from "node:util";
import { explainError, resolveDataDir } from "./data_files.ts";
import { refuseEscapingLinks } from "../engine/data_links.ts";
import { detectFormat, type FormatName } from "./import/formats.ts";
import { firstLine } from "./import/lines.ts";
import { HarvestSink, type WrittenFile } from "./import/sink.ts";
import { RECORDING_READERS } from "./import/readers.ts";

/** Options of {@link importRecordings}. */
export interface ImportOptions {
  /** Recording files, or folders searched for them. */
  paths: readonly string[];
  /** Root of the harvest layout written (default layout root: `data`). */
  dataDir: string;
  /** The coin of every input, for files that do not name theirs (or name it differently). */
  coin?: string;
  /** Overwrite day files that exist already (default: keep them and say so). */
  replace?: boolean;
  /** Result lines go here (default stdout). */
  print?: (line: string) => void;
}

/** What was read from one input file. */
export interface ImportedInput {
  path: string;
  /** Null: not a recording import reads (the file is skipped). */
  format: FormatName | null;
  books: number;
  trades: number;
  /** Lines or events not imported, with the first few reasons (`line N: why`). */
  skipped: number;
  skippedSamples: string[];
}

/** The outcome of an import. */
export interface ImportReport {
  inputs: ImportedInput[];
  outputs: WrittenFile[];
  duplicateTrades: number;
}

const SAMPLES = 5;

async function listInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string) => {
    const info = await Deno.stat(path);
    if (!info.isDirectory) {
      out.push(path);
      return;
    }
    for await (const entry of Deno.readDir(path)) {
      if (!entry.name.startsWith(".")) await walk(`${path}/${entry.name}`);
    }
  };
  for (const path of paths) await walk(path.replace(/\/+$/, ""));
  return out.sort();
}

/** Imports the recordings; a file in no known format is reported and skipped. */
export async function importRecordings(options: ImportOptions): Promise<ImportReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const files = await listInputs(options.paths);
  if (files.length === 0) throw new Error(`no files under ${options.paths.join(", ")}`);
  const sink = new HarvestSink({ dataDir: options.dataDir, replace: options.replace });
  const inputs: ImportedInput[] = [];
  for (const path of files) {
    const head = await firstLine(path);
    const format = detectFormat(head);
    const input: ImportedInput = {
      path,
      format,
      books: 0,
      trades: 0,
      skipped: 0,
      skippedSamples: [],
    };
    inputs.push(input);
    if (format === null) {
      print(`skipped ${path}: not a recording import reads (first line "${head.slice(0, 80)}")`);
      continue;
    }
    const skip = (where: string, reason: string) => {
      input.skipped++;
      if (input.skippedSamples.length < SAMPLES) input.skippedSamples.push(`${where}: ${reason}`);
    };
    let books = 0, trades = 0;
    for await (const event of RECORDING_READERS[format](path, options.coin)) {
      if (event.type === "bad") skip(`line ${event.line}`, event.reason);
      else if (event.type === "book") {
        const why = await sink.book(event.book);
        if (why === null) books++;
        else skip(`book at ${event.book.timeMs}`, why);
      } else {
        const why = await sink.trade(event.trade);
        if (why === null) trades++;
        else skip(`trade ${event.trade.tid}`, why);
      }
    }
    input.books = books;
    input.trades = trades;
    print(`read ${path} (${format}): ${books} books, ${trades} trades, ${input.skipped} skipped`);
    for (const sample of input.skippedSamples) print(`  skipped ${sample}`);
  }
  const outputs = await sink.close();
  for (const out of outputs) {
    print(
      out.status === "written"
        ? `wrote ${out.path} (${out.rows} rows)`
        : `kept ${out.path}: it exists (pass --replace to overwrite it)`,
    );
  }
  if (outputs.some((o) => o.status === "written")) {
    print(
      `replay with: ./deno task replay ${options.dataDir}/depth ${options.dataDir}/trades ` +
        `(queue-aware) or ${options.dataDir}/ticks ${options.dataDir}/trades`,
    );
  }
  return { inputs, outputs, duplicateTrades: sink.duplicateTrades };
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        coin: { type: "string" },
        replace: { type: "boolean" },
        "data-dir": { type: "string" },
      },
    });
    if (positionals.length === 0) {
      throw new Error("give the recordings to import: files or folders under data/import/");
    }
    refuseEscapingLinks(positionals);
    const report = await importRecordings({
      paths: positionals,
      dataDir: resolveDataDir(values["data-dir"]),
      coin: values.coin,
      replace: values.replace,
    });
    // Files in no known format (a collector's bbo CSV next to its books) are reported, not fatal.
    const imported = report.outputs.some((o) => o.status === "written");
    const kept = report.outputs.some((o) => o.status === "kept");
    Deno.exit(imported && !kept ? 0 : 1);
  } catch (error) {
    const message = error instanceof Deno.errors.NotCapable
      ? `${error.message}\n(import reads and writes only under data/: put the recordings under ` +
        `data/import/ (a symbolic link to them needs --allow-read=data,<their folder>), and any ` +
        `--data-dir inside data/)`
      : explainError(error);
    console.error(`import: ${message}`);
    Deno.exit(2);
  }
}

/**
 * Reading ledger files back (`calibrate-fills`, Gate 5): every `*.jsonl` of the folders given,
 * each line checked field by field, with an error naming the file, the line and the field.
 */
import type { LedgerRecord } from "./ledger.ts";

const NUMBERS = ["level", "oid", "px", "sz", "sentMs", "restingMs", "endedMs", "realSz"] as const;
const NULLABLE_NUMBERS = ["cancelSentMs", "realFirstMs", "predictedFirstMs"] as const;
// Written by later versions only: absent in older ledgers, null or a number when present.
const LATER_NUMBERS = ["restingMarketMs", "endedMarketMs"] as const;
const ENDS = ["filled", "cancelled", "gone"];

/** Checks one parsed line; throws naming `where` and the first bad field. */
export function parseLedgerRecord(value: unknown, where: string): LedgerRecord {
  const fail = (field: string, what: string): never => {
    throw new Error(`${where}: field ${field} ${what}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("(record)", "is not a JSON object");
  }
  const r = value as Record<string, unknown>;
  if (typeof r.coin !== "string" || r.coin === "") fail("coin", "is not a coin name");
  if (r.side !== "bid" && r.side !== "ask") fail("side", "is not bid or ask");
  for (const f of NUMBERS) {
    if (typeof r[f] !== "number" || !Number.isFinite(r[f])) fail(f, "is not a finite number");
  }
  if (!((r.px as number) > 0) || !((r.sz as number) > 0)) fail("px/sz", "must be positive");
  if ((r.realSz as number) < 0) fail("realSz", "is negative");
  if (!Number.isInteger(r.level) || (r.level as number) < 1) fail("level", "is not a level >= 1");
  if (!ENDS.includes(r.end as string)) fail("end", `is not one of ${ENDS.join(", ")}`);
  for (const f of NULLABLE_NUMBERS) {
    if (r[f] !== null && !Number.isFinite(r[f])) fail(f, "is neither null nor a finite number");
  }
  for (const f of LATER_NUMBERS) {
    if (r[f] !== null && r[f] !== undefined && !Number.isFinite(r[f])) {
      fail(f, "is neither null nor a finite number");
    }
  }
  if (typeof r.model !== "string") fail("model", "is not a model name");
  if (typeof r.predictedSz !== "number" || !(r.predictedSz >= 0)) {
    fail("predictedSz", "is not a size >= 0");
  }
  if (typeof r.candidates !== "object" || r.candidates === null || Array.isArray(r.candidates)) {
    fail("candidates", "is not an object");
  }
  for (const [key, p] of Object.entries(r.candidates as Record<string, unknown>)) {
    if (
      !Array.isArray(p) || typeof p[0] !== "number" || !(p[0] >= 0) ||
      (p[1] !== null && !Number.isFinite(p[1]))
    ) fail(`candidates.${key}`, "is not [size >= 0, time or null]");
  }
  return {
    ...(r as unknown as LedgerRecord),
    restingMarketMs: (r.restingMarketMs as number | null | undefined) ?? null,
    endedMarketMs: (r.endedMarketMs as number | null | undefined) ?? null,
  };
}

/** The `*.jsonl` files of `path` (a file is itself), sorted by name (UTC day). */
async function filesOf(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".jsonl")) names.push(`${path}/${e.name}`);
  }
  return names.sort();
}

/**
 * Every record of the ledger files and folders in `paths`. An unfinished last line (a run
 * still writing) is skipped; any other bad line throws naming it. Throws naming a path that
 * does not exist.
 */
export async function readLedger(paths: readonly string[]): Promise<LedgerRecord[]> {
  const records: LedgerRecord[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await filesOf(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(`${path}: no such ledger file or folder`);
      }
      throw error;
    }
    for (const file of files) {
      const lines = (await Deno.readTextFile(file)).split("\n");
      const last = lines.length - 1;
      lines.forEach((line, i) => {
        if (line.trim() === "") return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          if (i === last) return;
          throw new Error(`${file}:${i + 1}: not JSON`);
        }
        records.push(parseLedgerRecord(parsed, `${file}:${i + 1}`));
      });
    }
  }
  return records;
}

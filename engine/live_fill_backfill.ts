/**
 * Live restart: the fills made while no engine ran (after the last fill the fills file holds, up
 * to the account read that follows the start-up cancel) are fetched from the exchange and
 * appended to the fills file, each once (by `tid`). They are not booked again: the position read
 * from the exchange at start-up already holds them (engine/live_start.ts).
 */
import { FILLS_PER_ANSWER, REACHABLE_FILLS } from "./hyperliquid/exchange_facts.ts";
import type { InfoClient } from "./hyperliquid/info.ts";
import type { UserFill } from "./hyperliquid/info_answers.ts";
import type { Logger } from "./log.ts";
import { type ShadowFillRecord, shadowFillRecord } from "./shadow_log.ts";
import { venueFillOf } from "./venue/live_fill_source.ts";

/** What the newest fills file says about where it ends. */
export interface FillFileTail {
  /** Time of its newest record, ms (exchange time). */
  lastTimeMs: number;
  /** Trade ids of the records at or after `lastTimeMs` (the ones a fetch from there returns). */
  tids: Set<number>;
  /** Records without a tid (older files), as `oid|px|sz|timeMs`. */
  keys: Set<string>;
  /** Each coin's position after its last record, coin units. */
  inventory: Map<string, number>;
}

/** Options of {@link appendDowntimeFills}. */
export interface DowntimeFillsOptions {
  info: InfoClient;
  /** The account traded. */
  user: string;
  /** Folder of the daily fills files (`data/live`). */
  dir: string;
  /** Exchange time of the start-up account read, ms: fills up to it are in the carried position. */
  untilMs: number;
  log: Logger;
}

// Past this many pages of FILLS_PER_ANSWER fills the gap is older than the exchange serves
// anyway (REACHABLE_FILLS, the most recent only): twice what is reachable.
const MAX_PAGES = 2 * REACHABLE_FILLS / FILLS_PER_ANSWER;

const DAY_FILE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

/** Reads the newest daily fills file of `dir`; null when there is none or it holds no fill. */
export async function readFillFileTail(dir: string): Promise<FillFileTail | null> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && DAY_FILE.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  for (const name of names.sort().reverse()) {
    const records = (await Deno.readTextFile(`${dir}/${name}`)).split("\n").flatMap((line) => {
      try {
        return line.trim() === "" ? [] : [JSON.parse(line) as ShadowFillRecord & { tid?: number }];
      } catch {
        // An unfinished last line (a kill mid-write) is not a fill.
        return [];
      }
    });
    if (records.length === 0) continue;
    const lastTimeMs = Math.max(...records.map((r) => r.timeMs));
    const tail: FillFileTail = {
      lastTimeMs,
      tids: new Set(),
      keys: new Set(),
      inventory: new Map(),
    };
    for (const r of records) {
      tail.inventory.set(r.coin, r.inventory);
      if (r.timeMs < lastTimeMs) continue;
      if (typeof r.tid === "number") tail.tids.add(r.tid);
      else tail.keys.add(`${r.orderId}|${r.px}|${r.sz}|${r.timeMs}`);
    }
    return tail;
  }
  return null;
}

/**
 * Appends the fills the exchange made between the fills file's last record and `untilMs` that
 * the file lacks; returns their trade ids. A first run (no fills file) catches nothing up: the
 * account's history before it is not this engine's.
 */
export async function appendDowntimeFills(options: DowntimeFillsOptions): Promise<Set<number>> {
  const { info, user, dir, untilMs, log } = options;
  const appended = new Set<number>();
  const tail = await readFillFileTail(dir);
  if (tail === null || tail.lastTimeMs > untilMs) return appended;
  const missing: UserFill[] = [];
  let startMs = tail.lastTimeMs;
  for (let page = 0; page < MAX_PAGES; page++) {
    const fills = await info.userFillsByTime(user, startMs, untilMs);
    for (const f of fills) {
      const recorded = tail.tids.has(f.tid) ||
        tail.keys.has(`${f.oid}|${f.px}|${f.sz}|${f.timeMs}`);
      if (recorded || appended.has(f.tid)) continue;
      appended.add(f.tid);
      missing.push(f);
    }
    if (fills.length < FILLS_PER_ANSWER) break;
    // The next page starts at the last time of this one; fills at that ms repeat and are skipped.
    startMs = Math.max(...fills.map((f) => f.timeMs));
  }
  if (missing.length === 0) return appended;
  missing.sort((a, b) => a.timeMs - b.timeMs || a.tid - b.tid);
  const byDay = new Map<string, string[]>();
  for (const f of missing) {
    const signed = f.side === "B" ? f.sz : -f.sz;
    const position = (tail.inventory.get(f.coin) ?? 0) + signed;
    tail.inventory.set(f.coin, position);
    // Off-grid (-1 → 0 in the file): which level the dead run's order held is not known.
    const record = shadowFillRecord(venueFillOf(f, -1), position, position * f.px);
    const day = new Date(f.timeMs).toISOString().slice(0, 10);
    byDay.set(day, [...byDay.get(day) ?? [], JSON.stringify(record) + "\n"]);
  }
  for (const [day, lines] of byDay) {
    await Deno.writeTextFile(`${dir}/${day}.jsonl`, lines.join(""), { append: true });
  }
  log.warn(
    `[LIVE] start-up: ${missing.length} fill(s) made while no engine ran appended to ${dir} ` +
      "(not booked again: the position read from the exchange holds them)",
  );
  return appended;
}

/**
 * A shadow restart takes its positions from the fills file, not only from the state file (issue
 * 14: after a kill -9 the restored inventory lagged the fills file in 7 coins, because state is
 * saved every 5 s while fills are written as they happen).
 *
 * Why the fills file and not a save on every fill batch: two files can never be written in one
 * atomic step, so a save per batch still leaves a window where one is ahead of the other, and
 * costs a synced write per batch. Instead each saved state records how far the fills file reached
 * (a {@link FillLogMark}: the day file and its line count) and is written only after those lines
 * are on disk (engine/run.ts), so the file is never behind the state. A restart books the lines
 * after the mark onto the saved state: whenever the kill came, the restored inventory is what the
 * fills file implies. An unfinished last line (a kill mid-write) is cut off first: it was never a
 * fill in either file.
 */
import type { Logger } from "./log.ts";
import { Portfolio } from "./portfolio.ts";
import type { FillLogMark, ShadowFillRecord } from "./shadow_log.ts";
import type { EngineState, InventoryEntry } from "./state.ts";
import { errorMessage } from "./util/errors.ts";

/** The fills file's lines after a mark, and where the file ends now. */
export interface FillLogTail {
  records: ShadowFillRecord[];
  /** The newest day file and its complete lines ({@link EMPTY_MARK}: no fills file yet). */
  end: FillLogMark;
  /** Bytes of an unfinished last line that were cut off. */
  cutBytes: number;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The mark of a fills folder that holds nothing yet: every line of any day comes after it. */
export const EMPTY_MARK: FillLogMark = { day: "0000-01-01", lines: 0 };

/**
 * Reads the daily fills files of `dir` after `mark` (none when the mark is null: a state from
 * before marks, or a first run), cutting an unfinished last line off the newest file.
 */
export async function readFillLogTail(dir: string, mark: FillLogMark | null): Promise<FillLogTail> {
  const days: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const day = entry.isFile ? DAY_FILE.exec(entry.name)?.[1] : undefined;
      if (day !== undefined) days.push(day);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { records: [], end: mark ?? EMPTY_MARK, cutBytes: 0 };
    }
    throw error;
  }
  days.sort();
  if (days.length === 0) return { records: [], end: mark ?? EMPTY_MARK, cutBytes: 0 };
  const records: ShadowFillRecord[] = [];
  let end = EMPTY_MARK;
  let cutBytes = 0;
  for (const day of days) {
    const newest = day === days.at(-1);
    if (!newest && (mark === null || day < mark.day)) continue;
    const path = `${dir}/${day}.jsonl`;
    const bytes = await Deno.readFile(path);
    let complete = bytes.length;
    while (complete > 0 && bytes[complete - 1] !== 0x0a) complete--;
    if (newest && complete < bytes.length) {
      cutBytes = bytes.length - complete;
      await Deno.truncate(path, complete);
    }
    const lines = new TextDecoder().decode(bytes.subarray(0, complete)).split("\n");
    lines.pop();
    if (newest) end = { day, lines: lines.length };
    if (mark === null || day < mark.day) continue;
    const skip = day === mark.day ? mark.lines : 0;
    for (const [i, line] of lines.slice(skip).entries()) {
      try {
        records.push(JSON.parse(line));
      } catch (error) {
        throw new Error(
          `${path} line ${skip + i + 1} is not a fill record: ${errorMessage(error)}`,
        );
      }
    }
  }
  return { records, end, cutBytes };
}

/**
 * The saved state with `records` booked onto it: positions and entry prices, the session's
 * fills, volume, fees and realized PnL. Shadow orders on a side that filled are dropped rather
 * than restored resting: the fill may have been theirs.
 */
export function foldFills(state: EngineState, records: readonly ShadowFillRecord[]): EngineState {
  if (records.length === 0) return state;
  const portfolio = new Portfolio();
  for (const [coin, entry] of Object.entries(state.inventory)) {
    if (entry.qty !== 0) portfolio.restore(coin, entry.qty, entry.avgEntryPx, state.savedAtMs);
  }
  for (const r of records) {
    portfolio.applyFill({
      coin: r.coin,
      side: r.side,
      level: Math.max(0, r.level - 1),
      px: r.px,
      sz: r.sz,
      timeMs: r.timeMs,
      feeUsd: r.feeUsd,
      cause: r.cause,
      orderId: r.orderId,
    });
  }
  const inventory: Record<string, InventoryEntry> = {};
  for (const a of portfolio.accounts()) {
    if (a.position !== 0) inventory[a.coin] = { qty: a.position, avgEntryPx: a.avgEntry };
  }
  const t = portfolio.totals();
  const filled = new Set(records.map((r) => `${r.coin}|${r.side}`));
  return {
    ...state,
    inventory,
    session: {
      ...state.session,
      fills: state.session.fills + t.fills,
      volumeUsd: state.session.volumeUsd + t.volumeUsd,
      feesUsd: state.session.feesUsd + t.feesUsd,
      realizedPnlUsd: state.session.realizedPnlUsd + t.realizedUsd,
    },
    openShadowOrders: state.openShadowOrders.filter((o) => !filled.has(`${o.coin}|${o.side}`)),
  };
}

/**
 * Books onto `state` the fills `dir` holds after the state's mark; returns the state and where
 * the fills file ends (for ShadowFillLog.resume).
 */
export async function restoreFromFillLog(
  state: EngineState,
  dir: string,
  log: Logger,
): Promise<{ state: EngineState; end: FillLogMark }> {
  const tail = await readFillLogTail(dir, state.fillLog);
  if (tail.cutBytes > 0) {
    log.warn(`[STATE] cut an unfinished last line (${tail.cutBytes} bytes) off the fills file`);
  }
  if (tail.records.length > 0) {
    log.info(
      `[STATE] booked ${tail.records.length} fill(s) from the fills file that the saved state ` +
        "did not hold yet",
    );
  }
  return { state: { ...foldFills(state, tail.records), fillLog: tail.end }, end: tail.end };
}

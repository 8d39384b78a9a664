/**
 * The state file on disk (README, "State and restarts"): saves are atomic (temp file in the same
 * directory, fsync, rename, fsync of the directory), so a kill -9 leaves either the previous file
 * or the new one. A file that cannot be read is set aside, never silently replaced, and live mode
 * refuses to start from it ({@link mayStartLive}). What the file holds is state.ts.
 */
import {
  emptyState,
  type EngineState,
  type InventoryEntry,
  parseState,
  STATE_SCHEMA_VERSION,
  type TradeWatermark,
} from "./state.ts";
import { errorMessage } from "./util/errors.ts";

/** Default location, relative to the working directory. */
export const DEFAULT_STATE_PATH = "data/state/engine_state.json";

/** Outcome of {@link loadState}. */
export type LoadResult =
  | { kind: "missing"; state: EngineState }
  | { kind: "loaded"; state: EngineState }
  | { kind: "corrupt"; state: EngineState; error: string; movedTo: string }
  | { kind: "unreadable"; state: EngineState; error: string };

/** Whether live trading may start after this load; when not, says why and what to do. */
export function mayStartLive(result: LoadResult): { ok: true } | { ok: false; reason: string } {
  switch (result.kind) {
    case "missing":
    case "loaded":
      return { ok: true };
    case "corrupt":
      return {
        ok: false,
        reason:
          `the state file was corrupt (${result.error}); it was moved to ${result.movedTo}. ` +
          `Check inventory against the exchange, then start again (a fresh state will be written).`,
      };
    case "unreadable":
      return {
        ok: false,
        reason: `the state file could not be read (${result.error}). Fix its permissions or ` +
          `move it away, then start again.`,
      };
  }
}

/** Reads the state file; a corrupt one is renamed to `<path>.corrupt-<ms>` and reported. */
export async function loadState(
  path: string = DEFAULT_STATE_PATH,
  nowMs: number = Date.now(),
): Promise<LoadResult> {
  await removeStaleTemps(path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kind: "missing", state: emptyState(nowMs) };
    return { kind: "unreadable", state: emptyState(nowMs), error: errorMessage(error) };
  }
  let state: EngineState;
  try {
    state = parseState(text);
  } catch (error) {
    const problem = errorMessage(error);
    const movedTo = `${path}.corrupt-${nowMs}`;
    try {
      await Deno.rename(path, movedTo);
    } catch (renameError) {
      return {
        kind: "unreadable",
        state: emptyState(nowMs),
        error: `${problem}; moving it aside failed: ${errorMessage(renameError)}`,
      };
    }
    return { kind: "corrupt", state: emptyState(nowMs), error: problem, movedTo };
  }
  return { kind: "loaded", state };
}

/** Deletes temp files a killed writer left next to `path` (they were never renamed into place). */
async function removeStaleTemps(path: string): Promise<void> {
  const { dir, base } = splitPath(path);
  const pattern = new RegExp(
    `^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.\\d+\\.\\d+\\.tmp$`,
  );
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && pattern.test(entry.name)) await Deno.remove(`${dir}/${entry.name}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return { dir: ".", base: path };
  return { dir: path.slice(0, slash) || "/", base: path.slice(slash + 1) };
}

// Saves to one path run one after another, so an older snapshot never lands after a newer one.
const pendingSaves = new Map<string, Promise<void>>();
let tempCounter = 0;

/**
 * Writes `state` atomically, stamped `savedAtMs = nowMs`. The snapshot is taken when called (the caller may keep mutating
 * its objects); only the fields of {@link EngineState} are written, so nothing else a caller
 * attached (a config, a key) can reach the file. Saves to the same path apply in call order.
 */
export function saveState(
  path: string,
  state: EngineState,
  nowMs: number = Date.now(),
): Promise<void> {
  const text = JSON.stringify(project(state, nowMs), null, 1) + "\n";
  const previous = pendingSaves.get(path) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => writeAtomically(path, text));
  pendingSaves.set(path, next);
  next.finally(() => {
    if (pendingSaves.get(path) === next) pendingSaves.delete(path);
  }).catch(() => {});
  return next;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const { dir } = splitPath(path);
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${path}.${Deno.pid}.${++tempCounter}.tmp`;
  const file = await Deno.open(temp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } catch (error) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  file.close();
  await Deno.rename(temp, path);
  // The rename itself is durable only once the directory entry is synced.
  const directory = await Deno.open(dir, { read: true });
  try {
    await directory.sync();
  } finally {
    directory.close();
  }
}

/** Copies exactly the persisted fields (a whitelist, so extra properties never reach disk). */
function project(state: EngineState, savedAtMs: number): EngineState {
  const inventory: Record<string, InventoryEntry> = {};
  for (const [coin, entry] of Object.entries(state.inventory)) {
    inventory[coin] = { qty: entry.qty, avgEntryPx: entry.avgEntryPx };
  }
  const watermarks: Record<string, TradeWatermark> = {};
  for (const [coin, mark] of Object.entries(state.watermarks)) {
    watermarks[coin] = { timeMs: mark.timeMs, tids: [...mark.tids] };
  }
  const s = state.session;
  return {
    version: STATE_SCHEMA_VERSION,
    savedAtMs,
    inventory,
    session: {
      startedAtMs: s.startedAtMs,
      placed: s.placed,
      cancels: s.cancels,
      requests: s.requests,
      fills: s.fills,
      volumeUsd: s.volumeUsd,
      feesUsd: s.feesUsd,
      realizedPnlUsd: s.realizedPnlUsd,
    },
    dailyAnchor: state.dailyAnchor
      ? {
        utcDay: state.dailyAnchor.utcDay,
        startingBalanceUsd: state.dailyAnchor.startingBalanceUsd,
      }
      : null,
    halt: { halted: state.halt.halted, reason: state.halt.reason, sinceMs: state.halt.sinceMs },
    watermarks,
    openShadowOrders: state.openShadowOrders.map((o) => ({
      coin: o.coin,
      side: o.side,
      level: o.level,
      px: o.px,
      sz: o.sz,
      queueAhead: o.queueAhead,
    })),
    fillLog: state.fillLog ? { day: state.fillLog.day, lines: state.fillLog.lines } : null,
  };
}

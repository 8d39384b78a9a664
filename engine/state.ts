/**
 * The engine state that survives a restart (README, "State and restarts"): inventory, session
 * counters, the daily PnL anchor, the halt flag, trade watermarks and open shadow orders, as one
 * plain JSON file with a schema version, and its strict reader. Loading and saving the file
 * (atomically) is state_file.ts.
 */

import { MAX_AMOUNT_USD } from "./asset_config.ts";
import type { FillLogMark } from "./shadow_log.ts";
import { errorMessage } from "./util/errors.ts";

/** Version of the file format this build writes and reads. */
export const STATE_SCHEMA_VERSION = 1;

/** Position in one coin. */
export interface InventoryEntry {
  /** Signed size, coin units (positive = long). */
  qty: number;
  /** Average entry price of the open position, USD (0 when flat). */
  avgEntryPx: number;
}

/** Session counters. */
export interface SessionStats {
  /** When the session began, ms since the Unix epoch. */
  startedAtMs: number;
  placed: number;
  cancels: number;
  /** Orders and cancels sent (shadow: that live would have sent); 0 in files older than it. */
  requests: number;
  fills: number;
  /** Filled notional, USD. */
  volumeUsd: number;
  /** Fees paid, USD (negative = net rebate). */
  feesUsd: number;
  realizedPnlUsd: number;
}

/** What the daily drawdown stop measures against. */
export interface DailyAnchor {
  /** UTC day, `YYYY-MM-DD`. */
  utcDay: string;
  /** Balance at the start of that day, USD. */
  startingBalanceUsd: number;
}

/** The halt flag: a halted engine stays halted across restarts until the operator clears it. */
export interface HaltState {
  halted: boolean;
  reason: string | null;
  /** When it halted, ms since the Unix epoch. */
  sinceMs: number | null;
}

/** Newest trade seen for a coin: its time and every tid at that millisecond (ties share a ms). */
export interface TradeWatermark {
  timeMs: number;
  tids: number[];
}

/** A resting shadow order, so the queue estimate survives a restart. */
export interface ShadowOrderState {
  coin: string;
  side: "bid" | "ask";
  /** Grid level 0..2. */
  level: number;
  px: number;
  /** Size, coin units. */
  sz: number;
  /** Estimated size ahead of us in the queue, coin units. */
  queueAhead: number;
}

/** Everything persisted between runs. */
export interface EngineState {
  version: typeof STATE_SCHEMA_VERSION;
  /** When this snapshot was taken, ms since the Unix epoch. */
  savedAtMs: number;
  inventory: Record<string, InventoryEntry>;
  session: SessionStats;
  dailyAnchor: DailyAnchor | null;
  halt: HaltState;
  watermarks: Record<string, TradeWatermark>;
  openShadowOrders: ShadowOrderState[];
  /**
   * The fills file's extent this state holds (null: no fill yet, or a file from before the
   * mark): a restart books the lines after it (engine/fill_log_restore.ts).
   */
  fillLog: FillLogMark | null;
}

/** A fresh state for a first run. */
export function emptyState(nowMs: number): EngineState {
  return {
    version: STATE_SCHEMA_VERSION,
    savedAtMs: nowMs,
    inventory: {},
    session: {
      startedAtMs: nowMs,
      placed: 0,
      cancels: 0,
      requests: 0,
      fills: 0,
      volumeUsd: 0,
      feesUsd: 0,
      realizedPnlUsd: 0,
    },
    dailyAnchor: null,
    halt: { halted: false, reason: null, sinceMs: null },
    watermarks: {},
    openShadowOrders: [],
    fillLog: null,
  };
}

/** Returns `state` halted for `reason` (the first reason is kept if already halted). */
export function markHalted(state: EngineState, reason: string, nowMs: number): EngineState {
  if (state.halt.halted) return state;
  return { ...state, halt: { halted: true, reason, sinceMs: nowMs } };
}

/** Returns `state` with the halt cleared (the operator's `--clear-halt`). */
export function clearHalt(state: EngineState): EngineState {
  return { ...state, halt: { halted: false, reason: null, sinceMs: null } };
}

/** Parses and checks a state file's text; throws naming the first bad field. */
export function parseState(text: string): EngineState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${errorMessage(error)}`);
  }
  const root = record(raw, "state");
  if (root.version !== STATE_SCHEMA_VERSION) {
    throw new Error(
      `schema version ${
        JSON.stringify(root.version)
      } is not ${STATE_SCHEMA_VERSION}, the one this build reads`,
    );
  }
  const inventory: Record<string, InventoryEntry> = {};
  for (const [coin, value] of Object.entries(record(root.inventory, "inventory"))) {
    const entry = record(value, `inventory.${coin}`);
    const qty = finite(entry.qty, `inventory.${coin}.qty`);
    const avgEntryPx = finite(entry.avgEntryPx, `inventory.${coin}.avgEntryPx`);
    if (avgEntryPx < 0) throw new Error(`inventory.${coin}.avgEntryPx=${avgEntryPx} is negative`);
    // The notional, and the size alone (a price of 0 would let any size through).
    if (Math.abs(qty) * avgEntryPx > MAX_AMOUNT_USD || Math.abs(qty) > MAX_AMOUNT_USD) {
      throw new Error(
        `inventory.${coin}.qty=${qty} at ${avgEntryPx} is past the largest amount the engine ` +
          `accepts ($${MAX_AMOUNT_USD}, the MM_STARTING_BALANCE_USD limit)`,
      );
    }
    inventory[coin] = { qty, avgEntryPx };
  }
  const session = record(root.session, "session");
  const count = (name: string) => {
    const value = finite(session[name], `session.${name}`);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`session.${name}=${value} is not a count`);
    }
    return value;
  };
  const watermarks: Record<string, TradeWatermark> = {};
  for (const [coin, value] of Object.entries(record(root.watermarks, "watermarks"))) {
    const mark = record(value, `watermarks.${coin}`);
    if (!Array.isArray(mark.tids)) throw new Error(`watermarks.${coin}.tids is not an array`);
    watermarks[coin] = {
      timeMs: finite(mark.timeMs, `watermarks.${coin}.timeMs`),
      tids: mark.tids.map((tid, i) => finite(tid, `watermarks.${coin}.tids[${i}]`)),
    };
  }
  const halt = record(root.halt, "halt");
  if (typeof halt.halted !== "boolean") throw new Error("halt.halted is not a boolean");
  if (halt.reason !== null && typeof halt.reason !== "string") {
    throw new Error("halt.reason is neither a string nor null");
  }
  let dailyAnchor: DailyAnchor | null = null;
  if (root.dailyAnchor !== null) {
    const anchor = record(root.dailyAnchor, "dailyAnchor");
    if (typeof anchor.utcDay !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(anchor.utcDay)) {
      throw new Error("dailyAnchor.utcDay is not a YYYY-MM-DD day");
    }
    dailyAnchor = {
      utcDay: anchor.utcDay,
      startingBalanceUsd: amount(anchor.startingBalanceUsd, "dailyAnchor.startingBalanceUsd"),
    };
  }
  if (!Array.isArray(root.openShadowOrders)) throw new Error("openShadowOrders is not an array");
  const openShadowOrders = root.openShadowOrders.map((value, i): ShadowOrderState => {
    const order = record(value, `openShadowOrders[${i}]`);
    if (typeof order.coin !== "string") {
      throw new Error(`openShadowOrders[${i}].coin is not a string`);
    }
    if (order.side !== "bid" && order.side !== "ask") {
      throw new Error(`openShadowOrders[${i}].side is neither "bid" nor "ask"`);
    }
    return {
      coin: order.coin,
      side: order.side,
      level: finite(order.level, `openShadowOrders[${i}].level`),
      px: finite(order.px, `openShadowOrders[${i}].px`),
      sz: finite(order.sz, `openShadowOrders[${i}].sz`),
      queueAhead: finite(order.queueAhead, `openShadowOrders[${i}].queueAhead`),
    };
  });
  let fillLog: FillLogMark | null = null;
  if (root.fillLog !== undefined && root.fillLog !== null) {
    const mark = record(root.fillLog, "fillLog");
    if (typeof mark.day !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(mark.day)) {
      throw new Error("fillLog.day is not a YYYY-MM-DD day");
    }
    const lines = finite(mark.lines, "fillLog.lines");
    if (!Number.isInteger(lines) || lines < 0) {
      throw new Error(`fillLog.lines=${lines} is not a count`);
    }
    fillLog = { day: mark.day, lines };
  }
  return {
    version: STATE_SCHEMA_VERSION,
    savedAtMs: finite(root.savedAtMs, "savedAtMs"),
    inventory,
    session: {
      startedAtMs: finite(session.startedAtMs, "session.startedAtMs"),
      placed: count("placed"),
      cancels: count("cancels"),
      requests: session.requests === undefined ? 0 : count("requests"),
      fills: count("fills"),
      volumeUsd: amount(session.volumeUsd, "session.volumeUsd"),
      feesUsd: amount(session.feesUsd, "session.feesUsd"),
      realizedPnlUsd: amount(session.realizedPnlUsd, "session.realizedPnlUsd"),
    },
    dailyAnchor,
    halt: {
      halted: halt.halted,
      reason: halt.reason as string | null,
      sinceMs: halt.sinceMs === null ? null : finite(halt.sinceMs, "halt.sinceMs"),
    },
    watermarks,
    openShadowOrders,
    fillLog,
  };
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${name} is not an object`);
  }
  return value as Record<string, unknown>;
}

/** A finite amount of USD within ±MAX_AMOUNT_USD. */
function amount(value: unknown, name: string): number {
  const x = finite(value, name);
  if (Math.abs(x) > MAX_AMOUNT_USD) {
    throw new Error(
      `${name}=${x} is past the largest amount the engine accepts ($${MAX_AMOUNT_USD}, the ` +
        "MM_STARTING_BALANCE_USD limit)",
    );
  }
  return x;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${name}=${JSON.stringify(value)} is not a finite number`);
  }
  return value;
}

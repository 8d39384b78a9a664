/**
 * The engine's state between runs: what is saved from a running engine (inventory, session
 * counters, halt, trade watermarks, shadow orders) and how a shadow restart books it back.
 */
import type { Logger } from "./log.ts";
import { formatQuantity } from "./shadow_log.ts";
import type { EngineStack } from "./stack.ts";
import { emptyState, type EngineState } from "./state.ts";

/** Builds the saved state from the engine (inventory, stats, halt, watermarks, shadow orders). */
export function snapshotState(
  base: EngineState,
  stack: EngineStack,
  haltReason: string | null,
): EngineState {
  const totals = stack.portfolio.totals();
  const inventory: EngineState["inventory"] = {};
  for (const a of stack.portfolio.accounts()) {
    if (a.position !== 0) inventory[a.coin] = { qty: a.position, avgEntryPx: a.avgEntry };
  }
  const venue = stack.venue;
  const nowMs = Date.now();
  return {
    ...base,
    inventory,
    // The balance when the UTC day began: a restart later that day continues from it.
    dailyAnchor: {
      utcDay: utcDay(nowMs),
      startingBalanceUsd: stack.portfolio.startingBalanceUsd +
        stack.portfolio.dayAnchorPnlUsd(nowMs),
    },
    session: {
      ...base.session,
      placed: venue.stats.placed,
      cancels: venue.stats.cancels,
      requests: venue.stats.requests,
      fills: totals.fills,
      volumeUsd: totals.volumeUsd,
      feesUsd: totals.feesUsd,
      realizedPnlUsd: totals.realizedUsd,
    },
    halt: haltReason && !base.halt.halted
      ? { halted: true, reason: haltReason, sinceMs: nowMs }
      : base.halt,
    watermarks: stack.engine.market.watermarks(),
    openShadowOrders: venue.persistence
      ? venue.persistence.openOrders().map((o) => ({
        coin: o.coin,
        side: o.side,
        level: o.level,
        px: o.px,
        sz: o.leaves,
        queueAhead: Number.isFinite(o.queueAhead) ? o.queueAhead : 0,
      }))
      : [],
    fillLog: stack.shadowLog?.mark() ?? base.fillLog,
  };
}

/** `YYYY-MM-DD` of a time in ms, UTC. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Shadow restart: books the saved inventory at its entry prices, and when the state was saved
 * the same UTC day continues that day's session (counters, realized PnL, the daily drawdown
 * anchor). Returns the state to save from now on: a new UTC day starts a new session.
 */
export function restoreShadowState(
  state: EngineState,
  stack: EngineStack,
  log: Logger,
  nowMs: number,
): EngineState {
  const { engine, venue, portfolio } = stack;
  const held = Object.entries(state.inventory).filter(([, entry]) => entry.qty !== 0);
  // A coin not quoted this run keeps its position in the books (and the next save) unmarked.
  const unquoted = held.filter(([coin]) => !engine.market.index.has(coin)).map(([coin]) => coin);
  for (const [coin, entry] of held) {
    if (unquoted.includes(coin)) portfolio.restore(coin, entry.qty, entry.avgEntryPx, nowMs);
    else engine.carryPosition(coin, entry.qty, entry.avgEntryPx, nowMs);
  }
  const sameDay = state.dailyAnchor?.utcDay === utcDay(nowMs);
  const session = sameDay ? state.session : emptyState(nowMs).session;
  if (sameDay) {
    engine.resumeDay({
      realizedUsd: session.realizedPnlUsd,
      feesUsd: session.feesUsd,
      volumeUsd: session.volumeUsd,
      fills: session.fills,
      dayAnchorPnlUsd: state.dailyAnchor!.startingBalanceUsd - portfolio.startingBalanceUsd,
    }, nowMs);
  }
  if (venue.persistence) {
    venue.persistence.restore(
      Object.fromEntries(held.map(([coin, entry]) => [coin, entry.qty])),
      {
        placed: session.placed,
        cancels: session.cancels,
        fills: session.fills,
        requests: session.requests,
      },
      session.volumeUsd,
    );
  }
  if (held.length > 0) {
    const list = held.map(([coin, e]) =>
      `${coin} ${formatQuantity(e.qty)} @ ${formatQuantity(e.avgEntryPx)}`
    );
    const note = unquoted.length > 0 ? ` (not quoted this run: ${unquoted.join(", ")})` : "";
    log.info(`[STATE] restored inventory: ${list.join(", ")}${note}`);
  }
  const marks = Object.entries(state.watermarks);
  if (marks.length > 0) {
    log.info(
      `[STATE] restored trade watermarks: ${
        marks.map(([coin, mark]) => `${coin} ${new Date(mark.timeMs).toISOString()}`).join(", ")
      }`,
    );
  }
  if (sameDay) {
    log.info(
      `[STATE] resumed today's session (${utcDay(nowMs)}): ${session.fills} fills, realized ` +
        `$${session.realizedPnlUsd.toFixed(4)}, fees $${session.feesUsd.toFixed(4)}, ` +
        `day's PnL so far $${
          (Math.round(portfolio.totals().dailyPnlUsd * 1e4) / 1e4 || 0).toFixed(4)
        }`,
    );
  } else if (state.dailyAnchor !== null) {
    log.info(
      `[STATE] saved session is from ${state.dailyAnchor.utcDay}: a new day's session starts`,
    );
  }
  return { ...state, session };
}

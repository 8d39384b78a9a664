/**
 * One reading of the engine for operators, taken when asked (a scrape, a page refresh, the
 * alert watch) and never on the quoting path: the status heartbeat, the session summary, each
 * coin's quotes and order-flow imbalance, whether quoting is paused, and the PnL series.
 * `/status.json`, the status page and `/metrics` all show this one object.
 */
import type { Engine, EngineMode } from "../engine.ts";
import type { LedgerRow } from "../ledger/ledger_summary.ts";
import type { PnlHistory, PnlPoint } from "./pnl_history.ts";

/** What the engine is doing, most important first. */
export type EngineState = "halted" | "paused" | "reconnecting" | "quoting";

/** One coin's row. */
export interface CoinSnapshot {
  coin: string;
  /** Best bid and ask the grid is quoting (level 0), or null when that side is not quoted. */
  bidPx: number | null;
  askPx: number | null;
  /** Orders of the grid per side (levels with a size). */
  bidLevels: number;
  askLevels: number;
  /** Position, coin units, signed. */
  position: number;
  inventoryUsd: number;
  /** Realized + unrealized − fees, USD. */
  pnlUsd: number;
  fills: number;
  /** `calm`, `uncertain` or `halt`, and the multiplier (0 when halted). */
  regime: string;
  multiplier: number;
  /** Order-flow imbalance over the last 200 trades, in [-1, 1]. */
  ofi: number;
}

/** The engine as an operator sees it at `tsMs`. */
export interface OpsSnapshot {
  tsMs: number;
  mode: EngineMode;
  state: EngineState;
  haltReason: string | null;
  pausedBy: string | null;
  startedMs: number;
  pnlUsd: number;
  realizedUsd: number;
  unrealizedUsd: number;
  peakPnlUsd: number;
  maxDrawdownUsd: number;
  fills: number;
  volumeUsd: number;
  feesUsd: number;
  placed: number;
  cancels: number;
  /** Frame-to-quote latency percentiles, ms; null before any sample. */
  latency: { p50Ms: number; p95Ms: number; p99Ms: number; samples: number } | null;
  stallPanics: number;
  stallRecoveries: number;
  /** Market-data reconnects completed this run. */
  reconnects: number;
  requests: {
    /** Address-budget requests sent this run (orders and cancels). */
    sent: number;
    perUsdc: number | null;
    /** IP weight spent in the last 60 s, its limit, what is left and the peak. */
    ipWeightUsed: number;
    ipWeightLimit: number;
    ipWeightLeft: number;
    ipWeightPeak: number;
    /** Requests the weight budget refused, and 429 answers. */
    ipWeightRefusals: number;
    /** Address budget (null while unknown: live before its first read). */
    addressUsed: number | null;
    addressCap: number | null;
    addressLeft: number | null;
    /** Placing paused for lack of address budget. */
    addressPaused: boolean;
  };
  coins: CoinSnapshot[];
  /**
   * Live: the orders the engine keeps track of (oids, and cloids of orders not acked yet); an
   * order resting on the account that is in neither list is unknown to it. Null in shadow.
   */
  heldOrders: { oids: number[]; cloids: string[] } | null;
  pnlHistory: readonly PnlPoint[];
  /** Live: the ledger of real against predicted fills, per coin and level and in total. */
  ledger: { rows: LedgerRow[]; total: LedgerRow } | null;
}

/** Where a snapshot's parts come from. */
export interface SnapshotSources {
  engine: Engine;
  /** Market-data reconnects so far (the feed's counter). */
  reconnects: () => number;
  history: PnlHistory;
  /** Live: the ledger's rows and total (engine/ledger/ledger_summary.ts). */
  ledger?: () => { rows: LedgerRow[]; total: LedgerRow };
}

/** Reads the engine at `nowMs`. */
export function takeSnapshot(sources: SnapshotSources, nowMs: number): OpsSnapshot {
  const { engine } = sources;
  const status = engine.status(nowMs);
  const summary = engine.summary(nowMs);
  const r = status.requests;
  const weight = engine.venue.governor.weight;
  const state: EngineState = summary.haltReason !== null
    ? "halted"
    : engine.pausedBy !== null
    ? "paused"
    : engine.stall.quoting
    ? "quoting"
    : "reconnecting";
  const coins = summary.coins.map((c): CoinSnapshot => {
    const q = engine.quotesOf(c.coin);
    const s = status.coins[c.coin];
    const bidLevels = q?.bidSz.filter((sz) => sz > 0).length ?? 0;
    const askLevels = q?.askSz.filter((sz) => sz > 0).length ?? 0;
    return {
      coin: c.coin,
      bidPx: q && bidLevels > 0 ? q.bidPx[q.bidSz.findIndex((sz) => sz > 0)] : null,
      askPx: q && askLevels > 0 ? q.askPx[q.askSz.findIndex((sz) => sz > 0)] : null,
      bidLevels,
      askLevels,
      position: c.position,
      inventoryUsd: c.inventoryUsd,
      pnlUsd: c.pnlUsd,
      fills: c.fills,
      regime: s.regime,
      multiplier: s.multiplier,
      ofi: engine.ofiOf(c.coin),
    };
  });
  const used = r.ip_weight_last_minute;
  return {
    tsMs: nowMs,
    mode: engine.mode,
    state,
    haltReason: summary.haltReason,
    pausedBy: engine.pausedBy,
    startedMs: summary.startedMs,
    pnlUsd: summary.pnlUsd,
    realizedUsd: summary.realizedUsd,
    unrealizedUsd: summary.unrealizedUsd,
    peakPnlUsd: summary.peakPnlUsd,
    maxDrawdownUsd: summary.maxDrawdownUsd,
    fills: summary.fills,
    volumeUsd: summary.volumeUsd,
    feesUsd: summary.feesUsd,
    placed: summary.placed,
    cancels: summary.cancels,
    latency: summary.latency,
    stallPanics: summary.stallPanics,
    stallRecoveries: summary.stallRecoveries,
    reconnects: sources.reconnects(),
    requests: {
      sent: r.sent,
      perUsdc: r.per_usdc,
      ipWeightUsed: used,
      ipWeightLimit: weight.limit,
      ipWeightLeft: Math.max(0, weight.limit - used),
      ipWeightPeak: r.ip_weight_peak,
      ipWeightRefusals: weight.refusals,
      addressUsed: r.address_used,
      addressCap: r.address_cap,
      addressLeft: r.address_left,
      addressPaused: r.address_paused,
    },
    coins,
    heldOrders: engine.venue.lifecycle?.heldOrders() ?? null,
    pnlHistory: sources.history.points(),
    ledger: sources.ledger?.() ?? null,
  };
}

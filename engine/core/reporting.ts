/**
 * Reporting, outside the quoting path: the `mm:engine_status` heartbeat, the session report's
 * summary and the `[SHADOW SESSION]` line, each read from the engine's rooms when asked.
 */
import type { EngineStatusMessage } from "../bridge_messages.ts";
import type { EngineConfig } from "../config.ts";
import { priorityFeeUsd } from "../fees.ts";
import { candidateKey } from "../fill_model/model_names.ts";
import type { Kernel } from "../kernel.ts";
import type { LatencyAuditor } from "../latency.ts";
import type { MarketState } from "../market_state.ts";
import type { Portfolio } from "../portfolio.ts";
import type { RegimeGovernor } from "../regime.ts";
import type { CoinSummary, SessionSummary } from "../report.ts";
import { type RequestEconomy, requestsPerUsdc } from "../request_economy.ts";
import type { StallMachine } from "../risk/stall.ts";
import { formatShadowSession } from "../shadow_log.ts";
import type { Venue } from "../venue/venue.ts";

/** What the reports read: the engine's rooms, as of the moment they are asked. */
export interface ReportSource {
  mode: EngineStatusMessage["mode"];
  config: EngineConfig;
  coins: readonly string[];
  kernel: Kernel;
  market: MarketState;
  regime: RegimeGovernor;
  stall: StallMachine;
  latency: LatencyAuditor;
  venue: Venue;
  portfolio: Portfolio;
  economy: RequestEconomy;
  /** Whether frame-to-quote latency is measured (never in replay: it is wall time). */
  measureLatency: boolean;
  /** Why the engine is halted, or null. */
  haltReason(): string | null;
  /** Coin `i`'s position as the skew sees it, coin units. */
  position(i: number): number;
  /** Books seen without depth (tick CSVs). */
  depthlessBooks(): number;
  /** Clock time of the loop's first tick, or -1 before it. */
  startedMs(): number;
}

/** The `requests` part of the status heartbeat: both budgets and the request economy. */
function requestsStatus(
  venue: Venue,
  volumeUsd: number,
  economy: RequestEconomy,
): EngineStatusMessage["requests"] {
  const address = venue.governor.address.view();
  return {
    sent: venue.stats.requests,
    volume_usd: volumeUsd,
    per_usdc: requestsPerUsdc(venue.stats.requests, volumeUsd),
    target_per_usdc: economy.target,
    economy_scale: economy.scale,
    address_used: address?.used ?? null,
    address_cap: address?.cap ?? null,
    address_left: address?.left ?? null,
    address_paused: address?.paused ?? true,
    ip_weight_last_minute: venue.governor.weight.used(),
    ip_weight_peak: venue.governor.weight.peak,
  };
}

/** The spec's `[SHADOW SESSION]` line. */
export function sessionLine(s: Pick<ReportSource, "portfolio" | "venue">): string {
  return formatShadowSession(s.portfolio.totals(), s.venue.stats, s.venue.kind);
}

/** The `mm:engine_status` heartbeat (spec section 9, Redis bridge). */
export function engineStatus(s: ReportSource, nowMs: number): EngineStatusMessage {
  const coins: EngineStatusMessage["coins"] = {};
  s.coins.forEach((coin, i) => {
    const d = s.regime.decision(i);
    coins[coin] = {
      regime: d.halted ? "halt" : d.multiplier > 1 ? "uncertain" : "calm",
      multiplier: d.halted ? 0 : d.multiplier,
      inventory: s.position(i),
      inventory_usd: s.portfolio.inventoryUsd(coin),
    };
  });
  const samples = s.measureLatency ? s.kernel.latencyCount() : 0;
  return {
    ts_ms: nowMs,
    mode: s.mode,
    halted: s.haltReason() !== null,
    halt_reason: s.haltReason(),
    session_pnl_usd: s.portfolio.pnlUsd(),
    latency_p95_us: samples > 0 ? s.latency.p95Ms * 1000 : null,
    // The day's volume, as the report shows it: requests restored after a restart are the day's.
    requests: requestsStatus(s.venue, s.portfolio.totals().volumeUsd, s.economy),
    coins,
  };
}

/** Everything the session report shows, as of `nowMs`. */
export function engineSummary(s: ReportSource, nowMs: number): SessionSummary {
  const t = s.portfolio.totals();
  const accounts = new Map(s.portfolio.accounts().map((a) => [a.coin, a]));
  const coins: CoinSummary[] = s.coins.map((coin, i) => {
    const a = accounts.get(coin);
    const d = s.regime.decision(i);
    return {
      coin,
      fills: a?.fills ?? 0,
      volumeUsd: a?.volumeUsd ?? 0,
      feesUsd: a?.feesUsd ?? 0,
      position: a?.position ?? 0,
      inventoryUsd: s.portfolio.inventoryUsd(coin),
      pnlUsd: a ? a.realizedUsd + s.portfolio.unrealizedUsd(coin) - a.feesUsd : 0,
      regime: d.halted ? "HALT" : `${d.multiplier.toFixed(1)}x`,
    };
  });
  const samples = s.measureLatency ? s.kernel.latencyCount() : 0;
  return {
    mode: s.mode,
    startedMs: s.startedMs() < 0 ? nowMs : s.startedMs(),
    endedMs: nowMs,
    carried: s.portfolio.carried.fills > 0 ? { ...s.portfolio.carried } : null,
    queueModel: candidateKey(s.config.queue),
    depthlessBooks: s.depthlessBooks(),
    fills: t.fills,
    volumeUsd: t.volumeUsd,
    feesUsd: t.feesUsd,
    realizedUsd: t.realizedUsd,
    unrealizedUsd: t.unrealizedUsd,
    pnlUsd: t.pnlUsd,
    peakPnlUsd: t.peakPnlUsd,
    maxDrawdownUsd: t.maxDrawdownUsd,
    placed: s.venue.stats.placed,
    priorityFeesUsd: priorityFeeUsd(s.venue.placedUsd ?? 0, s.config.priorityRate),
    cancels: s.venue.stats.cancels,
    requests: s.venue.stats.requests,
    addressBudget: s.venue.governor.address.view(),
    ipWeightPeak: s.venue.governor.weight.peak,
    preTradeRefused: s.venue.preTrade?.refused ?? 0,
    stallPanics: s.stall.panics,
    stallRecoveries: s.stall.recoveries,
    haltReason: s.haltReason(),
    latency: samples > 0
      ? {
        p50Ms: s.kernel.latencyPercentile(50),
        p95Ms: s.kernel.latencyPercentile(95),
        p99Ms: s.kernel.latencyPercentile(99),
        samples,
      }
      : null,
    duplicateTradesSkipped: s.market.duplicateTrades,
    coins,
  };
}

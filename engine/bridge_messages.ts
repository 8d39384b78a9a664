/**
 * What the engine and the screener say to each other over Redis (README, "Redis bridge"): the
 * channels and keys, the config lifetime, and the messages the engine publishes (shadow fills on
 * `mm:shadow_fills`, the heartbeat on `mm:engine_status`). The bridge that carries them is
 * bridge.ts.
 */
import type { Regime } from "./asset_config.ts";
import { type LedgerRow, realOverPredicted } from "./ledger/ledger_summary.ts";
import type { Fill, FillCause, QuoteSide } from "./venue/venue.ts";

/** Pub/sub channel the screener publishes configs on. */
export const ASSET_CONFIG_CHANNEL = "mm:asset_config";
/** Key holding the screener's latest configs, read whenever the bridge (re)connects. */
export const ASSET_CONFIG_KEY = "mm:asset_config";
/** Pub/sub channel of shadow fills. */
export const SHADOW_FILLS_CHANNEL = "mm:shadow_fills";
/** Pub/sub channel of the engine heartbeat. */
export const ENGINE_STATUS_CHANNEL = "mm:engine_status";
/** Age after which a screener config expires back to defaults, ms (2 minutes: four missed 30 s rounds). */
export const CONFIG_TTL_MS = 120_000;
/** Spec section 5 default. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6380";
/** The line logged once when Redis cannot be reached (README, "Redis bridge"). */
export const REDIS_UNAVAILABLE_LINE = "[SCREENER] Redis unavailable. Using default configs.";

/** One shadow fill on `mm:shadow_fills`. */
export interface ShadowFillMessage {
  coin: string;
  side: QuoteSide;
  /** Grid level 0..2, or -1 for an order not in the current grid. */
  level: number;
  px: number;
  /** Size in coin units. */
  sz: number;
  /** px × sz, USD. */
  notional_usd: number;
  /** Fee in USD; negative is a rebate. */
  fee_usd: number;
  /** Fill time, ms since the Unix epoch (market time). */
  time_ms: number;
  cause: FillCause;
  order_id: string;
}

/** One coin's line in the heartbeat. */
export interface CoinStatusMessage {
  regime: Regime;
  /** Regime Governor spread multiplier in [1, 4]; 0 when the coin is halted. */
  multiplier: number;
  /** Signed position, coin units. */
  inventory: number;
  /** Signed position at mid, USD. */
  inventory_usd: number;
}

/** The heartbeat on `mm:engine_status`. */
export interface EngineStatusMessage {
  /** Wall-clock time of the heartbeat, ms since the Unix epoch. */
  ts_ms: number;
  mode: "shadow" | "live" | "demo" | "replay";
  halted: boolean;
  /** Why the engine halted, or null. */
  halt_reason: string | null;
  /** Realised + unrealised PnL since the session started, USD. */
  session_pnl_usd: number;
  /** 95th percentile of tick processing latency, microseconds; null before any sample. */
  latency_p95_us: number | null;
  /** The request economy and both request budgets (engine/hyperliquid/README.md § Rate limits). */
  requests: {
    /** Orders and cancels sent this run (shadow: that live would have sent). */
    sent: number;
    /** Filled notional this run, USD. */
    volume_usd: number;
    /** `sent` / `volume_usd`; null before any volume. Above 1 the address budget drains. */
    per_usdc: number | null;
    /** `MM_MAX_REQUESTS_PER_USDC`. */
    target_per_usdc: number;
    /** How far the economy widened tolerances (1 = not at all, up to 4). */
    economy_scale: number;
    /** Address budget: requests used, cap and left (null while unknown); paused placing. */
    address_used: number | null;
    address_cap: number | null;
    address_left: number | null;
    address_paused: boolean;
    /** IP weight spent in the last 60 s, and the most in any 60 s (of 1200). */
    ip_weight_last_minute: number;
    ip_weight_peak: number;
  };
  coins: Record<string, CoinStatusMessage>;
  /** Live only: the ledger of real against predicted fills over every order so far. */
  ledger?: LedgerStatusMessage;
}

/** The ledger's totals in the heartbeat (engine/ledger/ledger_summary.ts). */
export interface LedgerStatusMessage {
  /** Live orders that rested and ended. */
  orders: number;
  /** Filled volume, USD: at the exchange, and as the shadow model predicted. */
  real_usd: number;
  predicted_usd: number;
  /** real / predicted; null before any prediction. */
  real_over_predicted: number | null;
  /** Orders filled only at the exchange, and only in prediction. */
  only_real: number;
  only_predicted: number;
  /** Median of predicted minus real first fill time, ms; null before any order both filled. */
  median_lead_ms: number | null;
}

/** The heartbeat's ledger part from the ledger's total row. */
export function ledgerStatusMessage(total: LedgerRow): LedgerStatusMessage {
  const ratio = realOverPredicted(total);
  return {
    orders: total.orders,
    real_usd: total.realUsd,
    predicted_usd: total.predictedUsd,
    real_over_predicted: Number.isFinite(ratio) ? ratio : null,
    only_real: total.onlyReal,
    only_predicted: total.onlyPredicted,
    median_lead_ms: total.medianLeadMs,
  };
}

/** Converts a venue fill to its `mm:shadow_fills` message. */
export function shadowFillMessage(fill: Fill): ShadowFillMessage {
  return {
    coin: fill.coin,
    side: fill.side,
    level: fill.level,
    px: fill.px,
    sz: fill.sz,
    notional_usd: fill.px * fill.sz,
    fee_usd: fill.feeUsd,
    time_ms: fill.timeMs,
    cause: fill.cause,
    order_id: fill.orderId,
  };
}

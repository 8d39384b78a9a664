/**
 * The engine's Prometheus metrics (`GET /metrics`), with prom-client. Nothing is counted on the
 * quoting path: each scrape takes one {@link OpsSnapshot} and every metric reads it, so a
 * scrape costs one snapshot whatever the number of metrics, and an engine nobody scrapes pays
 * nothing. Totals are Prometheus counters (they restart from the session's figures when the
 * engine restarts, which `rate()` and `increase()` handle as a counter reset).
 */
import { Counter, Gauge, Registry } from "prom-client";
import { NEW_ADDRESS_REQUESTS, REQUESTS_PER_USDC } from "../hyperliquid/exchange_facts.ts";
import type { LedgerRow } from "../ledger/ledger_summary.ts";
import type { OpsSnapshot } from "./snapshot.ts";

/** Counts the operations layer keeps itself (alerts, control actions). */
export interface OpsCounters {
  /** Alerts delivered, failed and dropped by the rate limit. */
  alertsSent: number;
  alertsFailed: number;
  alertsSuppressed: number;
  /** Control actions carried out, by action. */
  control: Record<string, number>;
}

/** The metrics of one engine: `render()` answers a scrape. */
export interface EngineMetrics {
  /** The exposition text for the engine as it is now. */
  render(): Promise<string>;
  /** The Content-Type of {@link render}'s text. */
  readonly contentType: string;
}

type Read = (s: OpsSnapshot, c: OpsCounters) => number;

/** Builds the registry; `read` takes the snapshot a scrape shows, `counters` the ops counts. */
export function createMetrics(read: () => OpsSnapshot, counters: OpsCounters): EngineMetrics {
  const registry = new Registry();
  let s: OpsSnapshot = read();
  const c = counters;

  const gauge = (name: string, help: string, value: Read) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(s, c));
      },
    });
  const counter = (name: string, help: string, value: Read) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(Math.max(0, value(s, c)));
      },
    });
  /** A gauge with one sample per row of the snapshot, labelled by `labels`. */
  const labelled = <Row>(
    name: string,
    help: string,
    labelNames: string[],
    rows: (s: OpsSnapshot) => readonly Row[],
    labels: (row: Row) => Record<string, string>,
    value: (row: Row) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        // NaN (absent in Prometheus queries) where there is no value, rather than a false 0.
        for (const row of rows(s)) this.set(labels(row), value(row) ?? NaN);
      },
    });
  const perCoin = (name: string, help: string, value: (coin: OpsSnapshot["coins"][0]) => number) =>
    labelled(name, help, ["coin"], (s) => s.coins, (coin) => ({ coin: coin.coin }), value);

  new Gauge({
    name: "mm_engine_info",
    help: "The engine's mode and state (value 1)",
    labelNames: ["mode", "state"],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ mode: s.mode, state: s.state }, 1);
    },
  });
  gauge("mm_paused", "1 while quoting is paused by an operator", (s) => s.pausedBy ? 1 : 0);
  gauge(
    "mm_halted",
    "1 once the engine has halted (it stays halted until restarted)",
    (s) => s.haltReason ? 1 : 0,
  );
  counter(
    "mm_halts_total",
    "Halts this run (drawdown stop, operator, crash)",
    (s) => s.haltReason ? 1 : 0,
  );
  gauge(
    "mm_session_start_seconds",
    "When the session started, Unix seconds",
    (s) => s.startedMs / 1000,
  );

  counter("mm_orders_placed_total", "Orders placed (shadow: registered)", (s) => s.placed);
  counter("mm_orders_cancelled_total", "Orders cancelled or moved", (s) => s.cancels);
  counter("mm_fills_total", "Fills booked this session", (s) => s.fills);
  counter("mm_volume_usd_total", "Filled notional this session, USD", (s) => s.volumeUsd);
  // A gauge, not a counter: with a maker rebate the total falls.
  gauge("mm_fees_usd", "Maker fees paid this session, USD (negative: rebates)", (s) => s.feesUsd);
  gauge("mm_pnl_usd", "Session PnL: realized + unrealized - fees, USD", (s) => s.pnlUsd);
  gauge("mm_realized_pnl_usd", "Realized PnL this session, USD", (s) => s.realizedUsd);
  gauge(
    "mm_unrealized_pnl_usd",
    "Unrealized PnL of the inventory at mid, USD",
    (s) => s.unrealizedUsd,
  );
  gauge("mm_peak_pnl_usd", "Highest session PnL so far, USD", (s) => s.peakPnlUsd);
  gauge(
    "mm_max_drawdown_usd",
    "Largest fall of PnL from a peak this session, USD",
    (s) => s.maxDrawdownUsd,
  );

  perCoin("mm_quote_bid_price", "Best bid the grid quotes (0: no bid)", (q) => q.bidPx ?? 0);
  perCoin("mm_quote_ask_price", "Best ask the grid quotes (0: no ask)", (q) => q.askPx ?? 0);
  perCoin("mm_quote_levels", "Grid levels quoted, both sides", (q) => q.bidLevels + q.askLevels);
  perCoin("mm_inventory", "Position, coin units (negative: short)", (q) => q.position);
  perCoin("mm_inventory_usd", "Position at mid, USD", (q) => q.inventoryUsd);
  perCoin("mm_coin_pnl_usd", "PnL of the coin this session, USD", (q) => q.pnlUsd);
  perCoin(
    "mm_regime_multiplier",
    "Regime multiplier of the spread, 1 to 4 (0: halted)",
    (q) => q.multiplier,
  );
  perCoin(
    "mm_ofi",
    "Order-flow imbalance of the last 200 trades, -1 (sells) to 1 (buys)",
    (q) => q.ofi,
  );

  new Gauge({
    name: "mm_latency_ms",
    help: "Frame arrival to quotes computed, ms, by percentile (last 10,000 samples)",
    labelNames: ["quantile"],
    registers: [registry],
    collect() {
      this.reset();
      if (s.latency === null) return;
      this.set({ quantile: "0.5" }, s.latency.p50Ms);
      this.set({ quantile: "0.95" }, s.latency.p95Ms);
      this.set({ quantile: "0.99" }, s.latency.p99Ms);
    },
  });
  gauge("mm_latency_samples", "Latency samples in the ring", (s) => s.latency?.samples ?? 0);
  counter("mm_reconnects_total", "Market-data reconnects completed", (s) => s.reconnects);
  counter(
    "mm_stall_panics_total",
    "Stall panics (quotes pulled for silent market data)",
    (s) => s.stallPanics,
  );
  counter("mm_stall_recoveries_total", "Stall panics recovered from", (s) => s.stallRecoveries);
  // Read at each scrape: a soak or a long run shows whether memory grows (tools/soak.ts).
  gauge(
    "mm_resident_memory_bytes",
    "Resident set size of the engine process, bytes",
    () => Deno.memoryUsage().rss,
  );

  counter(
    "mm_requests_total",
    "Address-budget requests sent (orders and cancels)",
    (s) => s.requests.sent,
  );
  gauge(
    "mm_ip_weight_used",
    "IP request weight spent in the last 60 s",
    (s) => s.requests.ipWeightUsed,
  );
  gauge(
    "mm_ip_weight_limit",
    "IP request weight allowed per 60 s",
    (s) => s.requests.ipWeightLimit,
  );
  gauge(
    "mm_ip_weight_left",
    "IP request weight left in the current 60 s",
    (s) => s.requests.ipWeightLeft,
  );
  gauge(
    "mm_ip_weight_peak",
    "Most IP weight spent in any 60 s this run",
    (s) => s.requests.ipWeightPeak,
  );
  counter(
    "mm_ip_weight_refusals_total",
    "Requests held back by the weight budget, and 429s",
    (s) => s.requests.ipWeightRefusals,
  );
  // NaN (absent in Prometheus queries) while the budget is unknown, rather than a false 0.
  gauge(
    "mm_address_requests_used",
    "Address budget: requests used",
    (s) => s.requests.addressUsed ?? NaN,
  );
  gauge(
    "mm_address_requests_cap",
    `Address budget: cap (${
      NEW_ADDRESS_REQUESTS.toLocaleString("en-US")
    } + ${REQUESTS_PER_USDC} per USDC traded)`,
    (s) => s.requests.addressCap ?? NaN,
  );
  gauge(
    "mm_address_requests_left",
    "Address budget: requests left",
    (s) => s.requests.addressLeft ?? NaN,
  );
  gauge(
    "mm_address_budget_paused",
    "1 while placing is paused for lack of address budget",
    (s) => s.requests.addressPaused ? 1 : 0,
  );

  // The live ledger (engine/ledger/): real against predicted fills per coin and grid level.
  const perLevel = (name: string, help: string, value: (row: LedgerRow) => number | null) =>
    labelled(
      name,
      help,
      ["coin", "level"],
      (s) => s.ledger?.rows ?? [],
      (row) => ({ coin: row.coin, level: `L${row.level}` }),
      value,
    );
  perLevel("mm_ledger_orders", "Live orders in the ledger", (r) => r.orders);
  perLevel("mm_ledger_real_usd", "Ledger: volume the exchange filled, USD", (r) => r.realUsd);
  perLevel(
    "mm_ledger_predicted_usd",
    "Ledger: volume the shadow model predicted on the same orders, USD",
    (r) => r.predictedUsd,
  );
  perLevel("mm_ledger_only_real", "Ledger: orders filled only at the exchange", (r) => r.onlyReal);
  perLevel(
    "mm_ledger_only_predicted",
    "Ledger: orders filled only in prediction",
    (r) => r.onlyPredicted,
  );
  perLevel(
    "mm_ledger_first_fill_lead_seconds",
    "Ledger: median of predicted minus real first fill time",
    (r) => r.medianLeadMs === null ? null : r.medianLeadMs / 1000,
  );

  counter("mm_alerts_sent_total", "Alerts the webhook accepted", (_, c) => c.alertsSent);
  counter("mm_alerts_failed_total", "Alerts the webhook did not accept", (_, c) => c.alertsFailed);
  counter(
    "mm_alerts_suppressed_total",
    "Alerts dropped by the rate limit",
    (_, c) => c.alertsSuppressed,
  );
  new Counter({
    name: "mm_control_actions_total",
    help: "Control actions carried out, by action",
    labelNames: ["action"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [action, n] of Object.entries(c.control)) this.inc({ action }, n);
    },
  });

  return {
    async render() {
      s = read();
      return await registry.metrics();
    },
    contentType: registry.contentType,
  };
}

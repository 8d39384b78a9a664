/**
 * The session report printed at shutdown (and by `demo` at the end): totals, PnL split into
 * realized, unrealized and fees, drawdown from the session's peak, cancel-to-fill ratio, stall
 * recoveries, latency, and a per-coin table. Also the one-line session record appended to
 * `data/shadow/sessions.jsonl` for Gate 5 (cancel/fill ratio, stall recoveries, daily PnL).
 */
import { IP_WEIGHT_PER_MINUTE } from "./hyperliquid/exchange_facts.ts";

/** One coin's line of the report. */
export interface CoinSummary {
  coin: string;
  fills: number;
  volumeUsd: number;
  feesUsd: number;
  /** Position in coin units, signed. */
  position: number;
  /** Position marked at the mid, USD, signed. */
  inventoryUsd: number;
  pnlUsd: number;
  /** "1.0x", "2.3x" or "HALT". */
  regime: string;
}

/** Totals of runs earlier the same UTC day that this run continues (from the saved state). */
export interface CarriedTotals {
  realizedUsd: number;
  feesUsd: number;
  volumeUsd: number;
  fills: number;
}

/** Everything the report shows. */
export interface SessionSummary {
  mode: string;
  /** This run's start and end, ms (the duration shown is this run's alone). */
  startedMs: number;
  endedMs: number;
  /**
   * What earlier runs today left: the totals (fills, volume, fees, PnL, orders, cancels)
   * include it, the per-coin rows do not. Null or absent when this run started the day.
   */
  carried?: CarriedTotals | null;
  /** Shadow fill rule in use (`MM_QUEUE_MODEL`); absent for live. */
  queueModel?: string;
  /** Books that carried no sizes (tick-CSV replay): queue positions were unknown. */
  depthlessBooks?: number;
  fills: number;
  volumeUsd: number;
  /** Fees paid, USD (negative = rebates earned). */
  feesUsd: number;
  realizedUsd: number;
  unrealizedUsd: number;
  /** Realized + unrealized − fees. */
  pnlUsd: number;
  peakPnlUsd: number;
  maxDrawdownUsd: number;
  placed: number;
  /**
   * Priority fees of the orders placed (MM_PRIORITY_RATE × their notional; paid in HYPE, so
   * outside the PnL above), USD; absent or 0 without priority.
   */
  priorityFeesUsd?: number;
  cancels: number;
  /** Orders and cancels sent (shadow: that live would have sent), the address budget's count. */
  requests: number;
  /** The address budget at the end, or null when unknown. */
  addressBudget?: { used: number; cap: number; left: number; paused: boolean } | null;
  /** Most IP request weight spent in one 60 s window (shadow: what live would have spent). */
  ipWeightPeak?: number;
  /** Orders the pre-trade check refused (engine/venue/pre_trade_check.ts); absent or 0: none. */
  preTradeRefused?: number;
  stallPanics: number;
  stallRecoveries: number;
  /** Why the engine halted, or null. */
  haltReason: string | null;
  latency: { p50Ms: number; p95Ms: number; p99Ms: number; samples: number } | null;
  duplicateTradesSkipped: number;
  coins: CoinSummary[];
}

/**
 * Requests per USDC traded as shown to the operator (`1.48`), `n/a` before any volume. Above 1
 * a real account drains its address budget (engine/hyperliquid/README.md § Rate limits).
 */
export function formatRequestsPerUsdc(requests: number, volumeUsd: number): string {
  return volumeUsd > 0 ? (requests / volumeUsd).toFixed(2) : "n/a";
}

/** Cancels per fill as the Regime Governor sees it (cancels alone when nothing filled yet). */
export function cancelFillRatio(cancels: number, fills: number): number {
  return cancels / Math.max(1, fills);
}

// A non-finite amount is a bug upstream (state files are bounded): shown as such, never "$NaN".
const usd = (x: number, digits = 2) =>
  Number.isFinite(x) ? `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(digits)}` : "n/a";

/** Formats the session report as plain text (one table, fixed-width columns). */
export function formatSessionReport(s: SessionSummary): string {
  const seconds = Math.max(0, (s.endedMs - s.startedMs) / 1000);
  const c = s.carried;
  const lines = [
    "════════ SESSION REPORT ════════",
    `Mode: ${s.mode} | Duration: ${seconds.toFixed(1)}s (this run) | Coins: ${s.coins.length}`,
    ...(c
      ? [
        `Totals are today's (UTC): they include ${c.fills} fills, ${usd(c.volumeUsd)} volume, ` +
        `realized ${usd(c.realizedUsd, 4)} and fees ${
          usd(c.feesUsd, 4)
        } carried over from earlier runs; this run: ${s.fills - c.fills} fills. ` +
        "The per-coin table is this run.",
      ]
      : []),
    ...((s.depthlessBooks ?? 0) > 0 && s.queueModel !== undefined && s.queueModel !== "spec"
      ? [
        `⚠️ WARNING: ${s.depthlessBooks} books carried no depth (tick CSV replay): queue ` +
        "positions are unknown, so orders joined at the front of their level and queue " +
        "fills are optimistic. Replay recorded frames (.jsonl) for queue-aware numbers.",
      ]
      : []),
    `${s.mode === "live" ? "PnL" : "Shadow PnL"}: ${usd(s.pnlUsd, 4)} (realized ${
      usd(s.realizedUsd, 4)
    }, unrealized ${usd(s.unrealizedUsd, 4)}, fees ${usd(-s.feesUsd, 4)})`,
    `Fills: ${s.fills} | Volume: ${usd(s.volumeUsd)} | ${
      s.feesUsd >= 0 ? `Fees paid: ${usd(s.feesUsd, 4)}` : `Rebates: ${usd(-s.feesUsd, 4)}`
    }`,
    ...((s.priorityFeesUsd ?? 0) > 0
      ? [
        `Priority fees: ${usd(s.priorityFeesUsd!, 4)} (paid in HYPE on every post-only order ` +
        `placed) | PnL after them: ${usd(s.pnlUsd - s.priorityFeesUsd!, 4)}`,
      ]
      : []),
    `Peak PnL: ${usd(s.peakPnlUsd, 4)} | Max drawdown from peak: ${usd(s.maxDrawdownUsd, 4)}`,
    `Orders placed: ${s.placed} | Cancels: ${s.cancels} | Cancel/fill ratio: ${
      cancelFillRatio(s.cancels, s.fills).toFixed(1)
    }${
      (s.preTradeRefused ?? 0) > 0 ? ` | Refused by the pre-trade check: ${s.preTradeRefused}` : ""
    }`,
    `Requests: ${s.requests} | Requests per USDC traded: ${
      formatRequestsPerUsdc(s.requests, s.volumeUsd)
    } (trading earns 1) | Address budget: ${
      s.addressBudget
        ? `${Math.floor(s.addressBudget.left)} left of ${Math.floor(s.addressBudget.cap)}${
          s.addressBudget.paused ? " (PAUSED)" : ""
        }`
        : "unknown"
    }${
      s.ipWeightPeak !== undefined
        ? ` | Peak IP weight: ${s.ipWeightPeak}/${IP_WEIGHT_PER_MINUTE} per minute`
        : ""
    }`,
    `Stall panics: ${s.stallPanics} | Recoveries: ${s.stallRecoveries} | Duplicate trades skipped: ${s.duplicateTradesSkipped}`,
    s.latency
      ? `Latency (frame → quotes): P50 ${s.latency.p50Ms.toFixed(3)}ms | P95 ${
        s.latency.p95Ms.toFixed(3)
      }ms | P99 ${s.latency.p99Ms.toFixed(3)}ms | samples ${s.latency.samples}`
      : "Latency: not measured (replay runs on a virtual clock)",
    s.haltReason ? `HALTED: ${s.haltReason}` : "Halted: no",
    "",
    `${"coin".padEnd(10)}${"fills".padStart(7)}${"volume".padStart(13)}${"fees".padStart(11)}${
      "position".padStart(16)
    }${"inv $".padStart(11)}${"pnl".padStart(12)}${"regime".padStart(8)}`,
  ];
  for (const c of s.coins) {
    lines.push(
      `${c.coin.padEnd(10)}${String(c.fills).padStart(7)}${usd(c.volumeUsd).padStart(13)}${
        usd(c.feesUsd, 4).padStart(11)
      }${c.position.toPrecision(6).padStart(16)}${usd(c.inventoryUsd).padStart(11)}${
        usd(c.pnlUsd, 4).padStart(12)
      }${c.regime.padStart(8)}`,
    );
  }
  lines.push("════════════════════════════════");
  return lines.join("\n");
}

/** One line of `sessions.jsonl` (read by the Gate 5 analysis). */
export interface SessionRecord {
  /** UTC date of the session's start, `YYYY-MM-DD`. */
  dateUtc: string;
  mode: string;
  startedMs: number;
  endedMs: number;
  cancels: number;
  fills: number;
  stallRecoveries: number;
  pnlUsd: number;
  /** Orders placed. */
  placed: number;
  /** Orders and cancels sent (shadow: that live would have sent): the address budget's count. */
  requests: number;
  /** Filled notional, USD: requests / volumeUsd is Gate 5's requests per USDC. */
  volumeUsd: number;
}

/** Session counters at one moment, for {@link SessionDays}. */
export interface SessionCounters {
  cancels: number;
  fills: number;
  stallRecoveries: number;
  pnlUsd: number;
  placed: number;
  requests: number;
  volumeUsd: number;
}

const NO_COUNTERS: SessionCounters = {
  cancels: 0,
  fills: 0,
  stallRecoveries: 0,
  pnlUsd: 0,
  placed: 0,
  requests: 0,
  volumeUsd: 0,
};

const DAY_MS = 86_400_000;
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Splits a session into UTC days for `sessions.jsonl`: a session that runs for days writes one
 * line per day (counters and PnL of that day only), so Gate 5 sees daily figures.
 */
export class SessionDays {
  #dayStartMs: number;
  #base: SessionCounters;

  /**
   * Starts counting at `startedMs`, from `carried` counters (those of a session resumed after a
   * restart belong to the run that made them and were recorded by it).
   */
  constructor(
    readonly mode: string,
    startedMs: number,
    carried: SessionCounters = NO_COUNTERS,
  ) {
    this.#dayStartMs = startedMs;
    this.#base = { ...carried };
  }

  /** The record of the day that ended before `nowMs`, once per day boundary; otherwise null. */
  roll(nowMs: number, counters: SessionCounters): SessionRecord | null {
    const boundary = (Math.floor(this.#dayStartMs / DAY_MS) + 1) * DAY_MS;
    if (nowMs < boundary) return null;
    return this.#cut(boundary, counters);
  }

  /** The record of the day in progress, at the end of the session. */
  final(nowMs: number, counters: SessionCounters): SessionRecord {
    return this.#cut(nowMs, counters);
  }

  #cut(endMs: number, counters: SessionCounters): SessionRecord {
    const record: SessionRecord = {
      dateUtc: utcDate(this.#dayStartMs),
      mode: this.mode,
      startedMs: this.#dayStartMs,
      endedMs: endMs,
      cancels: counters.cancels - this.#base.cancels,
      fills: counters.fills - this.#base.fills,
      stallRecoveries: counters.stallRecoveries - this.#base.stallRecoveries,
      pnlUsd: counters.pnlUsd - this.#base.pnlUsd,
      placed: counters.placed - this.#base.placed,
      requests: counters.requests - this.#base.requests,
      volumeUsd: counters.volumeUsd - this.#base.volumeUsd,
    };
    this.#base = { ...counters };
    this.#dayStartMs = endMs;
    return record;
  }
}

/**
 * Appends a session record to `<dir>/sessions.jsonl`, one JSON object per line (`dir` is
 * `data/shadow` for the Gate 5 records, `data/live` for live sessions).
 */
export async function appendSessionRecord(dir: string, record: SessionRecord): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/sessions.jsonl`, JSON.stringify(record) + "\n", {
    append: true,
  });
}

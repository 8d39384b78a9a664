/**
 * Gate 5, production go/no-go (README, "The five gates"), each check PASS or FAIL:
 * - integrity: fewer than 5 critical gaps (over 10 min) and no corrupt line;
 * - at least 5 UTC days of shadow trading;
 * - shadow PnL over the period is positive: fills marked to market at each UTC day's last mid
 *   (`cash + inventory x mark - fees`), from `shadow_fills`;
 * - Sharpe of daily shadow PnL > 1.5 (mean / sample std x sqrt(365): crypto trades every day);
 * - cancel-to-fill ratio < 50, at least one stall recovery, and fewer than one request per USDC
 *   traded, from `sessions` (`DATA/shadow/sessions.jsonl`: {dateUtc, cancels, fills,
 *   stallRecoveries, pnlUsd, placed, requests, volumeUsd});
 * - shadow honesty: a live pilot's ledger (`DATA/live/ledger/`, engine/ledger/) holds enough
 *   orders and the shadow model's filled volume on them is within the tolerance of the real one.
 *   Every other check above judges shadow fills; this one says whether they can be believed.
 */

import { checkIntegrity, type IntegrityOptions, type IntegrityReport } from "../integrity.ts";
import type { LedgerRecord } from "../../engine/ledger/ledger.ts";
import { ledgerDir } from "../../engine/ledger/live_ledger.ts";
import { readLedger } from "../../engine/ledger/read_ledger.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport, LedgerGate } from "./gate.ts";
import { DEFAULT_LEDGER_GATE, partialsOf, round } from "./gate.ts";
import { lineChart } from "./svg.ts";
import { formatTable } from "./table.ts";

/** Spec section 10 thresholds. */
export const MAX_CRITICAL_GAPS = 5;
/** Spec section 10: gate 5 judges about 5 days of shadow trading. */
export const MIN_SHADOW_DAYS = 5;
/** Spec section 10: Sharpe above this. */
export const MIN_SHARPE = 1.5;
/** Spec section 8.5: cancels per fill below this. */
export const MAX_CANCEL_FILL = 50;
/**
 * Address requests (orders + cancels) per USDC traded below this: Hyperliquid grants an address
 * one request per USDC traded (on top of 10,000), so above it a real account drains its budget
 * until it is capped to one action every 10 s.
 */
export const MAX_REQUESTS_PER_USD = 1;

/** Per coin and UTC day: inventory and cash change from shadow fills, last fill price. */
export const GATE5_FILLS_SQL = `
WITH f AS (
  SELECT coin, time_ms, strftime(make_timestamp(time_ms * 1000), '%Y-%m-%d') AS day,
    CASE WHEN side = 'bid' THEN sz ELSE -sz END AS d_inventory,
    CASE WHEN side = 'bid' THEN -notional ELSE notional END - fee_usd AS d_cash, px
  FROM shadow_fills
)
SELECT coin, day, sum(d_inventory) AS d_inventory, sum(d_cash) AS d_cash,
  arg_max(px, time_ms) AS last_fill_px, count(*) AS fills
FROM f GROUP BY coin, day
`;

/** One coin's last mid of each UTC day (table `ticks` holds one coin). */
export const GATE5_MARKS_SQL = `
SELECT strftime(make_timestamp((timestamp_ms // 86400000) * 86400000000), '%Y-%m-%d') AS day,
  arg_max(mid, timestamp_ms) AS close_mid
FROM ticks GROUP BY ALL
`;

/** An integrity check running on a worker thread. */
export interface BackgroundIntegrity {
  report: Promise<IntegrityReport>;
  /** Ends the worker (after an error elsewhere); the report then never arrives. */
  stop(): void;
}

/**
 * Whether a worker may load the integrity check: Deno reads a worker's modules like dynamic
 * imports, so it needs read access to tools/ and engine/ (the data-tools permission set may grant
 * only data/).
 */
export function canRunIntegrityWorker(): boolean {
  return ["../", "../../engine/"].every((dir) =>
    Deno.permissions.querySync({ name: "read", path: new URL(dir, import.meta.url) }).state ===
      "granted"
  );
}

/**
 * Starts gate 5's integrity check: on a worker (integrity_worker.ts, inheriting permissions) when
 * {@link canRunIntegrityWorker}, else on this thread (it then runs when awaited).
 */
export function startIntegrity(options: IntegrityOptions): BackgroundIntegrity {
  if (!canRunIntegrityWorker()) {
    let report: Promise<IntegrityReport> | undefined;
    return {
      get report() {
        return report ??= checkIntegrity(options);
      },
      stop: () => {},
    };
  }
  const worker = new Worker(new URL("./integrity_worker.ts", import.meta.url), { type: "module" });
  const report = new Promise<IntegrityReport>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ report?: IntegrityReport; error?: string }>) => {
      worker.terminate();
      if (event.data.report !== undefined) resolve(event.data.report);
      else reject(new Error(`integrity check: ${event.data.error}`));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(`integrity check: ${event.message}`));
    };
  });
  // Awaited by gate 5's report; until then a failure must not count as unhandled.
  report.catch(() => {});
  worker.postMessage(options);
  return { report, stop: () => worker.terminate() };
}

/** One coin's gate 5 input: the marks of its shadow fills. */
export interface Gate5Partial {
  marks: { day: string; closeMid: number }[];
}

/** Gate 5's per-coin step: marks only for a coin with shadow fills. */
export function gate5Coin(pass: CoinPass, into: CoinPartials): void {
  const fills = pass.db.query(
    `SELECT count(*) AS n FROM shadow_fills WHERE coin = '${pass.coin.replace(/'/g, "''")}'`,
  )[0].n as number;
  into.gate5 = {
    marks: fills === 0 ? [] : pass.db.query(GATE5_MARKS_SQL).map((r) => ({
      day: r.day as string,
      closeMid: r.close_mid as number,
    })),
  };
}

/**
 * Per coin and UTC day, sorted by day then coin: {@link GATE5_FILLS_SQL}'s rows joined with the
 * marks of every coin (a day with a mark and no fill, or a fill and no mark, is kept).
 */
function fillDays(ctx: GateContext): Record<string, unknown>[] {
  const rows = new Map<string, Record<string, unknown>>();
  const key = (coin: string, day: string) => `${day} ${coin}`;
  for (const r of ctx.db.query(GATE5_FILLS_SQL)) {
    rows.set(key(r.coin as string, r.day as string), { ...r, close_mid: null });
  }
  for (const { coin, partial } of partialsOf(ctx, "gate5")) {
    for (const { day, closeMid } of partial.marks) {
      const row = rows.get(key(coin, day)) ??
        { coin, day, d_inventory: 0, d_cash: 0, last_fill_px: null, fills: 0 };
      rows.set(key(coin, day), { ...row, close_mid: closeMid });
    }
  }
  return [...rows.keys()].sort().map((k) => rows.get(k) as Record<string, unknown>);
}

/**
 * Session totals from the engine's stats file. Request counts and volume come only from the
 * sessions that carry both (records written before they existed have them null).
 */
export const GATE5_SESSIONS_SQL = `
SELECT count(*) AS sessions, sum(cancels) AS cancels, sum(fills) AS fills,
  sum(stall_recoveries) AS stall_recoveries, sum(pnl_usd) AS pnl_usd,
  count(*) FILTER (WHERE requests IS NOT NULL AND volume_usd IS NOT NULL) AS request_sessions,
  sum(requests) FILTER (WHERE requests IS NOT NULL AND volume_usd IS NOT NULL) AS requests,
  sum(volume_usd) FILTER (WHERE requests IS NOT NULL AND volume_usd IS NOT NULL) AS volume_usd
FROM sessions
`;

/** One go/no-go check. */
export interface Gate5Check {
  name: string;
  value: number | null;
  threshold: string;
  pass: boolean;
  note: string;
}

/** Gate 5's result. */
export interface Gate5Result {
  checks: Gate5Check[];
  go: boolean;
  dailyPnl: { day: string; pnlUsd: number; equityUsd: number }[];
}

/** Daily mark-to-market PnL from per coin-day rows (fills joined with each day's last mid). */
export function dailyPnl(rows: Record<string, unknown>[]): Gate5Result["dailyPnl"] {
  const days = [...new Set(rows.map((r) => r.day as string))].sort();
  const inv = new Map<string, number>(),
    cash = new Map<string, number>(),
    mark = new Map<string, number>();
  const out: Gate5Result["dailyPnl"] = [];
  let started = false;
  let prevEquity = 0;
  for (const day of days) {
    for (const r of rows.filter((r) => r.day === day)) {
      const coin = r.coin as string;
      if ((r.fills as number) > 0) started = true;
      inv.set(coin, (inv.get(coin) ?? 0) + (r.d_inventory as number));
      cash.set(coin, (cash.get(coin) ?? 0) + (r.d_cash as number));
      const m = (r.close_mid as number | null) ?? (r.last_fill_px as number | null);
      if (m !== null) mark.set(coin, m);
    }
    if (!started) continue;
    let equity = 0;
    for (const [coin, c] of cash) equity += c + (inv.get(coin) ?? 0) * (mark.get(coin) ?? 0);
    out.push({
      day,
      pnlUsd: round(equity - prevEquity) as number,
      equityUsd: round(equity) as number,
    });
    prevEquity = equity;
  }
  return out;
}

/** Days a year for annualising: crypto perps trade every day, weekends included. */
const TRADING_DAYS_PER_YEAR = 365;

/** Annualised Sharpe of daily PnL (365 days a year); null with fewer than 2 days or no spread. */
export function sharpe(daily: number[]): number | null {
  if (daily.length < 2) return null;
  const mean = daily.reduce((a, b) => a + b, 0) / daily.length;
  const variance = daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (daily.length - 1);
  if (variance === 0) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/**
 * The "requests per USDC traded" check from {@link GATE5_SESSIONS_SQL}'s row: sum(requests) /
 * sum(volumeUsd) over the sessions that record both.
 */
export function requestsCheck(sess: Record<string, unknown>): Gate5Check {
  const counted = (sess.request_sessions as number | null) ?? 0;
  const requests = sess.requests as number | null, volume = sess.volume_usd as number | null;
  const perUsd = counted > 0 && volume !== null && volume > 0 ? (requests ?? 0) / volume : null;
  const check = {
    name: "requests per USDC traded",
    value: round(perUsd),
    threshold: `< ${MAX_REQUESTS_PER_USD}`,
    pass: perUsd !== null && perUsd < MAX_REQUESTS_PER_USD,
  };
  if ((sess.sessions as number) === 0) return { ...check, note: "no shadow/sessions.jsonl" };
  if (counted === 0) {
    return {
      ...check,
      note: "no request counts in sessions.jsonl: record sessions with this version",
    };
  }
  const traded = `${requests ?? 0} requests / $${round(volume ?? 0, 2)} traded`;
  const of = `in ${counted} of ${sess.sessions} sessions`;
  return { ...check, note: perUsd === null ? `${traded} (no volume) ${of}` : `${traded} ${of}` };
}

/** The "shadow honesty" check: enough ledger orders, and real / predicted volume near 1. */
export function ledgerCheck(all: readonly LedgerRecord[], gate: LedgerGate): Gate5Check {
  // The model shadow runs now is the latest pilot's: records of an earlier model judge another.
  const model = all.length > 0 ? all[all.length - 1].model : "";
  const records = all.filter((r) => r.model === model);
  let real = 0;
  let predicted = 0;
  let filled = 0;
  for (const r of records) {
    real += r.realSz * r.px;
    predicted += r.predictedSz * r.px;
    if (r.realSz > 0) filled++;
  }
  const ratio = predicted > 0 ? real / predicted : null;
  const missing = [
    records.length < gate.minOrders ? `${gate.minOrders - records.length} more orders` : "",
    filled < gate.minFilled ? `${gate.minFilled - filled} more filled orders` : "",
  ].filter(Boolean);
  const older = all.length - records.length;
  return {
    name: "shadow honesty (live ledger, real / predicted volume)",
    value: round(ratio, 3),
    threshold: `within ±${
      round(gate.tolerance * 100, 1)
    }%, >= ${gate.minOrders} orders, >= ${gate.minFilled} filled`,
    pass: missing.length === 0 && ratio !== null && Math.abs(ratio - 1) < gate.tolerance,
    note: records.length === 0
      ? 'no live ledger: run a small live pilot first (README, "Shadow honesty")'
      : `${records.length} orders (${filled} filled), real $${round(real, 2)} vs predicted $${
        round(predicted, 2)
      } (${model})` +
        (older > 0 ? `; ${older} orders of earlier models left out` : "") +
        (missing.length > 0 ? `; needs ${missing.join(" and ")}` : ""),
  };
}

/** The live ledger's records; none when the folder does not exist. */
async function ledgerRecords(dataDir: string): Promise<LedgerRecord[]> {
  const dir = ledgerDir(dataDir);
  try {
    await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return await readLedger([dir]);
}

/** Gate 5 report. */
export async function gate5(ctx: GateContext): Promise<GateReport<Gate5Result>> {
  const integrity = await (ctx.integrity ?? startIntegrity({
    dataDir: ctx.dataDir,
    nowMs: ctx.nowMs,
  })).report;
  const daily = dailyPnl(fillDays(ctx));
  const total = daily.length ? daily[daily.length - 1].equityUsd : null;
  const s = sharpe(daily.map((d) => d.pnlUsd));
  const sess = ctx.db.query(GATE5_SESSIONS_SQL)[0];
  const haveSessions = (sess.sessions as number) > 0;
  const fills = sess.fills as number | null, cancels = sess.cancels as number | null;
  const cf = haveSessions && fills !== null && fills > 0 ? (cancels ?? 0) / fills : null;
  const stalls = haveSessions ? sess.stall_recoveries as number : null;
  const requests = requestsCheck(sess);
  const checks: Gate5Check[] = [
    {
      name: "critical gaps",
      value: integrity.criticalGaps,
      threshold: `< ${MAX_CRITICAL_GAPS}, no corrupt line`,
      pass: integrity.criticalGaps < MAX_CRITICAL_GAPS && integrity.corruptLines === 0 &&
        integrity.coins.length > 0,
      note: integrity.coins.length === 0
        ? "no harvested data"
        : `${integrity.corruptLines} corrupt lines, ${integrity.gaps.length} gaps over ${integrity.gapThresholdS} s`,
    },
    {
      name: "shadow days",
      value: daily.length,
      threshold: `>= ${MIN_SHADOW_DAYS}`,
      pass: daily.length >= MIN_SHADOW_DAYS,
      note: daily.length ? `${daily[0].day} .. ${daily[daily.length - 1].day}` : "no shadow fills",
    },
    {
      name: "shadow PnL USD",
      value: round(total),
      threshold: "> 0",
      pass: total !== null && total > 0,
      note: daily.length ? `${daily.length} days of shadow fills` : "no shadow fills",
    },
    {
      name: "Sharpe (daily, annualised)",
      value: round(s),
      threshold: `> ${MIN_SHARPE}`,
      pass: s !== null && s > MIN_SHARPE,
      note: s === null ? "needs at least 2 days with varying PnL" : `${daily.length} daily returns`,
    },
    {
      name: "cancel/fill ratio",
      value: round(cf),
      threshold: `< ${MAX_CANCEL_FILL}`,
      pass: cf !== null && cf < MAX_CANCEL_FILL,
      note: haveSessions ? `${cancels} cancels / ${fills} fills` : "no shadow/sessions.jsonl",
    },
    {
      name: "stall recoveries",
      value: stalls,
      threshold: ">= 1",
      pass: stalls !== null && stalls >= 1,
      note: haveSessions ? `${sess.sessions} sessions` : "no shadow/sessions.jsonl",
    },
    requests,
    ledgerCheck(await ledgerRecords(ctx.dataDir), ctx.ledgerGate ?? DEFAULT_LEDGER_GATE),
  ];
  const go = checks.every((c) => c.pass);
  const table = formatTable(
    ["check", "value", "threshold", "result", "note"],
    checks.map((
      c,
    ) => [
      c.name,
      c.value === null ? "-" : String(c.value),
      c.threshold,
      c.pass ? "PASS" : "FAIL",
      c.note,
    ]),
  );
  return {
    gate: 5,
    title: "Production go/no-go",
    text: `${table}\n\n${
      go ? "GO: every check passes" : "NO-GO: keep MM_SHADOW_MODE=true until every check passes"
    }\n(also required by hand: HL_ADDRESS/HL_PRIVATE_KEY tested, risk parameters reviewed, 5% loss accepted)`,
    result: { checks, go, dailyPnl: daily },
    charts: {
      "gate5_cumulative_shadow_pnl.svg": lineChart(
        "Cumulative shadow PnL (marked to each day's last mid)",
        "USD",
        daily.map((d) => d.day),
        daily.map((d) => d.equityUsd),
      ),
    },
  };
}

/**
 * Shadow-mode output: the fills file (`data/shadow/YYYY-MM-DD.jsonl`, one JSON object per fill, UTC
 * date of the fill, so Gate 5 can compute a Sharpe ratio from it) and the `[SHADOW FILL]`, `[SHADOW
 * SESSION]` and per-coin report lines (README, "Shadow mode: the Queue Position Estimator").
 * Writing never blocks the caller: records are buffered and written after the current task.
 */
import type { AdverseSelection } from "./adverse.ts";
import { DailyJsonLog } from "./daily_json_log.ts";
import type { Portfolio, PortfolioTotals } from "./portfolio.ts";
import { formatRequestsPerUsdc } from "./report.ts";
import type { Fill, FillCause, QuoteSide, Venue, VenueStats } from "./venue/venue.ts";

/** One line of the fills file. */
export interface ShadowFillRecord {
  /** Fill time, ms since the Unix epoch (market time). */
  timeMs: number;
  coin: string;
  side: QuoteSide;
  /** Grid level, 1-based as in the log lines (L1 is the tightest); 0 when off-grid. */
  level: number;
  px: number;
  /** Size in coin units. */
  sz: number;
  /** px × sz, USD. */
  notional: number;
  /** Fee paid, USD; negative is a rebate. */
  feeUsd: number;
  cause: FillCause;
  orderId: string;
  /** Position after the fill, coin units (signed). */
  inventory: number;
  /** Position after the fill at the latest mid, USD (signed). */
  inventoryUsd: number;
  /** The exchange's trade id (live fills): a restart's catch-up appends each fill once by it. */
  tid?: number;
}

/** Builds the record written for a fill, given the inventory after it. */
export function shadowFillRecord(
  fill: Fill,
  inventory: number,
  inventoryUsd: number,
): ShadowFillRecord {
  return {
    timeMs: fill.timeMs,
    coin: fill.coin,
    side: fill.side,
    level: fill.level + 1,
    px: fill.px,
    sz: fill.sz,
    notional: fill.px * fill.sz,
    feeUsd: fill.feeUsd,
    cause: fill.cause,
    orderId: fill.orderId,
    inventory,
    inventoryUsd,
    ...(fill.tid === undefined ? {} : { tid: fill.tid }),
  };
}

/**
 * How far the fills file reached when a state was saved: the UTC day file written last and how
 * many complete lines it held (or was about to hold: the state is written only after them).
 */
export interface FillLogMark {
  /** `YYYY-MM-DD`. */
  day: string;
  lines: number;
}

/** Options of {@link ShadowFillLog}. */
export interface ShadowFillLogOptions {
  /** Folder of the daily files (default `data/shadow`). */
  dir?: string;
  /** Called when a write fails (the records of that write are lost, the log carries on). */
  onError?: (error: Error) => void;
}

/** Appends fill records to one JSON-lines file per UTC day, without blocking the caller. */
export class ShadowFillLog extends DailyJsonLog<ShadowFillRecord> {
  #markDay = "";
  #markLines = 0;

  /** Creates the log; nothing touches the disk until the first record. */
  constructor(options: ShadowFillLogOptions = {}) {
    super({
      dir: options.dir ?? "data/shadow",
      what: "shadow fills",
      timeOf: (record) => record.timeMs,
      onError: options.onError,
    });
  }

  /**
   * Where the file stands with every record queued so far: the state saved with it holds exactly
   * the fills of the lines up to the mark (null before the first record or {@link resume}).
   */
  mark(): FillLogMark | null {
    return this.#markDay === "" ? null : { day: this.#markDay, lines: this.#markLines };
  }

  /** Continues counting from the end of the files a restart found (engine/fill_log_restore.ts). */
  resume(mark: FillLogMark | null): void {
    if (mark === null) return;
    this.#markDay = mark.day;
    this.#markLines = mark.lines;
  }

  /** Queues one record; it is written after the current task. */
  override append(record: ShadowFillRecord): void {
    const day = this.dayOf(record.timeMs);
    if (day > this.#markDay) {
      this.#markDay = day;
      this.#markLines = 0;
    }
    // A late record of an earlier day is in the state already; only the mark's day is counted.
    if (day === this.#markDay) this.#markLines++;
    super.append(record);
  }
}

/** `$` and a fixed number of decimals, without a "-0.00" (and "n/a", never "$NaN"). */
function usd(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? `$${text.slice(1)}` : `$${text}`;
}

/** The fee field: "fee=$0.0018" when paid, "rebate=$0.0012" when the venue pays us. */
function feeField(feeUsd: number, decimals: number, paid: string, rebate: string): string {
  return feeUsd < 0 ? `${rebate}${usd(-feeUsd, decimals)}` : `${paid}${usd(feeUsd, decimals)}`;
}

/**
 * `[SHADOW FILL] BTC bid L1 @ 68020.5 | sz=$12.00 | fee=$0.0018 | cause=queue | inv=$-12.00`
 * (`[LIVE FILL]` for a fill at the exchange).
 */
export function formatShadowFill(
  fill: Fill,
  inventoryUsd: number,
  venue: Venue["kind"] = "sim",
): string {
  return `[${venue === "live" ? "LIVE" : "SHADOW"} FILL] ${fill.coin} ${fill.side} L${
    fill.level + 1
  } @ ${fill.px} | ` +
    `sz=${usd(fill.px * fill.sz, 2)} | ${feeField(fill.feeUsd, 4, "fee=", "rebate=")} | ` +
    `cause=${fill.cause} | inv=${usd(inventoryUsd, 2)}`;
}

/**
 * `[SHADOW SESSION] Shadow PnL: $X.XX | Volume: $XXX | Fees: $X.XXXX | Fills: NNN` (with
 * "Rebates" only when rebates exceed fees), then realized, unrealized,
 * drawdown from the session peak and, given the venue's counters, the cancel-to-fill ratio
 * (`[LIVE SESSION] PnL: …` for live trading).
 */
export function formatShadowSession(
  totals: PortfolioTotals,
  stats?: VenueStats,
  venue: Venue["kind"] = "sim",
): string {
  const head = venue === "live" ? "[LIVE SESSION] PnL" : "[SHADOW SESSION] Shadow PnL";
  let line = `${head}: ${usd(totals.pnlUsd, 2)} | ` +
    `Volume: ${usd(totals.volumeUsd, 0)} | ` +
    `${feeField(totals.feesUsd, 4, "Fees: ", "Rebates: ")} | Fills: ${totals.fills} | ` +
    `Realized: ${usd(totals.realizedUsd, 2)} | Unrealized: ${usd(totals.unrealizedUsd, 2)} | ` +
    `DD from peak: ${usd(totals.drawdownFromPeakUsd, 2)}`;
  if (stats !== undefined) {
    const ratio = stats.fills === 0 ? "n/a" : (stats.cancels / stats.fills).toFixed(1);
    line += ` | C/F: ${ratio} | Requests: ${stats.requests} | Req/USDC: ${
      formatRequestsPerUsdc(stats.requests, totals.volumeUsd)
    }`;
  }
  return line;
}

/** A coin quantity or price to 8 significant digits, trailing zeros trimmed (`0.054`, `-603`). */
export function formatQuantity(value: number): string {
  const text = value.toPrecision(8);
  if (text.includes("e")) return String(Number(text));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function bps(value: number): string {
  return Number.isNaN(value) ? "-" : value.toFixed(2);
}

/**
 * The per-coin table printed at shutdown (coins traded or held): fills, volume, fees, PnL,
 * inventory, adverse bps.
 */
export function formatShadowReport(portfolio: Portfolio, adverse: AdverseSelection): string {
  const horizons = adverse.horizonsMs.map((h) => `adv ${h / 1000}s`);
  const header = [
    "coin",
    "fills",
    "volume $",
    "fees $",
    "realized $",
    "unreal. $",
    "inventory",
    "inv $",
    ...horizons,
  ];
  const rows: string[][] = [header];
  for (const a of portfolio.accounts()) {
    if (a.fills === 0 && a.position === 0) continue;
    const summary = adverse.summary(a.coin);
    rows.push([
      a.coin,
      String(a.fills),
      a.volumeUsd.toFixed(2),
      a.feesUsd.toFixed(4),
      a.realizedUsd.toFixed(2),
      portfolio.unrealizedUsd(a.coin).toFixed(2),
      formatQuantity(a.position),
      portfolio.inventoryUsd(a.coin).toFixed(2),
      ...summary.meanBps.map(bps),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")
  );
  return [
    "[SHADOW REPORT] per coin (adverse selection in bps, positive = the market moved against the fill)",
    ...lines,
  ].join("\n");
}

/**
 * Calibrating the shadow fill model on the live ledger (`deno task calibrate-fills`).
 *
 * Every ledger record carries, beside the real fills of one live order, what each candidate
 * queue model (fill_model/model_names.ts) predicted for it over the same lifetime. Calibration is
 * therefore a grid search over those candidates on the same orders, with no market data needed:
 *
 * 1. For each candidate: the filled volume it predicted against the real one (`real/predicted`,
 *    what Gate 5 judges and what shadow PnL scales with) and its per-order error (Σ |predicted −
 *    real| × px over Σ real × px: whether it fills the right orders, not only the right total).
 * 2. The fitted candidate has the smallest volume error |ln(real/predicted)| (symmetric: predicting
 *    twice the real volume is as wrong as half of it, so an optimistic model gets no edge);
 *    candidates within {@link VOLUME_TIE} of that error are told apart by the per-order error, so a
 *    model that gets the total right by over-filling some orders and missing others loses to one
 *    that matches.
 * 3. Latency is measured, not fitted: the median order round trip (sent → resting answer) and
 *    cancel round trip (cancel sent → order gone), each turned into market time with the market
 *    clock's pace over the records (1 on the exchange). A shadow order is decided at the latest
 *    market time seen, which trails the exchange by one way; it rests one way later: one round
 *    trip in all.
 */
import { parseCandidateKey, type QueueCandidate } from "../fill_model/model_names.ts";
import type { LedgerRecord } from "./ledger.ts";

/** Candidates whose volume error is within this of the best are ranked by per-order error. */
export const VOLUME_TIE = 0.02;

/** One candidate's fit on a set of records. */
export interface CandidateScore {
  /** Its ledger key (`power:1+priority:0.2`). */
  key: string;
  candidate: QueueCandidate;
  /** Volume it predicted, USD. */
  predictedUsd: number;
  /** real / predicted (Infinity when it predicted nothing and something filled). */
  realOverPredicted: number;
  /** Σ |predicted − real| × px / Σ real × px. */
  perOrderError: number;
}

/** What {@link calibrate} found. */
export interface Calibration {
  records: number;
  /** Orders the exchange filled (in part), and their volume, USD. */
  realFilled: number;
  realUsd: number;
  /** Every candidate present in all records, best first. */
  scores: CandidateScore[];
  /** The records' own configured model (the "before"), when all records share one. */
  configured: CandidateScore | null;
  fitted: CandidateScore;
  /** Median round trips measured, wall ms (null: none measured). */
  orderRoundTripMs: number | null;
  cancelRoundTripMs: number | null;
  /** Market ms per wall ms over the records (1 on the exchange). */
  marketPace: number;
  /** The configuration to use, as environment settings. */
  settings: Record<string, string>;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Scores one candidate on the records. */
export function scoreCandidate(records: readonly LedgerRecord[], key: string): CandidateScore {
  let realUsd = 0;
  let predictedUsd = 0;
  let error = 0;
  for (const r of records) {
    const predicted = r.candidates[key];
    if (predicted === undefined) throw new Error(`ledger record of order ${r.oid} has no "${key}"`);
    realUsd += r.realSz * r.px;
    predictedUsd += predicted[0] * r.px;
    error += Math.abs(predicted[0] - r.realSz) * r.px;
  }
  return {
    key,
    candidate: parseCandidateKey(key),
    predictedUsd,
    realOverPredicted: predictedUsd > 0 ? realUsd / predictedUsd : realUsd > 0 ? Infinity : 1,
    perOrderError: realUsd > 0 ? error / realUsd : 0,
  };
}

const volumeError = (s: CandidateScore) => Math.abs(Math.log(s.realOverPredicted));

/** Fits the fill model to ledger records (see the module doc); throws when nothing filled. */
export function calibrate(records: readonly LedgerRecord[]): Calibration {
  if (records.length === 0) throw new Error("no ledger records to calibrate on");
  let realUsd = 0;
  let realFilled = 0;
  for (const r of records) {
    realUsd += r.realSz * r.px;
    if (r.realSz > 0) realFilled++;
  }
  if (realFilled === 0) {
    throw new Error(
      `none of the ${records.length} ledger orders filled at the exchange: nothing to calibrate against`,
    );
  }
  // Only candidates every record predicted with are comparable.
  const keys = Object.keys(records[0].candidates).filter((key) =>
    records.every((r) => key in r.candidates)
  );
  const scores = keys.map((key) => scoreCandidate(records, key));
  if (scores.length === 0) {
    throw new Error(
      "no candidate model was predicted on every ledger order (ledgers of different grids?): nothing to rank",
    );
  }
  const best = Math.min(...scores.map(volumeError));
  if (best === Infinity) {
    throw new Error("no candidate model predicted any fill: nothing to rank");
  }
  const ranked = [...scores].sort((a, b) => {
    const aTied = volumeError(a) <= best + VOLUME_TIE;
    const bTied = volumeError(b) <= best + VOLUME_TIE;
    if (aTied !== bTied) return aTied ? -1 : 1;
    if (aTied) return a.perOrderError - b.perOrderError;
    return volumeError(a) - volumeError(b);
  });
  const models = new Set(records.map((r) => r.model));
  const configuredKey = models.size === 1 ? [...models][0] : null;
  const configured = configuredKey !== null && keys.includes(configuredKey)
    ? scores.find((s) => s.key === configuredKey)!
    : null;

  const orderRoundTripMs = median(records.map((r) => r.restingMs - r.sentMs));
  const cancelRoundTripMs = median(
    records.filter((r) => r.end === "cancelled" && r.cancelSentMs !== null)
      .map((r) => r.endedMs - r.cancelSentMs!),
  );
  let market = 0;
  let wall = 0;
  for (const r of records) {
    if (r.restingMarketMs === null || r.endedMarketMs === null) continue;
    market += r.endedMarketMs - r.restingMarketMs;
    wall += r.endedMs - r.restingMs;
  }
  const marketPace = market > 0 && wall > 0 ? market / wall : 1;
  const fitted = ranked[0];
  const settings: Record<string, string> = {
    MM_QUEUE_MODEL: fitted.candidate.model,
    MM_QUEUE_PRIORITY_SHARE: `${fitted.candidate.priorityShare}`,
    MM_QUEUE_TURNOVER_S: `${fitted.candidate.turnoverS}`,
    MM_QUEUE_REQUOTE_SHARE: `${fitted.candidate.requoteShare}`,
  };
  if (orderRoundTripMs !== null) {
    settings.MM_ENTRY_LATENCY_MS = `${Math.round(orderRoundTripMs * marketPace)}`;
  }
  if (cancelRoundTripMs !== null) {
    settings.MM_CANCEL_LATENCY_MS = `${Math.round(cancelRoundTripMs * marketPace)}`;
  }
  return {
    records: records.length,
    realFilled,
    realUsd,
    scores: ranked,
    configured,
    fitted,
    orderRoundTripMs,
    cancelRoundTripMs,
    marketPace,
    settings,
  };
}

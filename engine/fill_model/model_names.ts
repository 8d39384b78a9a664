/**
 * Queue models by name, as `MM_QUEUE_MODEL`, `MM_QUEUE_PRIORITY_SHARE`, `MM_QUEUE_TURNOVER_S` and
 * `MM_QUEUE_REQUOTE_SHARE` configure them and as the live ledger and `calibrate-fills` know them:
 *
 * - `spec`: the 70% threshold rule (queue_model.ts; engine/fill_model/README.md);
 * - `queue`: ProbQueue with the power profile n = 2 (the default, `power:2` under its old name);
 * - `power:N`: ProbQueue, power profile n = N (hftbacktest's PowerProbQueueFunc);
 * - `tail:N`: ProbQueue, `1 − (front/(front+back))^N` (hftbacktest's PowerProbQueueFunc3);
 * - `log`: ProbQueue, logarithmic profile (hftbacktest's LogProbQueueFunc);
 * - `risk-averse`: every cancellation is behind us (hftbacktest's RiskAdverseQueueModel).
 */
import { specThresholdModel } from "./queue_model.ts";
import type { QueueFillModel } from "./queue_model.ts";
import {
  DEFAULT_QUEUE_POWER,
  logProbability,
  powerProbability,
  probQueueModel,
  type QueueProbability,
  riskAverseProbability,
  tailPowerProbability,
} from "./prob_queue.ts";

const NAMES = "spec, queue, power:N, tail:N, log, risk-averse";

function profile(name: string): QueueProbability | null {
  if (name === "queue") return powerProbability(DEFAULT_QUEUE_POWER);
  if (name === "log") return logProbability;
  if (name === "risk-averse") return riskAverseProbability;
  const match = /^(power|tail):(\d+(?:\.\d+)?)$/.exec(name);
  if (match === null) return null;
  const n = Number(match[2]);
  if (!(n > 0)) return null;
  return match[1] === "power" ? powerProbability(n) : tailPowerProbability(n);
}

/** Whether `name` is a queue model this module builds (see the module doc). */
export function isQueueModelName(name: string): boolean {
  return name === "spec" || profile(name) !== null;
}

/** One queue model and its settings, as the configuration, the ledger and calibration name it. */
export interface QueueCandidate {
  /** `MM_QUEUE_MODEL`. */
  model: string;
  /**
   * `MM_QUEUE_PRIORITY_SHARE`: share of the size added at our price in the priority window taken
   * to go ahead of us (0..1; ignored by `spec`).
   */
  priorityShare: number;
  /**
   * `MM_QUEUE_TURNOVER_S`: half-life of the queue ahead through turnover no book shows, seconds
   * (0: none; ignored by `spec`).
   */
  turnoverS: number;
  /**
   * `MM_QUEUE_REQUOTE_SHARE`: share of the queue ahead that re-prices away when the touch moves
   * (0..1; ignored by `spec`).
   */
  requoteShare: number;
}

/** Builds the queue model a candidate names; throws naming a bad value. */
export function createQueueModel(candidate: QueueCandidate): QueueFillModel {
  const { model, priorityShare, turnoverS, requoteShare } = candidate;
  if (model === "spec") return specThresholdModel();
  const probability = profile(model);
  if (probability === null) throw new Error(`queue model "${model}" is not one of ${NAMES}`);
  if (!(turnoverS >= 0)) throw new Error(`queue turnover ${turnoverS} s is not a number >= 0`);
  return probQueueModel(probability, {
    name: candidateKey(candidate),
    priorityShare,
    turnoverHalfLifeMs: turnoverS > 0 ? turnoverS * 1000 : Infinity,
    requoteShare,
  });
}

/**
 * The key a candidate is recorded under in the ledger, e.g. `power:1+priority:0.2+turnover:5`
 * or `risk-averse+requote:0.8` (settings at 0 are left out).
 */
export function candidateKey(c: QueueCandidate): string {
  return c.model + (c.priorityShare > 0 ? `+priority:${c.priorityShare}` : "") +
    (c.turnoverS > 0 ? `+turnover:${c.turnoverS}` : "") +
    (c.requoteShare > 0 ? `+requote:${c.requoteShare}` : "");
}

/** Reads a {@link candidateKey} back; throws naming a key that is not one. */
export function parseCandidateKey(key: string): QueueCandidate {
  const match =
    /^([^+]+)(?:\+priority:([0-9.]+))?(?:\+turnover:([0-9.]+))?(?:\+requote:([0-9.]+))?$/
      .exec(key);
  const priorityShare = Number(match?.[2] ?? 0);
  const turnoverS = Number(match?.[3] ?? 0);
  const requoteShare = Number(match?.[4] ?? 0);
  if (
    match === null || !isQueueModelName(match[1]) || !(priorityShare >= 0 && priorityShare <= 1) ||
    !(turnoverS >= 0) || !(requoteShare >= 0 && requoteShare <= 1)
  ) {
    throw new Error(
      `queue candidate "${key}" is not a model (${NAMES}) with optional +priority:SHARE, +turnover:SECONDS and +requote:SHARE`,
    );
  }
  return { model: match[1], priorityShare, turnoverS, requoteShare };
}

/**
 * The grid the live ledger predicts with besides the configured model, so `calibrate-fills` can
 * rank them on the same orders: three profiles from "a cancellation is as likely ahead as its
 * share of the queue" (power:1) to "always behind" (risk-averse); without and with a fifth of the
 * priority window's new size going ahead; no turnover or a 2 s half-life (the fitted crowd's
 * orders live 1.6–5 s: `cancelPerMs` in tools/venue_sim/market_fit.json); and none, half, 80% or
 * all of the queue ahead requoting away per tick the touch moves (the fit's `followShare`,
 * 0.26–1). 49 twins per order with the threshold (`spec`) model.
 */
export const CALIBRATION_CANDIDATES: readonly QueueCandidate[] = [
  { model: "spec", priorityShare: 0, turnoverS: 0, requoteShare: 0 },
  ...["power:1", "power:2", "risk-averse"].flatMap((model) =>
    [0, 0.2].flatMap((priorityShare) =>
      [0, 2].flatMap((turnoverS) =>
        [0, 0.5, 0.8, 1].map((requoteShare) => ({ model, priorityShare, turnoverS, requoteShare }))
      )
    )
  ),
];

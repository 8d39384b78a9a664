/**
 * Queue models by name, as `MM_QUEUE_MODEL` and `MM_QUEUE_PRIORITY_SHARE` configure them and as
 * the live ledger and `calibrate-fills` know them:
 *
 * - `spec`: the specification's 70% threshold (queue_model.ts);
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

/**
 * Builds the model `name` names, with `priorityShare` of the size added at our price in the
 * priority window taken to go ahead of us (ignored by `spec`); throws naming a bad value.
 */
export function createQueueModel(name: string, priorityShare = 0): QueueFillModel {
  if (name === "spec") return specThresholdModel();
  const probability = profile(name);
  if (probability === null) throw new Error(`queue model "${name}" is not one of ${NAMES}`);
  return probQueueModel(probability, { name, priorityShare });
}

/** One queue model and priority share, as the ledger records and calibration ranks them. */
export interface QueueCandidate {
  /** `MM_QUEUE_MODEL`. */
  model: string;
  /** `MM_QUEUE_PRIORITY_SHARE`. */
  priorityShare: number;
}

/** The key a candidate is recorded under in the ledger, e.g. `power:1` or `log+priority:0.2`. */
export function candidateKey(c: QueueCandidate): string {
  return c.priorityShare > 0 ? `${c.model}+priority:${c.priorityShare}` : c.model;
}

/** Reads a {@link candidateKey} back; throws naming a key that is not one. */
export function parseCandidateKey(key: string): QueueCandidate {
  const [model, priority] = key.split("+priority:");
  const priorityShare = priority === undefined ? 0 : Number(priority);
  if (!isQueueModelName(model) || !(priorityShare >= 0 && priorityShare <= 1)) {
    throw new Error(
      `queue candidate "${key}" is not a model (${NAMES}) with an optional +priority:S`,
    );
  }
  return { model, priorityShare };
}

/**
 * The grid the live ledger predicts with besides the configured model, so `calibrate-fills` can
 * rank them on the same orders: the profiles from "everything cancelled is ahead" to "nothing
 * is", each without and with part of the priority window's new size going ahead.
 */
export const CALIBRATION_CANDIDATES: readonly QueueCandidate[] = [
  "spec",
  "tail:0.5",
  "power:0.5",
  "power:1",
  "log",
  "power:2",
  "power:3",
  "tail:3",
  "risk-averse",
].flatMap((model) =>
  model === "spec"
    ? [{ model, priorityShare: 0 }]
    : [0, 0.2, 0.5].map((priorityShare) => ({ model, priorityShare }))
);

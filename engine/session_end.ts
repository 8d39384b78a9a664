/**
 * The end of a run, in every mode: the session report on the log and, outside replay, the
 * session record appended for Gate 5 (live records apart, in `data/live/`).
 */
import type { EngineConfig } from "./config.ts";
import type { EngineMode } from "./engine.ts";
import { formatLedger } from "./ledger/ledger_summary.ts";
import type { LiveLedger } from "./ledger/live_ledger.ts";
import { recordsDirFor } from "./mode_paths.ts";
import type { Logger } from "./log.ts";
import {
  appendSessionRecord,
  formatSessionReport,
  type SessionCounters,
  type SessionDays,
  type SessionRecord,
  type SessionSummary,
} from "./report.ts";
import { formatShadowReport } from "./shadow_log.ts";
import type { EngineStack } from "./stack.ts";
import { errorMessage } from "./util/errors.ts";

/** The counters a session record is made of. */
export function countersOf(summary: SessionSummary): SessionCounters {
  return {
    cancels: summary.cancels,
    fills: summary.fills,
    stallRecoveries: summary.stallRecoveries,
    pnlUsd: summary.pnlUsd,
    placed: summary.placed,
    requests: summary.requests,
    volumeUsd: summary.volumeUsd,
  };
}

/** Appends a session record: live ones to `data/live/`, apart from the Gate 5 shadow records. */
export function appendRecord(
  mode: EngineMode,
  dataDir: string,
  record: SessionRecord,
): Promise<void> {
  return appendSessionRecord(recordsDirFor(mode, dataDir), record);
}

/**
 * Prints the session report (live: with the ledger of real against predicted fills) and appends
 * the last Gate 5 session record.
 */
export async function finish(
  stack: EngineStack,
  log: Logger,
  config: EngineConfig,
  endMs: number,
  days: SessionDays | null,
  ledger: LiveLedger | null = null,
) {
  const summary = stack.engine.summary(endMs);
  log.info(stack.engine.sessionLine());
  log.info(formatSessionReport(summary));
  log.info(formatShadowReport(stack.portfolio, stack.adverse));
  await stack.shadowLog?.close();
  if (ledger) {
    await ledger.close();
    const lines = formatLedger(ledger.summary.rows(), ledger.summary.total());
    lines.push(
      `${ledger.ledger.untwinnedFills} fill(s) of orders filled before their resting answer ` +
        `(no twin); ${ledger.ledger.lateFills} fill(s) after their record was written; ` +
        `records in ${ledger.file.dir}/`,
    );
    log.info(lines.join("\n"));
  }
  if (days) {
    try {
      await appendRecord(stack.engine.mode, config.dataDir, days.final(endMs, countersOf(summary)));
    } catch (error) {
      log.error(`[REPORT] could not append the session record: ${errorMessage(error)}`);
    }
  }
  await log.flush();
}

/**
 * The ledger as a live run uses it: twins for every order (ledger.ts), each record appended to
 * `DATA/live/ledger/YYYY-MM-DD.jsonl` (UTC day the order ended) and added to the running
 * summary the session report, the status heartbeat and the metrics show.
 */
import { DailyJsonLog } from "../daily_json_log.ts";
import type { QueueCandidate } from "../fill_model/model_names.ts";
import { recordsDirFor } from "../live_start.ts";
import type { Logger } from "../log.ts";
import { FillLedger, type LedgerRecord } from "./ledger.ts";
import { LedgerSummary } from "./ledger_summary.ts";

/** Options of {@link createLiveLedger}. */
export interface LiveLedgerOptions {
  /** Root of runtime output (`MM_DATA_DIR`). */
  dataDir: string;
  /** The configured shadow model (`MM_QUEUE_MODEL`, `MM_QUEUE_PRIORITY_SHARE`). */
  model: QueueCandidate;
  log: Logger;
  /** Wall clock, ms. */
  now: () => number;
  /** Grace for late fills, ms (see ledger.ts). */
  graceMs?: number;
}

/** The live run's ledger, its file and its summary. */
export interface LiveLedger {
  readonly ledger: FillLedger;
  readonly summary: LedgerSummary;
  readonly file: DailyJsonLog<LedgerRecord>;
  /** Writes every ended order's record (grace or not) and flushes the file. */
  close(): Promise<void>;
}

/** Folder of the ledger files under the data root. */
export function ledgerDir(dataDir: string): string {
  return `${recordsDirFor("live", dataDir)}/ledger`;
}

/** Builds the live ledger (nothing touches the disk before its first record). */
export function createLiveLedger(options: LiveLedgerOptions): LiveLedger {
  const summary = new LedgerSummary();
  const file = new DailyJsonLog<LedgerRecord>({
    dir: ledgerDir(options.dataDir),
    what: "ledger records",
    timeOf: (record) => record.endedMs,
    onError: (error) => options.log.error(`[LEDGER] ${error.message}`),
  });
  const ledger = new FillLedger({
    model: options.model,
    now: options.now,
    graceMs: options.graceMs,
    write: (record) => {
      summary.add(record);
      file.append(record);
    },
  });
  return {
    ledger,
    summary,
    file,
    close() {
      ledger.flush();
      return file.close();
    },
  };
}

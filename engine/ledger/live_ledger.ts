/**
 * The ledger as a live run uses it: twins for every order (ledger.ts), fed off the quoting path
 * (deferred_ledger.ts), each record appended to `DATA/live/ledger/YYYY-MM-DD.jsonl` (UTC day the
 * order ended) and added to the running summary the session report, the status heartbeat and the
 * metrics show.
 */
import { DailyJsonLog } from "../daily_json_log.ts";
import type { QueueCandidate } from "../fill_model/model_names.ts";
import { recordsDirFor } from "../mode_paths.ts";
import type { Logger } from "../log.ts";
import { DeferredLedger } from "./deferred_ledger.ts";
import { FillLedger, type LedgerRecord } from "./ledger.ts";
import { LedgerSummary } from "./ledger_summary.ts";

/** Options of {@link createLiveLedger}. */
export interface LiveLedgerOptions {
  /** Root of runtime output (`MM_DATA_DIR`). */
  dataDir: string;
  /** The configured shadow model (`MM_QUEUE_MODEL`, `MM_QUEUE_PRIORITY_SHARE`). */
  model: QueueCandidate;
  log: Logger;
  /** Wall clock, ms (default `Date.now`). */
  now?: () => number;
  /** Grace for late fills, ms (see ledger.ts). */
  graceMs?: number;
}

/** The live run's ledger, its file and its summary. */
export interface LiveLedger {
  /** What the live venue feeds (the ledger's inputs, replayed after each task). */
  readonly input: DeferredLedger;
  readonly ledger: FillLedger;
  readonly summary: LedgerSummary;
  readonly file: DailyJsonLog<LedgerRecord>;
  /** Replays what is queued, writes every ended order's record (grace or not), flushes the file. */
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
  const input = new DeferredLedger(
    (now) =>
      new FillLedger({
        model: options.model,
        now,
        graceMs: options.graceMs,
        write: (record) => {
          summary.add(record);
          file.append(record);
        },
      }),
    options.now,
    options.log,
  );
  const ledger = input.ledger;
  return {
    input,
    ledger,
    summary,
    file,
    close() {
      input.drain();
      ledger.flush();
      return file.close();
    },
  };
}

/**
 * The reader of each recording format `detectFormat` names: one table for `deno task import` and
 * the market fit, so a new format is read the same way by both.
 */
import type { FormatName, RecordedEvent } from "./formats.ts";
import { readCapture } from "./hftbacktest.ts";
import { readTardisIncremental, readTardisSnapshots, readTardisTrades } from "./tardis.ts";
import { readWideBooks, readWideTrades } from "./wide_csv.ts";

/** Reads one file of a format as recorded events, optionally of one `coin` only. */
export type RecordingReader = (
  path: string,
  coin: string | undefined,
) => AsyncGenerator<RecordedEvent>;

/** The reader of every format. */
export const RECORDING_READERS: Readonly<Record<FormatName, RecordingReader>> = {
  "wide book snapshots": readWideBooks,
  "wide trades": readWideTrades,
  "hftbacktest capture": readCapture,
  "Tardis incremental_book_L2": readTardisIncremental,
  "Tardis book_snapshot": readTardisSnapshots,
  "Tardis trades": readTardisTrades,
};

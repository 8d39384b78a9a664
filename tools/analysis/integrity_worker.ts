/**
 * Worker entry: runs the integrity check (tools/integrity.ts) for gate 5 on another thread, so
 * that re-reading every harvested file overlaps the coin-by-coin pass instead of following it.
 * Receives {@link IntegrityOptions}; posts `{ report }` or `{ error }`.
 */

/// <reference lib="deno.worker" />

import { checkIntegrity, type IntegrityOptions } from "../integrity.ts";
import { errorMessage } from "../../engine/util/errors.ts";

self.onmessage = async (event: MessageEvent<IntegrityOptions>) => {
  try {
    self.postMessage({ report: await checkIntegrity(event.data) });
  } catch (error) {
    self.postMessage({ error: errorMessage(error) });
  }
};

/**
 * Where each mode keeps its files under the data folder: live apart from shadow and demo, so one
 * never blocks or mixes with the other, and Gate 5 reads shadow's records only.
 */

/** Where a mode keeps its state file: live apart from shadow, so one never blocks the other. */
export function statePathFor(mode: string, dataDir: string): string {
  return mode === "live"
    ? `${dataDir}/state/live_state.json`
    : `${dataDir}/state/engine_state.json`;
}

/** Where a mode's fills file and session records go: live apart from the Gate 5 shadow data. */
export function recordsDirFor(mode: string, dataDir: string): string {
  return mode === "live" ? `${dataDir}/live` : `${dataDir}/shadow`;
}

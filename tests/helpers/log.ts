/** A logger for tests: it keeps each line (prefixed with its level) so a test can read it. */
import type { Logger } from "../../engine/log.ts";

/** A synchronous logger whose lines are kept in `lines`, e.g. `WARN market data stalled …`. */
export function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    error: (m) => lines.push(`ERROR ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    info: (m) => lines.push(`INFO ${m}`),
    debug: (m) => lines.push(`DEBUG ${m}`),
    enabled: () => true,
    flush: () => Promise.resolve(),
    dropped: 0,
  };
}

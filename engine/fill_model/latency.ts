/**
 * Order latency for shadow orders, behind a small interface as hftbacktest keeps its latency
 * models apart from its queue and fee models: how long after the decision an order rests at the
 * exchange, and how long after the decision a cancel takes effect (until then the order still
 * fills, as a live order does while its cancel is in flight). Market time, ms.
 */

/** Entry and cancel latency of shadow orders, ms of market time. */
export interface LatencyModel {
  /** From a quote decision to the order resting (`MM_ENTRY_LATENCY_MS`). */
  readonly entryMs: number;
  /** From a cancel decision to the exchange applying it (`MM_CANCEL_LATENCY_MS`). */
  readonly cancelMs: number;
}

function checked(what: string, ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) {
    throw new Error(`${what} latency ${ms} ms is not a number >= 0`);
  }
  return ms;
}

/**
 * hftbacktest's ConstantLatency: the same entry and cancel latency for every order (the cancel's
 * defaults to the entry's: one round trip each). Throws naming a negative or non-finite value.
 */
export function constantLatency(entryMs: number, cancelMs: number = entryMs): LatencyModel {
  return { entryMs: checked("entry", entryMs), cancelMs: checked("cancel", cancelMs) };
}

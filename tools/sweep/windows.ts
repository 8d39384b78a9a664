/**
 * Market-time windows of parsed replay data, for walk-forward sweeps: the events of
 * [fromMs, toMs) as a {@link ReplayData} of views on the same columns (nothing is copied, and the
 * full-depth books stay shared: a replay only reads them).
 *
 * @module
 */
import type { ReplayData } from "../../engine/replay.ts";

/** One window: its market-time bounds (ms since the epoch) and its events. */
export interface ReplayWindow {
  fromMs: number;
  toMs: number;
  data: ReplayData;
}

/** First index whose time is at or after `timeMs` (the times ascend). */
function lowerBound(times: Float64Array, timeMs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The events of [fromMs, toMs), as views on `data`'s columns. */
export function sliceReplay(data: ReplayData, fromMs: number, toMs: number): ReplayData {
  const start = lowerBound(data.timeMs, fromMs);
  const end = Math.max(start, lowerBound(data.timeMs, toMs));
  return {
    ...data,
    length: end - start,
    kind: data.kind.subarray(start, end),
    timeMs: data.timeMs.subarray(start, end),
    coin: data.coin.subarray(start, end),
    a: data.a.subarray(start, end),
    b: data.b.subarray(start, end),
    buyer: data.buyer.subarray(start, end),
    tid: data.tid.subarray(start, end),
  };
}

/**
 * Consecutive windows of `windowMs` from the UTC midnight of the first event's day, each with
 * its events; windows without events are left out. Throws naming a bad length.
 */
export function splitWindows(data: ReplayData, windowMs: number): ReplayWindow[] {
  if (!(windowMs >= 60_000) || !Number.isFinite(windowMs)) {
    throw new RangeError(
      `sweep: a walk-forward window must be at least a minute, got ${windowMs} ms`,
    );
  }
  if (data.length === 0) return [];
  const DAY_MS = 86_400_000;
  const origin = Math.floor(data.timeMs[0] / DAY_MS) * DAY_MS;
  const last = data.timeMs[data.length - 1];
  const windows: ReplayWindow[] = [];
  for (let from = origin; from <= last; from += windowMs) {
    const slice = sliceReplay(data, from, from + windowMs);
    if (slice.length > 0) windows.push({ fromMs: from, toMs: from + windowMs, data: slice });
  }
  return windows;
}

// Latency ring: the last LATENCY_CAPACITY samples, nearest-rank percentiles on demand.
//
// A query sorts a scratch copy inside kernel memory (LSD radix sort on the f64 bit
// patterns, which order like the values for non-negative numbers), once per batch of
// queries: the sorted copy is reused until the next sample arrives.

import {
  LATENCY_CAPACITY,
  LATENCY_HISTOGRAM_OFFSET,
  LATENCY_RING_OFFSET,
  LATENCY_SORT_A_OFFSET,
  LATENCY_SORT_B_OFFSET,
} from "../layout";

let head: i32 = 0;
let count: i32 = 0;
let sorted: i32 = 0; // address of the sorted copy, 0 while stale

/** Records one sample (finite, >= 0, e.g. microseconds); returns 1 if taken, 0 if rejected. */
export function latencyRecord(sample: f64): i32 {
  if (!(sample >= 0.0 && sample - sample == 0.0)) return 0;
  store<f64>(LATENCY_RING_OFFSET + (head << 3), sample + 0.0); // + 0.0 turns -0 into +0
  head = head + 1 == LATENCY_CAPACITY ? 0 : head + 1;
  if (count < LATENCY_CAPACITY) count++;
  sorted = 0;
  return 1;
}

/** Samples held (at most LATENCY_CAPACITY). */
export function latencyCount(): i32 {
  return count;
}

/** Forgets every sample. */
export function latencyReset(): void {
  head = 0;
  count = 0;
  sorted = 0;
}

/** Nearest-rank percentile p in [0, 100] (sorted[ceil(p * n / 100) - 1]); NaN if empty or p invalid. */
export function latencyPercentile(p: f64): f64 {
  if (count == 0 || !(p >= 0.0 && p <= 100.0)) return NaN;
  if (sorted == 0) sorted = sortCopy();
  let rank = <i32>Math.ceil(p * <f64>count / 100.0);
  if (rank < 1) rank = 1;
  return load<f64>(sorted + ((rank - 1) << 3));
}

function sortCopy(): i32 {
  const n = count;
  memory.fill(LATENCY_HISTOGRAM_OFFSET, 0, 8 * 256 * 4);
  for (let i = 0; i < n; i++) {
    const bits = load<u64>(LATENCY_RING_OFFSET + (i << 3));
    store<u64>(LATENCY_SORT_A_OFFSET + (i << 3), bits);
    for (let d = 0; d < 8; d++) {
      const at = LATENCY_HISTOGRAM_OFFSET + ((d << 8) + <i32>((bits >> (<u64>d << 3)) & 0xff) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
  }
  let src = LATENCY_SORT_A_OFFSET;
  let dst = LATENCY_SORT_B_OFFSET;
  const first = load<u64>(src);
  for (let d = 0; d < 8; d++) {
    const shift = <u64>d << 3;
    const histogram = LATENCY_HISTOGRAM_OFFSET + (d << 10);
    // Every sample has the same byte here: this pass would not move anything.
    if (<i32>load<u32>(histogram + (<i32>((first >> shift) & 0xff) << 2)) == n) continue;
    let sum: u32 = 0;
    for (let b = 0; b < 256; b++) {
      const at = histogram + (b << 2);
      const c = load<u32>(at);
      store<u32>(at, sum);
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const bits = load<u64>(src + (i << 3));
      const at = histogram + (<i32>((bits >> shift) & 0xff) << 2);
      const pos = load<u32>(at);
      store<u32>(at, pos + 1);
      store<u64>(dst + (<i32>pos << 3), bits);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * Which rows of a day file are out of time order. A harvested file is written in time order, so
 * disorder means a few damaged timestamps, and the question is which rows they are: one row
 * that jumps forward makes every later row lower than the running maximum, yet only that one
 * row is wrong. So a row is judged against its neighbours, never against the running maximum:
 *
 * 1. A row breaks order with both neighbours when they are in order with each other and it is
 *    not between them (a spike forward or back). The left neighbour is the last row kept.
 * 2. Whatever disorder remains (a run of damaged rows, a row at the edge of the file) is
 *    resolved by keeping the longest subsequence in time order, so the fewest rows are dropped.
 *
 * A jump forward that stays in order (the harvester was stopped) is a gap, never a bad row:
 * integrity reports gaps separately.
 */

/** Why a row is out of order: it breaks order with both neighbours, or it is off the longest run. */
export type OrderVerdict = "spike" | "disorder";

/**
 * The rows (positions into `timeMs`) out of time order, each with its verdict, in position
 * order; empty for a file in order (the common case costs one pass).
 */
export function outOfOrder(timeMs: ArrayLike<number>): { at: number; verdict: OrderVerdict }[] {
  const n = timeMs.length;
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = timeMs[i] >= timeMs[i - 1];
  if (ordered) return [];
  const bad = new Uint8Array(n);
  // Step 1: spikes, judged against the last kept row and the next row.
  let left = -1;
  for (let i = 0; i < n; i++) {
    const t = timeMs[i];
    if (left >= 0 && i + 1 < n) {
      const before = timeMs[left], after = timeMs[i + 1];
      if (before <= after && (t < before || t > after)) {
        bad[i] = 1;
        continue;
      }
    }
    left = i;
  }
  // Step 2: longest non-decreasing subsequence of the rest (patience sorting, O(n log n)).
  // tails[k] is the row ending the best subsequence of length k + 1 found so far.
  const tails: number[] = [];
  const previous = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (bad[i]) continue;
    const t = timeMs[i];
    let lo = 0, hi = tails.length;
    if (hi > 0 && timeMs[tails[hi - 1]] <= t) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timeMs[tails[mid]] <= t) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const keep = new Uint8Array(n);
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) {
    keep[i] = 1;
  }
  const out: { at: number; verdict: OrderVerdict }[] = [];
  for (let i = 0; i < n; i++) {
    if (bad[i]) out.push({ at: i, verdict: "spike" });
    else if (!keep[i]) out.push({ at: i, verdict: "disorder" });
  }
  return out;
}

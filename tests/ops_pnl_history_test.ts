/** The status page's PnL series: every point kept while it fits, then thinned evenly, never unbounded. */
import assert from "node:assert/strict";
import { PnlHistory } from "../engine/ops/pnl_history.ts";

Deno.test("points come at the chosen spacing; offers in between are skipped", () => {
  const history = new PnlHistory({ everyMs: 5_000, maxPoints: 10 });
  for (let t = 0; t <= 20_000; t += 1_000) history.record(t, t / 1_000);
  assert.deepEqual(history.points(), [[0, 0], [5_000, 5], [10_000, 10], [15_000, 15], [
    20_000,
    20,
  ]]);
});

Deno.test("a long session keeps its start and an even spacing within the bound", () => {
  const history = new PnlHistory({ everyMs: 1_000, maxPoints: 8 });
  // 100 s at one offer a second.
  for (let t = 0; t <= 100_000; t += 1_000) history.record(t, t);
  const points = history.points();
  assert.ok(points.length <= 8, `${points.length} points`);
  assert.deepEqual(points[0], [0, 0], "the session's start stays on the chart");
  const gaps = points.slice(1).map((p, i) => p[0] - points[i][0]);
  assert.ok(gaps.every((g) => g === gaps[0]), `even spacing: ${gaps}`);
  assert.equal(history.everyMs, gaps[0]);
  assert.ok(100_000 - points.at(-1)![0] < history.everyMs, "and reaches the present");
});

Deno.test("a series that cannot work is refused by name", () => {
  assert.throws(
    () => new PnlHistory({ everyMs: 0 }),
    /PnlHistory needs everyMs > 0 and maxPoints ≥ 2, got 0 and 720/,
  );
});

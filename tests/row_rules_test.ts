/**
 * The one definition of a valid harvested row (engine/csv_rows.ts, engine/csv_scan.ts,
 * engine/time_order.ts) that the harvester, import, convert, integrity, analysis and replay share.
 */
import assert from "node:assert/strict";
import { isRowError, parseDecimal, parseTickLine, TICK_HEADER } from "../engine/csv_rows.ts";
import { scanTicks } from "../engine/csv_scan.ts";
import { outOfOrder } from "../engine/time_order.ts";

const DAY = "2026-02-20";
const T0 = Date.parse(`${DAY}T00:00:00Z`);

/** What scanning a one-row tick file says about the row: null when it is good, else the reason. */
function verdict(row: string): string | null {
  const scan = scanTicks(`${TICK_HEADER}\n${row}\n`, { coin: "ETH", day: DAY });
  return scan.rows === 1 ? null : scan.bad[0].reason;
}

Deno.test("numbers are decimals: hex, binary, Infinity, empty and padded fields are not", () => {
  assert.equal(parseDecimal("109741.0"), 109741);
  assert.equal(parseDecimal("1e-05"), 0.00001);
  for (const text of ["0x64", "0b1", "0o7", "Infinity", "", " 5", "5 ", "1_0", "1e", "."]) {
    assert.ok(Number.isNaN(parseDecimal(text)), text);
  }
  const good = [T0, "ETH", "2500", "2500.5", "2500.25", "2.0000"];
  assert.equal(verdict(good.join(",")), null);
  // Each numeric field in turn: the scanner's fast path and the parser refuse the same text.
  for (const at of [0, 2, 3, 4, 5]) {
    for (const text of ["0x64", "0X64", " 100", "100 ", "+Infinity", "0b1100100"]) {
      const row = good.map((v, i) => i === at ? text : v).join(",");
      assert.notEqual(verdict(row), null, row);
      assert.ok(isRowError(parseTickLine(row)), row);
    }
  }
  assert.equal(verdict(`${T0},ETH,2500,2500.5,2500.25,.5`), null, "a leading dot is a decimal");
});

Deno.test("impossible quotes are corrupt, each with its reason", () => {
  const cases: [string, RegExp][] = [
    [`${T0},ETH,2500,2500.5,0,2.0000`, /mid 0 is not positive/],
    [`${T0},ETH,2500,2500.5,-1,2.0000`, /mid -1 is not positive/],
    [`${T0},ETH,2500,2500.5,2499.9,2.0000`, /mid 2499\.9 is outside bid 2500 \.\. ask 2500\.5/],
    [`${T0},ETH,2500,2500.5,2500.25,-0.1`, /spread_bps -0\.1 is negative or not finite/],
    [`${T0},ETH,2500,2500.5,2500.25,NaN`, /spread_bps "NaN" is not a number/],
    [`${T0},ETH,2500.5,2500.5,2500.5,0`, /bid 2500\.5 >= ask 2500\.5 \(crossed or locked book\)/],
    [`${T0},ETH,2501,2500,2500.5,2.0000`, /bid 2501 >= ask 2500/],
  ];
  for (const [row, reason] of cases) assert.match(verdict(row) ?? "good", reason, row);
  // The edges of the quote are inside it.
  assert.equal(verdict(`${T0},ETH,2500,2500.5,2500,2.0000`), null);
  assert.equal(verdict(`${T0},ETH,2500,2500.5,2500.5,0`), null);
});

Deno.test("a time out of order costs the row that is out of place, never its neighbours", () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => 1000 * i);
  const at = (times: number[]) => outOfOrder(times).map((r) => `${r.at}:${r.verdict}`);
  assert.deepEqual(at(steps(10)), [], "in order: nothing to look at");
  assert.deepEqual(at([0, 1000, 1000, 60_000_000, 60_000_500]), [], "a gap is not a bad row");
  const ahead = steps(10);
  ahead[4] = 68_400_000;
  assert.deepEqual(at(ahead), ["4:spike"], "one time 19 h ahead");
  const behind = steps(10);
  behind[6] = 5;
  assert.deepEqual(at(behind), ["6:spike"], "one time far behind");
  const first = steps(10);
  first[0] = 68_400_000;
  assert.deepEqual(at(first), ["0:disorder"], "the first row ahead of the file");
  const last = steps(10);
  last[9] = 5;
  assert.deepEqual(at(last), ["9:disorder"], "the last row behind the file");
  const secondToLast = steps(10);
  secondToLast[8] = 68_400_000;
  assert.deepEqual(at(secondToLast), ["8:spike"], "ahead, with one row after it");
  assert.deepEqual(at([1000, 5, 2000, 3000]), ["1:spike"], "behind, with one row before it");
  const pair = steps(12);
  pair[5] = 68_400_000;
  pair[6] = 68_400_001;
  assert.deepEqual(at(pair), ["5:disorder", "6:disorder"], "two rows ahead together");
  assert.deepEqual(at([0, 2000, 1000, 3000]).length, 1, "a swapped pair costs one row");
});

Deno.test("scanning names the one row out of place in a long day, and keeps the rest in order", () => {
  const rows = Array.from(
    { length: 2000 },
    (_, i) => `${T0 + 500 * i},ETH,2500,2500.5,2500.25,2.0000`,
  );
  rows[700] = `${T0 + 19 * 3600_000},ETH,2500,2500.5,2500.25,2.0000`;
  const scan = scanTicks(`${TICK_HEADER}\n${rows.join("\n")}\n`, {
    coin: "ETH",
    day: DAY,
    keepLines: true,
  });
  assert.equal(scan.rows, 1999);
  assert.deepEqual(scan.bad.map((b) => [b.line, b.text]), [[702, rows[700]]]);
  assert.match(
    scan.bad[0].reason,
    /breaks time order with both neighbours \(\d+ before, \d+ after\)/,
  );
  assert.equal(scan.goodLines?.length, 1999);
  assert.ok(!scan.goodLines?.includes(rows[700]));
  const ts = scan.columns.timestampMs;
  assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]));
  assert.equal(ts[700], T0 + 500 * 701, "the columns moved up over the dropped row");
});

Deno.test("out-of-order rows are named by their own line among other bad lines", () => {
  const row = (t: number, bid = "2500") => `${T0 + t},ETH,${bid},2500.5,2500.25,2.0000`;
  const text = [
    "time,coin,bid,ask,mid,spread_bps",
    row(0),
    row(1000, "x"),
    row(2000),
    row(90_000_000 % 86_400_000),
    row(3000),
    row(4000),
    "",
  ];
  const scan = scanTicks(text.join("\n"), { coin: "ETH", day: DAY });
  assert.deepEqual(scan.bad.map((b) => b.line), [1, 3, 5]);
  assert.match(scan.bad[2].reason, /breaks time order/);
  assert.equal(scan.bad[2].text, text[4]);
  assert.equal(scan.rows, 4);
});

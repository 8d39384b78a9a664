/**
 * Gate 5's shadow-honesty check over a live pilot's ledger: enough orders, and the shadow model's
 * filled volume on them within the tolerance of the real one.
 */
import assert from "node:assert/strict";
import { analyze } from "../tools/analyze.ts";
import type { Gate5Check, Gate5Result } from "../tools/analysis/gate5.ts";
import type { LedgerRecord } from "../engine/ledger/ledger.ts";

const T0 = Date.parse("2026-02-20T10:00:00Z");
const NAME = "shadow honesty (live ledger, real / predicted volume)";

/** `n` orders of $100, `realShare` of them filled at the exchange, `predictedShare` in prediction. */
function records(n: number, realShare: number, predictedShare: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const record: LedgerRecord = {
      coin: "ETH",
      side: i % 2 ? "bid" : "ask",
      level: 1,
      oid: i + 1,
      px: 2000,
      sz: 0.05,
      sentMs: T0 + i * 1000,
      restingMs: T0 + i * 1000 + 40,
      cancelSentMs: null,
      endedMs: T0 + i * 1000 + 900,
      restingMarketMs: T0 + i * 1000 + 20,
      endedMarketMs: T0 + i * 1000 + 880,
      end: "gone",
      realSz: i < n * realShare ? 0.05 : 0,
      realFirstMs: null,
      model: "queue",
      predictedSz: i < n * predictedShare ? 0.05 : 0,
      predictedFirstMs: null,
      cause: null,
      candidates: {},
    };
    lines.push(JSON.stringify(record) + "\n");
  }
  return lines.join("");
}

/** Gate 5's ledger check over a data folder whose live ledger holds `ledger` (null: none). */
async function ledgerCheckOf(
  ledger: string | null,
  minOrders = 500,
  minFilled = 100,
): Promise<Gate5Check> {
  const dir = await Deno.makeTempDir();
  try {
    if (ledger !== null) {
      await Deno.mkdir(`${dir}/live/ledger`, { recursive: true });
      await Deno.writeTextFile(`${dir}/live/ledger/2026-02-20.jsonl`, ledger);
    }
    const [report] = await analyze({
      dataDir: dir,
      gate: 5,
      nowMs: Date.parse("2026-03-01T00:00:00Z"),
      print: () => {},
      ledgerGate: { minOrders, minFilled, tolerance: 0.1 },
    });
    const check = (report.result as Gate5Result).checks.find((c) => c.name === NAME);
    assert.ok(check, report.text);
    assert.match(report.text, /shadow honesty/);
    return check;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("gate 5 trusts shadow when 500 ledger orders filled within 10% of its prediction", async () => {
  // 220 real fills against 210 predicted: real / predicted 1.048.
  const check = await ledgerCheckOf(records(600, 220 / 600, 210 / 600));
  assert.equal(check.pass, true);
  assert.equal(check.value, 1.048);
  assert.equal(check.threshold, "within ±10%, >= 500 orders, >= 100 filled");
  assert.match(
    check.note,
    /^600 orders \(220 filled\), real \$22000 vs predicted \$21000 \(queue\)$/,
  );
});

Deno.test("gate 5 does not trust shadow with too few orders, a wide gap, or no pilot", async () => {
  const few = await ledgerCheckOf(records(100, 0.3, 0.3));
  assert.equal(few.pass, false);
  assert.match(few.note, /needs 400 more orders/);
  // Shadow predicted half of what filled: its PnL would be half the truth.
  const optimistic = await ledgerCheckOf(records(600, 0.4, 0.2));
  assert.equal(optimistic.value, 2);
  assert.equal(optimistic.pass, false);
  const none = await ledgerCheckOf(null);
  assert.equal(none.pass, false);
  assert.match(none.note, /no live ledger: run a small live pilot first/);
  // Enough orders but hardly any filled: a ratio of two fills proves nothing.
  const unfilled = await ledgerCheckOf(records(600, 2 / 600, 2 / 600));
  assert.equal(unfilled.value, 1);
  assert.equal(unfilled.pass, false);
  assert.match(unfilled.note, /needs 98 more filled orders/);
  // The counts are the operator's to set.
  assert.equal((await ledgerCheckOf(records(100, 0.3, 0.3), 100, 30)).pass, true);
});

Deno.test("a bad ledger line is named with its file and line", async () => {
  await assert.rejects(
    ledgerCheckOf(records(2, 1, 1) + '{"coin":"ETH","side":"up"}\n' + records(1, 1, 1)),
    /2026-02-20\.jsonl:3: field side is not bid or ask/,
  );
});

Deno.test("gate 5 judges the model shadow runs now: a recalibrated pilot's orders, not earlier ones", async () => {
  // 600 orders under the old model, where shadow predicted half; then 600 under the fitted one.
  const old = records(600, 0.4, 0.2);
  const fitted = records(600, 220 / 600, 210 / 600).replaceAll(
    '"model":"queue"',
    '"model":"power:1"',
  );
  const check = await ledgerCheckOf(old + fitted);
  assert.equal(check.pass, true);
  assert.equal(check.value, 1.048);
  assert.match(check.note, /\(power:1\); 600 orders of earlier models left out/);
});

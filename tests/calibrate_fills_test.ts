/**
 * `calibrate-fills` as an operator uses it: ledger files in, the model that predicted the real
 * fills best and the settings to run it with out.
 */
import assert from "node:assert/strict";
import { calibrate } from "../engine/ledger/calibrate.ts";
import type { LedgerRecord } from "../engine/ledger/ledger.ts";
import { main } from "../tools/calibrate_fills.ts";

const T0 = Date.parse("2026-12-03T12:00:00Z");

/**
 * One $100 order (px 1000, size 0.1) per entry: whether it filled for real, and per candidate
 * whether it filled in prediction. Round trips 40 ms (order) and 30 ms (cancel); the market clock
 * runs `pace` × the wall clock.
 */
function ledger(
  orders: { real: boolean; predicted: Record<string, boolean> }[],
  pace = 1,
): LedgerRecord[] {
  return orders.map((o, i) => {
    const restingMs = T0 + i * 10_000;
    const endedMs = restingMs + 2_000;
    const candidates: Record<string, [number, number | null]> = {};
    for (const [key, filled] of Object.entries(o.predicted)) {
      candidates[key] = [filled ? 0.1 : 0, filled ? restingMs + 500 : null];
    }
    return {
      coin: "ETH",
      side: "bid",
      level: 1,
      oid: i + 1,
      px: 1000,
      sz: 0.1,
      sentMs: restingMs - 40,
      restingMs,
      cancelSentMs: o.real ? null : endedMs - 30,
      endedMs,
      restingMarketMs: restingMs,
      endedMarketMs: restingMs + 2_000 * pace,
      end: o.real ? "filled" : "cancelled",
      realSz: o.real ? 0.1 : 0,
      realFirstMs: o.real ? restingMs + 400 : null,
      model: "queue",
      predictedSz: candidates.queue[0],
      predictedFirstMs: candidates.queue[1],
      cause: candidates.queue[0] > 0 ? "queue" : null,
      candidates,
    };
  });
}

// Ten orders; four filled for real (orders 0–3). "queue" fills two of them; "power:1" fills four,
// but the wrong four (2–5); "tail:0.5+turnover:5" fills the right four.
const ORDERS = Array.from({ length: 10 }, (_, i) => ({
  real: i < 4,
  predicted: {
    queue: i < 2,
    "power:1": i >= 2 && i < 6,
    "tail:0.5+turnover:5": i < 4,
    spec: i < 8,
  },
}));

Deno.test("the fitted model matches the real volume, and the right orders beat the right total", () => {
  const c = calibrate(ledger(ORDERS));
  assert.equal(c.records, 10);
  assert.equal(c.realFilled, 4);
  assert.equal(c.configured?.key, "queue");
  assert.equal(c.configured?.realOverPredicted, 2, "queue predicted half of what filled");
  // Both "power:1" and "tail:0.5+turnover:5" predict the full $40; only one fills the right orders.
  assert.equal(c.fitted.key, "tail:0.5+turnover:5");
  assert.equal(c.fitted.realOverPredicted, 1);
  assert.equal(c.fitted.perOrderError, 0);
  // Then by volume error, symmetric: spec predicting twice the real volume (0.5) is as wrong as
  // queue predicting half of it (2); neither gets an edge for being optimistic.
  assert.deepEqual(c.scores.map((s) => s.key), ["tail:0.5+turnover:5", "power:1", "queue", "spec"]);
  assert.equal(c.scores[2].realOverPredicted, 2);
  assert.equal(c.scores[3].realOverPredicted, 0.5);
  assert.equal(c.scores[1].perOrderError, 1, "$20 wrong each way over $40 real");
  assert.deepEqual(c.settings, {
    MM_QUEUE_MODEL: "tail:0.5",
    MM_QUEUE_PRIORITY_SHARE: "0",
    MM_QUEUE_TURNOVER_S: "5",
    MM_QUEUE_REQUOTE_SHARE: "0",
    MM_ENTRY_LATENCY_MS: "40",
    MM_CANCEL_LATENCY_MS: "30",
  });
});

Deno.test("round trips become market time at the market clock's pace (the simulator's --rate)", () => {
  const c = calibrate(ledger(ORDERS, 10));
  assert.equal(c.marketPace, 10);
  assert.equal(c.settings.MM_ENTRY_LATENCY_MS, "400");
  assert.equal(c.settings.MM_CANCEL_LATENCY_MS, "300");
});

Deno.test("a ledger where nothing filled cannot calibrate, and says so", () => {
  assert.throws(
    () => calibrate(ledger(ORDERS.map((o) => ({ ...o, real: false })))),
    /none of the 10 ledger orders filled at the exchange: nothing to calibrate against/,
  );
  assert.throws(() => calibrate([]), /no ledger records to calibrate on/);
});

/** Runs the command on ledger lines written to a temporary folder. */
async function run(lines: string, ...flags: string[]) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/2026-12-03.jsonl`, lines);
    const printed: string[] = [];
    const code = await main([dir, ...flags], (line) => printed.push(line));
    return { code, text: printed.join("\n") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const FILE = ledger(ORDERS).map((r) => JSON.stringify(r) + "\n").join("");

Deno.test("calibrate-fills prints before, after and the settings to put in the configuration", async () => {
  const { code, text } = await run(FILE);
  assert.equal(code, 0, text);
  assert.match(text, /10 ledger orders, 4 filled at the exchange \(\$400\.00\)/);
  assert.match(text, /before \(configured\) queue: real\/predicted 2\.000, per-order error 0\.500/);
  assert.match(text, /after \(fitted\) tail:0\.5\+turnover:5: real\/predicted 1\.000/);
  assert.match(text, /order 40 ms, cancel 30 ms; market clock 1\.00× the wall clock/);
  assert.match(text, /^MM_QUEUE_MODEL=tail:0\.5$/m);
  assert.match(text, /^MM_QUEUE_TURNOVER_S=5$/m);
  // Out of sample: one candidate scored, nothing fitted.
  const check = await run(FILE, "--check", "power:1");
  assert.match(check.text, /10 orders, power:1: real\/predicted 1\.000, per-order error 1\.000/);
});

Deno.test("calibrate-fills names a bad line, a missing folder and an unknown candidate", async () => {
  const bad = await run(FILE + '{"coin":"ETH","side":"bid","level":"one"}\n' + FILE);
  assert.equal(bad.code, 1);
  assert.match(bad.text, /2026-12-03\.jsonl:11: field level is not a finite number/);
  const printed: string[] = [];
  assert.equal(await main(["/nonexistent/ledger"], (l) => printed.push(l)), 1);
  assert.match(printed[0], /\/nonexistent\/ledger: no such ledger file or folder/);
  const unknown = await run(FILE, "--check", "fifo");
  assert.match(unknown.text, /ledger record of order 1 has no "fifo"/);
  assert.equal(await main([], () => {}), 2);
});

Deno.test("a run still writing its ledger: the unfinished last line is not data", async () => {
  const { code, text } = await run(FILE + '{"coin":"ETH","si');
  assert.equal(code, 0, text);
  assert.match(text, /^10 ledger orders/);
});

Deno.test("ledgers of different grids, or a grid that filled nothing, are refused with the reason", () => {
  const records = ledger(ORDERS);
  const other = ledger(ORDERS).map((r) => ({ ...r, candidates: { "log": r.candidates.queue } }));
  assert.throws(
    () =>
      calibrate([
        ...records.map((r) => ({ ...r, candidates: { queue: r.candidates.queue } })),
        ...other,
      ]),
    /no candidate model was predicted on every ledger order/,
  );
  const blind = records.map((r) => ({ ...r, candidates: { queue: [0, null] as [number, null] } }));
  assert.throws(() => calibrate(blind), /no candidate model predicted any fill/);
});

/**
 * Calibration on the engine's own scale: gates 2 and 3 measure volatility exactly as the regime
 * governor does, gates 1 and 3 share one definition of edge (fees included), and a corrupt tick
 * cannot move a suggestion.
 */
import assert from "node:assert/strict";
import { atrFractionPerBar } from "../engine/atr.ts";
import { formatTickLine, formatTradeLine, TICK_HEADER, TRADE_HEADER } from "../engine/csv_rows.ts";
import { RegimeGovernor } from "../engine/regime.ts";
import { analyze } from "../tools/analyze.ts";
import type { Gate1Result } from "../tools/analysis/gate1.ts";
import type { Gate2Result } from "../tools/analysis/gate2.ts";
import type { Gate3Result } from "../tools/analysis/gate3.ts";

const DAY = "2026-02-20";
const T0 = Date.parse(`${DAY}T08:00:00Z`);

/** A seeded random walk of mids, a tick every 0.5-3 s, with a 7 min hole and a 2% jump. */
function walk(ticks: number): { timeMs: number[]; mid: number[] } {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const timeMs: number[] = [], mid: number[] = [];
  let t = T0, m = 2000;
  for (let i = 0; i < ticks; i++) {
    t += 500 + Math.floor(rand() * 2500) + (i === 900 ? 420_000 : 0);
    m *= 1 + (rand() - 0.5) * 2e-4 + (i === 1500 ? 0.02 : 0);
    timeMs.push(t);
    mid.push(Math.round(m * 100) / 100);
  }
  return { timeMs, mid };
}

Deno.test("the gates' ATR is the governor's, bar for bar", () => {
  const { timeMs, mid } = walk(3000);
  const governor = new RegimeGovernor(["ETH"]);
  const inputs = { cancelFillRatio: 0, fills: 0, latencyP95Ms: 0 };
  const held: number[] = [];
  for (let i = 0; i < timeMs.length; i++) {
    governor.recordMid(0, mid[i], timeMs[i]);
    // The value the governor holds as each one-minute bar ends (the next tick opens a new bar).
    const next = timeMs[i + 1];
    if (next === undefined || Math.floor(next / 60_000) > Math.floor(timeMs[i] / 60_000)) {
      governor.evaluate(0, inputs);
      held.push(governor.decision(0).atrFraction);
    }
  }
  assert.deepEqual([...atrFractionPerBar(timeMs, mid)], held);
  // A governor-scale fraction: mean one-minute true range over the mid, some bps here.
  const median = [...held].sort((a, b) => a - b)[held.length >> 1];
  assert.ok(median > 1e-4 && median < 1e-3, `median ATR fraction ${median}`);
});

Deno.test("mids the governor ignores (zero, negative, not finite) are ignored by the gates too", () => {
  const { timeMs, mid } = walk(400);
  const damaged = mid.map((m, i) => i % 50 === 7 ? [0, -m, NaN, Infinity][i % 4] : m);
  const clean = timeMs.map((t, i) => [t, mid[i]]).filter((_, i) => i % 50 !== 7);
  assert.deepEqual(
    [...atrFractionPerBar(timeMs, damaged)],
    [...atrFractionPerBar(clean.map((r) => r[0]), clean.map((r) => r[1]))],
  );
});

/** One coin's ticks and trades as harvested CSVs; `corrupt` adds a tick with a mid of 0. */
async function harvested(dir: string, corrupt: boolean): Promise<void> {
  const { timeMs, mid } = walk(3000);
  const ticks = [TICK_HEADER + "\n"], trades = [TRADE_HEADER + "\n"];
  for (let i = 0; i < timeMs.length; i++) {
    ticks.push(formatTickLine(timeMs[i], "ETH", mid[i] - 0.05, mid[i] + 0.05));
    if (corrupt && i === 1000) {
      ticks.push(`${timeMs[i] + 1},ETH,${mid[i] - 0.05},${mid[i] + 0.05},0,0.5\n`);
    }
    if (i % 4 === 0) {
      trades.push(formatTradeLine(timeMs[i] + 100, "ETH", i % 8 ? "A" : "B", mid[i], 0.5, i + 1));
    }
  }
  for (const [kind, lines] of [["ticks", ticks], ["trades", trades]] as const) {
    await Deno.mkdir(`${dir}/${kind}/ETH`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${kind}/ETH/${DAY}.csv`, lines.join(""));
  }
}

async function gates(dir: string) {
  const reports = await analyze({
    dataDir: dir,
    nowMs: T0 + 3 * 86_400_000,
    print: () => {},
    filter: {},
  });
  return reports.map((r) => r.result) as [Gate1Result, Gate2Result, Gate3Result, unknown, unknown];
}

Deno.test("gates 1 and 3 price a fill with one edge; a mid of 0 moves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const damaged = await Deno.makeTempDir();
  try {
    await harvested(dir, false);
    await harvested(damaged, true);
    const [g1, g2, g3] = await gates(dir);
    const eth = g1.coins[0], detail = g3.details[0];
    // Same adverse selection and fee, so the edges differ only by the half-spread they assume.
    near(
      detail.edgeBps! - eth.edgeBps!,
      detail.recommendedBps - eth.avgSpreadBps! / 2,
      "edge at the recommended half-spread vs at the market's",
    );
    // The recommendation breaks even with the 20% margin: its edge is at least 0.2 x the cost.
    assert.ok(detail.edgeBps! >= 0.2 * (detail.adverse10sBps! + 1.5) - 1e-5);
    assert.equal(
      g3.configs[0].atr_fraction,
      g2.regimeOptions!.calmAtr,
      "one coin: its median bar is both gate 3's atr_fraction and gate 2's calmAtr",
    );

    const [d1, d2, d3] = await gates(damaged);
    assert.deepEqual(d2, g2, "the mid-0 tick is neither a tick of hour 8 nor a bar's low");
    assert.deepEqual(d3.configs, g3.configs);
    assert.deepEqual(d1.coins, g1.coins);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(damaged, { recursive: true });
  }
});

function near(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} != ${expected}`);
}

/**
 * What the session report tells a reader about where its numbers come from: this run versus
 * totals carried over from earlier today, and replays whose books had no depth.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { createLogger } from "../engine/log.ts";
import { formatSessionReport, type SessionSummary } from "../engine/report.ts";
import { replayFiles } from "../engine/replay_run.ts";

const T0 = Date.UTC(2026, 1, 22, 9);

/** Harvested-format tick and trade CSVs for one coin: top of book only, no sizes. */
async function writeTickCsvs(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mm-report-" });
  await Deno.mkdir(`${dir}/ticks/ETH`, { recursive: true });
  await Deno.mkdir(`${dir}/trades/ETH`, { recursive: true });
  const ticks = ["timestamp_ms,coin,bid,ask,mid,spread_bps"];
  const trades = ["timestamp_ms,coin,side,px,sz,tid"];
  for (let k = 0; k < 600; k++) {
    const t = T0 + k * 500;
    const mid = 3000 + (k % 20) * 0.1;
    ticks.push(`${t},ETH,${mid - 0.05},${mid + 0.05},${mid},0.33`);
    const side = k % 2 === 0 ? "A" : "B";
    const px = side === "A" ? mid - 2 : mid + 2;
    trades.push(`${t + 200},ETH,${side},${px.toFixed(2)},0.5,${k + 1}`);
  }
  await Deno.writeTextFile(`${dir}/ticks/ETH/2026-02-22.csv`, ticks.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/trades/ETH/2026-02-22.csv`, trades.join("\n") + "\n");
  return dir;
}

async function replayReport(dir: string, queueModel: string): Promise<string> {
  const config = loadConfig({ MM_DATA_DIR: dir, MM_QUEUE_MODEL: queueModel });
  const log = createLogger({ level: "error", sink: () => {} });
  const outcome = await replayFiles([dir], config, log, { writeFills: false });
  return formatSessionReport(outcome.stack.engine.summary(outcome.run.lastMs));
}

Deno.test("a tick-CSV replay with the queue model warns that queue positions are unknown", async () => {
  const dir = await writeTickCsvs();
  try {
    const queue = await replayReport(dir, "queue");
    assert.match(queue, /WARNING: 600 books carried no depth \(tick CSV replay\): queue positions/);
    assert.match(queue, /queue fills are optimistic/);
    // The spec rule never looks at the queue: nothing to warn about.
    assert.doesNotMatch(await replayReport(dir, "spec"), /carried no depth/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const SUMMARY: SessionSummary = {
  mode: "shadow",
  startedMs: T0,
  endedMs: T0 + 20_100,
  fills: 224,
  volumeUsd: 2_800,
  feesUsd: 0.42,
  realizedUsd: 0.27,
  unrealizedUsd: 0,
  pnlUsd: -0.15,
  peakPnlUsd: 0.05,
  maxDrawdownUsd: 0.2,
  placed: 3_000,
  cancels: 2_800,
  requests: 5_800,
  stallPanics: 0,
  stallRecoveries: 0,
  haltReason: null,
  latency: null,
  duplicateTradesSkipped: 0,
  coins: [],
};

Deno.test("totals carried from earlier today are labelled apart from this run's duration", () => {
  const report = formatSessionReport({
    ...SUMMARY,
    carried: { fills: 94, volumeUsd: 1_200, realizedUsd: 0.1, feesUsd: 0.18 },
  });
  assert.match(report, /Duration: 20\.1s \(this run\)/);
  assert.match(
    report,
    /Totals are today's \(UTC\): they include 94 fills, \$1200\.00 volume, realized \$0\.1000 and fees \$0\.1800 carried over from earlier runs; this run: 130 fills\./,
  );
  assert.match(report, /Fills: 224 \|/);
  // A run that started the day has nothing carried and says nothing about it.
  assert.doesNotMatch(formatSessionReport(SUMMARY), /carried over/);
});

Deno.test("the report shows requests per USDC traded next to both request budgets", () => {
  const report = formatSessionReport({
    ...SUMMARY,
    addressBudget: { used: 15_800, cap: 12_800, left: -3_000, paused: true },
    ipWeightPeak: 640,
  });
  // 5,800 requests for $2,800 traded: a real account would drain its budget.
  assert.match(report, /Requests: 5800 \| Requests per USDC traded: 2\.07 \(trading earns 1\)/);
  assert.match(report, /Address budget: -3000 left of 12800 \(PAUSED\)/);
  assert.match(report, /Peak IP weight: 640\/1200 per minute/);
  const idle = formatSessionReport({ ...SUMMARY, volumeUsd: 0, addressBudget: null });
  assert.match(idle, /Requests per USDC traded: n\/a .*Address budget: unknown/);
});

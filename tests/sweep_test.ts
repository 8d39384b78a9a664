import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { createLogger } from "../engine/log.ts";
import { replayData, replayFiles } from "../engine/replay_run.ts";
import { loadReplay } from "../engine/replay.ts";
import { expandGrid, parseGrid } from "../tools/sweep/grid.ts";
import { runOne, sharpe } from "../tools/sweep/run.ts";
import { sweep } from "../tools/sweep.ts";
import { writeGlftFrames } from "./helpers/glft_market.ts";

const T0 = Date.UTC(2026, 2, 1, 12);

Deno.test("a sweep's best configuration is reproduced exactly by a plain replay with its parameters", async () => {
  const dir = await writeGlftFrames(T0, 300);
  const out = await Deno.makeTempDir({ prefix: "mm-sweep-" });
  try {
    const lines: string[] = [];
    const result = await sweep(
      [dir],
      "spread=1,2.5,5;model=grid,microprice;MM_REQUOTE_SHARE=0.25,0.5",
      out,
      {},
      (line) => lines.push(line),
    );
    assert.equal(result.rows.length, 12);
    assert.deepEqual(result.rows[0].params, {
      MM_BASE_SPREAD_BPS: "1",
      MM_QUOTE_MODEL: "grid",
      MM_REQUOTE_SHARE: "0.25",
    });
    assert.ok(result.rows.every((r) => r.fills > 0), "every run filled");
    assert.ok(new Set(result.rows.map((r) => r.pnlUsd)).size > 6, "the parameters matter");
    const best = result.ranking[0];
    assert.ok(result.rows.every((r) => r.pnlUsd <= best.pnlUsd));

    // The same engine, a fresh parse, the best run's variables: the same figures to the last bit.
    const log = createLogger({ level: "error", sink: () => {} });
    const plain = await replayFiles([dir], loadConfig(best.params), log, { writeFills: false });
    const summary = plain.stack.engine.summary(plain.run.lastMs);
    assert.equal(summary.pnlUsd, best.pnlUsd);
    assert.equal(summary.fills, best.fills);
    assert.equal(summary.volumeUsd, best.volumeUsd);
    assert.equal(summary.feesUsd, best.feesUsd);
    assert.equal(summary.requests, best.requests);
    assert.equal(summary.maxDrawdownUsd, best.maxDrawdownUsd);
    assert.ok(lines.at(-1)!.includes(`MM_BASE_SPREAD_BPS=${best.params.MM_BASE_SPREAD_BPS}`));

    // The files: every run in grid order with its rank and figures.
    const json = JSON.parse(await Deno.readTextFile(result.jsonPath));
    assert.equal(json.runs.length, 12);
    assert.equal(json.runs.find((r: { rank: number }) => r.rank === 1).pnlUsd, best.pnlUsd);
    const csv = (await Deno.readTextFile(result.csvPath)).trim().split("\n");
    assert.equal(
      csv[0],
      "run,rank,MM_BASE_SPREAD_BPS,MM_QUOTE_MODEL,MM_REQUOTE_SHARE,pnl_usd,fills,volume_usd," +
        "fees_usd,requests,requests_per_usdc,adverse_10s_bps,max_drawdown_usd,max_inventory_usd," +
        "end_inventory_usd,hourly_sharpe",
    );
    assert.equal(csv.length, 13);
    const bestLine = csv[best.run].split(",");
    assert.equal(bestLine[1], "1");
    assert.equal(Number(bestLine[5]), best.pnlUsd);
    for (const row of result.rows) {
      assert.ok(row.requestsPerUsdc! > 0 && row.adverse10sBps !== null && row.maxInventoryUsd > 0);
      assert.equal(row.hourlySharpe, null, "5 minutes hold no whole hour");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("the sweep grid: short names, every combination, and bad grids named", () => {
  assert.deepEqual(parseGrid("spread=1.5,3; model=grid,glft ;"), [
    { name: "MM_BASE_SPREAD_BPS", values: ["1.5", "3"] },
    { name: "MM_QUOTE_MODEL", values: ["grid", "glft"] },
  ]);
  const runs = expandGrid("gamma=0.1,1;model=glft;queue=spec,queue", {});
  assert.equal(runs.length, 4);
  assert.deepEqual(runs.map((r) => [r.config.glftGamma, r.config.queueModel]), [
    [0.1, "spec"],
    [0.1, "queue"],
    [1, "spec"],
    [1, "queue"],
  ]);
  assert.throws(() => parseGrid(""), /--grid is empty/);
  assert.throws(() => parseGrid("spread"), /--grid part "spread" is invalid/);
  assert.throws(() => parseGrid("spread=1,,2"), /--grid part "spread=1,,2" is invalid/);
  assert.throws(() => parseGrid("wobble=1"), /parameter "wobble" is unknown/);
  assert.throws(() => parseGrid("MM_COINS=BTC,ETH"), /MM_COINS chooses data or connections/);
  assert.throws(() => parseGrid("spread=1;MM_BASE_SPREAD_BPS=2"), /names MM_BASE_SPREAD_BPS twice/);
  assert.throws(() => parseGrid("spread=1,1"), /repeats a value of MM_BASE_SPREAD_BPS/);
  assert.throws(
    () => expandGrid("spread=1.5;model=grid,avellaneda", {}),
    /run 2 \(MM_BASE_SPREAD_BPS=1.5 MM_QUOTE_MODEL=avellaneda\): MM_QUOTE_MODEL="avellaneda" is invalid/,
  );
});

Deno.test("the hourly Sharpe ratio is over whole UTC hours of market time", async () => {
  assert.equal(sharpe([1, 2, 3]), 2); // mean 2, sample deviation 1
  assert.equal(sharpe([5]), null);
  assert.equal(sharpe([1, 1]), null);
  // 12:00 to 15:20: hours 13-14 and 14-15 are whole; 12-13 starts with the run, 15:00-15:20 is cut.
  const dir = await writeGlftFrames(T0, 3 * 3600 + 1200);
  try {
    const [run] = expandGrid("spread=2", {});
    const data = await loadReplay([dir]);
    const marks: number[] = [];
    let next = T0 + 3_600_000;
    const plain = await replayData(
      data,
      run.config,
      createLogger({ level: "error", sink: () => {} }),
      {
        writeFills: false,
        onTick: (nowMs, engine) => {
          if (nowMs < next) return;
          marks.push(engine.portfolio.pnlUsd());
          next += 3_600_000;
        },
      },
    );
    assert.equal(marks.length, 3);
    const row = await runOne(data, run);
    assert.equal(row.pnlUsd, plain.stack.portfolio.pnlUsd());
    assert.equal(row.hourlySharpe, sharpe([marks[1] - marks[0], marks[2] - marks[1]]));
    assert.notEqual(row.hourlySharpe, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

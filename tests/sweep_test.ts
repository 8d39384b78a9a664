import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { createLogger } from "../engine/log.ts";
import { replayData, replayFiles } from "../engine/replay_run.ts";
import { loadReplay } from "../engine/replay.ts";
import { expandGrid, parseGrid } from "../tools/sweep/grid.ts";
import { runOne, runSweep, sharpe } from "../tools/sweep/run.ts";
import { SweepPool } from "../tools/sweep/pool.ts";
import { sliceReplay } from "../tools/sweep/windows.ts";
import { heatmapAxes, sweep, sweepWalkForward } from "../tools/sweep.ts";
import { heatCells } from "../tools/sweep/page.ts";
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
      { print: (line) => lines.push(line) },
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
    // The page: every run ranked, and a heatmap of the best PnL per spread and model.
    const html = await Deno.readTextFile(result.htmlPath);
    assert.equal(html.match(/<tr><td>\d+<\/td>/g)?.length, 12);
    assert.ok(
      html.indexOf(
        `<td>1</td><td class="params">MM_BASE_SPREAD_BPS=${best.params.MM_BASE_SPREAD_BPS}`,
      ) > 0,
    );
    assert.match(
      html,
      /<svg[^>]*>[\s\S]*PnL after fees \(USD\), best run per MM_BASE_SPREAD_BPS and MM_QUOTE_MODEL/,
    );
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    const cells = heatCells(result.rows, "MM_BASE_SPREAD_BPS", "MM_QUOTE_MODEL");
    assert.equal(cells.length, 6);
    for (const cell of cells) {
      const pnls = result.rows.filter((r) =>
        r.params.MM_BASE_SPREAD_BPS === cell.x && r.params.MM_QUOTE_MODEL === cell.y
      ).map((r) => r.pnlUsd);
      assert.equal(cell.pnlUsd, Math.max(...pnls));
      // Vega writes negatives with a true minus sign (U+2212).
      const text = cell.pnlUsd.toFixed(2).replace("-", "\u2212");
      assert.ok(svg.includes(`>${text}</text>`), `cell ${cell.x} ${cell.y} (${text}) is drawn`);
    }
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
  assert.deepEqual(runs.map((r) => [r.config.glftGamma, r.config.queue.model]), [
    [0.1, "spec"],
    [0.1, "queue"],
    [1, "spec"],
    [1, "queue"],
  ]);
  assert.deepEqual(heatmapAxes("spread=1;model=grid,glft;gamma=1,2"), [
    "MM_QUOTE_MODEL",
    "MM_GLFT_GAMMA",
  ]);
  assert.deepEqual(heatmapAxes("spread=1,2;model=grid,glft;gamma=1,2", "gamma,spread"), [
    "MM_GLFT_GAMMA",
    "MM_BASE_SPREAD_BPS",
  ]);
  assert.throws(
    () => heatmapAxes("spread=1,2", "spread,queue"),
    /--heatmap "spread,queue" is invalid/,
  );
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

Deno.test("two workers sharing the parsed data give exactly the rows of one process", async () => {
  const dir = await writeGlftFrames(T0, 300);
  try {
    const data = await loadReplay([dir]);
    const runs = expandGrid("model=grid,microprice,glft;spread=1,3", {});
    const inProcess = await runSweep(data, runs);
    const pool = new SweepPool(data, 2, {});
    try {
      const seen: number[] = [];
      const parallel = await pool.run(runs, null, (row) => seen.push(row.run));
      assert.deepEqual(parallel, inProcess);
      assert.deepEqual(seen.toSorted((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
      // The same workers again, on a window of the data.
      const window: [number, number] = [T0 + 60_000, T0 + 240_000];
      const sliced = await runSweep(sliceReplay(data, ...window), runs.slice(0, 2));
      assert.deepEqual(await pool.run(runs.slice(0, 2), window), sliced);
    } finally {
      pool.close();
    }
    assert.throws(() => new SweepPool(data, 0, {}), /--workers must be a whole number >= 1, got 0/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("walk-forward: each window's best is scored on the next, in and out of sample side by side", async () => {
  const dir = await writeGlftFrames(T0, 1200);
  const out = await Deno.makeTempDir({ prefix: "mm-walk-" });
  const windowDir = await Deno.makeTempDir({ prefix: "mm-window-" });
  try {
    const lines: string[] = [];
    // Windows of 5 minutes (5 / 1440 days) from midnight: 12:00, 12:05, 12:10, 12:15.
    const { walkForward: wf, csvPath } = await sweepWalkForward(
      [dir],
      "spread=1,3;model=grid,microprice",
      5 / 1440,
      out,
      { print: (line) => lines.push(line), workers: 2 },
    );
    assert.deepEqual(wf.windows.map((w) => w.fromMs - T0), [0, 300_000, 600_000, 900_000]);
    const all = await loadReplay([dir]);
    assert.equal(wf.windows.reduce((n, w) => n + w.events, 0), all.length, "windows partition");
    assert.equal(wf.folds.length, 3);
    for (const fold of wf.folds) {
      const train = wf.windows[fold.train].rows;
      const test = wf.windows[fold.test].rows;
      assert.ok(train.every((r) => r.pnlUsd <= fold.inSample.pnlUsd), "chosen = best in sample");
      assert.deepEqual(fold.outOfSample.params, fold.params);
      assert.equal(
        test.filter((r) => r.pnlUsd > fold.outOfSample.pnlUsd).length + 1,
        fold.outOfSampleRank,
      );
      assert.ok(test.every((r) => r.pnlUsd <= fold.bestOutOfSample.pnlUsd));
    }
    // An out-of-sample score is a plain replay of that window's events alone.
    const last = wf.folds[2];
    const from = wf.windows[last.test].fromMs;
    const to = wf.windows[last.test].toMs;
    const frames = (await Deno.readTextFile(`${dir}/frames.jsonl`)).trim().split("\n");
    const inside = frames.filter((line) => {
      const frame = JSON.parse(line);
      const time = frame.channel === "trades" ? frame.data[0].time : frame.data.time;
      return time >= from && time < to;
    });
    await Deno.writeTextFile(`${windowDir}/frames.jsonl`, inside.join("\n") + "\n");
    const log = createLogger({ level: "error", sink: () => {} });
    const plain = await replayFiles([windowDir], loadConfig(last.params), log, {
      writeFills: false,
    });
    assert.equal(plain.stack.portfolio.pnlUsd(), last.outOfSample.pnlUsd);
    assert.equal(plain.stack.portfolio.totals().fills, last.outOfSample.fills);

    const csv = (await Deno.readTextFile(csvPath)).trim().split("\n");
    assert.equal(csv.length, 4);
    assert.match(
      csv[0],
      /^fold,train_from,test_from,test_to,MM_BASE_SPREAD_BPS,MM_QUOTE_MODEL,in_sample_pnl_usd,out_of_sample_pnl_usd,/,
    );
    assert.match(
      lines.at(-1)!,
      /^walk-forward over 3 folds: in sample -?\d+\.\d\d USD, out of sample -?\d+\.\d\d USD$/,
    );
    await assert.rejects(
      () => sweepWalkForward([dir], "spread=1", 1, out, { print: () => {} }),
      /--walk-forward 1 leaves 1 window with data; it needs two/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
    await Deno.remove(windowDir, { recursive: true });
  }
});

Deno.test("a sweep over the project's sample data: its best is the plain replay's, day 1 scored on day 2", async () => {
  const samples = new URL("../data/samples/", import.meta.url).pathname;
  const paths = [`${samples}ticks`, `${samples}trades`];
  const out = await Deno.makeTempDir({ prefix: "mm-sweep-samples-" });
  try {
    const { ranking } = await sweep(paths, "spread=1,2,4", out, { print: () => {} });
    const best = ranking[0];
    const log = createLogger({ level: "error", sink: () => {} });
    const plain = await replayFiles(paths, loadConfig(best.params), log, { writeFills: false });
    const summary = plain.stack.engine.summary(plain.run.lastMs);
    assert.ok(best.fills > 0);
    assert.deepEqual(
      [summary.pnlUsd, summary.fills, summary.volumeUsd, summary.requests],
      [best.pnlUsd, best.fills, best.volumeUsd, best.requests],
    );
    // The two sample days (2026-02-20 and 21) are one fold: chosen on the first, scored on the second.
    const { walkForward: wf } = await sweepWalkForward(paths, "spread=1,2,4", 1, out, {
      print: () => {},
    });
    assert.deepEqual(wf.windows.map((w) => new Date(w.fromMs).toISOString().slice(0, 10)), [
      "2026-02-20",
      "2026-02-21",
    ]);
    assert.equal(wf.folds.length, 1);
    assert.ok(wf.windows[0].rows.every((r) => r.pnlUsd <= wf.folds[0].inSample.pnlUsd));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

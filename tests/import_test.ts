/**
 * `deno task import`: recordings from other collectors become harvested day files that replay,
 * conversion and the gates read. The fixtures under tests/fixtures/import/ are one synthetic SOL
 * market (60 one-second books, 5 levels a side, 87 trades) written in each collector's layout.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../engine/config.ts";
import { replayFiles } from "../engine/replay_run.ts";
import { importRecordings, type ImportReport } from "../tools/import.ts";
import { collectingLogger } from "./helpers/log.ts";

const FIXTURES = new URL("./fixtures/import/", import.meta.url).pathname;
const DAY = "2026-02-22";
const BOOKS = 60;
const TRADES = 87;

async function importInto(
  paths: string[],
  options: { dataDir?: string; replace?: boolean } = {},
): Promise<{ dir: string; report: ImportReport; printed: string[] }> {
  const dir = options.dataDir ?? await Deno.makeTempDir({ prefix: "mm-import-" });
  const printed: string[] = [];
  const report = await importRecordings({
    paths,
    dataDir: dir,
    replace: options.replace,
    print: (line) => printed.push(line),
  });
  return { dir, report, printed };
}

/** Replays imported folders through the engine, as `deno task replay` does. */
async function replay(paths: string[], queueModel: "queue" | "spec") {
  const log = collectingLogger();
  let fills = 0;
  const config = loadConfig({ MM_DATA_DIR: paths[0], MM_QUEUE_MODEL: queueModel });
  const outcome = await replayFiles(paths, config, log, {
    writeFills: false,
    onFill: () => fills++,
  });
  return { fills, pnl: outcome.stack.portfolio.pnlUsd(), outcome };
}

const lines = async (path: string) => (await Deno.readTextFile(path)).trimEnd().split("\n");

Deno.test("wide book-snapshot CSVs import as harvested files and replay with fills", async () => {
  const { dir, report, printed } = await importInto([`${FIXTURES}wide`]);
  try {
    const ticks = await lines(`${dir}/ticks/SOL/${DAY}.csv`);
    assert.equal(ticks[0], "timestamp_ms,coin,bid,ask,mid,spread_bps");
    assert.equal(ticks.length - 1, BOOKS);
    // `150.0` went through a float in the collector; the harvest layout writes 150.
    assert.equal(ticks[1], "1771750800015,SOL,150,150.01,150.005,0.6666");
    const trades = await lines(`${dir}/trades/SOL/${DAY}.csv`);
    // 186 trades plus the subscription's 3 earlier ones; the 2 replayed after a reconnect dropped.
    assert.equal(trades.length - 1, TRADES + 3);
    assert.equal(report.duplicateTrades, 2);
    assert.equal(trades[1], "1771750760000,SOL,B,150,1.25,399000000000000");
    const times = trades.slice(1).map((l) => Number(l.split(",")[0]));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "trade rows are in time order");
    assert.equal((await lines(`${dir}/depth/SOL/${DAY}.jsonl`)).length, BOOKS);
    assert.ok(printed.some((l) => l === `wrote ${dir}/ticks/SOL/${DAY}.csv (${BOOKS} rows)`));

    const queueAware = await replay([`${dir}/depth`, `${dir}/trades`], "queue");
    assert.equal(queueAware.outcome.badRows, 0);
    assert.deepEqual(queueAware.outcome.coins, ["SOL"]);
    assert.ok(queueAware.fills > 0, "the replay filled shadow orders");
    assert.ok(Number.isFinite(queueAware.pnl) && queueAware.pnl !== 0);
    const topOfBook = await replay([`${dir}/ticks`, `${dir}/trades`], "spec");
    assert.ok(topOfBook.fills > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an hftbacktest capture (gzip) imports its books and trades and replays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm-import-" });
  try {
    const capture = await Deno.open(`${FIXTURES}hftbacktest/sol_20260222.txt`);
    await Deno.mkdir(`${dir}/import`);
    await capture.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(
      (await Deno.create(`${dir}/import/sol_20260222.gz`)).writable,
    );
    const { report } = await importInto([`${dir}/import`], { dataDir: dir });
    assert.equal(report.inputs[0].format, "hftbacktest capture");
    assert.equal(report.inputs[0].books, BOOKS);
    assert.equal(report.inputs[0].trades, TRADES + 3);
    assert.equal(report.inputs[0].skipped, 0, "the subscription reply is not data, nor an error");
    const depth = await lines(`${dir}/depth/SOL/${DAY}.jsonl`);
    // The capture's sorted keys become the exchange's order; the order counts are kept.
    assert.match(
      depth[0],
      /^\{"channel":"l2Book","data":\{"coin":"SOL","time":1771750800015,"levels":\[\[\{"px":"150","sz":"7.7","n":3\}/,
    );
    const run = await replay([`${dir}/depth`, `${dir}/trades`], "queue");
    assert.equal(run.outcome.badRows, 0);
    assert.ok(run.fills > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Tardis incremental_book_L2 rebuilds the same books as book_snapshot_25, and replays", async () => {
  const tardis = `${FIXTURES}tardis/hyperliquid_`;
  const incremental = await importInto([
    `${tardis}incremental_book_L2_${DAY}_SOL.csv`,
    `${tardis}trades_${DAY}_SOL.csv`,
  ]);
  const snapshots = await importInto([`${tardis}book_snapshot_25_${DAY}_SOL.csv`]);
  try {
    const [books, trades] = incremental.report.inputs;
    assert.equal(books.format, "Tardis incremental_book_L2");
    assert.equal(books.books, BOOKS);
    assert.equal(books.skipped, 2);
    assert.deepEqual(books.skippedSamples, [
      "line 2: update before the first snapshot",
      "line 3: update before the first snapshot",
    ]);
    assert.equal(trades.trades, TRADES);
    assert.equal(snapshots.report.inputs[0].format, "Tardis book_snapshot");
    assert.deepEqual(
      await lines(`${incremental.dir}/depth/SOL/${DAY}.jsonl`),
      await lines(`${snapshots.dir}/depth/SOL/${DAY}.jsonl`),
    );
    const run = await replay([`${incremental.dir}/depth`, `${incremental.dir}/trades`], "queue");
    assert.equal(run.outcome.badRows, 0);
    assert.ok(run.fills > 0);
  } finally {
    await Deno.remove(incremental.dir, { recursive: true });
    await Deno.remove(snapshots.dir, { recursive: true });
  }
});

Deno.test("the same market in every format gives the same tick file", async () => {
  const wide = await importInto([`${FIXTURES}wide/orderbooks_SOL.csv`]);
  const hft = await importInto([`${FIXTURES}hftbacktest/sol_20260222.txt`]);
  const tardis = await importInto([
    `${FIXTURES}tardis/hyperliquid_book_snapshot_25_${DAY}_SOL.csv`,
  ]);
  try {
    const expected = await lines(`${wide.dir}/ticks/SOL/${DAY}.csv`);
    assert.deepEqual(await lines(`${hft.dir}/ticks/SOL/${DAY}.csv`), expected);
    assert.deepEqual(await lines(`${tardis.dir}/ticks/SOL/${DAY}.csv`), expected);
  } finally {
    for (const { dir } of [wide, hft, tardis]) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("existing day files are kept unless --replace, and unknown files are named", async () => {
  const { dir } = await importInto([`${FIXTURES}wide/trades_SOL.csv`]);
  try {
    await Deno.writeTextFile(`${dir}/prices_SOL.csv`, "timestamp,price,size,side\n1,2,3,bid\n");
    const again = await importInto([`${FIXTURES}wide/trades_SOL.csv`, `${dir}/prices_SOL.csv`], {
      dataDir: dir,
    });
    assert.deepEqual(again.report.outputs.map((o) => o.status), ["kept"]);
    assert.ok(again.printed.includes(
      `kept ${dir}/trades/SOL/${DAY}.csv: it exists (pass --replace to overwrite it)`,
    ));
    assert.ok(again.printed.includes(
      `skipped ${dir}/prices_SOL.csv: not a recording import reads ` +
        `(first line "timestamp,price,size,side")`,
    ));
    await Deno.writeTextFile(`${dir}/trades/SOL/${DAY}.csv`, "stale\n");
    const replaced = await importInto([`${FIXTURES}wide/trades_SOL.csv`], {
      dataDir: dir,
      replace: true,
    });
    assert.deepEqual(replaced.report.outputs.map((o) => o.status), ["written"]);
    assert.equal((await lines(`${dir}/trades/SOL/${DAY}.csv`)).length - 1, TRADES + 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task import reads only under data/ and says where recordings go", async () => {
  const out = await new Deno.Command("./deno", {
    args: ["task", "import", "tests/fixtures/import/wide", "--data-dir", "data/import-test"],
    cwd: new URL("../", import.meta.url),
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2);
  assert.match(
    stderr,
    /put the recordings under data\/import\/ \(a symbolic link to them needs --allow-read=data,<their folder>\)/,
  );
});

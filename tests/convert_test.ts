import assert from "node:assert/strict";
import { Harvester } from "../engine/harvest.ts";
import { convert } from "../tools/csv_to_parquet.ts";
import { openDatabase } from "../tools/analysis/duckdb.ts";
import { loadData } from "../tools/analysis/load.ts";
import { decodeParquet, initParquet } from "../tools/analysis/parquet_io.ts";

const DAY = "2026-02-22";
const T0 = Date.parse(`${DAY}T00:00:00Z`);
const NEXT_DAY = T0 + 86_400_000 + 3600_000;

/** Harvests two coins' ticks and trades on DAY plus a few ticks of the next day (still open). */
async function harvestDay(dir: string) {
  const h = new Harvester({ dataDir: dir });
  for (let i = 0; i < 500; i++) {
    const t = T0 + i * 997;
    h.recordBook({
      coin: "BTC",
      timeMs: t,
      bids: [{ px: 68020 + i / 10, sz: 1, n: 1 }],
      asks: [{ px: 68021 + i / 10, sz: 1, n: 1 }],
    });
    h.recordBook({
      coin: "kPEPE",
      timeMs: t,
      bids: [{ px: 0.000012 + i * 1e-9, sz: 1, n: 1 }],
      asks: [{ px: 0.0000121 + i * 1e-9, sz: 1, n: 1 }],
    });
    h.recordTrades([{
      coin: "BTC",
      side: i % 3 ? "B" : "A",
      px: 68020.5 + i / 10,
      sz: 0.001 * (i + 1),
      timeMs: t,
      tid: 2 ** 49 + i,
    }]);
  }
  h.recordBook({
    coin: "BTC",
    timeMs: NEXT_DAY,
    bids: [{ px: 1, sz: 1, n: 1 }],
    asks: [{ px: 2, sz: 1, n: 1 }],
  });
  await h.close();
}

function csvRows(text: string): string[][] {
  return text.trim().split("\n").slice(1).map((l) => l.split(","));
}

Deno.test("conversion round-trips every value with typed columns", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await harvestDay(dir);
    const lines: string[] = [];
    const report = await convert({
      dataDir: dir,
      nowMs: NEXT_DAY,
      print: (l) => lines.push(l),
      tty: false,
    });
    assert.deepEqual(report.files.map((f) => [f.file.kind, f.file.coin, f.status, f.rows]), [
      ["ticks", "BTC", "converted", 500],
      ["ticks", "kPEPE", "converted", 500],
      ["trades", "BTC", "converted", 500],
    ]);
    await initParquet();
    for (const coin of ["BTC", "kPEPE"]) {
      const table = decodeParquet(
        await Deno.readFile(`${dir}/parquet/ticks/${coin}/${DAY}.parquet`),
      );
      assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`), [
        "timestamp_ms:Int64",
        "coin:Dictionary<Int32, Utf8>",
        "bid:Float64",
        "ask:Float64",
        "mid:Float64",
        "spread_bps:Float64",
      ]);
      const csv = csvRows(await Deno.readTextFile(`${dir}/ticks/${coin}/${DAY}.csv`));
      const back = table.toArray().map((r) => {
        const o = r.toJSON();
        return [String(o.timestamp_ms), o.coin, o.bid, o.ask, o.mid, o.spread_bps];
      });
      assert.deepEqual(
        back,
        csv.map((f) => [f[0], f[1], Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])]),
      );
    }
    const trades = decodeParquet(await Deno.readFile(`${dir}/parquet/trades/BTC/${DAY}.parquet`));
    const csv = csvRows(await Deno.readTextFile(`${dir}/trades/BTC/${DAY}.csv`));
    assert.deepEqual(
      trades.toArray().map((r) => {
        const o = r.toJSON();
        return [String(o.timestamp_ms), o.coin, o.side, o.px, o.sz, String(o.tid)];
      }),
      csv.map((f) => [f[0], f[1], f[2], Number(f[3]), Number(f[4]), f[5]]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second run converts nothing; --all skips today; --delete-csv only after the check", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await harvestDay(dir);
    const quiet = { print: () => {}, tty: false };
    await convert({ dataDir: dir, nowMs: NEXT_DAY, ...quiet });
    const before = await Deno.stat(`${dir}/parquet/ticks/BTC/${DAY}.parquet`);
    const again = await convert({ dataDir: dir, all: true, nowMs: NEXT_DAY, ...quiet });
    assert.deepEqual(again.files.map((f) => f.status), ["skipped", "skipped", "skipped"]);
    assert.equal(
      (await Deno.stat(`${dir}/parquet/ticks/BTC/${DAY}.parquet`)).mtime?.getTime(),
      before.mtime?.getTime(),
    );
    // Today's (NEXT_DAY's) file stays a CSV.
    await assert.rejects(
      Deno.stat(`${dir}/parquet/ticks/BTC/2026-02-23.parquet`),
      Deno.errors.NotFound,
    );
    await assert.rejects(
      convert({ dataDir: dir, date: "2026-02-23", nowMs: NEXT_DAY, ...quiet }),
      /today/,
    );

    const deleted = await convert({
      dataDir: dir,
      all: true,
      deleteCsv: true,
      nowMs: NEXT_DAY,
      ...quiet,
    });
    assert.ok(deleted.files.every((f) => f.csvDeleted));
    await assert.rejects(Deno.stat(`${dir}/ticks/BTC/${DAY}.csv`), Deno.errors.NotFound);
    assert.ok((await Deno.stat(`${dir}/ticks/BTC/2026-02-23.csv`)).isFile);
    const leftovers = [];
    for await (const e of Deno.readDir(`${dir}/parquet/ticks/BTC`)) leftovers.push(e.name);
    assert.deepEqual(leftovers, [`${DAY}.parquet`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("corrupt rows are counted and reported, not converted, and keep their CSV", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await harvestDay(dir);
    await Deno.writeTextFile(
      `${dir}/ticks/BTC/${DAY}.csv`,
      `${T0 + 600_000},BTC,abc,1,1,1\n${T0 + 600_001},BTC,2,1\n`,
      { append: true },
    );
    const lines: string[] = [];
    const report = await convert({
      dataDir: dir,
      deleteCsv: true,
      nowMs: NEXT_DAY,
      print: (l) => lines.push(l),
      tty: false,
    });
    const btc = report.files.find((f) => f.file.kind === "ticks" && f.file.coin === "BTC")!;
    assert.equal(btc.rows, 500);
    assert.equal(btc.corruptRows, 2);
    assert.equal(btc.csvDeleted, false);
    assert.equal(report.corruptRows, 2);
    const text = lines.join("\n");
    assert.match(text, /line 502: bid "abc" is not a positive number/);
    assert.match(text, /line 503: expected 6 columns, found 4/);
    assert.ok((await Deno.stat(`${dir}/ticks/BTC/${DAY}.csv`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Parquet files give the same aggregates in DuckDB as the CSVs", async () => {
  const csvDir = await Deno.makeTempDir();
  const pqDir = await Deno.makeTempDir();
  try {
    await harvestDay(csvDir);
    await harvestDay(pqDir);
    await convert({
      dataDir: pqDir,
      all: true,
      deleteCsv: true,
      nowMs: NEXT_DAY,
      print: () => {},
      tty: false,
    });
    const sql =
      `SELECT coin, count(*) AS n, sum(timestamp_ms) AS ts, avg(mid) AS mid, max(spread_bps) AS s,
      min(bid) AS b FROM ticks GROUP BY coin ORDER BY coin`;
    const tradeSql =
      `SELECT side, count(*) AS n, sum(px * sz) AS notional, max(tid) AS tid FROM trades GROUP BY side ORDER BY side`;
    const results = [];
    for (const dir of [csvDir, pqDir]) {
      const db = await openDatabase();
      const loaded = await loadData(db, dir, { to: DAY });
      results.push({
        loaded: [loaded.tickRows, loaded.tradeRows],
        ticks: db.query(sql),
        trades: db.query(tradeSql),
      });
      db.close();
    }
    assert.deepEqual(results[0], results[1]);
    assert.deepEqual(results[0].loaded, [1000, 500]);
  } finally {
    await Deno.remove(csvDir, { recursive: true });
    await Deno.remove(pqDir, { recursive: true });
  }
});

Deno.test("files without good rows are skipped with a reason, not a Parquet error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files: Record<string, string> = {
      BTC: "",
      ETH: "timestamp_ms,coin,bid,ask,mid,spread_bps\n",
      SOL: `timestamp_ms,coin,bid,ask,mid,spread_bps\n${T0},SOL,150,150.01,0,0.6666\n`,
    };
    for (const [coin, text] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/ticks/${coin}/${DAY}.csv`, text);
    }
    const lines: string[] = [];
    const report = await convert({
      dataDir: dir,
      nowMs: NEXT_DAY,
      print: (l) => lines.push(l),
      tty: false,
    });
    assert.deepEqual(report.files.map((f) => [f.file.coin, f.status, f.corruptRows]), [
      ["BTC", "empty", 0],
      ["ETH", "empty", 0],
      ["SOL", "empty", 1],
    ]);
    assert.ok(lines.includes(
      `empty ${dir}/ticks/ETH/${DAY}.csv: 0 rows, 0 corrupt (no good rows (empty, header only or every row corrupt): nothing to convert)`,
    ));
    assert.match(lines.join("\n"), /corrupt .*SOL.*: line 2: mid 0 is not positive/);
    assert.match(lines.at(-2)!, /0 converted, 0 already converted, 3 without rows, 0 failed/);
    await assert.rejects(Deno.stat(`${dir}/parquet`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a byte order mark converts; one time far ahead costs one row, not the day", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await harvestDay(dir);
    const path = `${dir}/ticks/BTC/${DAY}.csv`;
    const lines = (await Deno.readTextFile(path)).split("\n");
    // Row 100 jumps 19 h ahead, still inside the day: the 400 rows after it stay good.
    lines[100] = lines[100].replace(/^\d+/, String(T0 + 19 * 3600_000));
    await Deno.writeTextFile(path, "\uFEFF" + lines.join("\n"));
    const report = await convert({ dataDir: dir, nowMs: NEXT_DAY, print: () => {}, tty: false });
    const btc = report.files.find((f) => f.file.kind === "ticks" && f.file.coin === "BTC")!;
    assert.equal(btc.status, "converted");
    assert.deepEqual([btc.rows, btc.corruptRows], [499, 1]);
    assert.match(btc.corruptSamples[0], /^line 101: timestamp \d+ breaks time order with both/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

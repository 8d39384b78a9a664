/**
 * Data pipeline speed: conversion of one harvested day of 30 coins, DuckDB's own CSV reader on
 * the same files, and the calibration gates over 5 days (`analyze`, one coin at a time: where
 * its time goes, and the task's peak memory measured on a child process).
 *
 * Sizes (env): MM_BENCH_DAY_ROWS_PER_COIN (default 133,000: 30 coins x 133k = 4 million tick rows,
 * one Hyperliquid book update per ~650 ms per coin) and MM_BENCH_GATE_ROWS_PER_COIN (tick rows per
 * coin per day for the 5-day gate set, with a trade every 5th tick; default 13,300 = a 10% scale,
 * 133,333 = full scale: 5 x 30 x 133,333 = 20 million ticks and 4 million trades).
 * Data is generated into a temp dir under /tmp and removed at the end.
 */

import {
  formatTickLine,
  formatTradeLine,
  TICK_HEADER,
  TRADE_HEADER,
} from "../../engine/csv_rows.ts";
import { convert } from "../../tools/csv_to_parquet.ts";
import { openDatabase } from "../../tools/analysis/duckdb.ts";
import { analyze, type AnalyzeTimings } from "../../tools/analyze.ts";

const COINS = 30;
const dayRows = Number(Deno.env.get("MM_BENCH_DAY_ROWS_PER_COIN") ?? 133_000);
const gateRows = Number(Deno.env.get("MM_BENCH_GATE_ROWS_PER_COIN") ?? 13_300);
const FIRST_DAY = Date.parse("2026-02-16T00:00:00Z"); // a Monday; 5 days run to Friday

/** One coin-day of ticks and trades (a trade every 5th tick) as CSV text, with a random walk. */
function coinDay(coin: string, dayStart: number, rows: number, seed: number): [string, string] {
  const ticks = [TICK_HEADER + "\n"], trades = [TRADE_HEADER + "\n"];
  let px = 10 + seed * 7.3;
  let state = seed * 2654435761 >>> 0;
  for (let i = 0; i < rows; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    px = Math.max(1, px + ((state % 21) - 10) * px * 1e-5);
    const bid = Math.round(px * 1e4) / 1e4;
    const ask = bid + 0.0001 * (1 + (state % 3));
    const t = dayStart + Math.floor((i * 86_400_000) / rows);
    ticks.push(formatTickLine(t, coin, bid, ask));
    if (i % 5 === 0) {
      trades.push(formatTradeLine(t, coin, state & 1 ? "B" : "A", ask, 0.5, seed * 1e9 + i));
    }
  }
  return [ticks.join(""), trades.join("")];
}

async function writeDays(dir: string, days: number, rows: number): Promise<number> {
  let bytes = 0;
  for (let c = 0; c < COINS; c++) {
    const coin = `C${String(c).padStart(2, "0")}`;
    await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
    await Deno.mkdir(`${dir}/trades/${coin}`, { recursive: true });
    for (let d = 0; d < days; d++) {
      const start = FIRST_DAY + d * 86_400_000;
      const day = new Date(start).toISOString().slice(0, 10);
      const [ticks, trades] = coinDay(coin, start, rows, c + 1);
      await Deno.writeTextFile(`${dir}/ticks/${coin}/${day}.csv`, ticks);
      await Deno.writeTextFile(`${dir}/trades/${coin}/${day}.csv`, trades);
      bytes += ticks.length + trades.length;
    }
  }
  return bytes;
}

const root = await Deno.makeTempDir({ prefix: "mm_pipeline_bench_" });
const dayDir = `${root}/day`, gateDir = `${root}/five_days`;
const dayBytes = await writeDays(dayDir, 1, dayRows);
await writeDays(gateDir, 5, gateRows);
// Analysis normally reads converted days: convert the 5-day set once, outside the timings.
await convert({
  dataDir: gateDir,
  all: true,
  nowMs: FIRST_DAY + 6 * 86_400_000,
  print: () => {},
  tty: false,
});
const DAY = "2026-02-16";
const NOW = FIRST_DAY + 1.5 * 86_400_000;
console.log(
  `day set: ${COINS} coins x ${dayRows} ticks (+${Math.ceil(dayRows / 5)} trades) = ${
    (dayBytes / 1e6).toFixed(0)
  } MB CSV; gate set: 5 days x ${COINS} coins x ${gateRows} ticks`,
);

// The gates run first, so the process's memory shows analyze alone (duckdb-wasm's heap never
// shrinks once the CSV read below has grown it).
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

Deno.bench({
  name: `analyze: all 5 gates over 5 days x ${COINS} coins, one coin at a time (in process)`,
  group: "all gates",
  baseline: true,
  n: 1,
  warmup: 0,
  async fn() {
    const rssBefore = Deno.memoryUsage().rss;
    const timings: AnalyzeTimings = {
      loadMs: 0,
      movesMs: 0,
      gateMs: {},
      totalMs: 0,
      peakRssBytes: 0,
    };
    await analyze({ dataDir: gateDir, nowMs: NOW, print: () => {}, timings });
    console.log(
      `analyze breakdown: load ${seconds(timings.loadMs)}, adverse selection merge ${
        seconds(timings.movesMs)
      }, ${
        Object.entries(timings.gateMs).map(([g, ms]) => `gate ${g} ${seconds(ms)}`).join(", ")
      }, total ${seconds(timings.totalMs)}; process RSS before ${gib(rssBefore)}, peak ${
        gib(timings.peakRssBytes)
      }`,
    );
  },
});

Deno.bench({
  name: `./deno task analyze as a process over 5 days x ${COINS} coins (wall time, with start-up)`,
  group: "all gates",
  n: 1,
  warmup: 0,
  async fn() {
    // The task's permissions (data-tools) with the temp dir for data/, plus read access to tools/
    // and engine/ so that gate 5's integrity check can run on a worker (see gate5.ts).
    const child = new Deno.Command("./deno", {
      args: [
        "run",
        `--allow-read=${gateDir},node_modules,tools,engine`,
        `--allow-write=${gateDir}`,
        "--allow-env=NO_COLOR,MM_DATA_DIR",
        "--allow-sys=cpus",
        "tools/analyze.ts",
        "--data-dir",
        gateDir,
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    if (!(await child.status).success) throw new Error("analyze failed");
  },
});

Deno.bench({
  name: `convert one day: ${COINS} coins, ${COINS * dayRows} ticks + trades, CSV -> zstd Parquet`,
  group: "convert",
  baseline: true,
  n: 2,
  warmup: 0,
  async fn(b) {
    await Deno.remove(`${dayDir}/parquet`, { recursive: true }).catch(() => {});
    b.start();
    const r = await convert({
      dataDir: dayDir,
      date: DAY,
      nowMs: NOW,
      print: () => {},
      tty: false,
    });
    b.end();
    if (r.files.some((f) => f.status !== "converted")) throw new Error("conversion failed");
  },
});

// One database for all benches: duckdb-wasm runs one instance per process.
const duck = await openDatabase();
Deno.bench({
  name: `DuckDB read_csv of the same tick files into a table (its Parquet writer needs a download)`,
  group: "convert",
  n: 2,
  warmup: 0,
  fn() {
    duck.query("DROP TABLE IF EXISTS csv_ticks");
    duck.query(`CREATE TABLE csv_ticks AS SELECT * FROM read_csv('${dayDir}/ticks/*/${DAY}.csv')`);
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(root, { recursive: true });
});

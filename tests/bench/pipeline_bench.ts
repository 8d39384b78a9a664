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
 *
 * Native DuckDB (npm:@duckdb/node-api, a bench-only dependency) is the yardstick: the Gate 1-2
 * statistics over the same Parquet and `COPY ... TO parquet` of the same CSV day (its Parquet
 * writer is statically linked; extension auto-install and auto-load are switched off, so nothing
 * is downloaded). A Node-API addon needs --allow-ffi, which the bench permissions do not grant,
 * so the native side runs in a child `./deno run` of this file (`--native-child`) that times
 * its own work and prints it as JSON; the bench also shows the child's wall time with start-up.
 */

import { COINS, FIRST_DAY, writeDays } from "./pipeline_data.ts";
import { convert } from "../../tools/csv_to_parquet.ts";
import { openDatabase } from "../../tools/analysis/duckdb.ts";
import { analyze, type AnalyzeTimings } from "../../tools/analyze.ts";
import { listCoins, loadCoin } from "../../tools/analysis/coin_series.ts";
import { type CoinPartials, type GateContext, openCoinPass } from "../../tools/analysis/gate.ts";
import { gate1Coin, gate1Numbers, type Gate1Result } from "../../tools/analysis/gate1.ts";
import { gate2, gate2Coin, type Gate2Result } from "../../tools/analysis/gate2.ts";
import { emptySummary } from "../../tools/analysis/load.ts";
import { MAKER_FEE_BPS } from "../../tools/analysis/edge.ts";

// ---- Native DuckDB, run as a child process of this file (see the header). ----

/** What the native child prints: its timings (ms) and, for the gates, its numbers. */
interface NativeResult {
  ms: Record<string, number>;
  gate1?: { coin: string; ticks: number; avgSpreadBps: number; adverse10sBps: number }[];
  gate2?: { calmAtr: number; haltAtr: number; bars: number; chaoticHours: number[] };
}

/** Gate 1 natively: per coin, ticks, average spread and adverse selection at 1/10/60 s. */
const NATIVE_GATE1_SQL = `
WITH last AS (
  SELECT coin, max(timestamp_ms) AS last_ms, count(*) AS ticks, avg(spread_bps) AS avg_spread_bps
  FROM ticks GROUP BY coin
), m AS (
  SELECT tr.coin, tr.timestamp_ms AS t, tr.sign, k.mid AS m0
  FROM trades tr ASOF JOIN ticks k ON tr.coin = k.coin AND tr.timestamp_ms >= k.timestamp_ms
), h AS (
  SELECT m.coin, m.t, m.sign, m.m0, k1.mid AS m1, k10.mid AS m10, k60.mid AS m60 FROM m
  ASOF JOIN ticks k1 ON m.coin = k1.coin AND m.t + 1000 >= k1.timestamp_ms
  ASOF JOIN ticks k10 ON m.coin = k10.coin AND m.t + 10000 >= k10.timestamp_ms
  ASOF JOIN ticks k60 ON m.coin = k60.coin AND m.t + 60000 >= k60.timestamp_ms
)
SELECT l.coin, l.ticks, l.avg_spread_bps,
  avg(CASE WHEN h.t + 1000 <= l.last_ms THEN h.sign * (h.m1 - h.m0) / h.m0 * 1e4 END) AS as1,
  avg(CASE WHEN h.t + 10000 <= l.last_ms THEN h.sign * (h.m10 - h.m0) / h.m0 * 1e4 END) AS as10,
  avg(CASE WHEN h.t + 60000 <= l.last_ms THEN h.sign * (h.m60 - h.m0) / h.m0 * 1e4 END) AS as60
FROM last l LEFT JOIN h USING (coin)
GROUP BY l.coin, l.ticks, l.avg_spread_bps ORDER BY l.coin
`;

/** Gate 2 natively: spread by UTC hour over every coin. */
const NATIVE_GATE2_HOURLY_SQL = `
SELECT CAST((timestamp_ms // 3600000) % 24 AS INTEGER) AS hour_utc, count(*) AS ticks,
  avg(spread_bps) AS avg_bps, stddev_pop(spread_bps) AS std_bps
FROM ticks GROUP BY hour_utc ORDER BY hour_utc
`;

/** Gate 2 natively: the governor's ATR fraction per one-minute bar (engine/atr.ts), quantiles. */
const NATIVE_GATE2_ATR_SQL = `
WITH bars AS (
  SELECT coin, timestamp_ms // 60000 AS bar, max(mid) AS hi, min(mid) AS lo,
    arg_min(mid, timestamp_ms) AS open, arg_max(mid, timestamp_ms) AS close
  FROM ticks WHERE mid > 0 AND isfinite(mid) GROUP BY coin, bar
), tr AS (
  SELECT coin, bar, close, greatest(hi, pc) - least(lo, pc) AS tr FROM (
    SELECT *, coalesce(lag(close) OVER (PARTITION BY coin ORDER BY bar), open) AS pc FROM bars
  )
), f AS (
  SELECT avg(tr) OVER (PARTITION BY coin ORDER BY bar ROWS BETWEEN 14 PRECEDING AND CURRENT ROW)
    / close AS frac FROM tr
)
SELECT quantile_cont(frac, 0.5) AS calm, quantile_cont(frac, 0.95) AS halt, count(*) AS bars
FROM f
`;

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function nativeChild(args: string[]): Promise<NativeResult> {
  const t0 = performance.now();
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const conn = await instance.connect();
  const rows = async (sql: string) =>
    (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  const n = (v: unknown) => Number(v);
  const ms: Record<string, number> = { open: performance.now() - t0 };
  const lap = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await fn();
    ms[name] = performance.now() - t;
    return out;
  };
  const [mode, dir] = args;
  if (mode === "convert") {
    // The day's CSV files, one Parquet file each (zstd), row count read back as convert does.
    const [, , day, out] = args;
    await lap("convert", async () => {
      for (const kind of ["ticks", "trades"]) {
        for await (const e of Deno.readDir(`${dir}/${kind}`)) {
          const src = `${dir}/${kind}/${e.name}/${day}.csv`;
          const dst = `${out}/${kind}/${e.name}/${day}.parquet`;
          await Deno.mkdir(`${out}/${kind}/${e.name}`, { recursive: true });
          await conn.run(
            `COPY (SELECT * FROM read_csv('${src}')) TO '${dst}' (FORMAT parquet, COMPRESSION zstd)`,
          );
          await rows(`SELECT count(*) AS n FROM read_parquet('${dst}')`);
        }
      }
    });
    ms.total = performance.now() - t0;
    return { ms };
  }
  const t1 = performance.now();
  await lap("load", async () => {
    await conn.run(
      `CREATE TEMP TABLE ticks AS SELECT coin::VARCHAR AS coin, timestamp_ms, mid, spread_bps
       FROM read_parquet('${dir}/parquet/ticks/*/*.parquet')`,
    );
    await conn.run(
      `CREATE TEMP TABLE trades AS SELECT coin::VARCHAR AS coin, timestamp_ms,
         CASE side WHEN 'B' THEN 1.0 ELSE -1.0 END AS sign
       FROM read_parquet('${dir}/parquet/trades/*/*.parquet')`,
    );
  });
  const g1 = await lap("gate1", () => rows(NATIVE_GATE1_SQL));
  const hours = await lap("gate2Hourly", () => rows(NATIVE_GATE2_HOURLY_SQL));
  const atr = (await lap("gate2Atr", () => rows(NATIVE_GATE2_ATR_SQL)))[0];
  ms.gates = performance.now() - t1;
  ms.total = performance.now() - t0;
  const medAvg = medianOf(hours.map((h) => n(h.avg_bps)));
  const medStd = medianOf(hours.map((h) => n(h.std_bps)));
  return {
    ms,
    gate1: g1.map((r) => ({
      coin: String(r.coin),
      ticks: n(r.ticks),
      avgSpreadBps: n(r.avg_spread_bps),
      adverse10sBps: n(r.as10),
    })),
    gate2: {
      calmAtr: n(atr.calm),
      haltAtr: n(atr.halt),
      bars: n(atr.bars),
      chaoticHours: hours.filter((h) => n(h.avg_bps) > 1.5 * medAvg && n(h.std_bps) > 1.5 * medStd)
        .map((h) => n(h.hour_utc)),
    },
  };
}

if (Deno.args[0] === "--native-child") {
  console.log(JSON.stringify(await nativeChild(Deno.args.slice(1))));
  Deno.exit(0);
}

/** Runs {@link nativeChild} in `./deno run` with FFI allowed; returns its result and wall time. */
async function runNative(
  args: string[],
  writeDir: string,
): Promise<NativeResult & { wallMs: number }> {
  const t = performance.now();
  const out = await new Deno.Command("./deno", {
    args: [
      "run",
      "--allow-ffi=node_modules",
      "--allow-read",
      `--allow-write=${writeDir}`,
      "--allow-env",
      "--allow-sys",
      "tests/bench/pipeline_bench.ts",
      "--native-child",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`native DuckDB child failed (${args[0]})`);
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return { ...result, wallMs: performance.now() - t };
}

const dayRows = Number(Deno.env.get("MM_BENCH_DAY_ROWS_PER_COIN") ?? 133_000);
const gateRows = Number(Deno.env.get("MM_BENCH_GATE_ROWS_PER_COIN") ?? 13_300);

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

Deno.bench({
  name: `native DuckDB: COPY the same CSV day (ticks + trades) TO zstd Parquet (child process)`,
  group: "convert",
  n: 2,
  warmup: 0,
  async fn() {
    const out = `${root}/native_parquet`;
    await Deno.remove(out, { recursive: true }).catch(() => {});
    const r = await runNative(["convert", dayDir, DAY, out], root);
    console.log(
      `native COPY: ${seconds(r.ms.convert)} (child wall time ${seconds(r.wallMs)}, start-up ` +
        `and opening ${seconds(r.wallMs - r.ms.convert)})`,
    );
  },
});

/** The project's Gate 1-2 statistics, kept for the native comparison. */
let projectGates:
  | { statsMs: number; loadMs: number; reportMs: number; g1: Gate1Result; g2: Gate2Result }
  | undefined;

Deno.bench({
  name: `gates 1-2 statistics over 5 days x ${COINS} coins: project (duckdb-wasm, in process)`,
  group: "gates 1-2 vs native",
  baseline: true,
  n: 1,
  warmup: 0,
  async fn() {
    // analyze's coin pass for gates 1 and 2 only: load each coin (parquet-wasm into duckdb-wasm
    // and arrays), the adverse selection merge, the ATR bars, each gate's per-coin SQL; then gate
    // 1's combination. Gate 2's report (combination plus its chart) is timed apart.
    const t0 = performance.now();
    const db = await openDatabase();
    let loadMs = 0;
    const coins: CoinPartials[] = [];
    const loaded = emptySummary();
    for (const files of await listCoins(gateDir, {})) {
      const t = performance.now();
      const series = await loadCoin(db, files, loaded);
      loadMs += performance.now() - t;
      if (series.tickMs.length === 0) continue;
      const pass = openCoinPass(db, files.coin, series);
      const partials: CoinPartials = { coin: files.coin };
      gate1Coin(pass, partials);
      gate2Coin(pass, partials);
      coins.push(partials);
    }
    db.dropTable("ticks");
    const ctx: GateContext = { db, dataDir: gateDir, filter: {}, nowMs: NOW, coins };
    const g1 = gate1Numbers(ctx);
    const statsMs = performance.now() - t0;
    const t1 = performance.now();
    const g2 = (await gate2(ctx)).result;
    const reportMs = performance.now() - t1;
    db.close();
    projectGates = { statsMs, loadMs, reportMs, g1, g2 };
    console.log(
      `project gates 1-2: ${seconds(statsMs)} (load ${seconds(loadMs)}, merge, ATR and SQL ${
        seconds(statsMs - loadMs)
      }); gate 2 report with its chart ${seconds(reportMs)}`,
    );
  },
});

Deno.bench({
  name: `gates 1-2 statistics over the same Parquet: native DuckDB (@duckdb/node-api, child)`,
  group: "gates 1-2 vs native",
  n: 1,
  warmup: 0,
  async fn() {
    const r = await runNative(["gates", gateDir], root);
    const m = r.ms;
    console.log(
      `native gates 1-2: ${seconds(m.gates)} (read_parquet into tables ${
        seconds(m.load)
      }, gate 1 ` +
        `with ASOF joins ${seconds(m.gate1)}, gate 2 hourly ${seconds(m.gate2Hourly)}, ATR bars ` +
        `${seconds(m.gate2Atr)}); child wall time ${seconds(r.wallMs)}`,
    );
    if (projectGates === undefined) return;
    const p = projectGates;
    // The same numbers, or the ratio means nothing.
    let spreadDiff = 0, adverseDiff = 0;
    for (const c of p.g1.coins) {
      const n = r.gate1!.find((x) => x.coin === c.coin);
      if (n === undefined || n.ticks !== c.ticks) {
        throw new Error(`native gate 1 differs on ${c.coin}`);
      }
      spreadDiff = Math.max(spreadDiff, Math.abs(n.avgSpreadBps - (c.avgSpreadBps ?? NaN)));
      adverseDiff = Math.max(adverseDiff, Math.abs(n.adverse10sBps - (c.adverse10sBps ?? NaN)));
    }
    const o = p.g2.regimeOptions!;
    const g2 = r.gate2!;
    const same = Math.abs(g2.calmAtr - o.calmAtr) < 1e-8 &&
      Math.abs(g2.haltAtr - o.haltAtr) < 1e-8 &&
      g2.bars === p.g2.bars && g2.chaoticHours.join() === p.g2.chaoticHours.join();
    console.log(
      `same numbers: gate 1 over ${p.g1.coins.length} coins, max |diff| spread ${
        spreadDiff.toExponential(1)
      } bps, AS 10s ${
        adverseDiff.toExponential(1)
      } bps (project rounds to 1e-6; edge = half-spread - AS - ${MAKER_FEE_BPS}); ` +
        `gate 2 calmAtr/haltAtr/bars/chaotic hours ${same ? "equal" : "DIFFER"} (native ${
          g2.calmAtr.toExponential(6)
        }/${
          g2.haltAtr.toExponential(6)
        }/${g2.bars}, project ${o.calmAtr}/${o.haltAtr}/${p.g2.bars})`,
    );
    console.log(
      `ratio project / native, gates 1-2: ${(p.statsMs / m.gates).toFixed(1)}x (project ${
        seconds(p.statsMs)
      } vs native ${seconds(m.gates)}; with the native child's start-up ${
        (p.statsMs / r.wallMs).toFixed(1)
      }x)`,
    );
  },
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(root, { recursive: true });
});

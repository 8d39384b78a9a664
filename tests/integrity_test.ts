import assert from "node:assert/strict";
import { TICK_HEADER, TRADE_HEADER } from "../engine/csv_rows.ts";
import { checkIntegrity, formatIntegrity } from "../tools/integrity.ts";

const DAY = "2026-02-20";
const T0 = Date.parse(`${DAY}T00:00:00Z`);
const NOW = Date.parse("2026-03-01T00:00:00Z");

const tick = (t: number, coin = "ETH", bid = 2500, ask = 2500.5) =>
  `${t},${coin},${bid},${ask},${(bid + ask) / 2},2.0000`;

/** ETH ticks every 10 s from 00:00 to 02:00 with two holes: 90 s at 00:30 and 15 min at 01:00. */
function goodTicks(): string[] {
  const out: string[] = [];
  for (let t = T0; t <= T0 + 7200_000; t += 10_000) {
    const inShortGap = t > T0 + 1800_000 && t < T0 + 1890_000;
    const inLongGap = t > T0 + 3600_000 && t < T0 + 4500_000;
    if (!inShortGap && !inLongGap) out.push(tick(t));
  }
  return out;
}

/** One row of each defect, each with the reason integrity gives and the good row it follows. */
const PLANTED = [
  { after: 2, text: `${T0 + 15},ETH,2500,2500.5,2500.25`, reason: /expected 6 columns, found 5/ },
  { after: 2, text: `${T0 + 25},ETH,2500,x,2500.25,2.0000`, reason: /ask "x" is not a positive/ },
  { after: 2, text: `${T0 + 35},ETH,2501,2500,2500.5,2.0000`, reason: /bid 2501 >= ask 2500/ },
  { after: 2, text: tick(T0 - 1000), reason: /is on 2026-02-19, not 2026-02-20/ },
  { after: 2, text: tick(T0 + 45, "BTC"), reason: /coin BTC in the file of ETH/ },
  { after: 40, text: `${T0 + 400_001},ETH,2500,2500.5,0,2.0000`, reason: /mid 0 is not positive/ },
  {
    after: 41,
    text: `${T0 + 410_001},ETH,2500,2500.5,2600,2.0000`,
    reason: /mid 2600 is outside bid 2500 \.\. ask 2500\.5/,
  },
  {
    after: 42,
    text: `${T0 + 420_001},ETH,2500,2500.5,2500.25,-2.0000`,
    reason: /spread_bps -2 is negative or not finite/,
  },
  {
    after: 43,
    text: `${T0 + 430_001},ETH,2500,2500.5,2500.25,Infinity`,
    reason: /spread_bps "Infinity" is not a number/,
  },
  { after: 44, text: `${T0 + 440_001},ETH,0x64,2500.5,2500.25,2.0000`, reason: /bid "0x64"/ },
  // A time far ahead of both neighbours, and one far behind: each costs itself, not the day.
  { after: 100, text: tick(T0 + 19 * 3600_000), reason: /breaks time order with both neighbours/ },
  { after: 200, text: tick(T0 + 5), reason: /breaks time order with both neighbours/ },
];

async function plant(dir: string): Promise<{ good: string[]; bad: string[] }> {
  const good = goodTicks();
  const lines: string[] = [];
  good.forEach((line, i) => {
    lines.push(line);
    for (const p of PLANTED) if (p.after === i) lines.push(p.text);
  });
  // The file ends with an unfinished line.
  await Deno.mkdir(`${dir}/ticks/ETH`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/ticks/ETH/${DAY}.csv`,
    `${TICK_HEADER}\n${lines.join("\n")}\n${T0 + 7300_000},ETH,25`,
  );
  await Deno.mkdir(`${dir}/trades/ETH`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/trades/ETH/${DAY}.csv`,
    `${TRADE_HEADER}\n${T0},ETH,B,2500.5,0.1,1\n${T0 + 1},ETH,S,2500.5,0.1,2\n`,
  );
  return { good, bad: PLANTED.map((p) => p.text) };
}

Deno.test("integrity finds the planted gaps with start, end and duration", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await plant(dir);
    const r = await checkIntegrity({ dataDir: dir, nowMs: NOW });
    assert.deepEqual(
      r.gaps.map((g) => [g.coin, g.startMs - T0, g.endMs - T0, g.seconds, g.critical]),
      [
        ["ETH", 1800_000, 1890_000, 90, false],
        ["ETH", 3600_000, 4500_000, 900, true],
      ],
    );
    assert.equal(r.criticalGaps, 1);
    const eth = r.coins[0];
    assert.equal(eth.tickRows, goodTicks().length);
    assert.equal(eth.tradeRows, 1);
    assert.match(
      formatIntegrity(r),
      /2026-02-20T01:00:00Z -> 2026-02-20T01:15:00Z {2}900\.0 s {2}CRITICAL/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("integrity finds every planted corrupt row, and --fix removes exactly those", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { good } = await plant(dir);
    const original = await Deno.readTextFile(`${dir}/ticks/ETH/${DAY}.csv`);
    const found = await checkIntegrity({ dataDir: dir, nowMs: NOW });
    assert.equal(found.clean, false);
    const ticks = found.problems.find((p) => p.kind === "ticks")!;
    assert.deepEqual(ticks.bad.map((b) => b.text), PLANTED.map((p) => p.text));
    ticks.bad.forEach((b, i) => assert.match(b.reason, PLANTED[i].reason));
    assert.equal(ticks.incomplete, true);
    // The time 19 h ahead is a bad row, not a 19 h gap that makes the rest of the day go back.
    assert.equal(found.coins[0].tickRows, good.length);
    assert.equal(found.gaps.length, 2);
    const trades = found.problems.find((p) => p.kind === "trades")!;
    assert.match(trades.bad[0].reason, /side "S" is not B or A/);
    assert.equal(found.corruptLines, PLANTED.length + 1 + 1);

    const fixed = await checkIntegrity({ dataDir: dir, nowMs: NOW, fix: true });
    const fixedTicks = fixed.problems.find((p) => p.kind === "ticks")!;
    assert.equal(fixedTicks.fixed?.removed, PLANTED.length + 1);
    assert.equal(
      await Deno.readTextFile(`${dir}/ticks/ETH/${DAY}.csv`),
      `${TICK_HEADER}\n${good.join("\n")}\n`,
    );
    assert.equal(await Deno.readTextFile(`${dir}/ticks/ETH/${DAY}.csv.bak`), original);
    // Every removed row is named, with its line and its text.
    const text = formatIntegrity(fixed);
    for (const b of fixedTicks.bad) {
      assert.ok(text.includes(`removed line ${b.line}: ${b.reason}: ${b.text}`), b.text);
    }
    assert.match(text, /removed the unfinished last line/);
    // One bad trade of two is half the file: more than --fix takes without --force.
    const tradesLeft = fixed.problems.find((p) => p.kind === "trades")!;
    assert.equal(tradesLeft.fixed, undefined);
    assert.match(tradesLeft.notFixed!, /remove 50\.0% of the rows, more than the 5% --fix removes/);

    const forced = await checkIntegrity({ dataDir: dir, nowMs: NOW, fix: true, force: true });
    assert.equal(forced.problems.find((p) => p.kind === "trades")!.fixed?.removed, 1);
    const after = await checkIntegrity({ dataDir: dir, nowMs: NOW });
    assert.deepEqual(after.problems, []);
    assert.equal(after.corruptLines, 0);
    // The critical gap is still there: fixing rows cannot invent data.
    assert.equal(after.clean, false);
    assert.equal(
      (await checkIntegrity({ dataDir: dir, nowMs: NOW, criticalGapS: 1000 })).clean,
      true,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--fix leaves today's file alone (the harvester still appends to it)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await plant(dir);
    const r = await checkIntegrity({ dataDir: dir, nowMs: T0 + 86_000_000, fix: true });
    assert.ok(r.problems.every((p) => p.notFixed !== undefined && p.fixed === undefined));
    await assert.rejects(Deno.stat(`${dir}/ticks/ETH/${DAY}.csv.bak`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the integrity task exits 1 on problems and 0 when clean", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await plant(dir);
    const run = (...args: string[]) =>
      new Deno.Command("./deno", {
        args: [
          "run",
          `--allow-read=${dir},node_modules`,
          `--allow-write=${dir}`,
          "--allow-env=MM_DATA_DIR",
          "tools/integrity.ts",
          "--data-dir",
          dir,
          ...args,
        ],
        env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      }).output();
    const dirty = await run();
    assert.equal(dirty.code, 1);
    assert.match(
      new TextDecoder().decode(dirty.stdout),
      /PROBLEMS: 14 corrupt lines \(run with --fix to remove them\), 1 critical gaps/,
    );
    assert.equal((await run("--fix", "--critical-s", "1000")).code, 1, "the trade file waits");
    assert.equal((await run("--fix", "--force", "--critical-s", "1000")).code, 0);
    const bad = await run("--gap-s", "soon");
    assert.equal(bad.code, 2);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /--gap-s "soon" is not a positive number of seconds/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a coin that stops for the rest of its last day is a gap, not CLEAN", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [coin, hours] of [["BTC", 2], ["ETH", 1]] as const) {
      const rows = [];
      for (let t = T0; t <= T0 + hours * 3600_000; t += 10_000) rows.push(tick(t, coin));
      await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/ticks/${coin}/${DAY}.csv`,
        [TICK_HEADER, ...rows, ""].join("\n"),
      );
    }
    const r = await checkIntegrity({ dataDir: dir, nowMs: NOW });
    assert.deepEqual(
      r.gaps.map((g) => [g.coin, g.startMs - T0, g.endMs - T0, g.critical, g.stopped]),
      [["ETH", 3600_000, 7200_000, true, true]],
    );
    assert.equal(r.clean, false);
    assert.match(formatIntegrity(r), /3600\.0 s {2}CRITICAL {2}\(no ticks for the rest of the day/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a byte order mark is accepted; files without rows are named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/ticks/ETH`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/ticks/ETH/${DAY}.csv`,
      `\uFEFF${TICK_HEADER}\n${goodTicks().join("\n")}\n`,
    );
    for (const [coin, text] of [["BTC", ""], ["SOL", `${TICK_HEADER}\n`]]) {
      await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/ticks/${coin}/${DAY}.csv`, text);
    }
    const r = await checkIntegrity({ dataDir: dir, nowMs: NOW });
    assert.deepEqual(r.problems, []);
    assert.equal(r.coins.find((c) => c.coin === "ETH")!.tickRows, goodTicks().length);
    assert.deepEqual(r.emptyFiles, [`${dir}/ticks/BTC/${DAY}.csv`, `${dir}/ticks/SOL/${DAY}.csv`]);
    assert.match(formatIntegrity(r), /SOL\/2026-02-20\.csv: no good rows .*; convert skips it/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

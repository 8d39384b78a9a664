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

const PLANTED = [
  { text: `${T0 + 15},ETH,2500,2500.5,2500.25`, reason: /expected 6 columns, found 5/ },
  { text: `${T0 + 25},ETH,2500,x,2500.25,2.0000`, reason: /ask "x" is not a positive number/ },
  { text: `${T0 + 35},ETH,2501,2500,2500.5,2.0000`, reason: /bid 2501 >= ask 2500/ },
  { text: tick(T0 + 5), reason: /goes back/ },
  { text: tick(T0 - 1000), reason: /is on 2026-02-19, not 2026-02-20/ },
  { text: tick(T0 + 45, "BTC"), reason: /coin BTC in the file of ETH/ },
];

async function plant(dir: string): Promise<{ good: string[]; bad: string[] }> {
  const good = goodTicks();
  // Bad lines go after the first few good ones; the file ends with an unfinished line.
  const lines = [...good.slice(0, 3), ...PLANTED.map((p) => p.text), ...good.slice(3)];
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
    const trades = found.problems.find((p) => p.kind === "trades")!;
    assert.match(trades.bad[0].reason, /side "S" is not B or A/);
    assert.equal(found.corruptLines, PLANTED.length + 1 + 1);

    const fixed = await checkIntegrity({ dataDir: dir, nowMs: NOW, fix: true });
    assert.equal(
      fixed.problems.find((p) => p.kind === "ticks")!.fixed?.removed,
      PLANTED.length + 1,
    );
    assert.equal(
      await Deno.readTextFile(`${dir}/ticks/ETH/${DAY}.csv`),
      `${TICK_HEADER}\n${good.join("\n")}\n`,
    );
    assert.equal(await Deno.readTextFile(`${dir}/ticks/ETH/${DAY}.csv.bak`), original);

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
      /PROBLEMS: 8 corrupt lines \(run with --fix to remove them\), 1 critical gaps/,
    );
    assert.equal((await run("--fix", "--critical-s", "1000")).code, 0);
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

/**
 * `deno task fit-market` on a folder a user could have harvested or recorded: it measures every
 * coin with depth, writes the fitted parameters with the statistics and the folder they came
 * from, and refuses a folder without order books with a message saying what is missing.
 */
import assert from "node:assert/strict";
import { fitMarket } from "../tools/fit_market.ts";
import { driveMarket } from "../tools/market_fit/drive.ts";
import { marketStats } from "../tools/market_fit/stats.ts";
import { MARKET_FIT } from "../tools/venue_sim/market_profile.ts";
import { UNIVERSE } from "../tools/venue_sim/universe.ts";

/** A recording in the wide CSV layout of ../shared/real-data/ (five levels), from the generator. */
async function writeRecording(dir: string, coin: string): Promise<void> {
  const sim = UNIVERSE.find((c) => c.name === "SOL")!;
  const { books, trades } = driveMarket(
    { ...sim, name: coin },
    MARKET_FIT.profiles.SOL.params,
    9,
    5,
  );
  // The generator's clock starts at 0: the recording starts on 2025-09-04 like the real one.
  const t0 = 1_757_015_216_000;
  const header = ["timestamp", "sequence", "exchange_timestamp"];
  for (let i = 0; i < 5; i++) {
    header.push(`bid_price_${i}`, `bid_size_${i}`, `ask_price_${i}`, `ask_size_${i}`);
  }
  const rows = books.map((b) => {
    const t = t0 + b.timeMs;
    const cells: (string | number)[] = [t / 1000, t, t];
    for (let i = 0; i < 5; i++) cells.push(b.bids[i].px, b.bids[i].sz, b.asks[i].px, b.asks[i].sz);
    return cells.join(",");
  });
  await Deno.writeTextFile(`${dir}/orderbooks_${coin}.csv`, [header.join(","), ...rows].join("\n"));
  const tradeRows = trades.map((t, i) =>
    [(t0 + t.timeMs) / 1000, t.px, t.sz, t.side === "B" ? "buy" : "sell", i + 1, t0 + t.timeMs]
      .join(",")
  );
  await Deno.writeTextFile(
    `${dir}/trades_${coin}.csv`,
    ["timestamp,price,size,side,trade_id,exchange_timestamp", ...tradeRows].join("\n"),
  );
}

Deno.test("fit-market measures each recorded coin and writes its fitted parameters with the source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeRecording(dir, "ABC");
    const lines: string[] = [];
    const out = `${dir}/fit.json`;
    const fit = await fitMarket(dir, out, 0, (l) => lines.push(l));
    assert.deepEqual(Object.keys(fit.profiles), ["ABC"]);
    const written = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(Object.keys(written.profiles), ["ABC"]);
    assert.match(written.source, new RegExp(`^${dir} \\(\\d{4}-.+ to .+\\)$`));
    const { stats, params } = written.profiles.ABC;
    assert.equal(stats.spreadTicks.p50, 1);
    assert.ok(
      stats.books > 500 && stats.prints > 0,
      `${stats.books} books, ${stats.prints} prints`,
    );
    assert.equal(params.ordersAt.length, params.orderUsdAt.length);
    assert.ok(params.cancelPerMs > 0 && params.takersPerMs > 0 && params.movesPerMs > 0);
    assert.ok(lines.some((l) => l.startsWith("real ABC: ")), lines.join("\n"));
    assert.ok(lines.some((l) => l.startsWith(`wrote ${out}`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fit-market refuses a folder without order books, books without trades, and a path that does not exist", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "nothing here\n");
    await assert.rejects(
      () => fitMarket(dir, `${dir}/fit.json`, 0, () => {}),
      /no coin under .+ has two or more order-book snapshots \(read: 0 files, skipped: 1: skipped .+notes\.txt: not a recording with depth or trades \(first line "nothing here"\)\); the fit needs depth/,
    );
    await writeRecording(dir, "XYZ");
    await Deno.remove(`${dir}/trades_XYZ.csv`);
    await assert.rejects(
      () => fitMarket(dir, `${dir}/fit.json`, 0, () => {}),
      /XYZ: cannot fit: the taker sizes \(needs trades\) could not be measured from \d+ books/,
    );
    await assert.rejects(
      () => fitMarket(`${dir}/missing`, `${dir}/fit.json`, 0, () => {}),
      /cannot read .+missing: No such file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task fit-market tells a user whose folder lies outside data/ to link it there", async () => {
  // The task's permissions keep the repository root, where .env lives, out of its reach.
  const dir = await Deno.makeTempDir();
  try {
    const run = await new Deno.Command("./deno", {
      args: ["task", "-q", "fit-market", dir],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 2, stderr);
    assert.match(
      stderr,
      /^fit-market: cannot read \/.+: fit-market reads only under data\/ and \.\.\/shared\/real-data\/; link the folder under data\/ \(ln -s \/.+ data\/NAME\) and fit data\/NAME$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the statistics read a recording's own cadence and spread", () => {
  const sol = UNIVERSE.find((c) => c.name === "SOL")!;
  const { books, trades } = driveMarket(sol, MARKET_FIT.profiles.SOL.params, 3, 10);
  const s = marketStats("SOL", books, trades);
  assert.equal(s.tick, 0.01);
  assert.equal(s.books, books.length);
  assert.ok(s.cadenceMs.p10 <= s.cadenceMs.p50 && s.cadenceMs.p50 <= s.cadenceMs.p90);
});

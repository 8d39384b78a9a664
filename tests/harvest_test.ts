import assert from "node:assert/strict";
import { Harvester } from "../engine/harvest.ts";
import { formatDecimal, formatTickLine, TICK_HEADER, TRADE_HEADER } from "../engine/csv_rows.ts";
import type { BookSnapshot } from "../engine/hyperliquid/types.ts";
import { checkIntegrity } from "../tools/integrity.ts";

function book(coin: string, timeMs: number, bid: number, ask: number): BookSnapshot {
  return { coin, timeMs, bids: [{ px: bid, sz: 1, n: 1 }], asks: [{ px: ask, sz: 2, n: 1 }] };
}

Deno.test("tick rows are written exactly as the spec shows, header once per file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const h = new Harvester({ dataDir: dir });
    h.recordBook(book("BTC", 1771733346055, 68020.0, 68021.0));
    await h.flush();
    h.recordBook(book("BTC", 1771733346700, 68020.5, 68021.0));
    h.recordBook(book("kPEPE", 1771733346800, 0.000012, 0.0000121));
    await h.close();
    assert.equal(
      await Deno.readTextFile(`${dir}/ticks/BTC/2026-02-22.csv`),
      `${TICK_HEADER}\n` +
        "1771733346055,BTC,68020,68021,68020.5,0.1470\n" +
        "1771733346700,BTC,68020.5,68021,68020.75,0.0735\n",
    );
    // Small prices keep plain decimals (String(1.2e-7) would be exponent form).
    assert.equal(
      await Deno.readTextFile(`${dir}/ticks/kPEPE/2026-02-22.csv`),
      `${TICK_HEADER}\n1771733346800,kPEPE,0.000012,0.0000121,0.00001205,82.9876\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trades are written once each, one-sided books are not ticks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const h = new Harvester({ dataDir: dir });
    const trade = {
      coin: "ETH",
      side: "B" as const,
      px: 2500.5,
      sz: 0.1,
      timeMs: 1771733346055,
      tid: 123456789012,
    };
    h.recordTrades([trade, { ...trade, side: "A", tid: 7, px: 2500.4 }]);
    h.recordTrades([trade]); // replayed after a resubscribe
    h.recordBook({ coin: "ETH", timeMs: 1771733346055, bids: [], asks: [{ px: 1, sz: 1, n: 1 }] });
    await h.close();
    assert.equal(
      await Deno.readTextFile(`${dir}/trades/ETH/2026-02-22.csv`),
      `${TRADE_HEADER}\n1771733346055,ETH,B,2500.5,0.1,123456789012\n1771733346055,ETH,A,2500.4,0.1,7\n`,
    );
    assert.equal(h.stats.duplicateTrades, 1);
    await assert.rejects(Deno.stat(`${dir}/ticks/ETH`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rows go to the file of their own UTC day across midnight, none lost", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const h = new Harvester({ dataDir: dir });
    const midnight = Date.parse("2026-02-23T00:00:00Z");
    for (const dt of [-2, -1, 0, 1]) h.recordBook(book("SOL", midnight + dt, 100, 100.01));
    await h.close();
    const before = (await Deno.readTextFile(`${dir}/ticks/SOL/2026-02-22.csv`)).split("\n");
    const after = (await Deno.readTextFile(`${dir}/ticks/SOL/2026-02-23.csv`)).split("\n");
    assert.deepEqual(before.slice(1, 3).map((l) => Number(l.split(",")[0]) - midnight), [-2, -1]);
    assert.deepEqual(after.slice(1, 3).map((l) => Number(l.split(",")[0]) - midnight), [0, 1]);
    assert.equal(after[0], TICK_HEADER);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("raw l2Book frames go to depth files only when depth harvesting is on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frame = JSON.stringify(
      {
        channel: "l2Book",
        data: { coin: "BTC", time: 1771733346055, levels: [[{ px: "68020", sz: "1", n: 1 }], []] },
      },
      null,
      1,
    );
    const off = new Harvester({ dataDir: `${dir}/off` });
    off.recordRawBookFrame(frame);
    await off.close();
    await assert.rejects(Deno.stat(`${dir}/off/depth`), Deno.errors.NotFound);
    const on = new Harvester({ dataDir: dir, depth: true });
    on.recordRawBookFrame(frame);
    await on.close();
    const lines = (await Deno.readTextFile(`${dir}/depth/BTC/2026-02-22.jsonl`)).split("\n");
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[0]), JSON.parse(frame));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad options are refused with the option named", () => {
  assert.throws(() => new Harvester({ dataDir: "/tmp/x", flushIntervalMs: 0 }), /flushIntervalMs/);
});

Deno.test("kill -9 mid-write leaves no corrupt row; a restart trims the unfinished line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command("./deno", {
      args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, "tests/harvest_loop.ts", dir],
      stdout: "piped",
      stderr: "inherit",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /flushing/);
    // Let it write a few hundred batches, then kill it without warning.
    await new Promise((r) => setTimeout(r, 400));
    child.kill("SIGKILL");
    reader.releaseLock();
    await child.stdout.cancel();
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");

    const nowMs = Date.parse("2026-03-01T00:00:00Z");
    const afterKill = await checkIntegrity({ dataDir: dir, nowMs });
    const badRows = afterKill.problems.flatMap((p) => p.bad);
    assert.deepEqual(badRows, []);
    assert.ok(afterKill.coins[0].tickRows > 2000);

    // A new harvester appending to the same files first cuts any unfinished line away.
    const h = new Harvester({ dataDir: dir });
    h.recordBook(book("BTC", Date.parse("2026-02-23T12:00:00Z"), 1, 2));
    h.recordTrades([{
      coin: "BTC",
      side: "A",
      px: 1,
      sz: 1,
      timeMs: Date.parse("2026-02-23T12:00:00Z"),
      tid: 1e12,
    }]);
    await h.close();
    const afterRestart = await checkIntegrity({ dataDir: dir, nowMs });
    assert.deepEqual(afterRestart.problems, []);
    assert.equal(afterRestart.corruptLines, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prices are plain shortest decimals, never exponent form", () => {
  assert.equal(formatDecimal(1.2e-7), "0.00000012");
  assert.equal(formatDecimal(-3.5e-9), "-0.0000000035");
  assert.equal(formatDecimal(1e21), "1000000000000000000000");
  assert.equal(formatDecimal(68020.5), "68020.5");
  assert.equal(formatTickLine(1, "X", 101.25, 101.27), "1,X,101.25,101.27,101.26,1.9751\n");
});

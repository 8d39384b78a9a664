import assert from "node:assert/strict";
import { parseCli } from "../engine/cli.ts";
import { replayOnce } from "./helpers/replay.ts";

const DAY = "2026-02-22";
const T0 = Date.UTC(2026, 1, 22, 9);

/** Writes harvested-format tick and trade CSVs of a seeded random walk; returns the folder. */
async function writeMarket(minutes: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mm-replay-" });
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [coin, start] of [["BTC", 68000], ["ETH", 3000], ["SOL", 150]] as const) {
    await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
    await Deno.mkdir(`${dir}/trades/${coin}`, { recursive: true });
    const ticks = ["timestamp_ms,coin,bid,ask,mid,spread_bps"];
    const trades = ["timestamp_ms,coin,side,px,sz,tid"];
    let mid = start;
    let tid = 1;
    const tick = start > 1000 ? 1 : 0.01;
    for (let t = T0; t < T0 + minutes * 60_000; t += 500) {
      mid = Math.round((mid * (1 + (rand() - 0.5) * 0.0006)) / tick) * tick;
      const bid = mid - tick / 2, ask = mid + tick / 2;
      ticks.push(`${t},${coin},${bid},${ask},${mid},${(ask - bid) / mid * 1e4}`);
      if (rand() < 0.6) {
        const side = rand() < 0.5 ? "A" : "B";
        const px = side === "A" ? bid * (1 - rand() * 0.0004) : ask * (1 + rand() * 0.0004);
        const sz = (30 + rand() * 300) / px;
        trades.push(`${t + 200},${coin},${side},${px.toFixed(4)},${sz.toFixed(5)},${tid++}`);
      }
    }
    await Deno.writeTextFile(`${dir}/ticks/${coin}/${DAY}.csv`, ticks.join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/trades/${coin}/${DAY}.csv`, trades.join("\n") + "\n");
  }
  return dir;
}

Deno.test("a replay is deterministic: same files, same fills and PnL to the last digit", async () => {
  const dir = await writeMarket(10);
  try {
    const first = await replayOnce(dir);
    const second = await replayOnce(dir);
    assert.ok(first.fills.length > 20, `only ${first.fills.length} fills`);
    assert.deepEqual(second.fills, first.fills);
    assert.equal(second.pnl, first.pnl);
    assert.deepEqual(first.outcome.coins, ["BTC", "ETH", "SOL"]);
    assert.equal(first.outcome.badRows, 0);
    // The replay ran through the whole engine: quotes, fills, inventory.
    const summary = first.outcome.stack.engine.summary(first.outcome.run.lastMs);
    assert.equal(summary.fills, first.fills.length);
    assert.ok(summary.coins.some((c) => c.position !== 0));
    assert.equal(summary.latency, null, "replay does not pretend to measure wall-clock latency");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the queue model is selectable in replay and changes the fills", async () => {
  const dir = await writeMarket(5);
  try {
    const spec = await replayOnce(dir, { MM_QUEUE_MODEL: "spec" });
    const queue = await replayOnce(dir, { MM_QUEUE_MODEL: "queue" });
    assert.ok(spec.fills.length > 0 && queue.fills.length > 0);
    assert.notDeepEqual(queue.fills, spec.fills);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replay refuses a folder without harvested files, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm-empty-" });
  try {
    await assert.rejects(
      () => replayOnce(dir),
      new RegExp(`no \\.csv or \\.jsonl files under ${dir}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the command line: modes, replay paths, speed and duration", () => {
  assert.deepEqual(parseCli(["replay", "data/ticks", "--speed", "1x"]).paths, ["data/ticks"]);
  assert.equal(parseCli(["demo", "--duration", "30s"]).durationMs, 30_000);
  assert.equal(parseCli(["shadow", "--duration=2m"]).durationMs, 120_000);
  assert.throws(() => parseCli(["replay"]), /replay needs files or a folder/);
  assert.throws(() => parseCli(["demo", "--duration", "soon"]), /--duration "soon" is invalid/);
  assert.throws(() => parseCli(["replay", "x", "--speed", "2x"]), /--speed "2x" is invalid/);
  assert.throws(() => parseCli(["trade"]), /unknown mode "trade"/);
  assert.equal(parseCli(["demo", "--seed", "7"]).seed, 7);
  assert.equal(parseCli(["demo"]).seed, 1);
  assert.throws(() => parseCli(["demo", "--seed", "-1"]), /--seed "-1" is invalid/);
  assert.throws(() => parseCli(["shadow", "--seed=7"]), /--seed applies to demo only/);
});

Deno.test("recorded WebSocket frames (.jsonl) replay with full depth, deterministically", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm-frames-" });
  try {
    const lines: string[] = [];
    let mid = 150;
    let tid = 1;
    for (let i = 0; i < 600; i++) {
      const t = T0 + i * 500;
      mid = Math.round(mid * (1 + Math.sin(i / 7) * 0.0002) * 100) / 100;
      const level = (px: number, n: number) => ({ px: px.toFixed(2), sz: "40.5", n });
      lines.push(JSON.stringify({
        channel: "l2Book",
        data: {
          coin: "SOL",
          time: t,
          levels: [
            [level(mid - 0.01, 3), level(mid - 0.02, 5)],
            [level(mid + 0.01, 2), level(mid + 0.02, 4)],
          ],
        },
      }));
      const side = i % 3 === 0 ? "B" : "A";
      const px = side === "A" ? mid - 0.04 : mid + 0.04;
      lines.push(JSON.stringify({
        channel: "trades",
        data: [{
          coin: "SOL",
          side,
          px: px.toFixed(2),
          sz: "2.5",
          time: t + 250,
          hash: "0x0",
          tid: tid++,
        }],
      }));
    }
    await Deno.writeTextFile(`${dir}/frames.jsonl`, lines.join("\n") + "\n");
    const first = await replayOnce(dir, { MM_QUEUE_MODEL: "queue" });
    const second = await replayOnce(dir, { MM_QUEUE_MODEL: "queue" });
    assert.deepEqual(first.outcome.coins, ["SOL"]);
    assert.ok(first.fills.length > 0);
    assert.deepEqual(second.fills, first.fills);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * After a kill -9 at any moment, a shadow restart's inventory is what the fills file implies:
 * the state records how far the fills file reached, and the restart books the lines after it.
 */
import assert from "node:assert/strict";
import { foldFills, readFillLogTail } from "../engine/fill_log_restore.ts";
import { formatQuantity, type ShadowFillRecord } from "../engine/shadow_log.ts";
import { emptyState, parseState } from "../engine/state.ts";

import { demoCommand, runDemo } from "./helpers/demo.ts";
const T0 = Date.UTC(2026, 11, 3, 12);

function record(side: "bid" | "ask", px: number, sz: number, inventory: number): ShadowFillRecord {
  return {
    timeMs: T0,
    coin: "ETH",
    side,
    level: 1,
    px,
    sz,
    notional: px * sz,
    feeUsd: 0.01,
    cause: "queue",
    orderId: "shadow-1",
    inventory,
    inventoryUsd: inventory * px,
  };
}

Deno.test("the lines after the state's mark are booked onto it; an unfinished last line is cut", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_fill_log_" });
  try {
    const lines = [record("bid", 100, 1, 1), record("bid", 110, 1, 2), record("ask", 120, 0.5, 1.5)]
      .map((r) => JSON.stringify(r) + "\n");
    // The state saw the first fill; a kill came after the third line was half written.
    await Deno.writeTextFile(`${dir}/2026-12-03.jsonl`, lines.join("") + '{"timeMs":17');
    const state = {
      ...emptyState(T0),
      inventory: { ETH: { qty: 1, avgEntryPx: 100 } },
      fillLog: { day: "2026-12-03", lines: 1 },
    };
    const tail = await readFillLogTail(dir, state.fillLog);
    assert.equal(tail.records.length, 2);
    assert.deepEqual(tail.end, { day: "2026-12-03", lines: 3 });
    assert.equal(tail.cutBytes, 12);
    assert.equal(await Deno.readTextFile(`${dir}/2026-12-03.jsonl`), lines.join(""));
    const folded = foldFills(state, tail.records);
    assert.deepEqual(folded.inventory, { ETH: { qty: 1.5, avgEntryPx: 105 } });
    assert.equal(folded.session.fills, 2);
    assert.equal(folded.session.realizedPnlUsd, 0.5 * (120 - 105));
    // A state from before marks (or a first run) books nothing: it cannot know where it stood.
    assert.deepEqual((await readFillLogTail(dir, null)).records, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Each coin's position after its last record in the fills files of `dir` (not flat ones). */
async function impliedInventory(dir: string): Promise<Map<string, number>> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (/^\d{4}-.*\.jsonl$/.test(e.name)) names.push(e.name);
  const last = new Map<string, number>();
  for (const name of names.sort()) {
    for (const line of (await Deno.readTextFile(`${dir}/${name}`)).split("\n")) {
      // A half-written last line is not a fill.
      if (!line.endsWith("}")) continue;
      const r = JSON.parse(line);
      last.set(r.coin, r.inventory);
    }
  }
  return new Map([...last].filter(([, qty]) => qty !== 0));
}

Deno.test("demo killed with SIGKILL at three moments: each restart's inventory is the fills file's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_fill_kill_" });
  const fillsDir = `${dir}/demo/shadow`;
  const fillLines = async () =>
    (await impliedInventory(fillsDir).catch(() => new Map())).size +
    (await Deno.readTextFile(`${fillsDir}/${new Date().toISOString().slice(0, 10)}.jsonl`)
      .catch(() => "")).split("\n").length;
  try {
    // Kills within the 5 s between periodic saves, at different distances from the last fill.
    for (const afterMs of [0, 1_300, 3_700]) {
      const before = await fillLines();
      const running = demoCommand(dir, [], { piped: false }).spawn();
      for (let waited = 0; waited < 30_000 && await fillLines() <= before; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      running.kill("SIGKILL");
      assert.equal((await running.status).signal, "SIGKILL");
      const implied = await impliedInventory(fillsDir);
      assert.ok(implied.size > 0 || afterMs > 0, "the first run filled something");

      const { code, stdout, stderr } = await runDemo(dir, ["--duration", "1s"]);
      assert.equal(code, 0, stderr + stdout.slice(-2000));
      const restored = stdout.match(/\[STATE\] restored inventory: (.*)/)?.[1] ?? "";
      const parsed = new Map(
        restored.split(", ").filter((x) => x).map((x) => {
          const [coin, qty] = x.split(" ");
          return [coin, qty] as const;
        }),
      );
      assert.deepEqual(
        parsed,
        new Map([...implied].map(([coin, qty]) => [coin, formatQuantity(qty)])),
        `kill ${afterMs} ms after a fill: restored ${restored}`,
      );
      const state = parseState(await Deno.readTextFile(`${dir}/demo/state/engine_state.json`));
      assert.ok(state.fillLog !== null, "the state records the fills file's extent");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

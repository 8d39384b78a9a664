import assert from "node:assert/strict";
import { clearHalt, emptyState, markHalted, parseState } from "../engine/state.ts";
import { loadState, mayStartLive, saveState } from "../engine/state_file.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "mm_state_" });
}

function sampleState() {
  const state = emptyState(1_771_700_000_000);
  state.inventory.BTC = { qty: -0.0125, avgEntryPx: 68_020.5 };
  state.inventory.ETH = { qty: 0.5, avgEntryPx: 3_001.25 };
  state.session = {
    startedAtMs: 1_771_700_000_000,
    placed: 120,
    cancels: 80,
    requests: 200,
    fills: 7,
    volumeUsd: 1_234.5,
    feesUsd: 0.18,
    realizedPnlUsd: 2.75,
  };
  state.dailyAnchor = { utcDay: "2026-02-22", startingBalanceUsd: 10_000 };
  state.watermarks.BTC = { timeMs: 1_771_733_346_055, tids: [101, 102] };
  state.openShadowOrders.push({
    coin: "ETH",
    side: "ask",
    level: 2,
    px: 3_003.5,
    sz: 0.012,
    queueAhead: 4.2,
  });
  return state;
}

Deno.test("state: a saved state loads back field for field", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/nested/engine_state.json`;
    assert.equal((await loadState(path)).kind, "missing");
    const state = sampleState();
    await saveState(path, state, 1_771_733_400_000);
    const result = await loadState(path);
    assert.equal(result.kind, "loaded");
    assert.deepEqual(result.state, { ...state, savedAtMs: 1_771_733_400_000 });
    assert.deepEqual(mayStartLive(result), { ok: true });
    // Only the state file remains: no temp file left behind.
    assert.deepEqual([...Deno.readDirSync(`${dir}/nested`)].map((e) => e.name), [
      "engine_state.json",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: a halted engine loads halted until the operator clears it", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/engine_state.json`;
    const halted = markHalted(sampleState(), "daily drawdown 5.2% > 5%", 1_771_733_000_000);
    assert.equal(markHalted(halted, "later reason", 2).halt.reason, "daily drawdown 5.2% > 5%");
    await saveState(path, halted);

    const restarted = await loadState(path);
    assert.deepEqual(restarted.state.halt, {
      halted: true,
      reason: "daily drawdown 5.2% > 5%",
      sinceMs: 1_771_733_000_000,
    });
    await saveState(path, restarted.state);
    assert.equal((await loadState(path)).state.halt.halted, true, "still halted after another run");

    await saveState(path, clearHalt(restarted.state));
    const cleared = await loadState(path);
    assert.deepEqual(cleared.state.halt, { halted: false, reason: null, sinceMs: null });
    assert.deepEqual(cleared.state.inventory, restarted.state.inventory, "only the halt changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: a corrupt file is set aside and live trading refuses to start", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/engine_state.json`;
    await saveState(path, sampleState());
    const good = await Deno.readTextFile(path);
    const cases = [
      good.slice(0, good.length / 2),
      good.replace('"qty": -0.0125', '"qty": "lots"'),
      good.replace('"version": 1', '"version": 99'),
    ];
    for (const [i, text] of cases.entries()) {
      await Deno.writeTextFile(path, text);
      const result = await loadState(path, 1_000 + i);
      assert.equal(result.kind, "corrupt");
      if (result.kind !== "corrupt") continue;
      assert.equal(result.movedTo, `${path}.corrupt-${1_000 + i}`);
      assert.equal(await Deno.readTextFile(result.movedTo), text, "the bad file is kept as it was");
      assert.equal((await loadState(path)).kind, "missing", "nothing left at the state path");
      assert.deepEqual(result.state.inventory, {}, "the run gets an empty state, not a guess");
      const verdict = mayStartLive(result);
      assert.equal(verdict.ok, false);
      if (!verdict.ok) assert.match(verdict.reason, /corrupt.*moved to/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: the error names the bad field", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/engine_state.json`;
    await saveState(path, sampleState());
    const text = (await Deno.readTextFile(path)).replace(
      '"avgEntryPx": 68020.5',
      '"avgEntryPx": null',
    );
    await Deno.writeTextFile(path, text);
    const result = await loadState(path);
    assert.equal(result.kind, "corrupt");
    if (result.kind === "corrupt") assert.match(result.error, /inventory\.BTC\.avgEntryPx=null/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: the private key never reaches the file", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/engine_state.json`;
    const privateKey = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    const config = { address: "0xabc", privateKey, shadowMode: false };
    // A careless caller attaches its config to the state object.
    const state = Object.assign(sampleState(), { config, privateKey });
    state.halt.reason = null;
    await saveState(path, state);
    const text = await Deno.readTextFile(path);
    assert.equal(text.includes(privateKey.slice(2)), false);
    assert.equal(text.includes("privateKey"), false);
    assert.equal(text.includes("config"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: saves apply in call order, each a snapshot taken at the call", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/engine_state.json`;
    const state = sampleState();
    const saves: Promise<void>[] = [];
    for (let fills = 1; fills <= 20; fills++) {
      state.session.fills = fills;
      saves.push(saveState(path, state));
    }
    state.session.fills = 999;
    await Promise.all(saves);
    assert.equal((await loadState(path)).state.session.fills, 20);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: kill -9 while saving in a loop, then restart: inventory and watermarks restored", async () => {
  const dir = await tempDir();
  const path = `${dir}/engine_state.json`;
  const child = new Deno.Command("./deno", {
    args: [
      "run",
      "--quiet",
      `--allow-read=${dir},.`,
      `--allow-write=${dir}`,
      "tests/helpers/state_writer.ts",
      path,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // Wait until the writer has gone through some rounds, so the kill lands mid-loop.
    const deadline = Date.now() + 20_000;
    let rounds = 0;
    while (rounds < 30) {
      if (Date.now() > deadline) throw new Error("the state writer made no progress in 20 s");
      const exited = await Promise.race([child.status, Promise.resolve(null)]);
      if (exited) {
        const stderr = await new Response(child.stderr).text();
        throw new Error(`the state writer exited early: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
      // Read without loadState, which would clean up the writer's in-flight temp file.
      const text = await Deno.readTextFile(path).catch(() => null);
      // A reader never sees a half-written file: parseState throws on one.
      if (text !== null) rounds = parseState(text).session.fills;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");

    const restarted = await loadState(path);
    assert.equal(restarted.kind, "loaded");
    const n = restarted.state.session.fills;
    assert.ok(n >= rounds);
    assert.equal(Object.keys(restarted.state.inventory).length, 30);
    for (const [coin, entry] of Object.entries(restarted.state.inventory)) {
      assert.deepEqual(entry, { qty: n, avgEntryPx: n * 10 }, coin);
      assert.deepEqual(restarted.state.watermarks[coin], {
        timeMs: 1_700_000_000_000 + n,
        tids: [n, n + 1],
      });
    }
    assert.equal(restarted.state.openShadowOrders.length, 90);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["engine_state.json"],
      "the temp file of the interrupted save is cleaned up at load",
    );
  } finally {
    await child.stderr.cancel();
    await Deno.remove(dir, { recursive: true });
  }
});

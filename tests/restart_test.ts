/**
 * Restarts: the saved inventory comes back at its entry prices, PnL continues from there, a
 * restart the same UTC day keeps counting the day's losses toward the drawdown stop, and a
 * real `demo` killed with SIGKILL starts again with its inventory and trade watermarks.
 */
import assert from "node:assert/strict";
import { AdverseSelection } from "../engine/adverse.ts";
import { loadConfig } from "../engine/config.ts";
import { Engine } from "../engine/engine.ts";
import { loadKernel } from "../engine/kernel.ts";
import { createLogger } from "../engine/log.ts";
import { Portfolio } from "../engine/portfolio.ts";
import { formatQuantity, formatShadowReport } from "../engine/shadow_log.ts";
import { parseState } from "../engine/state.ts";
import { foldFills, readFillLogTail } from "../engine/fill_log_restore.ts";
import { SimExchange } from "../engine/venue/sim.ts";
import type { Fill, QuoteSide } from "../engine/venue/venue.ts";
import { demoCommand, runDemo } from "./helpers/demo.ts";
import { testAsset } from "./helpers/asset.ts";

const T0 = Date.UTC(2026, 10, 25, 12);
const DAY_MS = 86_400_000;

function fill(side: QuoteSide, px: number, sz: number, timeMs = T0, coin = "ETH"): Fill {
  return { coin, side, level: 0, px, sz, timeMs, feeUsd: 0, cause: "queue", orderId: "shadow-1" };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

Deno.test("a restored position books no fill, and PnL continues from its average entry", () => {
  const p = new Portfolio();
  p.restore("ETH", 0.5, 100, T0);
  assert.equal(p.position("ETH"), 0.5);
  assert.equal(p.totals().fills, 0, "restoring is not a fill");
  assert.equal(p.totals().volumeUsd, 0, "restoring is not volume");
  p.mark("ETH", 104, T0 + 1);
  close(p.unrealizedUsd("ETH"), 2, "0.5 × (104 − 100)");
  const after = p.applyFill(fill("ask", 110, 0.2, T0 + 2));
  close(after.realizedUsd, 2, "0.2 × (110 − 100)");
  close(after.position, 0.3, "position");
  assert.equal(after.avgEntry, 100, "a partial close keeps the entry");
  p.mark("ETH", 105, T0 + 3);
  close(p.unrealizedUsd("ETH"), 1.5, "0.3 × (105 − 100)");
  close(p.pnlUsd(), 3.5, "realized 2 + unrealized 1.5");
  assert.equal(p.totals().fills, 1);

  const short = new Portfolio();
  short.restore("SOL", -2, 150, T0);
  close(short.applyFill(fill("bid", 140, 2, T0, "SOL")).realizedUsd, 20, "short covered lower");
  assert.equal(short.position("SOL"), 0);
});

Deno.test("a restore with a bad size or entry price is refused, naming the coin", () => {
  const p = new Portfolio();
  assert.throws(() => p.restore("BTC", NaN, 68_000, T0), /restored position of BTC: qty NaN/);
  assert.throws(() => p.restore("BTC", 0.1, 0, T0), /BTC: qty 0.1 at 0 .*entry price positive/);
  assert.equal(p.position("BTC"), 0);
});

Deno.test("a same-day resume keeps the session totals and measures the day from its anchor", () => {
  const p = new Portfolio();
  p.restore("ETH", 1, 100, T0);
  // Before the restart: realized −40 and fees 2 this session, of which −10 came before midnight.
  p.resumeDay(
    { realizedUsd: -40, feesUsd: 2, volumeUsd: 5_000, fills: 30, dayAnchorPnlUsd: -10 },
    T0,
  );
  let t = p.totals();
  assert.equal(t.fills, 30);
  assert.equal(t.volumeUsd, 5_000);
  close(t.pnlUsd, -42, "realized − fees");
  close(t.dailyPnlUsd, -32, "the day's part");
  close(p.dailyPnlPct(), -0.32, "of the 10,000 USD balance");
  assert.equal(p.dayAnchorPnlUsd(T0), -10, "what the next save records");

  p.applyFill({ ...fill("ask", 99, 1, T0 + 1), feeUsd: 0.5 });
  t = p.totals();
  assert.equal(t.fills, 31);
  close(t.realizedUsd, -41, "−40 carried, −1 on the close");
  close(t.dailyPnlUsd, -33.5, "−1 realized and 0.5 fee more");
  // The next UTC day starts from the PnL carried into it.
  p.applyFill(fill("bid", 99, 1, T0 + DAY_MS));
  close(p.totals().dailyPnlUsd, 0, "a new day");
  close(p.dayAnchorPnlUsd(T0 + DAY_MS), -43.5, "its anchor");
});

Deno.test("the shadow report prints quantities to 8 significant digits and lists restored holdings", () => {
  const p = new Portfolio();
  let position = 0;
  for (let i = 0; i < 3; i++) position = p.applyFill(fill("bid", 651, 0.018, T0, "BNB")).position;
  assert.notEqual(String(position), "0.054", "float sums leave noise in the last digits");
  p.restore("XRP", -5, 2.3145, T0);
  const rows = formatShadowReport(p, new AdverseSelection()).split("\n");
  assert.match(rows[2], /^BNB\s+3\s+35\.15\s+0\.0000\s+0\.00\s+0\.00\s+0\.054\s+35\.15\s/);
  assert.match(rows[3], /^XRP\s+0\s+0\.00\s+0\.0000\s+0\.00\s+0\.00\s+-5\s+-11\.57\s/);
  assert.equal(formatQuantity(0.05399999999999999), "0.054");
  assert.equal(formatQuantity(-603), "-603");
  assert.equal(formatQuantity(3480.4999999999995), "3480.5");
  assert.equal(formatQuantity(0), "0");
  assert.equal(formatQuantity(0.0198815), "0.0198815");
});

Deno.test("the shadow venue reports restored positions (in whole lots) and counters at reconcile", async () => {
  const venue = new SimExchange({ szDecimals: { SUI: 1 } });
  venue.restore({ SUI: 9.899999999999999, kPEPE: -1206 }, { placed: 814, cancels: 720, fills: 22 });
  const report = await venue.reconcile(new Map());
  assert.deepEqual([...report.positions], [["SUI", 9.9], ["kPEPE", -1206]]);
  assert.deepEqual(venue.stats, { placed: 814, cancels: 720, fills: 22, requests: 0 });
  assert.throws(() => venue.restore({ SUI: Infinity }, venue.stats), /SUI is Infinity/);
});

Deno.test("a resumed shadow session keeps the address requests its volume earned", () => {
  const venue = new SimExchange();
  // Today's session so far: 10,402 requests for $33,328 traded, on a new account (10,000).
  venue.restore({}, { placed: 6_384, cancels: 4_018, fills: 2_366, requests: 10_402 }, 33_328);
  assert.deepEqual(venue.governor.address.view(), {
    used: 10_402,
    cap: 43_328,
    left: 32_926,
    paused: false,
  });
});

const kernel = await loadKernel();

function engineWith(capPct: string) {
  const config = loadConfig({ MM_GLOBAL_HALT_DRAWDOWN_PCT: capPct });
  const asset = testAsset("ETH", 4);
  return new Engine({
    mode: "shadow",
    config,
    assets: [asset],
    kernel,
    venue: new SimExchange(),
    portfolio: new Portfolio({ startingBalanceUsd: config.startingBalanceUsd }),
    log: createLogger({ timestamps: false, sink: () => {} }),
    now: () => T0,
    measureLatency: false,
  });
}

Deno.test("after a same-day restart the drawdown stop still counts the day's earlier losses", () => {
  // 5% of the 10,000 USD default balance: a 600 USD loss today is past the cap.
  const today = engineWith("0.05");
  today.resumeDay(
    { realizedUsd: -600, feesUsd: 0, volumeUsd: 0, fills: 4, dayAnchorPnlUsd: 0 },
    T0,
  );
  today.tick(T0);
  assert.match(today.haltReason ?? "", /\[GLOBAL STOP\] Daily drawdown 6\.00% >= cap 5\.00%/);
  today.stop();

  // The same 600 USD lost before midnight is yesterday's: today has lost nothing yet.
  const yesterday = engineWith("0.05");
  yesterday.resumeDay(
    { realizedUsd: -600, feesUsd: 0, volumeUsd: 0, fills: 4, dayAnchorPnlUsd: -600 },
    T0,
  );
  yesterday.tick(T0);
  assert.equal(yesterday.haltReason, null);
  assert.equal(yesterday.drawdown.dailyPnlUsd, 0);
  yesterday.stop();
});

Deno.test("demo killed with SIGKILL restarts with its saved inventory and trade watermarks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_restart_" });
  const statePath = `${dir}/demo/state/engine_state.json`;
  try {
    const first = demoCommand(dir, [], { piped: false, env: {} }).spawn();
    let savedText = "";
    // The engine saves every 5 s; wait (at most 25 s) for a save that holds inventory.
    for (let waited = 0; waited < 25_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      savedText = await Deno.readTextFile(statePath).catch(() => "");
      if (savedText && Object.keys(parseState(savedText).inventory).length > 0) break;
    }
    first.kill("SIGKILL");
    const killed = await first.status;
    assert.equal(killed.signal, "SIGKILL");
    // A save may have landed between the read and the kill: the file now is what counts, with
    // the fills the fills file holds beyond it (engine/fill_log_restore.ts).
    const saved = parseState(await Deno.readTextFile(statePath));
    const state = foldFills(
      saved,
      (await readFillLogTail(`${dir}/demo/shadow`, saved.fillLog)).records,
    );
    const held = Object.entries(state.inventory);
    assert.ok(held.length > 0, `no inventory saved before the kill: ${savedText}`);

    const { code, stdout, stderr } = await runDemo(dir, ["--duration", "2s"], { env: {} });
    assert.equal(code, 0, stderr + stdout.slice(-2000));
    const restored = stdout.match(/\[STATE\] restored inventory: (.*)/)?.[1];
    assert.equal(
      restored,
      held.map(([coin, e]) => `${coin} ${formatQuantity(e.qty)} @ ${formatQuantity(e.avgEntryPx)}`)
        .join(", "),
    );
    const marks = stdout.match(/\[STATE\] restored trade watermarks: (.*)/)?.[1];
    assert.equal(
      marks,
      Object.entries(state.watermarks)
        .map(([coin, m]) => `${coin} ${new Date(m.timeMs).toISOString()}`).join(", "),
    );
    assert.match(
      stdout,
      new RegExp(
        `\\[STATE\\] resumed today's session \\(\\d{4}-\\d\\d-\\d\\d\\): ` +
          `${state.session.fills} fills`,
      ),
    );
    // Every restored holding is in the books: the shutdown report lists it.
    const report = stdout.slice(stdout.indexOf("[SHADOW REPORT]")).split("\n");
    for (const [coin] of held) {
      assert.ok(report.some((row) => row.startsWith(`${coin} `)), `${coin} in the report`);
    }
    const after = parseState(await Deno.readTextFile(statePath));
    assert.ok(after.session.fills >= state.session.fills, "the session's fills carry over");
    assert.ok(after.session.placed >= state.session.placed, "so do its orders");
    for (const coin of Object.keys(after.watermarks)) {
      assert.ok(after.watermarks[coin].timeMs >= (state.watermarks[coin]?.timeMs ?? 0), coin);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

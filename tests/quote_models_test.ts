import assert from "node:assert/strict";
import { glftCoefficients, glftHalfSpreadBps } from "../engine/quote_models/glft.ts";
import { TradeIntensityEstimator } from "../engine/quote_models/trade_intensity.ts";
import { VolatilityEstimator } from "../engine/quote_models/volatility.ts";
import { QuoteModels } from "../engine/quote_models/models.ts";
import { loadKernel, MODEL_GLFT, MODEL_GRID, MODEL_MICROPRICE } from "../engine/kernel.ts";
import { checkAssetConfig, sameAssetConfig } from "../engine/asset_config.ts";
import { loadConfig } from "../engine/config.ts";
import type { BookSnapshot, Trade } from "../engine/hyperliquid/types.ts";
import { glftMarket, type GlftMarketOptions } from "./helpers/glft_market.ts";
import { prng } from "./helpers/prng.ts";

const T0 = Date.UTC(2026, 2, 1, 12);

/** Feeds a synthetic market to both estimators in time order (a book before its trades). */
function estimate(options: GlftMarketOptions, windowMs = 600_000) {
  const { books, trades } = glftMarket(options);
  const volatility = new VolatilityEstimator({ windowMs });
  const intensity = new TradeIntensityEstimator({ windowMs });
  let t = 0;
  let mid = 0;
  for (const book of books) {
    while (t < trades.length && trades[t].timeMs < book.timeMs) {
      intensity.onTrade(trades[t].px, trades[t].isBuy, trades[t].timeMs, mid);
      t++;
    }
    mid = book.mid;
    volatility.onMid(mid, book.timeMs);
    intensity.observe(book.timeMs);
  }
  return { sigma: volatility.sigma(), fit: intensity.fit(), trades: trades.length };
}

function assertNear(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= relative * expected,
    `${what}: estimated ${actual}, true ${expected} (tolerance ${relative * 100}%)`,
  );
}

Deno.test("GLFT's sigma, A and k re-estimated online recover a synthetic market's true values", () => {
  const markets = [
    { seed: 1, startPx: 150, sigmaBps: 1.5, a: 2, k: 0.8 },
    { seed: 2, startPx: 68000, sigmaBps: 0.4, a: 0.7, k: 2.5 },
    { seed: 3, startPx: 0.21, sigmaBps: 4, a: 3, k: 0.3 },
  ];
  for (const m of markets) {
    // 20 minutes through a 10-minute window: the estimates are of the last 10 minutes only.
    const { sigma, fit } = estimate({ ...m, seconds: 1200, startMs: T0 });
    assert.ok(sigma !== null && fit !== null, `estimates for seed ${m.seed}`);
    assertNear(sigma, m.sigmaBps, 0.08, `sigma (seed ${m.seed})`);
    assertNear(fit.a, m.a, 0.12, `A (seed ${m.seed})`);
    assertNear(fit.k, m.k, 0.12, `k (seed ${m.seed})`);
    assert.ok(fit.arrivals < m.a * 600 * 1.2, "only the window's arrivals count");
  }
});

Deno.test("the window forgets: a market that calms down is estimated calm", () => {
  const loud = glftMarket({
    seed: 5,
    startPx: 100,
    sigmaBps: 5,
    a: 5,
    k: 0.3,
    seconds: 600,
    startMs: T0,
  });
  const calm = glftMarket({
    seed: 6,
    startPx: loud.books.at(-1)!.mid,
    sigmaBps: 0.5,
    a: 1,
    k: 2,
    seconds: 600,
    startMs: T0 + 600_000,
  });
  const volatility = new VolatilityEstimator({ windowMs: 300_000 });
  const intensity = new TradeIntensityEstimator({ windowMs: 300_000 });
  for (const market of [loud, calm]) {
    let t = 0;
    let mid = 0;
    for (const book of market.books) {
      while (t < market.trades.length && market.trades[t].timeMs < book.timeMs) {
        const trade = market.trades[t++];
        intensity.onTrade(trade.px, trade.isBuy, trade.timeMs, mid);
      }
      mid = book.mid;
      volatility.onMid(mid, book.timeMs);
      intensity.observe(book.timeMs);
    }
  }
  assertNear(volatility.sigma()!, 0.5, 0.12, "sigma after the calm");
  assertNear(intensity.fit()!.k, 2, 0.2, "k after the calm");
});

Deno.test("estimators give nothing before their minimum data, and reject bad options", () => {
  const { sigma, fit } = estimate({
    seed: 9,
    startPx: 150,
    sigmaBps: 1,
    a: 2,
    k: 1,
    seconds: 20,
    startMs: T0,
  });
  assert.equal(sigma, null, "20 returns are fewer than 30");
  assert.equal(fit, null, "20 s is shorter than the 60 s a rate needs");
  assert.throws(() => new VolatilityEstimator({ stepMs: 0 }), /stepMs/);
  assert.throws(() => new VolatilityEstimator({ minReturns: 1 }), /minReturns/);
  assert.throws(() => new TradeIntensityEstimator({ windowMs: -1 }), /windowMs/);
  assert.throws(() => new TradeIntensityEstimator({ minArrivals: 1.5 }), /minArrivals/);
});

Deno.test("one taker order sweeping several levels is one arrival at its deepest fill", () => {
  const intensity = new TradeIntensityEstimator({ minArrivals: 2, minSpanMs: 0 });
  intensity.onTrade(100.01, true, T0, 100);
  intensity.onTrade(100.03, true, T0, 100);
  intensity.onTrade(100.02, true, T0, 100);
  intensity.onTrade(99.99, false, T0, 100); // the other side at the same ms: another order
  intensity.onTrade(100.01, true, T0 + 1, 100);
  assert.equal(intensity.arrivals, 3);
});

Deno.test("GLFT coefficients follow the closed form, and name a bad parameter", () => {
  // gamma 0.1, A 2, k 1: c1 = ln(1.1) / 0.1, c2 = sqrt(0.1 / 4 * 1.1^11).
  const { c1, c2 } = glftCoefficients(0.1, 2, 1);
  assert.ok(Math.abs(c1 - 0.9531017980432486) < 1e-12, `c1 ${c1}`);
  assert.ok(Math.abs(c2 - 0.26707286956) < 1e-10, `c2 ${c2}`);
  // Risk-neutral limit: c1 -> 1 / k, the half-spread that maximises delta * exp(-k * delta).
  assert.ok(Math.abs(glftCoefficients(1e-9, 2, 4).c1 - 0.25) < 1e-9);
  // More risk aversion: a wider book and a stronger skew.
  const shy = glftCoefficients(0.5, 2, 1);
  assert.ok(glftHalfSpreadBps(shy, 1) > glftHalfSpreadBps({ c1, c2 }, 1));
  assert.ok(shy.c2 > c2);
  assert.throws(() => glftCoefficients(0, 2, 1), /gamma must be a finite number > 0, got 0/);
  assert.throws(() => glftCoefficients(0.1, NaN, 1), /A must be/);
  assert.throws(() => glftCoefficients(0.1, 2, -1), /k must be/);
});

const book = (coin: string, timeMs: number, bid: number, ask: number, bidSz = 1, askSz = 1) =>
  ({
    coin,
    timeMs,
    bids: [{ px: bid, sz: bidSz, n: 1 }],
    asks: [{ px: ask, sz: askSz, n: 1 }],
  }) as BookSnapshot;

Deno.test("a glft coin quotes the grid until its first estimate, then the GLFT inputs", async () => {
  const kernel = await loadKernel();
  const firsts: boolean[] = [];
  const models = new QuoteModels(kernel, 2, { onEstimate: (_, __, first) => firsts.push(first) });
  models.configure(0, "glft", 0.05);
  models.configure(1, "microprice", 0.05);
  assert.equal(models.modelOf(0), "glft");
  assert.equal(kernel.quoteModel[0], MODEL_GRID, "no estimate yet: the grid");
  assert.equal(kernel.quoteModel[1], MODEL_MICROPRICE);
  assert.ok(models.takeChanged(0) && models.takeChanged(1));
  assert.ok(!models.takeChanged(0), "the flag is cleared once read");

  const { books, trades } = glftMarket({
    seed: 4,
    startPx: 150,
    sigmaBps: 1,
    a: 2,
    k: 1,
    seconds: 120,
    startMs: T0,
  });
  let t = 0;
  let mid = 0;
  for (const b of books) {
    while (t < trades.length && trades[t].timeMs < b.timeMs) {
      const tr = trades[t++];
      const trade = { coin: "A", px: tr.px, sz: 1, side: tr.isBuy ? "B" : "A", timeMs: tr.timeMs };
      models.onTrade(0, trade as Trade, mid);
    }
    mid = b.mid;
    models.onBook(0, book("A", b.timeMs, mid * 0.99999, mid * 1.00001), mid);
    models.refresh(b.timeMs);
    if (b.timeMs === T0 + 30_000) assert.equal(kernel.quoteModel[0], MODEL_GRID, "at 30 s");
  }
  assert.equal(kernel.quoteModel[0], MODEL_GLFT);
  // Re-estimated every 5 s from about a minute on; only the first is announced as the first.
  assert.ok(firsts.length >= 8, `${firsts.length} estimates`);
  assert.deepEqual(firsts, [true, ...new Array(firsts.length - 1).fill(false)]);
  const e = models.estimateOf(0)!;
  assert.ok(models.takeChanged(0));
  assert.equal(kernel.glftC1[0], e.c1);
  assert.equal(kernel.glftC2[0], e.c2);
  assert.equal(kernel.glftSigma[0], e.sigma);
  assert.equal(e.halfSpreadBps, e.c1 + e.sigma * e.c2 * 0.5);
  // A new gamma is applied at once from the last estimate.
  models.configure(0, "glft", 0.5);
  assert.ok(models.takeChanged(0));
  assert.ok(kernel.glftC2[0] > e.c2);

  // Microprice: the top sizes go to the kernel; an unchanged book changes nothing.
  models.onBook(1, book("B", T0, 99, 101, 3, 1), 100);
  assert.deepEqual([kernel.bestBidSz[1], kernel.bestAskSz[1]], [3, 1]);
  assert.ok(models.takeChanged(1));
  models.onBook(1, book("B", T0 + 1, 99, 101, 3, 1), 100);
  assert.ok(!models.takeChanged(1));
  // Back to the grid: the sizes are dropped.
  models.configure(1, "grid", 0.05);
  assert.equal(kernel.quoteModel[1], MODEL_GRID);
  assert.equal(kernel.bestBidSz[1], 0);
});

Deno.test("quote_model and glft_gamma: MM_QUOTE_MODEL, MM_GLFT_GAMMA and per-coin configs", () => {
  const defaults = loadConfig({});
  assert.equal(defaults.quoteModel, "grid");
  assert.equal(defaults.glftGamma, 0.05);
  const set = loadConfig({ MM_QUOTE_MODEL: "GLFT", MM_GLFT_GAMMA: "0.2" });
  assert.equal(set.quoteModel, "glft");
  assert.equal(set.glftGamma, 0.2);
  assert.throws(
    () => loadConfig({ MM_QUOTE_MODEL: "as" }),
    /MM_QUOTE_MODEL="as" is invalid: expected one of grid, microprice, glft/,
  );
  assert.throws(() => loadConfig({ MM_GLFT_GAMMA: "0" }), /MM_GLFT_GAMMA="0" is invalid/);

  const known = () => true;
  const plain = checkAssetConfig({ coin: "BTC" }, known);
  assert.ok(plain.ok && plain.config.quote_model === undefined, "absent: the engine's default");
  const glft = checkAssetConfig({ coin: "BTC", quote_model: "glft", glft_gamma: 0.1 }, known);
  assert.ok(glft.ok);
  assert.equal(glft.config.quote_model, "glft");
  assert.equal(glft.config.glft_gamma, 0.1);
  assert.ok(plain.ok && !sameAssetConfig(plain.config, glft.config));
  const badModel = checkAssetConfig({ coin: "BTC", quote_model: "avellaneda" }, known);
  assert.ok(!badModel.ok && badModel.field === "quote_model");
  assert.match(badModel.reason, /quote_model="avellaneda" must be one of grid, microprice, glft/);
  const badGamma = checkAssetConfig({ coin: "BTC", glft_gamma: -1 }, known);
  assert.ok(!badGamma.ok && badGamma.field === "glft_gamma");
});

Deno.test("the trade-intensity fit is the regression over exactly the arrivals in its window", () => {
  // A reference kept the plain way: every arrival in a list, the deepest fill of a sweep kept,
  // the window cut by time, and the counts read from a sort of the depths at each fit.
  const windowMs = 120_000;
  const intensity = new TradeIntensityEstimator({ windowMs });
  const held: { timeMs: number; depth: number; isBuy: boolean }[] = [];
  let firstMs = Infinity;
  let lastMs = -Infinity;
  const reference = () => {
    while (held.length > 0 && held[0].timeMs <= lastMs - windowMs) held.shift();
    const n = held.length;
    const seconds = Math.min(windowMs, lastMs - firstMs) / 1000;
    if (n < 50 || !(seconds >= 60)) return null;
    const sorted = held.map((a) => a.depth).sort((x, y) => x - y);
    const step = sorted[Math.min(n - 1, Math.floor(0.95 * n))] / 20;
    const points: [number, number][] = [];
    for (let j = 0; j <= 20; j++) {
      const count = sorted.filter((d) => d >= j * step).length;
      if (count < 5) break;
      points.push([j * step, Math.log(count / seconds)]);
    }
    const m = points.length;
    const [sx, sy, sxx, sxy] = points.reduce(
      ([a, b, c, d], [x, y]) => [a + x, b + y, c + x * x, d + x * y],
      [0, 0, 0, 0],
    );
    const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
    return { a: Math.exp((sy - slope * sx) / m), k: -slope, arrivals: n };
  };
  const rand = prng(3);
  let timeMs = T0;
  let fits = 0;
  for (let i = 0; i < 6000; i++) {
    // Several prints in one ms (a sweep), many at the touch (depth 0), depths on a 0.5 bps grid.
    if (rand() < 0.7) timeMs += Math.floor(rand() * 300);
    const isBuy = rand() < 0.5;
    const depth = rand() < 0.4 ? 0 : Math.round(-Math.log(1 - rand()) / 0.8 * 2) / 2;
    const px = 100 * (1 + (isBuy ? depth : -depth) / 10_000);
    intensity.onTrade(px, isBuy, timeMs, 100);
    const raw = (isBuy ? px - 100 : 100 - px) / 100 * 10_000;
    const d = raw > 0 ? raw : 0;
    const last = held.at(-1);
    if (last !== undefined && last.timeMs === timeMs && last.isBuy === isBuy) {
      last.depth = Math.max(last.depth, d);
    } else held.push({ timeMs, depth: d, isBuy });
    firstMs = Math.min(firstMs, timeMs);
    lastMs = Math.max(lastMs, timeMs);
    if (i % 50 === 0) {
      const expected = reference();
      assert.deepEqual(intensity.fit(), expected, `fit after ${i + 1} trades`);
      if (expected !== null) fits++;
    }
  }
  assert.ok(fits > 100, `only ${fits} fits compared`);
});

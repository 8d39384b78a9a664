import assert from "node:assert/strict";
import {
  GRID_LEVELS,
  LATENCY_CAPACITY,
  loadKernel,
  MAX_COINS,
  OFI_WINDOW,
  SIDE_ASK,
  SIDE_BID,
  STATUS_BAD_INPUT,
  STATUS_BELOW_MIN_NOTIONAL,
  STATUS_CROSSED_BOOK,
  STATUS_EMPTY_BOOK,
  STATUS_INVENTORY_LIMIT,
  STATUS_NO_QUOTE,
  STATUS_OK,
} from "../engine/kernel.ts";
import { KERNEL_MEMORY_PAGES } from "../wasm/layout.ts";
import { KernelTwin } from "./kernel_twin.ts";
import { assertSameQuotes, type GridCoin, quoteSlot0, setGridCoin } from "./helpers/kernel_coin.ts";
import { prng } from "./helpers/prng.ts";

const kernel = await loadKernel();

/** Quotes one coin alone (slot 0) and returns its levels. */
function quote(coin: GridCoin) {
  setGridCoin(kernel, 0, coin);
  return quoteSlot0(kernel);
}

const EXTREME_PRICES = [0.000012, 0.00001, 0.0001234, 0.5, 1, 9.99995, 14.3, 99999.5, 120000];

/** A random coin: extreme or log-uniform prices, spreads of 1 tick to 1%, all parameters. */
function randomCoin(rand: () => number, badInputs: boolean): GridCoin {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const base = rand() < 0.3 ? pick(EXTREME_PRICES) : Math.exp(Math.log(1e-5) + rand() * 25);
  const bid = base;
  const ask = base * (1 + (rand() < 0.5 ? 1e-6 : rand() * 0.01)) + (rand() < 0.2 ? 1e-6 : 0);
  const maxInvUsd = pick([200, 50, 1000, rand() * 5000 + 1]);
  const coin: GridCoin = {
    bid,
    ask,
    szDecimals: Math.floor(rand() * 6),
    inventoryUsd: pick([0, 0, maxInvUsd, -maxInvUsd, 1e12, -1e12, (rand() * 2 - 1) * maxInvUsd]),
    maxInvUsd,
    baseSpreadBps: pick([1.5, 0, 0.3, rand() * 20]),
    minOrderUsd: pick([12, 10, 5, rand() * 200]),
    regime: pick([1, 4, 0.5, 7, 1 + rand() * 3]),
    mask: Math.floor(rand() * 4),
  };
  if (!badInputs || rand() < 0.6) return coin;
  const bad = pick([NaN, 0, -1, Infinity, -0]);
  switch (Math.floor(rand() * 9)) {
    case 0:
      return { ...coin, bid: bad };
    case 1:
      return { ...coin, ask: bad };
    case 2:
      return { ...coin, bid: ask, ask: bid }; // crossed
    case 3:
      return { ...coin, ask: bid }; // locked
    case 4:
      return { ...coin, inventoryUsd: bad };
    case 5:
      return { ...coin, maxInvUsd: bad };
    case 6:
      return { ...coin, baseSpreadBps: bad };
    case 7:
      return { ...coin, minOrderUsd: bad };
    default:
      return { ...coin, regime: bad, szDecimals: rand() < 0.5 ? 7 : coin.szDecimals };
  }
}

/** Printed with 8 decimals: an integer, or <= 5 significant figures and <= maxDecimals decimals. */
function isValidPrice(px: number, szDecimals: number): boolean {
  const text = px.toFixed(8).replace(/0+$/, "").replace(/\.$/, "");
  if (!text.includes(".")) return true;
  const decimals = text.length - text.indexOf(".") - 1;
  const significant = text.replace(".", "").replace(/^0+/, "").length;
  return significant <= 5 && decimals <= 6 - szDecimals;
}

function decimalsOf(x: number): number {
  const text = x.toFixed(8).replace(/0+$/, "").replace(/\.$/, "");
  return text.includes(".") ? text.length - text.indexOf(".") - 1 : 0;
}

Deno.test("kernel and TypeScript twin give bit-identical quotes on random inputs", () => {
  const twin = new KernelTwin();
  const rand = prng(20260225);
  let compared = 0;
  let quoted = 0;
  let flagsSeen = 0;
  for (let round = 0; round < 400; round++) {
    const n = 1 + Math.floor(rand() * MAX_COINS);
    for (let c = 0; c < n; c++) {
      const coin = randomCoin(rand, true);
      setGridCoin(kernel, c, coin);
      setGridCoin(twin, c, coin);
    }
    assert.equal(kernel.computeQuotes(n), twin.computeQuotes(n));
    compared += assertSameQuotes(kernel, twin, n, round);
    for (let c = 0; c < n; c++) {
      flagsSeen |= kernel.status[c];
      for (let i = c * GRID_LEVELS; i < (c + 1) * GRID_LEVELS; i++) {
        if (kernel.bidSz[i] > 0) quoted++;
      }
    }
  }
  assert.ok(compared > 100_000);
  assert.ok(quoted > 4_000, `only ${quoted} bids were quoted`);
  assert.equal(flagsSeen, 63, "every status flag occurred");
});

Deno.test("every quoted price and size is valid on Hyperliquid and never crosses the book", () => {
  const rand = prng(7);
  let quoted = 0;
  for (let round = 0; round < 300; round++) {
    for (let c = 0; c < MAX_COINS; c++) setGridCoin(kernel, c, randomCoin(rand, false));
    kernel.computeQuotes(MAX_COINS);
    for (let c = 0; c < MAX_COINS; c++) {
      const sd = kernel.szDecimals[c];
      for (let i = c * GRID_LEVELS; i < (c + 1) * GRID_LEVELS; i++) {
        for (const side of ["bid", "ask"] as const) {
          const px = side === "bid" ? kernel.bidPx[i] : kernel.askPx[i];
          const sz = side === "bid" ? kernel.bidSz[i] : kernel.askSz[i];
          if (sz === 0) {
            assert.equal(px, 0, "an unquoted level has no price");
            continue;
          }
          quoted++;
          const where = `${side} of coin ${c}: px ${px} sz ${sz} szDecimals ${sd}`;
          assert.ok(isValidPrice(px, sd), `invalid price, ${where}`);
          assert.ok(decimalsOf(sz) <= sd, `size has more than szDecimals decimals, ${where}`);
          assert.ok(px * sz >= 10, `notional under $10, ${where}`);
          if (side === "bid") assert.ok(px < kernel.bestAsk[c], `bid crosses, ${where}`);
          else assert.ok(px > kernel.bestBid[c], `ask crosses, ${where}`);
        }
      }
    }
  }
  assert.ok(quoted > 10_000, `only ${quoted} levels were quoted`);
});

Deno.test("the spec's default grid on a BTC-like book", () => {
  const q = quote({ bid: 99999, ask: 100001, szDecimals: 5 });
  assert.equal(q.status, STATUS_OK);
  assert.equal(q.tick, 1);
  // mid 100000: 1.5, 3.75 and 7.5 bps away; bids round down, asks up, to whole dollars.
  assert.deepEqual(q.bids, [
    { px: 99985, sz: 0.00012 },
    { px: 99962, sz: 0.00024 },
    { px: 99925, sz: 0.00036 },
  ]);
  assert.deepEqual(q.asks, [
    { px: 100015, sz: 0.00011 },
    { px: 100038, sz: 0.00023 },
    { px: 100075, sz: 0.00035 },
  ]);
});

/** Hyperliquid's tick at px, from the exchange docs' formula (log10 is fine in a test). */
function specTick(px: number, szDecimals: number): number {
  return 10 ** -Math.min(6 - szDecimals, Math.max(0, 4 - Math.floor(Math.log10(px))));
}

Deno.test("rounding is toward the passive side and as tight as the tick allows", () => {
  const rand = prng(11);
  let checked = 0;
  for (let k = 0; k < 3000; k++) {
    const coin = randomCoin(rand, false);
    const sd = coin.szDecimals!;
    const q = quote({ ...coin, inventoryUsd: 0, mask: SIDE_BID | SIDE_ASK, regime: 1 });
    const mid = (coin.bid + coin.ask) / 2;
    [1, 2.5, 5].forEach((factor, l) => {
      const rawBid = mid * (1 - factor * coin.baseSpreadBps! / 10000);
      const rawAsk = mid * (1 + factor * coin.baseSpreadBps! / 10000);
      const { px: bid } = q.bids[l];
      const { px: ask } = q.asks[l];
      if (bid > 0) {
        // Float noise (a billionth of a tick, or 1e-12 of the price) is snapped; beyond that,
        // rounding never makes a quote more eager, and never costs a whole tick.
        const tick = specTick(bid, sd);
        const noise = 1e-9 * tick + 1e-12 * rawBid;
        assert.ok(bid <= rawBid + noise, `bid ${bid} above its grid price ${rawBid}`);
        assert.ok(bid + tick > rawBid - noise, `bid ${bid} a tick or more below ${rawBid}`);
        checked++;
      }
      if (ask > 0) {
        const tick = specTick(ask, sd);
        const noise = 1e-9 * tick + 1e-12 * rawAsk;
        assert.ok(ask >= rawAsk - noise, `ask ${ask} below its grid price ${rawAsk}`);
        assert.ok(ask - tick < rawAsk + noise, `ask ${ask} a tick or more above ${rawAsk}`);
        checked++;
      }
    });
  }
  assert.ok(checked > 5000, `only ${checked} levels checked`);
});

Deno.test("sizes are whole lots of the order value, not shaved by float noise", () => {
  // 36 / 0.00001 is 3599999.9999999995 in f64; the size must still be 3600000.
  const q = quote({ bid: 0.00001, ask: 0.000011, szDecimals: 1, baseSpreadBps: 0 });
  assert.deepEqual(q.bids, [
    { px: 0.00001, sz: 1200000 },
    { px: 0.00001, sz: 2400000 },
    { px: 0.00001, sz: 3600000 },
  ]);
  // At ~3000 with szDecimals 4: the largest whole number of 0.0001 lots within $12, $24, $36.
  const q3000 = quote({ bid: 2999.9, ask: 3000.1, szDecimals: 4 });
  for (let l = 0; l < GRID_LEVELS; l++) {
    const usd = 12 * (l + 1);
    for (const { px, sz } of [q3000.bids[l], q3000.asks[l]]) {
      assert.ok(px * sz <= usd + 1e-9, `size ${sz} at ${px} is worth more than $${usd}`);
      assert.ok(px * (sz + 0.0001) > usd, `size ${sz} at ${px} is a whole lot short of $${usd}`);
    }
  }
});

Deno.test("tick is the price increment at the mid", () => {
  assert.equal(quote({ bid: 14.29, ask: 14.31, szDecimals: 2 }).tick, 0.001);
  assert.equal(quote({ bid: 14.29, ask: 14.31, szDecimals: 4 }).tick, 0.01);
  assert.equal(quote({ bid: 59999, ask: 60001, szDecimals: 5 }).tick, 1);
  assert.equal(quote({ bid: 0.000011, ask: 0.000013, szDecimals: 0 }).tick, 0.000001);
  assert.equal(quote({ bid: 0.2, ask: 0.2001, szDecimals: 1 }).tick, 0.00001);
});

Deno.test("long inventory moves the whole grid down, short moves it up", () => {
  const book = { bid: 2999.9, ask: 3000.1, szDecimals: 4, maxInvUsd: 200 };
  const flat = quote(book);
  let previous = flat;
  for (const inventoryUsd of [20, 60, 120, 199]) {
    const long = quote({ ...book, inventoryUsd });
    for (let l = 0; l < GRID_LEVELS; l++) {
      assert.ok(long.bids[l].px <= previous.bids[l].px, `bid L${l + 1} at +$${inventoryUsd}`);
      assert.ok(long.asks[l].px <= previous.asks[l].px, `ask L${l + 1} at +$${inventoryUsd}`);
    }
    previous = long;
  }
  assert.ok(previous.bids[0].px < flat.bids[0].px && previous.asks[0].px < flat.asks[0].px);
  previous = flat;
  for (const inventoryUsd of [-20, -60, -120, -199]) {
    const short = quote({ ...book, inventoryUsd });
    for (let l = 0; l < GRID_LEVELS; l++) {
      assert.ok(short.bids[l].px >= previous.bids[l].px, `bid L${l + 1} at -$${-inventoryUsd}`);
      assert.ok(short.asks[l].px >= previous.asks[l].px, `ask L${l + 1} at -$${-inventoryUsd}`);
    }
    previous = short;
  }
  assert.ok(previous.bids[0].px > flat.bids[0].px && previous.asks[0].px > flat.asks[0].px);
});

Deno.test("at max inventory the side that would grow the position is not quoted", () => {
  const book = { bid: 2999.9, ask: 3000.1, szDecimals: 4, maxInvUsd: 200 };
  for (const inventoryUsd of [200, 350, 1e9]) {
    const long = quote({ ...book, inventoryUsd });
    assert.equal(long.status, STATUS_INVENTORY_LIMIT);
    assert.ok(long.bids.every((b) => b.px === 0 && b.sz === 0), `bids at +$${inventoryUsd}`);
    assert.ok(long.asks.every((a) => a.sz > 0), `asks unwind at +$${inventoryUsd}`);
    // Full skew: the level-1 ask sits at the mid (3000), never below it.
    assert.equal(long.asks[0].px, 3000);
    const short = quote({ ...book, inventoryUsd: -inventoryUsd });
    assert.equal(short.status, STATUS_INVENTORY_LIMIT);
    assert.ok(short.asks.every((a) => a.px === 0 && a.sz === 0), `asks at -$${inventoryUsd}`);
    assert.ok(short.bids.every((b) => b.sz > 0), `bids unwind at -$${inventoryUsd}`);
    assert.equal(short.bids[0].px, 3000);
  }
  const below = quote({ ...book, inventoryUsd: 199.99 });
  assert.equal(below.status, STATUS_OK);
  assert.ok(below.bids[0].sz > 0);
});

Deno.test("the regime multiplier widens every level and is clamped to [1, 4]", () => {
  const book = { bid: 2999.9, ask: 3000.1, szDecimals: 4 };
  const calm = quote({ ...book, regime: 1 });
  const wide = quote({ ...book, regime: 2.5 });
  for (let l = 0; l < GRID_LEVELS; l++) {
    assert.ok(wide.bids[l].px < calm.bids[l].px, `bid L${l + 1}`);
    assert.ok(wide.asks[l].px > calm.asks[l].px, `ask L${l + 1}`);
  }
  assert.deepEqual(quote({ ...book, regime: 9 }), quote({ ...book, regime: 4 }));
  assert.deepEqual(quote({ ...book, regime: 0.2 }), calm);
});

Deno.test("the side mask suppresses the halted side", () => {
  const book = { bid: 2999.9, ask: 3000.1, szDecimals: 4 };
  const bidsOnly = quote({ ...book, mask: SIDE_BID });
  assert.equal(bidsOnly.status, STATUS_OK);
  assert.ok(bidsOnly.bids.every((b) => b.sz > 0));
  assert.ok(bidsOnly.asks.every((a) => a.px === 0 && a.sz === 0));
  const asksOnly = quote({ ...book, mask: SIDE_ASK });
  assert.ok(asksOnly.asks.every((a) => a.sz > 0));
  assert.ok(asksOnly.bids.every((b) => b.px === 0 && b.sz === 0));
  const halted = quote({ ...book, mask: 0 });
  assert.ok([...halted.bids, ...halted.asks].every((x) => x.px === 0 && x.sz === 0));
});

Deno.test("levels under the $10 exchange minimum are not quoted", () => {
  // $12 at ~7 with whole-coin sizes is 1 coin = $7: level 1 is dropped, levels 2 and 3 stay.
  const q = quote({ bid: 6.999, ask: 7.001, szDecimals: 0 });
  assert.equal(q.status, STATUS_BELOW_MIN_NOTIONAL);
  assert.deepEqual(q.bids[0], { px: 0, sz: 0 });
  assert.deepEqual(q.bids[1], { px: 6.9973, sz: 3 });
  assert.ok(q.asks[1].sz === 3 && q.asks[2].sz === 5);
  const tiny = quote({ bid: 2999.9, ask: 3000.1, szDecimals: 4, minOrderUsd: 3 });
  assert.ok([...tiny.bids, ...tiny.asks].every((x) => x.px === 0 && x.sz === 0));
});

Deno.test("bad input, empty and crossed books get a flag and no quote", () => {
  const good = { bid: 2999.9, ask: 3000.1, szDecimals: 4 };
  const cases: [GridCoin, number][] = [
    [{ ...good, bid: NaN }, STATUS_BAD_INPUT],
    [{ ...good, ask: -3000 }, STATUS_BAD_INPUT],
    [{ ...good, ask: Infinity }, STATUS_BAD_INPUT],
    [{ ...good, szDecimals: 7 }, STATUS_BAD_INPUT],
    [{ ...good, inventoryUsd: NaN }, STATUS_BAD_INPUT],
    [{ ...good, maxInvUsd: 0 }, STATUS_BAD_INPUT],
    [{ ...good, baseSpreadBps: -1 }, STATUS_BAD_INPUT],
    [{ ...good, minOrderUsd: NaN }, STATUS_BAD_INPUT],
    [{ ...good, regime: NaN }, STATUS_BAD_INPUT],
    [{ ...good, bid: 0 }, STATUS_EMPTY_BOOK],
    [{ ...good, ask: 0 }, STATUS_EMPTY_BOOK],
    [{ ...good, bid: 3000.2 }, STATUS_CROSSED_BOOK],
    [{ ...good, bid: 3000.1 }, STATUS_CROSSED_BOOK],
  ];
  for (const [coin, status] of cases) {
    quote(good); // leave real quotes in the outputs first
    const q = quote(coin);
    assert.equal(q.status, status, JSON.stringify(coin));
    assert.ok((q.status & STATUS_NO_QUOTE) !== 0);
    assert.equal(q.tick, 0);
    assert.ok([...q.bids, ...q.asks].every((x) => x.px === 0 && x.sz === 0));
  }
});

Deno.test("coins beyond capacity are counted and not quoted", () => {
  for (let c = 0; c < MAX_COINS; c++) setGridCoin(kernel, c, { bid: 99, ask: 101 });
  assert.equal(kernel.computeQuotes(MAX_COINS + 6), 6);
  assert.ok(kernel.status.every((s) => s === STATUS_OK));
  assert.equal(kernel.computeQuotes(MAX_COINS), 0);
  assert.throws(() => kernel.computeQuotes(-1), /coinCount/);
  assert.throws(() => kernel.computeQuotes(1.5), /coinCount/);
});

Deno.test("OFI is exact after millions of trades", () => {
  const rand = prng(99);
  const coin = 5;
  kernel.ofiReset(coin);
  // Trade sizes as integer lots of 1e-6 coin, 1e-6 up to 1e9 coins, so a float sum would drift.
  const window: bigint[] = [];
  const pushes = 2_000_000;
  for (let k = 1; k <= pushes; k++) {
    const digits = Math.floor(rand() * 16);
    const lots = Math.max(1, Math.floor(rand() * 10 ** digits));
    const isBuy = rand() < 0.5;
    assert.ok(kernel.ofiPush(coin, isBuy, lots / 1e6) || k === 0);
    window.push(isBuy ? BigInt(lots) : -BigInt(lots));
    if (window.length > OFI_WINDOW) window.shift();
    if (k % 250_000 === 0 || k === pushes) {
      let buy = 0n;
      let sell = 0n;
      for (const v of window) v > 0n ? (buy += v) : (sell -= v);
      const fresh = Number(buy - sell) / Number(buy + sell);
      assert.ok(Object.is(kernel.ofi(coin), fresh), `after ${k} trades`);
    }
  }
  assert.equal(kernel.ofiCount(coin), OFI_WINDOW);
});

Deno.test("OFI window: range, reset, rejects and the twin", () => {
  kernel.ofiReset(0);
  assert.equal(kernel.ofi(0), 0);
  for (let k = 0; k < 300; k++) kernel.ofiPush(0, true, 0.5);
  assert.equal(kernel.ofi(0), 1);
  for (let k = 0; k < OFI_WINDOW; k++) kernel.ofiPush(0, false, 2);
  assert.equal(kernel.ofi(0), -1);
  kernel.ofiPush(0, true, 6);
  // 199 sells of 2 and 1 buy of 6: (6 - 398) / 404.
  assert.equal(kernel.ofi(0), (6 - 398) / 404);
  kernel.ofiReset(0);
  assert.equal(kernel.ofiCount(0), 0);
  assert.equal(kernel.ofi(0), 0);
  for (const size of [0, -1, NaN, Infinity, 1e-9, 2e10]) {
    assert.equal(kernel.ofiPush(0, true, size), false, `size ${size}`);
  }
  assert.equal(kernel.ofiCount(0), 0);
  assert.throws(() => kernel.ofiPush(MAX_COINS, true, 1), /coin index/);
  assert.throws(() => kernel.ofi(-1), /coin index/);

  const twin = new KernelTwin();
  const rand = prng(3);
  for (let c = 0; c < 4; c++) kernel.ofiReset(c);
  for (let k = 0; k < 5000; k++) {
    const c = Math.floor(rand() * 4);
    const isBuy = rand() < 0.3 + 0.1 * c;
    const size = rand() < 0.05 ? -1 : Math.round(rand() * 1e6) / 10 ** Math.floor(rand() * 6);
    assert.equal(kernel.ofiPush(c, isBuy, size), twin.ofiPush(c, isBuy, size));
    assert.ok(Object.is(kernel.ofi(c), twin.ofi(c)), `coin ${c} after ${k} trades`);
    assert.ok(kernel.ofi(c) >= -1 && kernel.ofi(c) <= 1);
  }
});

Deno.test("latency percentiles match a sorted reference of the last 10,000 samples", () => {
  kernel.latencyReset();
  assert.ok(Number.isNaN(kernel.latencyPercentile(99)));
  const twin = new KernelTwin();
  const rand = prng(42);
  const all: number[] = [];
  for (let k = 0; k < 25_000; k++) {
    // Log-normal-ish microseconds with a heavy tail, rounded to 0.1 µs, and some exact zeros.
    const sample = rand() < 0.01
      ? 0
      : Math.round(Math.exp(3 + rand() * 2 + rand() ** 8 * 6) * 10) / 10;
    assert.ok(kernel.latencyRecord(sample));
    twin.latencyRecord(sample);
    all.push(sample);
    if (k === 99 || k === 9_999 || k === 24_999) {
      const held = all.slice(-LATENCY_CAPACITY).sort((a, b) => a - b);
      assert.equal(kernel.latencyCount(), held.length);
      for (const p of [0, 1, 50, 95, 99, 99.9, 100]) {
        const expected = held[Math.max(1, Math.ceil(p * held.length / 100)) - 1];
        assert.equal(kernel.latencyPercentile(p), expected, `p${p} of ${held.length}`);
        assert.equal(kernel.latencyPercentile(p), twin.latencyPercentile(p));
      }
    }
  }
  for (const sample of [NaN, -1, Infinity]) assert.equal(kernel.latencyRecord(sample), false);
  assert.equal(kernel.latencyCount(), LATENCY_CAPACITY);
  assert.throws(() => kernel.latencyPercentile(101), /percentile/);
});

Deno.test("the kernel never allocates or grows memory, so the views never detach", async () => {
  const text = await Deno.readTextFile(new URL("../wasm/build/kernel.wat", import.meta.url));
  assert.doesNotMatch(text, /memory\.grow/);
  assert.doesNotMatch(text, /__new|__alloc|__renew/);
  assert.doesNotMatch(text, /\(data /);
  const buffer = kernel.memory.buffer;
  assert.equal(buffer.byteLength, KERNEL_MEMORY_PAGES * 65536);
  setGridCoin(kernel, 0, { bid: 99, ask: 101 });
  for (let k = 0; k < 1000; k++) kernel.computeQuotes(MAX_COINS);
  kernel.latencyPercentile(50);
  assert.equal(kernel.memory.buffer, buffer);
  assert.equal(kernel.bidPx.buffer, buffer);
  assert.ok(kernel.bidPx[0] > 0, "the output view still reads the kernel's memory");
});

Deno.test("a missing kernel file says how to build it", async () => {
  await assert.rejects(
    loadKernel(new URL("./no-such-dir/kernel.wasm", import.meta.url)),
    /deno task build:wasm/,
  );
});

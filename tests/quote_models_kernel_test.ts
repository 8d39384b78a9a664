import assert from "node:assert/strict";
import {
  GRID_LEVELS,
  type Kernel,
  loadKernel,
  MAX_COINS,
  MODEL_GLFT,
  MODEL_GRID,
  MODEL_MICROPRICE,
  SIDE_ASK,
  SIDE_BID,
  STATUS_BAD_INPUT,
  STATUS_INVENTORY_LIMIT,
  STATUS_OK,
} from "../engine/kernel.ts";
import { KernelTwin } from "./kernel_twin.ts";
import {
  assertSameQuotes,
  type GridCoin,
  type GridInputs,
  quoteSlot0,
  setGridCoin,
} from "./helpers/kernel_coin.ts";
import { prng } from "./helpers/prng.ts";

// A kernel of its own: these tests leave model inputs set, which kernel_test.ts's do not expect.
const kernel = await loadKernel();

type Inputs =
  & GridInputs
  & Pick<
    Kernel,
    "quoteModel" | "bestBidSz" | "bestAskSz" | "glftC1" | "glftC2" | "glftSigma"
  >;

/** A grid coin under a quote model, with that model's inputs (0 when left out). */
interface Coin extends GridCoin {
  model: number;
  bidSz?: number;
  askSz?: number;
  c1?: number;
  c2?: number;
  sigma?: number;
}

function setCoin(target: Inputs, c: number, coin: Coin): void {
  setGridCoin(target, c, coin);
  target.quoteModel[c] = coin.model;
  target.bestBidSz[c] = coin.bidSz ?? 0;
  target.bestAskSz[c] = coin.askSz ?? 0;
  target.glftC1[c] = coin.c1 ?? 0;
  target.glftC2[c] = coin.c2 ?? 0;
  target.glftSigma[c] = coin.sigma ?? 0;
}

function quote(coin: Coin) {
  setCoin(kernel, 0, coin);
  return quoteSlot0(kernel);
}

/** A random coin under `model`: extreme prices, inventories, sizes and GLFT inputs. */
function randomCoin(rand: () => number, model: number, badInputs: boolean): Coin {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const bid = rand() < 0.2 ? pick([0.00001, 0.5, 14.3, 120000]) : Math.exp(-11 + rand() * 25);
  const ask = bid * (1 + (rand() < 0.5 ? 1e-6 : rand() * 0.01));
  const maxInvUsd = pick([200, 50, 1000, rand() * 5000 + 1]);
  const coin: Coin = {
    bid,
    ask,
    model,
    szDecimals: Math.floor(rand() * 6),
    inventoryUsd: pick([0, maxInvUsd, -maxInvUsd, 1e12, (rand() * 2 - 1) * maxInvUsd]),
    maxInvUsd,
    baseSpreadBps: pick([1.5, 0.3, rand() * 20]),
    minOrderUsd: pick([12, 10, rand() * 200]),
    regime: pick([1, 4, 0.5, 1 + rand() * 3]),
    mask: Math.floor(rand() * 4),
    bidSz: pick([0, rand() * 100, 1e-9, 1e9]),
    askSz: pick([0, rand() * 100, 1e-9, 1e9]),
    c1: pick([rand() * 5, 1e-6, 50]),
    c2: pick([0, rand(), 3]),
    sigma: pick([0, rand() * 3, 20]),
  };
  if (!badInputs || rand() < 0.6) return coin;
  const bad = pick([NaN, -1, Infinity, 0]);
  switch (Math.floor(rand() * 6)) {
    case 0:
      return { ...coin, bidSz: bad };
    case 1:
      return { ...coin, askSz: bad };
    case 2:
      return { ...coin, c1: bad };
    case 3:
      return { ...coin, c2: bad };
    case 4:
      return { ...coin, sigma: bad };
    default:
      return { ...coin, model: 3 + Math.floor(rand() * 250) };
  }
}

for (const [name, model] of [["microprice", MODEL_MICROPRICE], ["glft", MODEL_GLFT]] as const) {
  Deno.test(`${name}: kernel and TypeScript twin give bit-identical quotes on random inputs`, () => {
    const twin = new KernelTwin();
    const rand = prng(model * 1000 + 17);
    let quoted = 0;
    let badSeen = 0;
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * MAX_COINS);
      for (let c = 0; c < n; c++) {
        const coin = randomCoin(rand, model, true);
        setCoin(kernel, c, coin);
        setCoin(twin, c, coin);
      }
      assert.equal(kernel.computeQuotes(n), twin.computeQuotes(n));
      assertSameQuotes(kernel, twin, n, round);
      for (let c = 0; c < n; c++) {
        if (kernel.status[c] === STATUS_BAD_INPUT) badSeen++;
        for (let i = c * GRID_LEVELS; i < (c + 1) * GRID_LEVELS; i++) {
          if (kernel.bidSz[i] > 0) quoted++;
        }
      }
    }
    assert.ok(quoted > 3_000, `only ${quoted} bids were quoted`);
    assert.ok(badSeen > 500, `only ${badSeen} coins had bad model inputs`);
  });

  Deno.test(`${name}: every quote is a valid price that never crosses the book`, () => {
    const rand = prng(model * 7 + 1);
    let quoted = 0;
    for (let round = 0; round < 200; round++) {
      for (let c = 0; c < MAX_COINS; c++) setCoin(kernel, c, randomCoin(rand, model, false));
      kernel.computeQuotes(MAX_COINS);
      for (let c = 0; c < MAX_COINS; c++) {
        const ratio = kernel.inventoryUsd[c] / kernel.maxInvUsd[c];
        for (let i = c * GRID_LEVELS; i < (c + 1) * GRID_LEVELS; i++) {
          if (kernel.bidSz[i] > 0) {
            quoted++;
            assert.ok(kernel.bidPx[i] < kernel.bestAsk[c], `bid crosses, coin ${c}`);
            assert.ok(kernel.bidPx[i] * kernel.bidSz[i] >= 10, "bid under $10");
            assert.ok(ratio < 1, "no bid at max long inventory");
          }
          if (kernel.askSz[i] > 0) {
            assert.ok(kernel.askPx[i] > kernel.bestBid[c], `ask crosses, coin ${c}`);
            assert.ok(kernel.askPx[i] * kernel.askSz[i] >= 10, "ask under $10");
            assert.ok(ratio > -1, "no ask at max short inventory");
          }
          if ((kernel.sideMask[c] & SIDE_BID) === 0) assert.equal(kernel.bidSz[i], 0);
          if ((kernel.sideMask[c] & SIDE_ASK) === 0) assert.equal(kernel.askSz[i], 0);
        }
      }
    }
    assert.ok(quoted > 3_000, `only ${quoted} bids were quoted`);
  });
}

const BTC = { bid: 99999, ask: 100001, szDecimals: 5 };

Deno.test("the grid model ignores the other models' inputs: the spec's grid, bit for bit", () => {
  const plain = quote({ ...BTC, model: MODEL_GRID });
  const noisy = quote({ ...BTC, model: MODEL_GRID, bidSz: NaN, askSz: 3, c1: -1, sigma: 9 });
  assert.deepEqual(noisy, plain);
  assert.deepEqual(plain.bids.map((b) => b.px), [99985, 99962, 99925]);
  assert.deepEqual(plain.asks.map((a) => a.px), [100015, 100038, 100075]);
});

Deno.test("microprice leans the grid toward the thin side of the book", () => {
  const grid = quote({ ...BTC, model: MODEL_GRID });
  // Equal sizes: the microprice is the mid.
  assert.deepEqual(quote({ ...BTC, model: MODEL_MICROPRICE, bidSz: 2, askSz: 2 }), grid);
  // Unknown sizes (a tick CSV book): the mid.
  assert.deepEqual(quote({ ...BTC, model: MODEL_MICROPRICE, bidSz: 0, askSz: 5 }), grid);
  // 9 to 1 on the bid: p = 99999 * 0.1 + 100001 * 0.9 = 100000.8, the grid moves up by 0.8.
  const heavyBid = quote({ ...BTC, model: MODEL_MICROPRICE, bidSz: 9, askSz: 1 });
  assert.deepEqual(heavyBid.bids.map((b) => b.px), [99985, 99963, 99925]);
  assert.deepEqual(heavyBid.asks.map((a) => a.px), [100016, 100039, 100076]);
  // 1 to 9: p = 99999.2, the grid moves down by 0.8 (asks round up: 100014.2 is 100015).
  const heavyAsk = quote({ ...BTC, model: MODEL_MICROPRICE, bidSz: 1, askSz: 9 });
  assert.deepEqual(heavyAsk.bids.map((b) => b.px), [99984, 99961, 99924]);
  assert.deepEqual(heavyAsk.asks.map((a) => a.px), [100015, 100037, 100075]);
});

Deno.test("glft: half-spread c1 + sigma c2 / 2 on the grid's levels, skew sigma c2 per order held", () => {
  // c1 1 bps, c2 0.5, sigma 1: half-spread 1.25 bps; skew 0.5 bps per $12 order held.
  const glft = { ...BTC, model: MODEL_GLFT, c1: 1, c2: 0.5, sigma: 1 };
  const flat = quote(glft);
  assert.equal(flat.status, STATUS_OK);
  // 1.25, 3.125 and 6.25 bps from 100000, rounded away from the mid to whole dollars.
  assert.deepEqual(flat.bids.map((b) => b.px), [99987, 99968, 99937]);
  assert.deepEqual(flat.asks.map((a) => a.px), [100013, 100032, 100063]);
  assert.deepEqual(flat.bids.map((b) => b.sz), [0.00012, 0.00024, 0.00036]);
  // Long 2 orders ($24): every level 1 bps lower.
  const long = quote({ ...glft, inventoryUsd: 24 });
  assert.deepEqual(long.bids.map((b) => b.px), [99977, 99958, 99927]);
  assert.deepEqual(long.asks.map((a) => a.px), [100003, 100022, 100053]);
  // Long 10 orders: the skew stops at the half-spread, so the exit ask rests at the mid.
  assert.equal(quote({ ...glft, inventoryUsd: 120 }).asks[0].px, 100000);
  // Short: the mirror image.
  const short = quote({ ...glft, inventoryUsd: -24 });
  assert.deepEqual(short.asks.map((a) => a.px), [100023, 100042, 100073]);
  // The regime multiplies every distance: 2x.
  const wide = quote({ ...glft, regime: 2 });
  assert.deepEqual(wide.bids.map((b) => b.px), [99975, 99937, 99875]);
  // Max inventory still stops the growing side.
  const full = quote({ ...glft, inventoryUsd: 200 });
  assert.equal(full.status, STATUS_INVENTORY_LIMIT);
  assert.ok(full.bids.every((b) => b.sz === 0));
  // Bad GLFT inputs quote nothing.
  assert.equal(quote({ ...glft, c1: 0 }).status, STATUS_BAD_INPUT);
  assert.equal(quote({ ...glft, sigma: NaN }).status, STATUS_BAD_INPUT);
});

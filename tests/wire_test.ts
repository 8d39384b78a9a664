import assert from "node:assert/strict";
import {
  cloidFromInt,
  cloidToBigInt,
  floatToWire,
  isValidCloid,
  isValidPerpPrice,
  isValidSize,
  priceTick,
  roundPerpPrice,
  roundSizeDown,
} from "../engine/hyperliquid/wire.ts";
import { MIN_ORDER_VALUE_USD } from "../engine/hyperliquid/exchange_facts.ts";

Deno.test("floatToWire reproduces the Python SDK's float_to_wire outputs", () => {
  const cases: [number, string][] = [
    [100, "100"],
    [1670.1, "1670.1"],
    [0.0147, "0.0147"],
    [60000.5, "60000.5"],
    [0.00123, "0.00123"],
    [1e-8, "0.00000001"],
    [123456789.12345678, "123456789.12345678"],
    [0.1 + 0.2, "0.3"],
    [1.0, "1"],
    [2000.0, "2000"],
  ];
  for (const [x, want] of cases) assert.equal(floatToWire(x), want, `floatToWire(${x})`);
});

Deno.test("floatToWire reproduces the Rust SDK's float_to_string_for_hashing test list", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "0"],
    [-0.0, "0"],
    [0.00076, "0.00076"],
    [0.00000001, "0.00000001"],
    [0.12345678, "0.12345678"],
    [87654321.12345678, "87654321.12345678"],
    [987654321.0, "987654321"],
    [87654321.1234, "87654321.1234"],
    [0.00076, "0.00076"],
  ];
  for (const [x, want] of cases) assert.equal(floatToWire(x), want, `floatToWire(${x})`);
});

Deno.test("floatToWire never emits an exponent, negative zero or a trailing dot", () => {
  assert.equal(floatToWire(1e-7), "0.0000001");
  assert.equal(floatToWire(1e20), "100000000000000000000");
  assert.equal(floatToWire(-0.000000001 + 0.000000001), "0");
  assert.equal(floatToWire(-12.5), "-12.5");
  assert.equal(floatToWire(10), "10");
});

Deno.test("floatToWire refuses values that would round, naming them", () => {
  assert.throws(() => floatToWire(0.000012312312), /0\.000012312312/);
  assert.throws(() => floatToWire(1e-9), /1e-9/);
  assert.throws(() => floatToWire(NaN), /NaN/);
  assert.throws(() => floatToWire(Infinity), /Infinity/);
  assert.throws(() => floatToWire(1e21), /1e\+21/);
});

Deno.test("price validity follows the documented examples", () => {
  assert.ok(isValidPerpPrice("1234.5", 0));
  assert.ok(!isValidPerpPrice("1234.56", 0));
  assert.ok(isValidPerpPrice("0.001234", 0));
  assert.ok(!isValidPerpPrice("0.0012345", 0));
  assert.ok(isValidPerpPrice("0.01234", 1));
  assert.ok(!isValidPerpPrice("0.012345", 1));
  assert.ok(isValidPerpPrice(123456, 5), "integers are always valid");
  assert.ok(isValidPerpPrice("123456", 0));
  assert.ok(!isValidPerpPrice(12345.6, 0), "six significant figures");
  assert.ok(isValidPerpPrice(1670.1, 4));
  assert.ok(!isValidPerpPrice(0.30000000000000004 * 1e-9, 0), "would round on the wire");
});

Deno.test("price validity: decimals are capped at 6 - szDecimals for szDecimals 0..5", () => {
  // 1.2345 has 5 significant figures and 4 decimals: fine up to szDecimals 2.
  const expected = [true, true, true, false, false, false];
  for (let sz = 0; sz <= 5; sz++) {
    assert.equal(isValidPerpPrice("1.2345", sz), expected[sz], `1.2345 at szDecimals ${sz}`);
  }
  // 0.000001 has one significant figure and 6 decimals: only szDecimals 0 allows it.
  assert.ok(isValidPerpPrice("0.000001", 0));
  assert.ok(!isValidPerpPrice("0.000001", 1));
  assert.ok(!isValidPerpPrice("0.0000001", 0));
});

Deno.test("price validity rejects non-prices", () => {
  for (const bad of ["", "abc", "-1", "0", "0.0", "1e5", "1.", ".5", " 1"]) {
    assert.ok(!isValidPerpPrice(bad, 0), JSON.stringify(bad));
  }
  assert.ok(!isValidPerpPrice(-5, 0));
  assert.ok(!isValidPerpPrice(NaN, 0));
  assert.throws(() => isValidPerpPrice("1", 7), /szDecimals/);
  assert.throws(() => isValidPerpPrice("1", 1.5), /szDecimals/);
});

Deno.test("the tick changes as the price crosses a power of ten", () => {
  const cases: [number, number, number][] = [
    // [px, szDecimals, tick]
    [0.5, 0, 0.00001],
    [0.99999, 0, 0.00001],
    [1, 0, 0.0001],
    [9.9999, 0, 0.0001],
    [10, 0, 0.001],
    [14.3, 0, 0.001],
    [99.999, 0, 0.001],
    [100, 0, 0.01],
    [1000, 0, 0.1],
    [9999.9, 0, 0.1],
    [10000, 0, 1],
    [60000, 5, 1],
    [2_000_000, 3, 1],
    // szDecimals caps the decimals before the significant-figure rule does.
    [14.3, 3, 0.001],
    [14.3, 4, 0.01],
    [14.3, 5, 0.1],
    [0.00001234, 0, 0.000001],
    [0.00001234, 2, 0.0001],
  ];
  for (const [px, sz, tick] of cases) {
    assert.equal(priceTick(px, sz), tick, `tick at ${px}, szDecimals ${sz}`);
  }
  assert.throws(() => priceTick(0, 0), /price/);
});

Deno.test("prices round in the requested direction onto a valid price", () => {
  const cases: [number, number, number, number][] = [
    // [px, szDecimals, down, up]
    [1234.56, 0, 1234.5, 1234.6],
    [1234.5, 0, 1234.5, 1234.5],
    [60000.7, 5, 60000, 60001],
    [12345.6, 0, 12345, 12346],
    [1234567.8, 0, 1234567, 1234568],
    [9.999995, 0, 9.9999, 10],
    [99999.5, 0, 99999, 100000],
    [0.00001234, 0, 0.000012, 0.000013],
    [14.31234, 4, 14.31, 14.32],
    [0.1 + 0.2, 0, 0.3, 0.3],
  ];
  for (const [px, sz, down, up] of cases) {
    assert.equal(roundPerpPrice(px, sz, "down"), down, `${px} down at szDecimals ${sz}`);
    assert.equal(roundPerpPrice(px, sz, "up"), up, `${px} up at szDecimals ${sz}`);
  }
  assert.throws(() => roundPerpPrice(1e-7, 0, "down"), /zero/);
  assert.equal(roundPerpPrice(1e-7, 0, "up"), 0.000001);
  assert.throws(() => roundPerpPrice(1, 0, "nearest" as "up"), /direction/);
});

Deno.test("rounded prices are valid, bracket the input and lie at most one tick apart", () => {
  // A fixed-seed generator (mulberry32) keeps the sample identical on every run.
  let seed = 12345;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 2000; i++) {
    const px = 10 ** (random() * 12 - 5); // 1e-5 .. 1e7
    const sz = i % 6;
    const down = px < priceTick(px, sz) ? null : roundPerpPrice(px, sz, "down");
    const up = roundPerpPrice(px, sz, "up");
    assert.ok(isValidPerpPrice(up, sz), `up ${up} from ${px} at szDecimals ${sz}`);
    assert.ok(up >= px, `up ${up} < ${px}`);
    if (down !== null) {
      assert.ok(isValidPerpPrice(down, sz), `down ${down} from ${px} at szDecimals ${sz}`);
      assert.ok(down <= px, `down ${down} > ${px}`);
      assert.ok(up - down <= priceTick(px, sz) * (1 + 1e-9), `${px}: ${down}..${up}`);
    }
  }
});

Deno.test("sizes round down to the lot and validate against szDecimals", () => {
  assert.equal(roundSizeDown(0.123456, 3), 0.123);
  assert.equal(roundSizeDown(0.1 + 0.2, 1), 0.3);
  assert.equal(roundSizeDown(5.9, 0), 5);
  assert.equal(roundSizeDown(0.00049, 3), 0);
  assert.equal(roundSizeDown(1.23456789, 5), 1.23456);
  assert.throws(() => roundSizeDown(-1, 2), /size/);
  assert.ok(isValidSize("0.001", 3));
  assert.ok(!isValidSize("0.0001", 3));
  assert.ok(isValidSize(100, 0));
  assert.ok(!isValidSize(0.5, 0));
  assert.ok(!isValidSize(0, 2));
  assert.ok(!isValidSize("1.5e3", 2));
});

Deno.test("minimum order value is $10", () => {
  assert.equal(MIN_ORDER_VALUE_USD, 10);
});

Deno.test("cloids are 0x + 32 lowercase hex digits, as the Python SDK's Cloid.from_int", () => {
  assert.equal(cloidFromInt(42), "0x0000000000000000000000000000002a");
  assert.equal(cloidFromInt(1), "0x00000000000000000000000000000001");
  assert.equal(cloidFromInt(2n ** 128n - 1n), `0x${"f".repeat(32)}`);
  assert.equal(cloidToBigInt(cloidFromInt(123456789n)), 123456789n);
  assert.ok(isValidCloid("0x1234567890abcdef1234567890abcdef"));
  assert.ok(!isValidCloid("0x1234567890ABCDEF1234567890abcdef"));
  assert.ok(!isValidCloid("0x1234"));
  assert.throws(() => cloidFromInt(-1), /-1/);
  assert.throws(() => cloidFromInt(2n ** 128n), /2\^128/);
  assert.throws(() => cloidFromInt(1.5), /1\.5/);
  assert.throws(() => cloidToBigInt("0xABC"), /0xABC/);
});

Deno.test("a price or size given as a number is judged as its wire string would be", () => {
  // Kernel-style grid values, off-grid neighbours, tiny and huge ones, at every szDecimals.
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const values = [1e-13, 1e-9, 0.1 + 0.2, 9999.99999999999, 1e20, 123456, 12345.6, 0.0012345];
  for (let i = 0; i < 2000; i++) {
    const magnitude = 10 ** Math.floor(next() * 14 - 8);
    const x = next() * magnitude;
    values.push(x, Number(x.toPrecision(5)), Number(x.toFixed(6)), Math.round(x));
  }
  for (const x of values) {
    let wire: string | null;
    try {
      wire = floatToWire(x);
    } catch {
      wire = null;
    }
    for (let d = 0; d <= 6; d++) {
      const asString = wire !== null && isValidPerpPrice(wire, d);
      assert.equal(isValidPerpPrice(x, d), asString, `price ${x} at szDecimals ${d}`);
      assert.equal(isValidSize(x, d), wire !== null && isValidSize(wire, d), `size ${x} (${d})`);
    }
  }
});

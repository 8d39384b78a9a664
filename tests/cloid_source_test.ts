/**
 * Client order ids use the full 128 bits: a random per-run prefix and a counter. A cloid below
 * 2^53 is read as an exchange oid by `@nktkas/hyperliquid`'s `orderStatus`, so an operator looking
 * an order up by cloid would get another order's status (issue 15).
 */
import assert from "node:assert/strict";
import { CloidSource } from "../engine/hyperliquid/cloid_source.ts";
import { cloidToBigInt, isValidCloid } from "../engine/hyperliquid/wire.ts";

const RUNS = 200;
const ORDERS_PER_RUN = 500;

Deno.test("cloids of many runs are valid, at least 2^127 and never collide", () => {
  const seen = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    const cloids = new CloidSource();
    for (let i = 0; i < ORDERS_PER_RUN; i++) {
      const cloid = cloids.next();
      assert.ok(isValidCloid(cloid), `${cloid} is 0x + 32 lowercase hex digits`);
      assert.ok(cloidToBigInt(cloid) >= 2n ** 127n, `${cloid} is at least 2^127`);
      assert.ok(!seen.has(cloid), `${cloid} was handed out twice`);
      seen.add(cloid);
    }
  }
  assert.equal(seen.size, RUNS * ORDERS_PER_RUN);
});

Deno.test("two restarts share no cloid: the prefix is random, not the start time", () => {
  const first = new CloidSource();
  const second = new CloidSource();
  const a = Array.from({ length: 1000 }, () => first.next());
  const b = new Set(Array.from({ length: 1000 }, () => second.next()));
  assert.ok(a.every((cloid) => !b.has(cloid)));
  assert.notEqual(a[0].slice(0, 22), [...b][0].slice(0, 22), "the runs' 80-bit prefixes differ");
});

Deno.test("within a run the prefix stays and the low 48 bits count up from 1", () => {
  const zeros = new CloidSource((bytes) => bytes.fill(0));
  assert.equal(zeros.next(), "0x80000000000000000000000000000001");
  assert.equal(zeros.next(), "0x80000000000000000000000000000002");

  const ones = new CloidSource((bytes) => bytes.fill(0xff));
  assert.equal(ones.next(), "0xffffffffffffffffffff000000000001");
});

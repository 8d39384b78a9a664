import assert from "node:assert/strict";
import { othersBook } from "../engine/venue/others_book.ts";
import type { BookSnapshot } from "../engine/hyperliquid/types.ts";

const book: BookSnapshot = {
  coin: "ETH",
  timeMs: 1_000,
  bids: [{ px: 100.5, sz: 0.2, n: 1 }, { px: 100, sz: 3, n: 4 }],
  asks: [{ px: 101, sz: 2, n: 3 }, { px: 101.5, sz: 1, n: 1 }],
};

Deno.test("our order alone at the best bid: the others' best bid is the next level, so the mid is theirs", () => {
  const seen = othersBook(book, [{ side: "bid", px: 100.5, sz: 0.2 }]);
  assert.deepEqual(seen.bids, [{ px: 100, sz: 3, n: 4 }]);
  assert.equal((seen.bids[0].px + seen.asks[0].px) / 2, 100.5);
  assert.deepEqual(book.bids.length, 2, "the frame itself is left as it came");
});

Deno.test("our order among others at a price: its size and one order leave the level", () => {
  const seen = othersBook(book, [{ side: "ask", px: 101, sz: 0.5 }]);
  assert.deepEqual(seen.asks[0], { px: 101, sz: 1.5, n: 2 });
  assert.deepEqual(seen.bids, book.bids);
});

Deno.test("an order of ours not in the frame yet takes away at most the level, never a side it is not on", () => {
  const alone = othersBook(book, [{ side: "ask", px: 101.5, sz: 0.3 }]);
  assert.deepEqual(
    alone.asks[1],
    { px: 101.5, sz: 1, n: 1 },
    "one order of another size is someone else's",
  );
  const bigger = othersBook(book, [{ side: "bid", px: 100, sz: 5 }]);
  assert.deepEqual(bigger.bids.map((l) => l.px), [100.5]);
  const wrongSide = othersBook(book, [{ side: "ask", px: 100, sz: 1 }]);
  assert.equal(wrongSide, book);
});

Deno.test("prices parsed from the wire match ours despite float noise; no orders of ours: the same book", () => {
  const noisy = othersBook(book, [{ side: "bid", px: 100.5 + 1e-12, sz: 0.2 }]);
  assert.equal(noisy.bids[0].px, 100);
  assert.equal(othersBook(book, []), book);
  assert.equal(othersBook(book, [{ side: "bid", px: 99, sz: 1 }]), book);
});

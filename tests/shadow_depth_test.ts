/**
 * The shadow venue reads the displayed size at all its orders of one side in one pass down the
 * book (engine/venue/shadow_matching.ts `displayedAtEach`); each order must get exactly what a
 * lookup of its own price (`displayedAt`) gives, whatever the book: sorted or not, with gaps,
 * empty, or orders beyond its last level.
 */
import assert from "node:assert/strict";
import type { BookLevel, BookSnapshot } from "../engine/hyperliquid/types.ts";
import {
  displayedAt,
  displayedAtEach,
  type MatchOrder,
  ordered,
} from "../engine/venue/shadow_matching.ts";
import type { QuoteSide } from "../engine/venue/venue.ts";
import { prng } from "./helpers/prng.ts";

function order(side: QuoteSide, px: number, tick: number, seq: number): MatchOrder {
  return {
    front: 0,
    cumTrade: 0,
    prevDepth: NaN,
    prevAgeMs: NaN,
    traded: 0,
    active: true,
    seq,
    side,
    px,
    leaves: 1,
    sz: 1,
    tick,
    liveAfterMs: 0,
    goneAfterMs: Infinity,
  };
}

Deno.test("one pass down the book gives every order the size a lookup of its price gives", () => {
  const rand = prng(16);
  const tick = 0.01;
  let checked = 0;
  for (let round = 0; round < 2000; round++) {
    // A one-cent book around 100 with gaps; one book in ten has two levels swapped, one in
    // twenty a side emptied.
    const side = (dir: number): BookLevel[] => {
      const levels: BookLevel[] = [];
      let px = 100 + dir * (1 + Math.floor(rand() * 3)) * tick;
      const count = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 20);
      for (let i = 0; i < count; i++) {
        levels.push({ px: Number(px.toFixed(2)), sz: 1 + Math.floor(rand() * 50), n: 1 });
        px += dir * (1 + Math.floor(rand() * 3)) * tick;
      }
      if (levels.length > 2 && rand() < 0.1) {
        const i = Math.floor(rand() * (levels.length - 1));
        [levels[i], levels[i + 1]] = [levels[i + 1], levels[i]];
      }
      return levels;
    };
    const book: BookSnapshot = { coin: "SOL", timeMs: round, bids: side(-1), asks: side(1) };
    for (const s of ["bid", "ask"] as const) {
      const dir = s === "bid" ? -1 : 1;
      // Up to 5 orders from inside the spread to beyond the last level, some at one price, one
      // round in ten with a different tick (a cancel in flight from before a tick change).
      const orders: MatchOrder[] = [];
      const n = Math.floor(rand() * 6);
      for (let k = 0; k < n; k++) {
        const px = Number((100 + dir * Math.floor(rand() * 60) * tick).toFixed(2));
        const t = k === 0 && rand() < 0.1 ? 0.1 : tick;
        orders.push(order(s, px, t, k));
      }
      const sorted: MatchOrder[] = [];
      const m = ordered(orders, [], 0, sorted);
      const out: number[] = [];
      displayedAtEach(book, s, sorted, m, out);
      for (let k = 0; k < m; k++) {
        const expected = displayedAt(book, s, sorted[k].px, sorted[k].tick);
        assert.ok(
          Object.is(out[k], expected),
          `round ${round}, ${s} at ${sorted[k].px}: ${out[k]}, a lookup gives ${expected}`,
        );
        checked++;
      }
    }
  }
  assert.ok(checked > 5000, `only ${checked} orders checked`);
});

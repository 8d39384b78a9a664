/**
 * Test helper: harvests synthetic books and trades into a data directory as fast as it can,
 * flushing every 5 ms, until it is killed. Prints "flushing" once the first batch is on disk.
 * Usage: ./deno run --allow-read=DIR --allow-write=DIR tests/harvest_loop.ts DIR
 */

import { Harvester } from "../engine/harvest.ts";

const dir = Deno.args[0];
if (dir === undefined) throw new Error("usage: harvest_loop.ts DATA_DIR");
const harvester = new Harvester({ dataDir: dir, flushIntervalMs: 5 });
// 2026-02-22T23:59:59Z: the loop crosses UTC midnight while it runs.
let t = 1771804799000;
let announced = false;
for (let i = 0;; i++) {
  for (let k = 0; k < 2000; k++, t++) {
    const bid = 68000 + (k % 100) / 10;
    harvester.recordBook({
      coin: "BTC",
      timeMs: t,
      bids: [{ px: bid, sz: 1, n: 1 }],
      asks: [{ px: bid + 1, sz: 1, n: 1 }],
    });
    harvester.recordTrades([{
      coin: "BTC",
      side: k % 2 ? "B" : "A",
      px: bid,
      sz: 0.01,
      timeMs: t,
      tid: i * 2000 + k,
    }]);
  }
  await harvester.flush();
  if (!announced) {
    console.log("flushing");
    announced = true;
  }
}

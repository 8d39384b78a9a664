/**
 * Child process for the kill -9 test: saves an ever-advancing state in a loop until killed.
 * Round n holds n in every field the test checks, so a torn file would show mixed rounds.
 * Usage: deno run --allow-read=<dir> --allow-write=<dir> state_writer.ts <state path>
 */
import { emptyState } from "../../engine/state.ts";
import { saveState } from "../../engine/state_file.ts";

const path = Deno.args[0];
if (!path) throw new Error("usage: state_writer.ts <state path>");
const coins = Array.from({ length: 30 }, (_, i) => `COIN${i}`);
for (let n = 1;; n++) {
  const state = emptyState(1_700_000_000_000);
  for (const coin of coins) {
    state.inventory[coin] = { qty: n, avgEntryPx: n * 10 };
    state.watermarks[coin] = { timeMs: 1_700_000_000_000 + n, tids: [n, n + 1] };
    for (let level = 0; level < 3; level++) {
      state.openShadowOrders.push({ coin, side: "bid", level, px: n, sz: n, queueAhead: n });
    }
  }
  state.session.fills = n;
  await saveState(path, state);
}

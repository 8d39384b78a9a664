/**
 * Venue simulator load: 30 coins with market time at 10x the exchange's pace (a book every ~54 ms
 * per coin instead of ~540 ms) with the account's orders resting on every coin and being matched, every
 * frame serialized and delivered to a WebSocket client subscribed to all 30 books and trades
 * plus the user streams.
 *
 * - "one virtual second" steps the manual clock by 1 s per iteration: its time per iteration
 *   is the wall time one second of market costs, so 1 s / (time per iteration) is the headroom.
 * - Before the benches, the venue runs on its wall-clock driver for 5 s and logs the frames per
 *   second the client received and how far the virtual clock ever lagged behind wall time.
 */
import { createLogger } from "../../engine/log.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../../engine/hyperliquid/wire.ts";
import type { VenueSim } from "../../tools/venue_sim/mod.ts";
import { startTestVenue, TEST_ACCOUNT } from "../helpers/venue.ts";

const COINS = 30;
const RATE = 10;
const ORDERS_PER_SIDE = 3;
const log = createLogger({ level: "info", timestamps: false });

/** A client that counts frames and bytes without keeping them. */
async function counter(url: string, coins: string[]) {
  const ws = new WebSocket(url);
  const stats = { frames: 0, bytes: 0 };
  let pong: (() => void) | null = null;
  ws.onmessage = (e) => {
    stats.frames++;
    stats.bytes += (e.data as string).length;
    if (pong && (e.data as string) === '{"channel":"pong"}') {
      pong();
      pong = null;
    }
  };
  await new Promise((r) => (ws.onopen = r));
  for (const coin of coins) {
    ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin } }));
    ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "trades", coin } }));
  }
  ws.send(
    JSON.stringify({
      method: "subscribe",
      subscription: { type: "userFills", user: TEST_ACCOUNT },
    }),
  );
  ws.send(
    JSON.stringify({
      method: "subscribe",
      subscription: { type: "orderUpdates", user: TEST_ACCOUNT },
    }),
  );
  return {
    stats,
    /** Resolves once every frame sent before now has arrived. */
    sync: () =>
      new Promise<void>((resolve) => {
        pong = resolve;
        ws.send('{"method":"ping"}');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        ws.onclose = () => resolve();
        ws.close();
      }),
  };
}

/** Keeps a 3-level grid resting on each side of every active coin, 1..3 ticks off the touch. */
function refillGrid(venue: VenueSim): void {
  const open = new Map<string, number>();
  for (const o of venue.sim.openOrders()) open.set(o.coin, (open.get(o.coin) ?? 0) + 1);
  for (const c of venue.sim.coins) {
    if (!c.active || (open.get(c.info.name) ?? 0) >= 2 * ORDERS_PER_SIDE) continue;
    for (const o of c.queue.all()) venue.sim.cancel(c.asset, o.oid);
    const szd = c.info.szDecimals;
    const bid = c.market.bids[0].px;
    const ask = c.market.asks[0].px;
    for (let k = 1; k <= ORDERS_PER_SIDE; k++) {
      for (const isBuy of [true, false]) {
        const ref = isBuy ? bid : ask;
        const raw = isBuy ? ref - k * priceTick(ref, szd) : ref + k * priceTick(ref, szd);
        if (raw <= 0) continue;
        const px = roundPerpPrice(raw, szd, isBuy ? "down" : "up");
        // $15 orders: above the $10 minimum at any price.
        const sz = Math.max(
          Math.pow(10, -szd),
          Math.ceil(15 / px * Math.pow(10, szd)) / Math.pow(10, szd),
        );
        venue.sim.placeOrder({
          a: c.asset,
          b: isBuy,
          p: floatToWire(px),
          s: floatToWire(sz),
          r: false,
          t: { limit: { tif: "Alo" } },
        });
      }
    }
  }
}

/** Runs the venue on its wall-clock driver for `seconds` and logs what one client received. */
async function realTime(seconds: number): Promise<void> {
  const venue = await startTestVenue({
    coins: COINS,
    rate: RATE,
    seed: 5,
    clock: "realtime",
    startTimeMs: undefined,
    balanceUsd: 1e9,
  });
  const client = await counter(
    venue.wsUrl,
    venue.sim.coins.slice(0, COINS).map((c) => c.info.name),
  );
  await client.sync();
  const start = performance.now();
  const virtualStart = venue.sim.now;
  const framesStart = client.stats.frames;
  const bytesStart = client.stats.bytes;
  let maxLagMs = 0;
  while (performance.now() - start < seconds * 1000) {
    refillGrid(venue);
    await new Promise((r) => setTimeout(r, 50));
    maxLagMs = Math.max(maxLagMs, virtualStart + (performance.now() - start) - venue.sim.now);
  }
  await client.sync();
  const elapsed = (performance.now() - start) / 1000;
  const frames = client.stats.frames - framesStart;
  log.info(
    `venue_sim real time (${seconds} s): ${
      (frames / elapsed).toFixed(0)
    } frames/s received by one client ` +
      `(${((client.stats.bytes - bytesStart) / elapsed / 1e6).toFixed(2)} MB/s); ` +
      `books due ${(COINS * 1000 / venue.sim.intervalMs).toFixed(0)}/s; virtual clock lag max ${
        maxLagMs.toFixed(0)
      } ms (driver period 10 ms); maker fills ${venue.sim.account.fills.length}`,
  );
  await client.close();
  await venue.close();
}

await realTime(5);

const manual = await startTestVenue({ coins: COINS, rate: RATE, seed: 5, balanceUsd: 1e9 });
const manualClient = await counter(
  manual.wsUrl,
  manual.sim.coins.slice(0, COINS).map((c) => c.info.name),
);
await manualClient.sync();
let virtualSeconds = 0;
let wallMs = 0;
const framesAtStart = manual.state().stats.framesBuilt;
const fillsAtStart = manual.sim.account.fills.length;

Deno.bench({
  name:
    `venue: one virtual second, ${COINS} coins at ${RATE}x rate, grid matching, frames serialized and delivered`,
  group: "venue_sim",
  async fn() {
    const t0 = performance.now();
    refillGrid(manual);
    manual.advance(1_000);
    await manualClient.sync();
    wallMs += performance.now() - t0;
    virtualSeconds++;
  },
});

globalThis.addEventListener("unload", () => {
  const frames = manual.state().stats.framesBuilt - framesAtStart;
  const fills = manual.sim.account.fills.length - fillsAtStart;
  if (virtualSeconds > 0) {
    log.info(
      `venue_sim manual clock: ${virtualSeconds} virtual s in ${wallMs.toFixed(0)} ms wall; ` +
        `${(frames / virtualSeconds).toFixed(0)} frames per virtual s, ${
          (frames / (wallMs / 1000)).toFixed(0)
        } frames/s ` +
        `generated+serialized+delivered, headroom ${
          (virtualSeconds * 1000 / wallMs).toFixed(1)
        }x real time, ` +
        `${fills} maker fills`,
    );
  }
});

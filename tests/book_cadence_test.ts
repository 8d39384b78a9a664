/**
 * The l2Book push interval, measured on the feed: per coin on the exchange's clock, logged, and
 * used by the stall watcher, whose timeout rises when the feed is slower than it allows.
 */
import assert from "node:assert/strict";
import { BookCadence, describeCadence } from "../engine/hyperliquid/book_cadence.ts";
import { CadenceWatch } from "../engine/cadence_watch.ts";
import { stallTimeoutFor } from "../engine/risk/stall.ts";
import { MarketDataFeed } from "../engine/hyperliquid/ws.ts";
import { collectingLogger } from "./helpers/log.ts";
import { startTestVenue } from "./helpers/venue.ts";
import { BASE_BOOK_INTERVAL_MS } from "../tools/venue_sim/mod.ts";

Deno.test("intervals are per coin on the exchange's clock; a reconnect's gap is no interval", () => {
  const cadence = new BookCadence();
  for (let i = 0; i < 10; i++) {
    cadence.record("BTC", 1_000 + i * 500);
    cadence.record("ETH", 1_250 + i * 600);
  }
  cadence.reconnected();
  cadence.record("BTC", 60_000); // 55 s after its last book, across the outage: not counted
  cadence.record("BTC", 60_500);
  const summary = cadence.take()!;
  assert.deepEqual(summary, { medianMs: 500, p90Ms: 600, samples: 19, coins: 2 });
  assert.equal(cadence.take(), null, "each window starts empty");
});

Deno.test("the log line gives median and p90, and flags a feed far from what its subscription promises", () => {
  const slow = { medianMs: 5_300, p90Ms: 6_100, samples: 120, coins: 3 };
  assert.equal(
    describeCadence(slow, false, 30_000),
    "[WS] l2Book cadence (default): median 5.30 s, p90 6.10 s over 120 pushes on 3 coins; " +
      "stall watcher expects data within 30.0 s",
  );
  assert.match(describeCadence(slow, true, 30_000), /⚠️ 10\.6x the 0\.5 s the fast subscription/);
  assert.match(describeCadence(null, true, 30_000), /no interval measured yet/);
});

Deno.test("the stall timeout rises to four p90 intervals of a slow feed, and never drops below the configured one", () => {
  assert.equal(stallTimeoutFor(10_000, { p90Ms: 6_100 }), 24_400);
  assert.equal(stallTimeoutFor(30_000, { p90Ms: 600 }), 30_000);
  assert.equal(stallTimeoutFor(30_000, null), 30_000);

  const log = collectingLogger();
  const applied: number[] = [];
  const watch = new CadenceWatch({
    fast: false,
    configuredStallMs: 10_000,
    setStallTimeoutMs: (ms) => applied.push(ms),
    log,
  });
  for (let i = 0; i < 12; i++) watch.onBook("BTC", i * 5_000);
  watch.measure();
  assert.deepEqual(applied, [20_000]);
  assert.equal(watch.stallTimeoutMs, 20_000);
  assert.match(
    log.lines[0],
    /^WARN \[WS\] l2Book cadence \(default\): median 5\.00 s.*within 20\.0 s \(raised from MM_STALL_TIMEOUT_S=10/,
  );
  // A window with nothing measured keeps the timeout and says so.
  watch.measure();
  assert.deepEqual(applied, [20_000]);
  assert.match(log.lines[1], /no interval measured yet/);
});

Deno.test("measured on a live feed (the venue simulator at 4x), the cadence is the venue's book interval", async () => {
  const rate = 4;
  const venue = await startTestVenue({ clock: "realtime", rate, coins: 2, dexCoins: 1 });
  const log = collectingLogger();
  const watch = new CadenceWatch({
    fast: true,
    configuredStallMs: 30_000,
    setStallTimeoutMs: () => {},
    log,
  });
  const feed = new MarketDataFeed({
    url: venue.wsUrl,
    coins: ["BTC", "xyz:XYZ100"],
    fastBook: true,
    logger: collectingLogger(),
    onBook: (book) => watch.onBook(book.coin, book.timeMs),
    onTrades: () => {},
    onReconnected: () => watch.onReconnected(),
  });
  try {
    feed.start();
    await new Promise((r) => setTimeout(r, 2_500));
    const summary = watch.measure()!;
    assert.equal(summary.coins, 2, "both the main-dex and the builder-dex coin pushed books");
    const expected = BASE_BOOK_INTERVAL_MS / rate;
    assert.ok(
      summary.medianMs > expected / 3 && summary.medianMs < expected * 3,
      `median ${summary.medianMs} ms near the venue's ${expected} ms`,
    );
    assert.match(log.lines[0], /^INFO \[WS\] l2Book cadence \(fast\): median/);
  } finally {
    feed.close();
    await venue.close();
  }
});

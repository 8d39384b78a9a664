/** The soak's readings: unknown and stale orders, metrics, the verdict and the command line. */
import assert from "node:assert/strict";
import {
  DEFAULT_FAULTS,
  judgeSoak,
  metricValue,
  parseSoakOptions,
  type SoakRun,
  surplusOrders,
  unknownOrders,
  type VenueOrder,
} from "../tools/soak.ts";

const order = (oid: number, coin: string, side: "B" | "A", cloid: string | null = null) =>
  ({ oid, coin, side, cloid }) satisfies VenueOrder;

Deno.test("an order the engine holds by neither oid nor cloid is unknown once it is 10 s old", () => {
  const orders = [order(1, "BTC", "B", "0xa"), order(2, "BTC", "A"), order(3, "ETH", "B", "0xc")];
  const firstSeen = new Map([[1, 0], [2, 0], [3, 5_000]]);
  const held = { oids: [1], cloids: ["0xc"] };
  assert.deepEqual(unknownOrders(orders, held, firstSeen, 10_000), [2]);
  // Placed after the engine's reading, perhaps: not yet.
  assert.deepEqual(unknownOrders(orders, { oids: [], cloids: [] }, firstSeen, 9_999), []);
  // Held by its cloid while its oid is not acked.
  assert.deepEqual(unknownOrders([order(4, "SOL", "A", "0xd")], held, new Map([[4, 0]]), 60_000), [
    4,
  ]);
  assert.deepEqual(
    unknownOrders(
      [order(4, "SOL", "A", "0xd")],
      { oids: [], cloids: ["0xd"] },
      new Map([[4, 0]]),
      60_000,
    ),
    [],
  );
});

Deno.test("stale orders: beyond the levels the engine wants on a side, oldest first, 30 s old", () => {
  const orders = [
    order(1, "BTC", "B"),
    order(2, "BTC", "B"),
    order(3, "BTC", "B"),
    order(4, "ETH", "A"),
  ];
  const firstSeen = new Map([[1, 1_000], [2, 0], [3, 40_000], [4, 0]]);
  const coins = [{ coin: "BTC", bidLevels: 1, askLevels: 3 }, {
    coin: "ETH",
    bidLevels: 3,
    askLevels: 0,
  }];
  // BTC bids: 3 resting for 1 wanted, the two old ones are stale; the ETH ask is not wanted.
  assert.deepEqual(surplusOrders(orders, coins, firstSeen, 45_000).sort(), [1, 2, 4]);
  assert.deepEqual(surplusOrders(orders, coins, firstSeen, 20_000), []);
});

Deno.test("metricValue reads a sample of the exposition, with or without labels", () => {
  const text = "# TYPE mm_reconnects_total counter\nmm_reconnects_total 3\n" +
    'mm_inventory{coin="BTC"} 0.5\nmm_resident_memory_bytes 123456789\n';
  assert.equal(metricValue(text, "mm_reconnects_total"), 3);
  assert.equal(metricValue(text, "mm_inventory"), 0.5);
  assert.equal(metricValue(text, "mm_resident_memory_bytes"), 123456789);
  assert.equal(metricValue(text, "mm_missing"), null);
});

Deno.test("judgeSoak fails unknown or resting orders, fill mismatches, an early exit and a bad stop", () => {
  const good: Omit<SoakRun, "problems"> = {
    mode: "live",
    dir: "data/soak/x/live",
    durationS: 600,
    end: "time",
    engineExitCode: 0,
    samples: 60,
    sampleErrors: 0,
    faultsOn: true,
    reconnects: 6,
    userFeedBreaks: 6,
    stallPanics: 2,
    engineFills: 100,
    venueFills: 100,
    fillCheck: { matched: 100, missing: 0, duplicated: 0, unknown: 0, adopted: 0 },
    rssStartMb: 100,
    rssEndMb: 110,
    unknownPeak: 0,
    unknownDistinct: 0,
    stalePeak: 3,
    restingAfterStop: 0,
  };
  assert.deepEqual(judgeSoak(good), []);
  assert.deepEqual(
    judgeSoak({
      ...good,
      end: "engine-exited",
      durationS: 42,
      unknownPeak: 1,
      unknownDistinct: 2,
      restingAfterStop: 3,
      fillCheck: { matched: 98, missing: 2, duplicated: 1, unknown: 0, adopted: 0 },
    }),
    [
      "the engine exited by itself after 42 s",
      "2 resting order(s) the engine did not account for",
      "3 order(s) resting after the stop",
      "2 venue fills missing from the engine's file",
      "1 fills booked twice",
    ],
  );
  assert.deepEqual(judgeSoak({ ...good, engineExitCode: 3 }), [
    "the engine exited with code 3 after SIGTERM",
  ]);
});

Deno.test("parseSoakOptions: 10 minutes of both modes with the default faults; bad flags named", () => {
  assert.deepEqual(parseSoakOptions([]), {
    mode: "both",
    minutes: 10,
    coins: 10,
    rate: 10,
    seed: 1,
    faults: DEFAULT_FAULTS,
    sampleS: 10,
  });
  assert.deepEqual(parseSoakOptions(["--faults", "dropWs:every=60; httpError:status=429"]).faults, [
    "dropWs:every=60",
    "httpError:status=429",
  ]);
  assert.throws(() => parseSoakOptions(["--minutes", "0"]), /--minutes must be a positive number/);
  assert.throws(() => parseSoakOptions(["--faults", "meteor"]), /kind must be one of/);
  assert.throws(() => parseSoakOptions(["--mode", "paper"]), /--mode must be live, shadow or both/);
});

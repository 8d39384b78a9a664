/**
 * Steering a coin's synthetic market from a test or `POST /control {"market":…}`: a pinned
 * volatility regime, a volatility and a trend of the mid, a one-off jump, a funding override
 * served in metaAndAssetCtxs, and a one-sided taker burst, all on the manual clock.
 */
import assert from "node:assert/strict";
import { InfoClient } from "../engine/hyperliquid/info.ts";
import { floatToWire, priceTick, roundPerpPrice } from "../engine/hyperliquid/wire.ts";
import { MIN_ORDER_VALUE_USD } from "../engine/hyperliquid/exchange_facts.ts";
import { startTestVenue, venueEndpoints, WsProbe } from "./helpers/venue.ts";

/** The widest swing of a coin's mid over `minutes` of market time, as a fraction of the start. */
function swing(venue: Awaited<ReturnType<typeof startTestVenue>>, coin: string, minutes: number) {
  const start = venue.sim.mark(coin);
  let high = start, low = start;
  for (let s = 0; s < minutes * 60; s++) {
    venue.advance(1_000);
    const mid = venue.sim.mark(coin);
    high = Math.max(high, mid);
    low = Math.min(low, mid);
  }
  return (high - low) / start;
}

async function control(apiUrl: string, body: unknown) {
  const res = await fetch(`${apiUrl}/control`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

Deno.test("a pinned turbulent regime with a set volatility moves the mid far more than a pinned calm one", async () => {
  const calm = await startTestVenue({ seed: 11 });
  const wild = await startTestVenue({ seed: 11 });
  try {
    calm.steer("ETH", { regime: "calm" });
    wild.steer("ETH", { regime: "turbulent", dailyVol: 0.2 });
    const quiet = swing(calm, "ETH", 3);
    const rough = swing(wild, "ETH", 3);
    assert.ok(rough > 5 * quiet, `turbulent swing ${rough} vs calm ${quiet}`);
    assert.equal(calm.sim.byName.get("ETH")!.market.turbulent, false);
    assert.equal(wild.sim.byName.get("ETH")!.market.turbulent, true);
    assert.deepEqual(wild.state().markets.ETH, {
      regime: "turbulent",
      dailyVol: 0.2,
      driftPerMinute: 0,
      funding: null,
      burst: null,
    });
    assert.equal(wild.state().markets.BTC, undefined, "unsteered coins are not listed");
    // Handed back to the model, the coin leaves the listing.
    wild.steer("ETH", { regime: "auto", dailyVol: null });
    assert.equal(wild.state().markets.ETH, undefined);
  } finally {
    await calm.close();
    await wild.close();
  }
});

Deno.test("the same steering on the same seed gives the same market stream byte for byte", async () => {
  const record = async () => {
    const venue = await startTestVenue({ seed: 4 });
    const probe = await WsProbe.connect(venue.wsUrl);
    try {
      await probe.subscribe({ type: "l2Book", coin: "SOL" });
      await probe.subscribe({ type: "trades", coin: "SOL" });
      venue.steer("SOL", { regime: "turbulent", dailyVol: 0.3, driftPerMinute: 0.004 });
      for (let i = 0; i < 40; i++) venue.advance(250);
      venue.steer("SOL", { jump: -0.01, burst: { side: "A", seconds: 5 } });
      for (let i = 0; i < 40; i++) venue.advance(250);
      await probe.sync();
      return probe.frames.map((f) => f.raw).filter((r) => r !== '{"channel":"pong"}');
    } finally {
      await probe.close();
      await venue.close();
    }
  };
  const a = await record();
  assert.ok(a.length > 30, `${a.length} frames`);
  assert.deepEqual(a, await record());
});

Deno.test("a trend carries the mid steadily; a jump moves the mid and the book at once and fills the bids it passes", async () => {
  const venue = await startTestVenue({ seed: 2 });
  try {
    venue.steer("BTC", { regime: "calm", driftPerMinute: -0.01 });
    const start = venue.sim.mark("BTC");
    for (let s = 0; s < 5 * 60; s++) venue.advance(1_000);
    const after = venue.sim.mark("BTC") / start;
    // Five minutes at -1 %/min: exp(-0.05) ≈ 0.951, give or take calm noise (~0.3 % over 5 min).
    assert.ok(after > 0.94 && after < 0.96, `mid ratio after the trend ${after}`);

    venue.steer("BTC", { driftPerMinute: 0 });
    const before = venue.sim.mark("BTC");
    const bestBid = Number(venue.sim.l2Book("BTC").levels[0][0].px);
    // The account bids 10 ticks under the best bid: a 2 % drop passes through it.
    const placed = venue.sim.placeOrder({
      a: 0,
      b: true,
      p: floatToWire(roundPerpPrice(bestBid - 10 * priceTick(bestBid, 5), 5, "down")),
      s: "0.001",
      r: false,
      t: { limit: { tif: "Alo" } },
    });
    assert.ok("resting" in placed, JSON.stringify(placed));
    venue.steer("BTC", { jump: -0.02 });
    assert.ok(Math.abs(venue.sim.mark("BTC") / before - 0.98) < 1e-9, "2 % down at once");
    const moved = venue.sim.l2Book("BTC");
    assert.ok(
      Number(moved.levels[1][0].px) < bestBid,
      "the new best ask is below the old best bid",
    );
    assert.equal(moved.time, venue.sim.now);
    const state = venue.state();
    assert.equal(state.openOrders.length, 0, "the bid was filled");
    assert.deepEqual(state.positions.map((p) => [p.coin, p.szi]), [["BTC", "0.001"]]);
  } finally {
    await venue.close();
  }
});

Deno.test("a funding override is served in metaAndAssetCtxs for that coin only, until handed back", async () => {
  const venue = await startTestVenue();
  const info = new InfoClient({ endpoints: venueEndpoints(venue) });
  const funding = async () => {
    const [meta, ctxs] = await info.post({ type: "metaAndAssetCtxs" }) as [
      { universe: { name: string }[] },
      { funding: string }[],
    ];
    return Object.fromEntries(meta.universe.map((u, i) => [u.name, Number(ctxs[i].funding)]));
  };
  try {
    const on = await control(venue.apiUrl, { market: { coin: "SOL", funding: 0.0005 } });
    assert.equal(on.status, 200);
    assert.equal(on.body.state.markets.SOL.funding, 0.0005);
    venue.advance(30_000);
    const during = await funding();
    assert.equal(during.SOL, 0.0005, "held across market steps");
    assert.ok(Math.abs(during.BTC) < 0.0002, `BTC keeps the model's funding (${during.BTC})`);
    await control(venue.apiUrl, { market: { coin: "SOL", funding: null } });
    venue.advance(1_000);
    assert.notEqual((await funding()).SOL, 0.0005, "the model's funding again");
  } finally {
    await venue.close();
  }
});

Deno.test("a forced burst sends the crowd's takers to one side until it ends", async () => {
  const venue = await startTestVenue({ seed: 9 });
  const probe = await WsProbe.connect(venue.wsUrl);
  try {
    await probe.subscribe({ type: "trades", coin: "BTC" });
    const from = probe.frames.length;
    venue.steer("BTC", { regime: "calm", burst: { side: "A", seconds: 20 } });
    assert.equal(venue.state().markets.BTC.burst?.side, "A");
    for (let i = 0; i < 20; i++) venue.advance(1_000);
    await probe.sync();
    const sides = (frames: typeof probe.frames) =>
      frames.flatMap((f) => (f.json!.data as { side: string }[]).map((t) => t.side));
    const during = probe.channel("trades", from).flatMap((f) =>
      f.json!.data as { side: string; px: string; sz: string }[]
    );
    assert.ok(during.length >= 20, `${during.length} trades in the burst`);
    // Buyers only lift crowd dust a move of the price left behind: minimum orders, about $11.
    const buys = during.filter((t) => t.side === "B").map((t) => Number(t.px) * Number(t.sz));
    assert.ok(buys.every((usd) => usd < 2 * MIN_ORDER_VALUE_USD), `buys of $${buys.join(", $")}`);
    assert.ok(buys.length < during.length / 4, `${buys.length} buys of ${during.length} trades`);
    const after = probe.frames.length;
    venue.advance(1_000);
    assert.equal(venue.state().markets.BTC.burst, null, "the burst ended on the clock");
    for (let i = 0; i < 60; i++) venue.advance(1_000);
    await probe.sync();
    assert.ok(sides(probe.channel("trades", after)).includes("B"), "buyers are back");
  } finally {
    await probe.close();
    await venue.close();
  }
});

Deno.test("bad steering is refused naming the field, and changes nothing", async () => {
  const venue = await startTestVenue();
  try {
    const cases: [unknown, RegExp][] = [
      [{ market: { coin: "NOPE", regime: "calm" } }, /market: unknown coin "NOPE"/],
      [{ market: { coin: "BTC", regime: "stormy" } }, /regime must be "calm", "turbulent"/],
      [{ market: { coin: "BTC", dailyVol: -1 } }, /dailyVol must be a fraction per √day/],
      [{ market: { coin: "BTC", driftPerMinute: 2 } }, /driftPerMinute must be a fraction/],
      [{ market: { coin: "BTC", funding: 0.5 } }, /funding must be an hourly rate within/],
      [{ market: { coin: "BTC", burst: { side: "X", seconds: 5 } } }, /burst\.side must be/],
      [{ market: { coin: "BTC", burst: { side: "A", seconds: 0 } } }, /burst\.seconds must be/],
      [{ market: { coin: "BTC", regime: "calm", jump: -1 } }, /jump must be a fraction above -1/],
      [{ market: { coin: "BTC", vol: 1 } }, /market: unknown field "vol"/],
    ];
    for (const [body, message] of cases) {
      const res = await control(venue.apiUrl, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error, message);
    }
    assert.deepEqual(venue.state().markets, {}, "nothing was applied");
  } finally {
    await venue.close();
  }
});

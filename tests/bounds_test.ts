/**
 * One set of bounds: the quoting parameters from the environment and from a Redis screener
 * config are held to the same limits (ASSET_BOUNDS), and a state file's amounts to the largest
 * amount the environment accepts; absurd values are refused by name.
 */
import assert from "node:assert/strict";
import { ASSET_BOUNDS, checkAssetConfig, MAX_AMOUNT_USD } from "../engine/asset_config.ts";
import { loadConfig } from "../engine/config.ts";
import { emptyState, parseState } from "../engine/state.ts";
import { runDemo } from "./helpers/demo.ts";

const known = () => true;

Deno.test("a Redis config with min_order_usd=1e9 or max_inv_usd=1e300 is refused, naming the field", () => {
  const tooBigOrder = checkAssetConfig(
    { coin: "ETH", min_order_usd: 1e9, max_inv_usd: 2e9 },
    known,
  );
  assert.equal(tooBigOrder.ok, false);
  assert.match(
    !tooBigOrder.ok ? tooBigOrder.reason : "",
    /^min_order_usd=1000000000 must be a number from 10 to 1000000 \(USD\)/,
  );
  const tooBigInventory = checkAssetConfig({ coin: "ETH", max_inv_usd: 1e300 }, known);
  assert.deepEqual(
    !tooBigInventory.ok && [tooBigInventory.field, tooBigInventory.reason],
    ["max_inv_usd", "max_inv_usd=1e+300 must be a number from 10 to 1000000000 (USD)"],
  );
});

Deno.test("the environment and a Redis config accept and refuse the same values", () => {
  const env: Record<keyof typeof ASSET_BOUNDS, string> = {
    base_spread_bps: "MM_BASE_SPREAD_BPS",
    min_order_usd: "MM_MIN_ORDER_USD",
    max_inv_usd: "MM_MAX_INV_USD",
    atr_fraction: "MM_ATR_FRACTION",
  };
  for (const [field, bound] of Object.entries(ASSET_BOUNDS)) {
    const name = env[field as keyof typeof ASSET_BOUNDS];
    // Orders and inventory kept consistent with each other, so only the field tested decides.
    const others = field === "min_order_usd"
      ? { max_inv_usd: 1e9 }
      : field === "max_inv_usd"
      ? { min_order_usd: 10 }
      : {};
    const othersEnv = Object.fromEntries(
      Object.entries(others).map(([f, v]) => [env[f as keyof typeof ASSET_BOUNDS], String(v)]),
    );
    for (const value of [bound.min, bound.max, bound.min / 2, bound.max * 2]) {
      const inRedis = checkAssetConfig({ coin: "ETH", ...others, [field]: value }, known).ok;
      let inEnv = true;
      try {
        loadConfig({ ...othersEnv, [name]: String(value) });
      } catch {
        inEnv = false;
      }
      assert.equal(inRedis, inEnv, `${field}=${value}: Redis ${inRedis}, ${name} ${inEnv}`);
      assert.equal(inRedis, value >= bound.min && value <= bound.max, `${field}=${value}`);
    }
  }
});

Deno.test("a state file with an inventory of 1e308 is refused, naming the coin and field", () => {
  const state = { ...emptyState(0), inventory: { BTC: { qty: 1e308, avgEntryPx: 68_000 } } };
  assert.throws(
    () => parseState(JSON.stringify(state)),
    /inventory\.BTC\.qty=1e\+308 at 68000 is past the largest amount the engine accepts/,
  );
  const pnl = { ...emptyState(0), session: { ...emptyState(0).session, realizedPnlUsd: 1e300 } };
  assert.throws(() => parseState(JSON.stringify(pnl)), /session\.realizedPnlUsd=1e\+300 is past/);
  const fine = {
    ...emptyState(0),
    inventory: { BTC: { qty: MAX_AMOUNT_USD / 68_000, avgEntryPx: 68_000 } },
  };
  assert.equal(parseState(JSON.stringify(fine)).inventory.BTC.avgEntryPx, 68_000);
});

Deno.test("demo started on a state with an inventory of 1e308 sets it aside by name; its report shows no $Infinity or $NaN", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_bounds_" });
  try {
    await Deno.mkdir(`${dir}/demo/state`, { recursive: true });
    const state = {
      ...emptyState(Date.now()),
      inventory: { ETH: { qty: 1e308, avgEntryPx: 3000 } },
    };
    await Deno.writeTextFile(`${dir}/demo/state/engine_state.json`, JSON.stringify(state));
    const out = await runDemo(dir, ["--duration", "1s"]);
    const text = out.stdout + out.stderr;
    assert.equal(out.code, 0, text.slice(-2000));
    assert.match(text, /\[STATE\] State file was corrupt \(inventory\.ETH\.qty=1e\+308 at 3000/);
    assert.match(text, /\[SHADOW REPORT\]/);
    assert.doesNotMatch(text, /Infinity|NaN/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

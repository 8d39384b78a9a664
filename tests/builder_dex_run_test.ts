/**
 * One builder-dex market among the coins, end to end: the demo and shadow quote and fill
 * `xyz:XYZ100` at its dex's fees, and live trades it (asset 110000) for a unified account whose
 * equity it reads from the spot state, with priority on; a unified account with nothing in the
 * spot state is refused before any order.
 */
import assert from "node:assert/strict";
import { startVenueProcess, TEST_ACCOUNT, TEST_PRIVATE_KEY } from "./helpers/venue.ts";
import { closedRedisUrl } from "../tools/run_cli.ts";
import { followOutput } from "./helpers/child_output.ts";
import { runDeno } from "./helpers/deno_run.ts";
import { permissionFlags } from "./helpers/live_engine.ts";

const ROOT = new URL("../", import.meta.url);
const COINS = "ETH,xyz:XYZ100";

/** Runs `main.ts <mode>` to its end and returns its exit code and output. */
function runEngine(args: string[], env: Record<string, string>) {
  return runDeno(args, { MM_HARVEST_TICKS: "false", ...env }, { clearEnv: true });
}

/** The per-coin row of the session report: fills and fees. */
function reportRow(text: string, coin: string): { fills: number; volume: number; fees: number } {
  const row = new RegExp(
    `^${coin.replace(":", "\\:")}\\s+(\\d+)\\s+\\$([\\d.,]+)\\s+\\$([\\d.]+)`,
    "m",
  )
    .exec(text);
  assert.ok(row, `a report row for ${coin} in:\n${text.slice(-3000)}`);
  return {
    fills: Number(row[1]),
    volume: Number(row[2].replaceAll(",", "")),
    fees: Number(row[3]),
  };
}

Deno.test("the demo quotes and fills xyz:XYZ100 among its coins, charged twice the maker rate (deployer fee scale 1)", async () => {
  const run = await runEngine(["-P=demo", "main.ts", "demo", "--duration", "10s"], {
    MM_COINS: `BTC,${COINS}`,
  });
  assert.equal(run.code, 0, run.text.slice(-3000));
  assert.match(run.text, /\[UNIVERSE\] 3 coins: BTC, ETH, xyz:XYZ100/);
  const xyz = reportRow(run.text, "xyz:XYZ100");
  assert.ok(xyz.fills > 0, `xyz:XYZ100 filled in the demo:\n${run.text.slice(-3000)}`);
  // 0.015% × 2: the report's fees over its volume, to the report's rounding.
  assert.ok(
    Math.abs(xyz.fees / xyz.volume - 0.0003) < 0.00001,
    `fee rate ${xyz.fees / xyz.volume}`,
  );
});

Deno.test("shadow and live trade xyz:XYZ100 against the venue; live reads a unified account's equity and pays priority", async () => {
  const venue = await startVenueProcess([
    "--seed",
    "5",
    "--coins",
    "2",
    "--rate",
    "4",
    "--dex-coins",
    "1",
    "--account-mode",
    "unifiedAccount",
  ]);
  const dir = await Deno.makeTempDir({ prefix: "mm-hip3-" });
  const env = {
    HL_API_URL: venue.apiUrl,
    HL_WS_URL: venue.wsUrl,
    MM_COINS: COINS,
    MM_DATA_DIR: dir,
    REDIS_URL: closedRedisUrl(),
  };
  const permissions = (set: string) => permissionFlags(set, dir);
  try {
    const shadow = await runEngine(
      [...permissions("shadow"), "main.ts", "shadow", "--duration", "10s"],
      env,
    );
    assert.equal(shadow.code, 0, shadow.text.slice(-3000));
    assert.ok(reportRow(shadow.text, "xyz:XYZ100").fills > 0, shadow.text.slice(-3000));

    const live = new Deno.Command("./deno", {
      args: [...permissions("deploy"), "main.ts", "live", "--confirm-live"],
      cwd: ROOT,
      clearEnv: true,
      env: {
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        MM_HARVEST_TICKS: "false",
        ...env,
        HL_ADDRESS: TEST_ACCOUNT,
        HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
        MM_SHADOW_MODE: "false",
        MM_PRIORITY_RATE: "1000",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = followOutput(live);
    const state = async () => await (await fetch(`${venue.apiUrl}/control`)).json();
    const fills = async () =>
      (await (await fetch(`${venue.apiUrl}/control`, {
        method: "POST",
        body: JSON.stringify({ fills: true }),
      })).json()).fills as { coin: string }[];
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const end = Date.now() + 60_000;
      while (!(await ok())) {
        if (Date.now() > end) {
          throw new Error(`timed out waiting for ${what}:\n${out.stdout().slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      await until(
        "the live start",
        () => Promise.resolve(/\[ENGINE\] live mode/.test(out.stdout())),
      );
      assert.match(
        out.stdout(),
        /account mode unifiedAccount \(unified\); equity \$100000\.00 from spotClearinghouseState USDC/,
      );
      await until(
        "an xyz:XYZ100 order resting",
        async () =>
          (await state()).openOrders.some((o: { coin: string }) => o.coin === "xyz:XYZ100"),
      );
      await until(
        "an xyz:XYZ100 fill",
        async () => (await fills()).some((f) => f.coin === "xyz:XYZ100"),
      );
      assert.ok(Number((await state()).priorityFeesUsd) > 0, "priority fees paid at placement");
    } finally {
      live.kill("SIGTERM");
      const status = await live.status;
      await out.ended;
      assert.equal(status.code, 0, `${out.stdout().slice(-3000)}\n${await out.stderr}`);
    }
    assert.deepEqual((await state()).openOrders, [], "nothing rests after the shutdown");
    assert.ok((await state()).fastCancels > 0, "the engine's cancels were fast cancels");
    assert.match(out.stdout(), /Priority fees: \$[\d.]+ \(paid in HYPE/);
  } finally {
    await venue.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live refuses to start for a unified account with no collateral in its spot state", async () => {
  const venue = await startVenueProcess([
    "--coins",
    "2",
    "--account-mode",
    "unifiedAccount",
    "--balance",
    "0",
  ]);
  const dir = await Deno.makeTempDir({ prefix: "mm-unified-" });
  try {
    const run = await runEngine([
      ...permissionFlags("deploy", dir),
      "main.ts",
      "live",
      "--confirm-live",
    ], {
      HL_API_URL: venue.apiUrl,
      HL_WS_URL: venue.wsUrl,
      HL_ADDRESS: TEST_ACCOUNT,
      HL_PRIVATE_KEY: TEST_PRIVATE_KEY,
      MM_SHADOW_MODE: "false",
      MM_COINS: "ETH",
      MM_DATA_DIR: dir,
      REDIS_URL: closedRedisUrl(),
    });
    assert.notEqual(run.code, 0);
    assert.match(
      run.text,
      /equity reads \$0\.00 \(unifiedAccount mode, spotClearinghouseState USDC/,
    );
    assert.ok(!run.text.includes(TEST_PRIVATE_KEY.slice(2)), "the key is never printed");
  } finally {
    await venue.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The status page as an operator uses it: the live engine runs against the venue simulator with
 * `MM_HTTP_PORT` set, the page is opened in headless Chromium, and its numbers are checked
 * against what the venue says; Pause is clicked and the venue confirms no order rests while
 * paused, then Resume is clicked and orders rest again.
 */
import assert from "node:assert/strict";
import { openPage } from "./helpers/chromium.ts";
import { parsePrometheus } from "./helpers/prometheus.ts";
import { startVenueProcess } from "./helpers/venue.ts";
import { liveEngineEnv, permissionFlags } from "./helpers/live_engine.ts";
import { followOutput } from "./helpers/child_output.ts";

const COINS = 3;

interface VenueView {
  positions: { coin: string; szi: string }[];
  openOrders: unknown[];
  fills: number;
}

async function venueState(apiUrl: string): Promise<VenueView> {
  const response = await fetch(`${apiUrl}/control`);
  assert.equal(response.status, 200);
  return await response.json();
}

/** Starts `main.ts live` against the venue with the status server on a free port. */
async function startLiveEngine(venue: { apiUrl: string; wsUrl: string }, dir: string) {
  const child = new Deno.Command("./deno", {
    args: ["run", ...permissionFlags("deploy", dir), "main.ts", "live", "--confirm-live"],
    cwd: new URL("../", import.meta.url),
    clearEnv: true,
    env: { ...liveEngineEnv(venue, dir, COINS), MM_HTTP_PORT: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = followOutput(child);
  const end = Date.now() + 60_000;
  while (
    !/\[LIVE\] start-up: no open orders remain/.test(out.stdout()) ||
    !/\[OPS\] status page/.test(out.stdout())
  ) {
    if (Date.now() > end) throw new Error(`the engine did not start: ${out.stdout().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /\[OPS\] status page (http:\/\/\S+)/.exec(out.stdout())![1];
  return {
    url,
    output: () => out.stdout(),
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      await out.ended;
      return { code: status.code, stderr: await out.stderr };
    },
  };
}

Deno.test("the status page shows the live engine's numbers, and Pause leaves no order resting at the venue until Resume", async () => {
  const venue = await startVenueProcess(["--seed", "3", "--coins", `${COINS}`, "--rate", "4"]);
  const dir = await Deno.makeTempDir({ prefix: "mm-status-" });
  const open: {
    engine?: Awaited<ReturnType<typeof startLiveEngine>>;
    page?: Awaited<ReturnType<typeof openPage>>;
  } = {};
  try {
    const engine = open.engine = await startLiveEngine(venue, dir);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const end = Date.now() + 20_000;
      while (!(await ok())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until(
      "orders resting",
      async () => (await venueState(venue.apiUrl)).openOrders.length > 0,
    );

    const page = open.page = await openPage(engine.url);
    await page.waitFor(
      "the page rendered",
      `document.querySelectorAll("#coins tbody tr").length === ${COINS}`,
    );
    assert.equal(await page.evaluate(`document.getElementById("mode").textContent`), "live");
    await page.waitFor(
      "state quoting",
      `document.getElementById("state").textContent === "quoting"`,
    );
    const quoted = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#coins tbody tr")].map((r) => r.querySelector(".bid").textContent)`,
    );
    assert.ok(quoted.some((bid) => Number(bid) > 0), `bids quoted on the page: ${quoted}`);

    await page.click("#pause");
    await page.waitFor("state paused", `document.getElementById("state").textContent === "paused"`);
    await until(
      "the venue empty of our orders",
      async () => (await venueState(venue.apiUrl)).openOrders.length === 0,
    );
    // The engine keeps running while paused: the page refreshes, and the venue stays empty.
    for (let refresh = 0; refresh < 3; refresh++) {
      const updated = await page.evaluate<string>(`document.getElementById("updated").textContent`);
      await page.waitFor(
        "a refresh",
        `document.getElementById("updated").textContent !== ${JSON.stringify(updated)}`,
      );
      const v = await venueState(venue.apiUrl);
      assert.equal(v.openOrders.length, 0, `orders resting while paused (refresh ${refresh + 1})`);
    }
    assert.match(
      await page.evaluate<string>(`document.getElementById("why").textContent`),
      /Paused by status page \(127\.0\.0\.1, loopback\)/,
    );

    // Nothing rests, so nothing fills: the page's fills and positions are the venue's.
    const v = await venueState(venue.apiUrl);
    await page.waitFor(
      "the page's fills to match the venue's",
      `document.querySelector('#totals tr[data-field="fills"] td:last-child').textContent === "${v.fills}"`,
    );
    const positions = await page.evaluate<Record<string, string>>(`Object.fromEntries(
      [...document.querySelectorAll("#coins tbody tr")].map((r) => [r.dataset.coin, r.querySelector(".position").textContent]))`);
    for (const [coin, shown] of Object.entries(positions)) {
      const held = Number(v.positions.find((p) => p.coin === coin)?.szi ?? 0);
      assert.ok(Math.abs(Number(shown) - held) < 1e-9, `${coin}: page ${shown}, venue ${held}`);
    }

    // A scrape says the same.
    const { samples } = parsePrometheus(await (await fetch(`${engine.url}metrics`)).text());
    assert.equal(samples.get("mm_paused"), 1);
    assert.equal(samples.get('mm_engine_info{mode="live",state="paused"}'), 1);
    assert.equal(samples.get("mm_fills_total"), v.fills);
    for (const [coin, shown] of Object.entries(positions)) {
      const scraped = samples.get(`mm_inventory{coin="${coin}"}`)!;
      assert.ok(
        Math.abs(scraped - Number(shown)) < 1e-9,
        `${coin}: ${scraped} scraped, ${shown} shown`,
      );
    }

    const png = await page.screenshot();
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG screenshot");
    assert.ok(png.length > 20_000, `a screenshot with content (${png.length} bytes)`);

    await page.click("#resume");
    await page.waitFor(
      "state quoting",
      `document.getElementById("state").textContent === "quoting"`,
    );
    await until(
      "orders resting again",
      async () => (await venueState(venue.apiUrl)).openOrders.length > 0,
    );

    const log = engine.output();
    assert.match(log, /\[CONTROL\] ⏸ pause by status page \(127\.0\.0\.1, loopback\)/);
    assert.match(log, /\[CONTROL\] ▶ resume by status page \(127\.0\.0\.1, loopback\)/);
  } finally {
    await open.page?.close();
    if (open.engine) {
      const stopped = await open.engine.stop();
      assert.equal(stopped.code, 0, stopped.stderr + open.engine.output().slice(-2000));
    }
    assert.equal(
      (await venueState(venue.apiUrl)).openOrders.length,
      0,
      "nothing left after the stop",
    );
    await venue.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The report page as a person sees it: `analyze` over the committed sample data, then the page
 * opened in headless Chromium (Debian's `chromium`; .ci/run installs it), its screenshot taken and
 * its rendered text read back.
 */
import assert from "node:assert/strict";
import { analyze } from "../tools/analyze.ts";
import type { Gate1Result } from "../tools/analysis/gate1.ts";
import type { Gate3Result } from "../tools/analysis/gate3.ts";
import { verdict } from "../tools/analysis/report_page.ts";

const SAMPLES = new URL("../data/samples/", import.meta.url).pathname;

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === "reports" || entry.name === "parquet") continue;
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/** Chromium in headless mode on a file: the screenshot, and the text of the page it rendered. */
async function openInChromium(page: string, screenshot: string): Promise<string> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("chromium", {
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", ...args],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(out.code, 0, `chromium ${args.join(" ")}`);
    return new TextDecoder().decode(out.stdout);
  };
  await run("--window-size=1100,2400", `--screenshot=${screenshot}`, `file://${page}`);
  const dom = await run("--dump-dom", `file://${page}`);
  return dom.replace(/<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/\s+/g, " ");
}

Deno.test("the report page shows the analysis's own verdicts, numbers and charts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm-report-" });
  try {
    await copyTree(SAMPLES, dir);
    // A session that counted its requests, so the request economy has its chart.
    await Deno.writeTextFile(
      `${dir}/shadow/sessions.jsonl`,
      JSON.stringify({
        dateUtc: "2026-02-21",
        cancels: 10,
        fills: 2,
        stallRecoveries: 0,
        pnlUsd: 0.01,
        placed: 12,
        requests: 22,
        volumeUsd: 40,
      }) + "\n",
      { append: true },
    );
    const reports = await analyze({
      dataDir: dir,
      nowMs: Date.parse("2026-03-01T00:00:00Z"),
      print: () => {},
    });
    const page = `${dir}/reports/index.html`;
    const html = await Deno.readTextFile(page);
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/, "nothing is fetched");

    const screenshot = `${dir}/reports/index.png`;
    const text = await openInChromium(page, screenshot);
    const png = await Deno.readFile(screenshot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG screenshot");
    assert.ok(png.length > 50_000, `a screenshot with content (${png.length} bytes)`);

    for (const report of reports) {
      assert.ok(text.includes(`Gate ${report.gate} ${report.title}`), `gate ${report.gate} row`);
      assert.ok(text.includes(verdict(report)), `verdict of gate ${report.gate}`);
    }
    assert.match(text, /NO-GO: failed/);
    const g1 = reports[0].result as Gate1Result;
    // Each coin's edge as gate 1's table prints it (3 decimals).
    for (const c of g1.coins) assert.ok(text.includes(` ${c.edgeBps!.toFixed(3)} `), c.coin);
    const g3 = reports[2].result as Gate3Result;
    for (const c of g3.configs) {
      assert.ok(text.includes(`${c.coin} ${c.base_spread_bps.toFixed(1)} bps`));
    }
    // The charts are drawn into the page, with titled axes.
    for (
      const title of [
        "Edge per coin: half-spread − adverse selection at 10 s − maker fee",
        "edge (bps)",
        "Average spread by UTC hour",
        "Cumulative shadow PnL",
        "Requests per USDC traded",
      ]
    ) assert.ok(text.includes(title), title);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

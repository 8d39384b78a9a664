/**
 * `reports/index.html`: one self-contained page per analysis run, the place to look at a day's
 * results. The gates' verdicts first, then each gate with its charts (inline SVG from charts.ts)
 * and its table as the terminal shows it. No script, stylesheet or image is fetched: the file
 * opens from disk, in a mail, or on a machine without network.
 */

import { chartSvg, lineSpec } from "./charts.ts";
import type { GateReport } from "./gate.ts";
import type { Gate1Result } from "./gate1.ts";
import type { Gate2Result } from "./gate2.ts";
import type { Gate3Result } from "./gate3.ts";
import type { Gate4Result } from "./gate4.ts";
import type { Gate5Result } from "./gate5.ts";
import type { LoadFilter } from "./load.ts";

/** What the page shows besides the gates' own reports. */
export interface PageInput {
  reports: GateReport[];
  /** Requests sent per USDC traded, per UTC day of the shadow sessions (Gate 5 wants < 1). */
  requestsPerUsdc: { day: string; requestsPerUsdc: number }[];
  dataDir: string;
  filter: LoadFilter;
  /** When the analysis ran, ms. */
  generatedMs: number;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const pct = (v: number | undefined) => v === undefined ? "-" : `${(v * 100).toFixed(4)}%`;
const list = (items: string[]) => items.length === 0 ? "none" : items.join(", ");

/** One line a person reads first: what the gate decided. */
export function verdict(report: GateReport): string {
  switch (report.gate) {
    case 1: {
      const r = report.result as Gate1Result;
      const keep = r.coins.filter((c) => !c.exclude).map((c) => c.coin);
      return `keep ${keep.length} coins (${list(keep)}); exclude ${r.exclude.length} (${
        list(r.exclude)
      })`;
    }
    case 2: {
      const r = report.result as Gate2Result;
      return `chaotic hours (UTC): ${list(r.chaoticHours.map(String))}; suggested calmAtr ${
        pct(r.regimeOptions?.calmAtr)
      }, haltAtr ${pct(r.regimeOptions?.haltAtr)}`;
    }
    case 3: {
      const r = report.result as Gate3Result;
      return list(
        r.configs.map((c) => `${c.coin} ${c.base_spread_bps.toFixed(1)} bps ${c.regime}`),
      );
    }
    case 4: {
      const r = report.result as Gate4Result;
      const m = r.weekendSpreadMultiplier;
      return `weekend spread ×${m === null ? "-" : m.toFixed(3)}; Saturday in the data: ${
        r.hasSaturday ? "yes" : "no"
      }`;
    }
    default: {
      const r = report.result as Gate5Result;
      const failed = r.checks.filter((c) => !c.pass).map((c) => c.name);
      return r.go ? "GO: every check passes" : `NO-GO: failed ${list(failed)}`;
    }
  }
}

/**
 * A gate's charts: its own (gates 1 and 2 draw theirs with charts.ts); gate 5's drawn here with
 * Vega too, with the requests per USDC the request economy is judged on.
 */
async function charts(report: GateReport, input: PageInput): Promise<string[]> {
  if (report.gate !== 5) return Object.values(report.charts);
  const r = report.result as Gate5Result;
  const out = [
    await chartSvg(lineSpec(
      "Cumulative shadow PnL (marked to each day's last mid, fees included)",
      { field: "equity", title: "PnL (USD)" },
      r.dailyPnl.map((d) => ({ day: d.day, equity: d.equityUsd })),
    )),
  ];
  if (input.requestsPerUsdc.length > 0) {
    out.push(
      await chartSvg(lineSpec(
        "Requests per USDC traded (an address earns 1 per USDC)",
        { field: "rate", title: "requests per USDC" },
        input.requestsPerUsdc.map((d) => ({ day: d.day, rate: d.requestsPerUsdc })),
        1,
      )),
    );
  }
  return out;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: 1rem; }
table.verdicts td { padding: .25rem .75rem .25rem 0; vertical-align: top; }
pre { background: #f6f6f6; padding: .75rem; overflow-x: auto; font-size: 12px; }
.go { color: #1e8449; font-weight: 600; } .nogo { color: #c0392b; font-weight: 600; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
`;

/** The page as HTML text. */
export async function reportPage(input: PageInput): Promise<string> {
  const when = new Date(input.generatedMs).toISOString().replace(/\.\d+Z$/, "Z");
  const filter = Object.entries(input.filter).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`).join(", ");
  const rows = input.reports.map((r) => {
    const text = verdict(r);
    const cls = r.gate === 5 ? ((r.result as Gate5Result).go ? "go" : "nogo") : "";
    return `<tr><td><a href="#gate${r.gate}">Gate ${r.gate}</a></td><td>${esc(r.title)}</td>` +
      `<td class="${cls}">${esc(text)}</td></tr>`;
  });
  const sections: string[] = [];
  for (const r of input.reports) {
    const figures = (await charts(r, input)).map((svg) => `<figure>${svg}</figure>`).join("\n");
    sections.push(
      `<section id="gate${r.gate}"><h2>Gate ${r.gate}: ${esc(r.title)}</h2>\n` +
        `<p>${esc(verdict(r))}</p>\n${figures}\n<pre>${esc(r.text)}</pre></section>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Go-live gates: ${esc(input.dataDir)}</title>
<style>${STYLE}</style></head><body>
<h1>Go-live gates</h1>
<p>${esc(input.dataDir)}${filter ? ` (${esc(filter)})` : ""}, analysed ${when}</p>
<table class="verdicts">${rows.join("\n")}</table>
${sections.join("\n")}
</body></html>
`;
}

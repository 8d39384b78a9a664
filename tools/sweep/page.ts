/**
 * A sweep's HTML page: the ranking (every run, best first) and a heatmap of PnL after fees over
 * two swept parameters, drawn like the gate report's charts (tools/analysis/charts.ts: Vega-Lite
 * rendered to SVG in process), so the page is one self-contained file. Each heatmap cell is the
 * best PnL among the runs with that pair of values (the other parameters at their best).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { chartSvg } from "../analysis/charts.ts";
import { label } from "./grid.ts";
import type { SweepRow } from "./run.ts";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
h1 { font-size: 1.5rem; } table { border-collapse: collapse; font-size: 13px; }
td, th { padding: .2rem .6rem; text-align: right; border-bottom: 1px solid #eee; }
td.params, th.params { text-align: left; } svg { max-width: 100%; height: auto; }
`;

/** One heatmap cell: a value of each parameter and the best PnL among runs with both. */
export interface HeatCell {
  x: string;
  y: string;
  pnlUsd: number;
}

/** The best PnL per pair of values of parameters `x` and `y`, in the grid's value order. */
export function heatCells(rows: readonly SweepRow[], x: string, y: string): HeatCell[] {
  const best = new Map<string, HeatCell>();
  for (const row of rows) {
    const key = `${row.params[x]}\u0000${row.params[y]}`;
    const cell = best.get(key);
    if (cell === undefined || row.pnlUsd > cell.pnlUsd) {
      best.set(key, { x: row.params[x], y: row.params[y], pnlUsd: row.pnlUsd });
    }
  }
  return [...best.values()];
}

/** The Vega-Lite heatmap: red below zero, blue above, the PnL written in each cell. */
export function heatmapSpec(cells: readonly HeatCell[], x: string, y: string): TopLevelSpec {
  const extreme = Math.max(1e-9, ...cells.map((c) => Math.abs(c.pnlUsd)));
  const encoding = {
    x: { field: "x", type: "ordinal" as const, title: x, sort: null, axis: { labelAngle: 0 } },
    y: { field: "y", type: "ordinal" as const, title: y, sort: null },
  };
  return {
    title: `PnL after fees (USD), best run per ${x} and ${y}`,
    data: { values: cells.map((c) => ({ ...c })) },
    width: { step: 70 },
    height: { step: 40 },
    layer: [
      {
        mark: { type: "rect", tooltip: true },
        encoding: {
          ...encoding,
          color: {
            field: "pnlUsd",
            type: "quantitative",
            title: "USD",
            scale: { scheme: "redblue", domain: [-extreme, extreme] },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: { ...encoding, text: { field: "pnlUsd", type: "quantitative", format: ".2f" } },
      },
    ],
  };
}

/**
 * The page: what was swept, the heatmap over `axes` (the first two swept parameters with more
 * than one value, when there are two), and every run ranked.
 */
export async function sweepPage(
  title: string,
  ranking: readonly SweepRow[],
  axes: readonly string[],
): Promise<string> {
  const fixed = (v: number | null, d = 2) => (v === null ? "" : v.toFixed(d));
  const params = ranking.length > 0 ? Object.keys(ranking[0].params) : [];
  const head = [
    "#",
    "parameters",
    "PnL $",
    "fills",
    "volume $",
    "fees $",
    "req/USDC",
    "adverse 10 s bps",
    "max DD $",
    "max inv $",
    "Sharpe (h)",
  ];
  const lines = ranking.map((r, i) =>
    `<tr><td>${i + 1}</td><td class="params">${esc(label(r.params))}</td><td>${
      fixed(r.pnlUsd)
    }</td><td>${r.fills}</td><td>${fixed(r.volumeUsd, 0)}</td><td>${fixed(r.feesUsd)}</td><td>${
      fixed(r.requestsPerUsdc, 3)
    }</td><td>${fixed(r.adverse10sBps)}</td><td>${fixed(r.maxDrawdownUsd)}</td><td>${
      fixed(r.maxInventoryUsd, 0)
    }</td><td>${fixed(r.hourlySharpe)}</td></tr>`
  );
  const heatmap = axes.length === 2
    ? `<figure>${await chartSvg(
      heatmapSpec(heatCells(ranking, axes[0], axes[1]), axes[0], axes[1]),
    )}</figure>`
    : `<p>A heatmap needs two swept parameters with more than one value each.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep: ${esc(title)}</title>
<style>${STYLE}</style></head><body>
<h1>Sweep</h1>
<p>${esc(title)}: ${ranking.length} runs over ${
    esc(params.join(", "))
  }, best PnL after fees first.</p>
${heatmap}
<table><tr>${
    head.map((h, i) => `<th${i === 1 ? ' class="params"' : ""}>${esc(h)}</th>`).join("")
  }</tr>
${lines.join("\n")}
</table>
</body></html>
`;
}

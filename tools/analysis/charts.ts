/**
 * The report's charts: Vega-Lite specifications rendered to SVG by Vega's headless renderer, in
 * process, without a browser or a canvas. Vega-Lite rather than hand-drawn SVG (or ECharts'
 * server-side renderer) because a chart is a small declarative JSON object the tests can read,
 * Vega picks "nice" axis ticks (0.5, 1, 1.5 rather than 0.7688), and the SVG it writes needs
 * nothing at view time, so the report page stays one self-contained file.
 */

import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";

const WIDTH = 640, HEIGHT = 260;

/** Renders a Vega-Lite specification to a standalone SVG document. */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A bar per category; bars below zero in red (gate 1's edge, gate 2's spread by hour). */
export function barSpec(
  title: string,
  category: { field: string; title: string },
  value: { field: string; title: string },
  rows: Record<string, string | number>[],
): TopLevelSpec {
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: {
        field: category.field,
        type: "ordinal",
        title: category.title,
        sort: null,
        axis: { labelAngle: 0 },
      },
      y: { field: value.field, type: "quantitative", title: value.title },
      color: {
        condition: { test: `datum['${value.field}'] < 0`, value: "#c0392b" },
        value: "#2e86c1",
      },
    },
  };
}

/**
 * A line over UTC days (`day`: YYYY-MM-DD), a point per day; `limit` draws a dashed horizontal
 * line there (the request budget's 1 request per USDC).
 */
export function lineSpec(
  title: string,
  value: { field: string; title: string },
  rows: Record<string, string | number>[],
  limit?: number,
): TopLevelSpec {
  const line = {
    mark: { type: "line" as const, point: true, tooltip: true },
    encoding: {
      // Ordinal, not temporal: each day with data is labelled once, and only those.
      x: { field: "day", type: "ordinal" as const, title: "day (UTC)", axis: { labelAngle: 0 } },
      y: { field: value.field, type: "quantitative" as const, title: value.title },
    },
  };
  return {
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: limit === undefined ? [line] : [
      line,
      {
        data: { values: [{ limit }] },
        mark: { type: "rule", color: "#c0392b", strokeDash: [4, 4] },
        encoding: { y: { field: "limit", type: "quantitative" } },
      },
    ],
  };
}

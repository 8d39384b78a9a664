/** Plain-text tables for the gate reports (aligned columns, numbers right-aligned). */

/** A cell: text, a number (shown with `digits` decimals) or nothing. */
export type Cell = string | number | null | undefined;

/** Renders rows under a header as aligned text; numbers get `digits` decimals (default 3). */
export function formatTable(header: string[], rows: Cell[][], digits = 3): string {
  const text = rows.map((r) =>
    r.map((c) =>
      c === null || c === undefined
        ? "-"
        : typeof c === "number"
        ? Number.isInteger(c) ? String(c) : c.toFixed(digits)
        : c
    )
  );
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.every((r) => typeof r[i] !== "string"));
  const line = (cells: string[]) =>
    cells.map((c, i) => numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

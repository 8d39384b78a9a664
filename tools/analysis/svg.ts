/**
 * Gate 5's line chart, drawn by hand (`gate5_cumulative_shadow_pnl.svg`); the other charts and
 * the report page are drawn with Vega-Lite (charts.ts).
 */

const W = 720, H = 360, PAD_L = 64, PAD_R = 16, PAD_T = 40, PAD_B = 64;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function frame(title: string, yLabel: string, body: string, lo: number, hi: number): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + (hi - lo) * f;
    const y = PAD_T + (H - PAD_T - PAD_B) * (1 - f);
    return `<line x1="${PAD_L}" x2="${W - PAD_R}" y1="${y}" y2="${y}" stroke="#ddd"/>` +
      `<text x="${PAD_L - 6}" y="${y + 4}" text-anchor="end" font-size="11">${
        Number(v.toPrecision(4))
      }</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">` +
    `<rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>` +
    `<text x="14" y="${H / 2}" transform="rotate(-90 14 ${
      H / 2
    })" text-anchor="middle" font-size="12">${esc(yLabel)}</text>${ticks}${body}</svg>\n`;
}

function range(values: number[]): [number, number] {
  const lo = Math.min(0, ...values), hi = Math.max(0, ...values);
  return hi === lo ? [lo, lo + 1] : [lo, hi];
}

/** A line chart of values in order (x labels shown at the ends). */
export function lineChart(
  title: string,
  yLabel: string,
  labels: string[],
  values: number[],
): string {
  const [lo, hi] = range(values);
  const plotH = H - PAD_T - PAD_B, plotW = W - PAD_L - PAD_R;
  const x = (i: number) =>
    PAD_L + (values.length <= 1 ? plotW / 2 : (plotW * i) / (values.length - 1));
  const y = (v: number) => PAD_T + plotH * (1 - (v - lo) / (hi - lo));
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const ends = labels.length === 0
    ? ""
    : `<text x="${PAD_L}" y="${H - PAD_B + 16}" font-size="11">${esc(labels[0])}</text><text x="${
      W - PAD_R
    }" y="${H - PAD_B + 16}" font-size="11" text-anchor="end">${
      esc(labels[labels.length - 1])
    }</text>`;
  return frame(
    title,
    yLabel,
    `<polyline fill="none" stroke="#2e86c1" stroke-width="2" points="${points}"/>${ends}`,
    lo,
    hi,
  );
}

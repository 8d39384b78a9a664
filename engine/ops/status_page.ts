/**
 * The status page (`GET /`): the engine's state, totals, request budgets, a chart of PnL over
 * the session and one row per coin (quotes, inventory, PnL, regime, OFI), with Pause, Resume and
 * Halt buttons. It is one self-contained HTML document (nothing fetched from elsewhere) that
 * renders the snapshot it was served with at once, then refreshes itself from `/status.json`.
 * Text from outside (coin names, halt reasons) is set as text, never as markup.
 */
import type { OpsSnapshot } from "./snapshot.ts";

/** Options of {@link statusPage}. */
export interface StatusPageOptions {
  snapshot: OpsSnapshot;
  /** Nonce of the page's one inline script (the Content-Security-Policy allows only it). */
  nonce: string;
  /** Whether control needs the bearer token (the page then shows a token field). */
  tokenRequired: boolean;
  /** Refresh period, ms. */
  refreshMs: number;
}

/** The Content-Security-Policy the page is served with, for a script nonce. */
export function statusPageCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; ` +
    "connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'";
}

/** The status page's HTML. */
export function statusPage(options: StatusPageOptions): string {
  // `<` escaped so that no string in the data can close the script element.
  const initial = JSON.stringify(options.snapshot).replace(/</g, "\\u003c");
  const settings = JSON.stringify({
    tokenRequired: options.tokenRequired,
    refreshMs: options.refreshMs,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MM engine status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d232a; background: #fafbfc; }
  h1 { font-size: 1.3em; margin: 0 0 .4em; }
  h2 { font-size: 1.05em; margin: 1.4em 0 .4em; }
  .state { display: inline-block; padding: .15em .6em; border-radius: .3em; color: #fff; font-weight: 600; }
  .state.quoting { background: #1f883d; } .state.paused { background: #9a6700; }
  .state.reconnecting { background: #bc4c00; } .state.halted { background: #cf222e; }
  .controls button { font-size: 1em; padding: .35em 1em; margin-right: .4em; cursor: pointer; }
  #message { margin-left: .6em; }
  table { border-collapse: collapse; background: #fff; }
  th, td { padding: .25em .7em; border-bottom: 1px solid #e1e4e8; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  .grid { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
  .neg { color: #cf222e; } .pos { color: #1f883d; } .muted { color: #6e7781; }
  svg { background: #fff; border: 1px solid #e1e4e8; }
</style>
</head>
<body>
<h1>MM engine <span id="mode"></span> · <span id="state" class="state"></span></h1>
<div id="why" class="muted"></div>
<p class="controls">
  <button id="pause" type="button">Pause quoting</button>
  <button id="resume" type="button">Resume</button>
  <button id="halt" type="button">Halt</button>
  <input id="token" type="password" placeholder="control token" autocomplete="off" hidden>
  <span id="message" role="status"></span>
</p>
<p class="muted">Updated <span id="updated"></span> · session since <span id="since"></span> · refreshes every <span id="every"></span> s</p>
<div class="grid">
  <div><h2>Session</h2><table id="totals"><tbody></tbody></table></div>
  <div><h2>Requests</h2><table id="requests"><tbody></tbody></table></div>
  <div><h2>PnL over the session (USD)</h2><svg id="chart" width="560" height="240" role="img" aria-label="PnL over the session"></svg></div>
</div>
<h2>Coins</h2>
<table id="coins">
  <thead><tr><th>coin</th><th>bid</th><th>ask</th><th>levels</th><th>position</th><th>inventory $</th><th>PnL $</th><th>fills</th><th>regime</th><th>OFI</th></tr></thead>
  <tbody></tbody>
</table>
<script type="application/json" id="initial">${initial}</script>
<script nonce="${options.nonce}">
"use strict";
const settings = ${settings};
const $ = (id) => document.getElementById(id);
const usd = (x, d = 2) => (x < 0 ? "-$" : "$") + Math.abs(x).toFixed(d);
const num = (x) => x === null ? "—" : String(Number(x.toPrecision(8)));
const int = (x) => x === null ? "—" : Math.round(x).toLocaleString("en-US");
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}
function sign(x) { return x < 0 ? "neg" : x > 0 ? "pos" : ""; }
function rows(id, pairs) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const [name, value, cls] of pairs) {
    const tr = document.createElement("tr");
    tr.dataset.field = name;
    cell(tr, name);
    cell(tr, value, cls);
    body.appendChild(tr);
  }
}
function chart(points) {
  const svg = $("chart");
  const W = 560, H = 240, L = 64, R = 10, T = 10, B = 28;
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  const text = (x, y, s, anchor) => {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", "11");
    t.setAttribute("text-anchor", anchor); t.setAttribute("fill", "#6e7781");
    t.textContent = s; svg.appendChild(t);
  };
  if (points.length < 2) { text(W / 2, H / 2, "PnL appears after the first points", "middle"); return; }
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  let lo = Math.min(0, ...points.map((p) => p[1])), hi = Math.max(0, ...points.map((p) => p[1]));
  if (hi - lo < 0.01) { hi += 0.005; lo -= 0.005; }
  const x = (t) => L + (t - t0) / Math.max(1, t1 - t0) * (W - L - R);
  const y = (v) => T + (hi - v) / (hi - lo) * (H - T - B);
  const zero = document.createElementNS(ns, "line");
  zero.setAttribute("x1", L); zero.setAttribute("x2", W - R);
  zero.setAttribute("y1", y(0)); zero.setAttribute("y2", y(0)); zero.setAttribute("stroke", "#d0d7de");
  svg.appendChild(zero);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("fill", "none"); line.setAttribute("stroke", "#0969da"); line.setAttribute("stroke-width", "1.5");
  line.setAttribute("points", points.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" "));
  svg.appendChild(line);
  text(L - 6, T + 10, usd(hi), "end");
  text(L - 6, H - B, usd(lo), "end");
  text(L, H - 8, new Date(t0).toISOString().slice(11, 19) + " UTC", "start");
  text(W - R, H - 8, new Date(t1).toISOString().slice(11, 19) + " UTC", "end");
}
function render(s) {
  $("mode").textContent = s.mode;
  $("state").textContent = s.state;
  $("state").className = "state " + s.state;
  $("why").textContent = s.haltReason ? "Halted: " + s.haltReason
    : s.pausedBy ? "Paused by " + s.pausedBy + ": no orders rest; market data and harvesting go on"
    : "";
  $("pause").disabled = s.state === "halted" || s.state === "paused";
  $("resume").disabled = s.state !== "paused";
  $("halt").disabled = s.state === "halted";
  $("updated").textContent = new Date(s.tsMs).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  $("since").textContent = new Date(s.startedMs).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  $("every").textContent = String(settings.refreshMs / 1000);
  const lat = s.latency;
  rows("totals", [
    ["PnL", usd(s.pnlUsd, 4), sign(s.pnlUsd)],
    ["realized", usd(s.realizedUsd, 4)],
    ["unrealized", usd(s.unrealizedUsd, 4)],
    ["fees", usd(s.feesUsd, 4)],
    ["peak PnL", usd(s.peakPnlUsd, 4)],
    ["max drawdown", usd(s.maxDrawdownUsd, 4)],
    ["volume", usd(s.volumeUsd)],
    ["fills", int(s.fills)],
    ["orders placed", int(s.placed)],
    ["cancels", int(s.cancels)],
    ["latency P50 / P95 / P99", lat ? [lat.p50Ms, lat.p95Ms, lat.p99Ms].map((v) => v.toFixed(3)).join(" / ") + " ms" : "no samples"],
    ["reconnects", int(s.reconnects)],
    ["stall panics", int(s.stallPanics)],
  ]);
  const r = s.requests;
  rows("requests", [
    ["IP weight used (60 s)", int(r.ipWeightUsed) + " of " + int(r.ipWeightLimit)],
    ["IP weight left", int(r.ipWeightLeft), r.ipWeightLeft < r.ipWeightLimit * 0.1 ? "neg" : ""],
    ["IP weight peak", int(r.ipWeightPeak)],
    ["address requests used", int(r.addressUsed) + " of " + int(r.addressCap)],
    ["address requests left", int(r.addressLeft), r.addressPaused ? "neg" : ""],
    ["requests sent", int(r.sent)],
    ["requests per USDC", r.perUsdc === null ? "—" : r.perUsdc.toFixed(3)],
  ]);
  chart(s.pnlHistory);
  const body = $("coins").tBodies[0];
  body.replaceChildren();
  for (const c of s.coins) {
    const tr = document.createElement("tr");
    tr.dataset.coin = c.coin;
    cell(tr, c.coin);
    cell(tr, num(c.bidPx), "bid");
    cell(tr, num(c.askPx), "ask");
    cell(tr, c.bidLevels + " / " + c.askLevels, "levels");
    cell(tr, num(c.position), "position");
    cell(tr, usd(c.inventoryUsd), "inventory");
    cell(tr, usd(c.pnlUsd, 4), "pnl " + sign(c.pnlUsd));
    cell(tr, int(c.fills), "fills");
    cell(tr, c.regime === "halt" ? "HALT" : c.regime + " " + c.multiplier.toFixed(2) + "x", "regime");
    cell(tr, (c.ofi >= 0 ? "+" : "") + c.ofi.toFixed(2), "ofi");
    body.appendChild(tr);
  }
}
async function refresh() {
  try {
    const response = await fetch("status.json", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    document.body.dataset.stale = "false";
  } catch (error) {
    document.body.dataset.stale = "true";
    $("message").textContent = "engine not reachable (" + error.message + ")";
  }
}
async function control(action) {
  if (action === "halt" && !confirm("Halt the engine? Every order is cancelled and it stays halted until restarted with --clear-halt.")) return;
  const headers = { "Content-Type": "application/json" };
  if (settings.tokenRequired) headers.Authorization = "Bearer " + $("token").value;
  $("message").textContent = action + "…";
  try {
    const response = await fetch("control", { method: "POST", headers, body: JSON.stringify({ action, source: "status page" }) });
    const answer = await response.json();
    $("message").textContent = answer.ok ? action + ": done" : action + " refused: " + answer.error;
  } catch (error) {
    $("message").textContent = action + " failed: " + error.message;
  }
  await refresh();
}
for (const action of ["pause", "resume", "halt"]) $(action).addEventListener("click", () => control(action));
$("token").hidden = !settings.tokenRequired;
render(JSON.parse($("initial").textContent));
setInterval(refresh, settings.refreshMs);
</script>
</body>
</html>
`;
}

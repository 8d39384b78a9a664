/**
 * Gate 1, adverse selection baseline (README, "The five gates"): per coin, the average book spread
 * against the adverse selection a passive fill suffers at 1 s / 10 s / 60 s (fill_moves.ts). Edge
 * (edge.ts, the definition gate 3 uses too) = average half-spread − adverse selection at 10 s − the
 * base-tier maker fee; coins with an edge of zero or less (or with no trades to measure) are
 * excluded from quoting.
 */

import { edgeBps, MAKER_FEE_BPS } from "./edge.ts";
import { type FillMoves, meanAdverse } from "./fill_moves.ts";
import type { CoinPartials, CoinPass, GateContext, GateReport } from "./gate.ts";
import { partialsOf, round } from "./gate.ts";
import { barSpec, chartSvg } from "./charts.ts";
import { formatTable } from "./table.ts";

/** The horizon the edge is judged on (ms). */
export const EDGE_HORIZON = "10s";

/** One coin's tick count and average spread (table `ticks` holds one coin). */
export const GATE1_SQL = `SELECT count(*) AS ticks, avg(spread_bps) AS avg_spread_bps FROM ticks`;

/** One coin's gate 1 inputs: its spread and its adverse selection sums. */
export interface Gate1Partial {
  ticks: number;
  avgSpreadBps: number | null;
  moves: FillMoves;
}

/** Gate 1's per-coin step. */
export function gate1Coin(pass: CoinPass, into: CoinPartials): void {
  const row = pass.db.query(GATE1_SQL)[0];
  into.gate1 = {
    ticks: row.ticks as number,
    avgSpreadBps: row.avg_spread_bps as number | null,
    moves: pass.moves(),
  };
}

/** One coin's gate 1 numbers. */
export interface Gate1Coin {
  coin: string;
  ticks: number;
  fills: number;
  avgSpreadBps: number | null;
  adverse1sBps: number | null;
  adverse10sBps: number | null;
  adverse60sBps: number | null;
  edgeBps: number | null;
  exclude: boolean;
  reason: string;
}

/** Gate 1's result. */
export interface Gate1Result {
  coins: Gate1Coin[];
  exclude: string[];
}

const computed = new WeakMap<GateContext, Gate1Result>();

/** Decides which coins to exclude (once per context: gate 3 reuses it). */
export function gate1Numbers(ctx: GateContext): Gate1Result {
  const known = computed.get(ctx);
  if (known !== undefined) return known;
  const result = compute(ctx);
  computed.set(ctx, result);
  return result;
}

function compute(ctx: GateContext): Gate1Result {
  const rows = partialsOf(ctx, "gate1").map(({ coin, partial: p }) => {
    const sums = [p.moves.weekday, p.moves.weekend];
    const adverse = [0, 1, 2].map((h) => meanAdverse(sums, h));
    const edge = p.avgSpreadBps === null || adverse[1] === null
      ? null
      : edgeBps(p.avgSpreadBps / 2, adverse[1]);
    return { coin, p, adverse, edge, fills: sums[0].count[1] + sums[1].count[1] };
  });
  // Best edge first, unmeasured coins last, then by name.
  rows.sort((a, b) =>
    a.edge === b.edge
      ? (a.coin < b.coin ? -1 : 1)
      : a.edge === null
      ? 1
      : b.edge === null
      ? -1
      : b.edge - a.edge || (a.coin < b.coin ? -1 : 1)
  );
  const coins = rows.map(({ coin, p, adverse, edge, fills }): Gate1Coin => {
    const exclude = edge === null || !(edge > 0);
    return {
      coin,
      ticks: p.ticks,
      fills,
      avgSpreadBps: round(p.avgSpreadBps),
      adverse1sBps: round(adverse[0]),
      adverse10sBps: round(adverse[1]),
      adverse60sBps: round(adverse[2]),
      edgeBps: round(edge),
      exclude,
      reason: edge === null
        ? "no trades with 10 s of ticks after them"
        : exclude
        ? "adverse selection and the maker fee eat the half-spread"
        : "positive edge",
    };
  });
  return { coins, exclude: coins.filter((c) => c.exclude).map((c) => c.coin) };
}

/** Gate 1 report. */
export async function gate1(ctx: GateContext): Promise<GateReport<Gate1Result>> {
  const result = gate1Numbers(ctx);
  const table = formatTable(
    ["coin", "ticks", "fills", "spread bps", "AS 1s", "AS 10s", "AS 60s", "edge bps", "verdict"],
    result.coins.map((c) => [
      c.coin,
      c.ticks,
      c.fills,
      c.avgSpreadBps,
      c.adverse1sBps,
      c.adverse10sBps,
      c.adverse60sBps,
      c.edgeBps,
      c.exclude ? `EXCLUDE (${c.reason})` : "keep",
    ]),
  );
  const measured = result.coins.filter((c) => c.edgeBps !== null);
  return {
    gate: 1,
    title: "Adverse selection baseline",
    text: `${table}\n\nedge = average spread / 2 - AS 10s - maker fee ${MAKER_FEE_BPS} bps` +
      `\nexclude from quoting: ${result.exclude.length ? result.exclude.join(", ") : "none"}`,
    result,
    charts: {
      "gate1_edge_per_coin.svg": await chartSvg(barSpec(
        "Edge per coin: half-spread − adverse selection at 10 s − maker fee",
        { field: "coin", title: "coin" },
        { field: "edge", title: "edge (bps)" },
        measured.map((c) => ({ coin: c.coin, edge: c.edgeBps as number })),
      )),
    },
  };
}

/**
 * Gate 1, adverse selection baseline (spec section 10): per coin, the average book spread against
 * the adverse selection a passive fill suffers at 1 s / 10 s / 60 s (fill_moves.ts). Edge =
 * average spread - adverse selection at 10 s; coins with an edge of zero or less (or with no
 * trades to measure) are excluded from quoting.
 */

import { ensureFillMoves } from "./fill_moves.ts";
import type { GateContext, GateReport } from "./gate.ts";
import { round } from "./gate.ts";
import { barChart } from "./svg.ts";
import { formatTable } from "./table.ts";

/** The horizon the edge is judged on (ms). */
export const EDGE_HORIZON = "10s";

/** Per coin: spread, adverse selection at three horizons (see fill_moves.ts), edge. */
export const GATE1_SQL = `
WITH spread AS (
  SELECT coin, count(*) AS ticks, avg(spread_bps) AS avg_spread_bps FROM ticks GROUP BY coin
),
adverse AS (
  SELECT coin, avg(adverse_1s_bps) AS adverse_1s_bps, avg(adverse_10s_bps) AS adverse_10s_bps,
    avg(adverse_60s_bps) AS adverse_60s_bps, count(adverse_10s_bps) AS fills
  FROM fill_moves GROUP BY coin
)
SELECT s.coin, s.ticks, coalesce(a.fills, 0) AS fills, s.avg_spread_bps,
  a.adverse_1s_bps, a.adverse_10s_bps, a.adverse_60s_bps,
  s.avg_spread_bps - a.adverse_10s_bps AS edge_bps
FROM spread s LEFT JOIN adverse a USING (coin)
ORDER BY edge_bps DESC NULLS LAST, s.coin
`;

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

/** Runs the query and decides which coins to exclude (once per context: gate 3 reuses it). */
export function gate1Numbers(ctx: GateContext): Gate1Result {
  const known = computed.get(ctx);
  if (known !== undefined) return known;
  const result = compute(ctx);
  computed.set(ctx, result);
  return result;
}

function compute(ctx: GateContext): Gate1Result {
  ensureFillMoves(ctx);
  const coins = ctx.db.query(GATE1_SQL).map((r): Gate1Coin => {
    const edge = r.edge_bps as number | null;
    const fills = r.fills as number;
    const exclude = edge === null || !(edge > 0);
    return {
      coin: r.coin as string,
      ticks: r.ticks as number,
      fills,
      avgSpreadBps: round(r.avg_spread_bps as number),
      adverse1sBps: round(r.adverse_1s_bps as number | null),
      adverse10sBps: round(r.adverse_10s_bps as number | null),
      adverse60sBps: round(r.adverse_60s_bps as number | null),
      edgeBps: round(edge),
      exclude,
      reason: edge === null
        ? "no trades with 10 s of ticks after them"
        : exclude
        ? "adverse selection eats the spread"
        : "positive edge",
    };
  });
  return { coins, exclude: coins.filter((c) => c.exclude).map((c) => c.coin) };
}

/** Gate 1 report. */
export function gate1(ctx: GateContext): GateReport<Gate1Result> {
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
    text: `${table}\n\nexclude from quoting: ${
      result.exclude.length ? result.exclude.join(", ") : "none"
    }`,
    result,
    charts: {
      "gate1_edge_per_coin.svg": barChart(
        "Edge per coin (avg spread - adverse selection at 10 s)",
        "bps",
        measured.map((c) => c.coin),
        measured.map((c) => c.edgeBps as number),
      ),
    },
  };
}

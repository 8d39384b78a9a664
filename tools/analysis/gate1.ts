/**
 * Gate 1, adverse selection baseline (spec section 10): per coin, the average book spread against
 * the adverse selection a passive fill suffers. Every public trade is treated as a fill of the
 * resting side: a taker buy (B) filled a resting ask (we sold), so a later rise of the mid is
 * adverse. Adverse selection = signed mid move from the trade to 1 s / 10 s / 60 s later, in bps
 * of the mid at the trade. Edge = average spread - adverse selection at 10 s; coins with an edge
 * of zero or less (or with no trades to measure) are excluded from quoting.
 */

import type { GateContext, GateReport } from "./gate.ts";
import { round } from "./gate.ts";
import { barChart } from "./svg.ts";
import { formatTable } from "./table.ts";

/** The horizon the edge is judged on (ms). */
export const EDGE_HORIZON = "10s";

/** Per coin: spread, adverse selection at three horizons, edge. */
export const GATE1_SQL = `
WITH fills AS (
  SELECT coin, timestamp_ms AS ts, CASE WHEN side = 'B' THEN 1.0 ELSE -1.0 END AS sgn
  FROM trades
),
at_fill AS (
  SELECT f.coin, f.ts, f.sgn, k.mid AS mid0
  FROM fills f ASOF JOIN ticks k ON f.coin = k.coin AND f.ts >= k.timestamp_ms
),
horizons(h_ms, label) AS (VALUES (1000, '1s'), (10000, '10s'), (60000, '60s')),
last_tick AS (SELECT coin, max(timestamp_ms) AS last_ts FROM ticks GROUP BY coin),
later AS (
  SELECT a.coin, a.sgn, a.mid0, a.ts + h.h_ms AS th, h.label
  FROM at_fill a CROSS JOIN horizons h JOIN last_tick l ON l.coin = a.coin
  WHERE a.ts + h.h_ms <= l.last_ts
),
moves AS (
  SELECT l.coin, l.label, l.sgn * (k.mid - l.mid0) / l.mid0 * 1e4 AS adverse_bps
  FROM later l ASOF JOIN ticks k ON l.coin = k.coin AND l.th >= k.timestamp_ms
),
spread AS (
  SELECT coin, count(*) AS ticks, avg(spread_bps) AS avg_spread_bps FROM ticks GROUP BY coin
),
adverse AS (
  SELECT coin,
    avg(adverse_bps) FILTER (WHERE label = '1s') AS adverse_1s_bps,
    avg(adverse_bps) FILTER (WHERE label = '10s') AS adverse_10s_bps,
    avg(adverse_bps) FILTER (WHERE label = '60s') AS adverse_60s_bps,
    count(*) FILTER (WHERE label = '10s') AS fills
  FROM moves GROUP BY coin
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

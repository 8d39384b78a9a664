/**
 * The adverse selection measurement shared by gates 1 and 4, defined once. Every public trade is
 * treated as a fill of the resting side: a taker buy (B) filled a resting ask (we sold), so a
 * later rise of the mid is adverse. Adverse selection at a horizon = the signed mid move from the
 * trade to the horizon, in bps of the mid at the trade (mids as of each time: the last tick at or
 * before it). A horizon past the coin's last tick is not measured (NULL).
 */

import type { GateContext } from "./gate.ts";

/** Builds table `fill_moves(coin, ts, weekend, adverse_1s_bps, adverse_10s_bps, adverse_60s_bps)`. */
export const FILL_MOVES_SQL = `
CREATE OR REPLACE TABLE fill_moves AS
WITH fills AS (
  SELECT coin, timestamp_ms AS ts, CASE WHEN side = 'B' THEN 1.0 ELSE -1.0 END AS sgn FROM trades
),
last_tick AS (SELECT coin, max(timestamp_ms) AS last_ts FROM ticks GROUP BY coin),
a0 AS (
  SELECT f.coin, f.ts, f.sgn, k.mid AS mid0
  FROM fills f ASOF JOIN ticks k ON f.coin = k.coin AND f.ts >= k.timestamp_ms
),
a1 AS (
  SELECT a.*, k.mid AS mid_1s
  FROM a0 a ASOF JOIN ticks k ON a.coin = k.coin AND a.ts + 1000 >= k.timestamp_ms
),
a10 AS (
  SELECT a.*, k.mid AS mid_10s
  FROM a1 a ASOF JOIN ticks k ON a.coin = k.coin AND a.ts + 10000 >= k.timestamp_ms
),
a60 AS (
  SELECT a.*, k.mid AS mid_60s
  FROM a10 a ASOF JOIN ticks k ON a.coin = k.coin AND a.ts + 60000 >= k.timestamp_ms
)
SELECT a.coin, a.ts, isodow(make_timestamp(a.ts * 1000)) IN (6, 7) AS weekend,
  CASE WHEN a.ts + 1000 <= l.last_ts THEN a.sgn * (a.mid_1s - a.mid0) / a.mid0 * 1e4 END AS adverse_1s_bps,
  CASE WHEN a.ts + 10000 <= l.last_ts THEN a.sgn * (a.mid_10s - a.mid0) / a.mid0 * 1e4 END AS adverse_10s_bps,
  CASE WHEN a.ts + 60000 <= l.last_ts THEN a.sgn * (a.mid_60s - a.mid0) / a.mid0 * 1e4 END AS adverse_60s_bps
FROM a60 a JOIN last_tick l USING (coin)
`;

const built = new WeakSet<GateContext>();

/** Creates `fill_moves` once per analysis run. */
export function ensureFillMoves(ctx: GateContext): void {
  if (built.has(ctx)) return;
  ctx.db.query(FILL_MOVES_SQL);
  built.add(ctx);
}

/**
 * The data pipeline benches' synthetic harvest (pipeline_bench.ts, pipeline_ab.ts): 30 coins of
 * random-walk ticks with a trade every 5th tick, written in the harvester's CSV layout. The same
 * seeds give byte-identical files on every run, so two runs of it are the same input.
 */

import {
  formatTickLine,
  formatTradeLine,
  TICK_HEADER,
  TRADE_HEADER,
} from "../../engine/csv_rows.ts";

export const COINS = 30;
/** A Monday; 5 days run to Friday. */
export const FIRST_DAY = Date.parse("2026-02-16T00:00:00Z");

/** One coin-day of ticks and trades (a trade every 5th tick) as CSV text, with a random walk. */
function coinDay(coin: string, dayStart: number, rows: number, seed: number): [string, string] {
  const ticks = [TICK_HEADER + "\n"], trades = [TRADE_HEADER + "\n"];
  let px = 10 + seed * 7.3;
  let state = seed * 2654435761 >>> 0;
  for (let i = 0; i < rows; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    px = Math.max(1, px + ((state % 21) - 10) * px * 1e-5);
    const bid = Math.round(px * 1e4) / 1e4;
    const ask = bid + 0.0001 * (1 + (state % 3));
    const t = dayStart + Math.floor((i * 86_400_000) / rows);
    ticks.push(formatTickLine(t, coin, bid, ask));
    if (i % 5 === 0) {
      trades.push(formatTradeLine(t, coin, state & 1 ? "B" : "A", ask, 0.5, seed * 1e9 + i));
    }
  }
  return [ticks.join(""), trades.join("")];
}

/** Writes `days` days from FIRST_DAY of `rows` ticks per coin under dir; returns the CSV bytes. */
export async function writeDays(dir: string, days: number, rows: number): Promise<number> {
  let bytes = 0;
  for (let c = 0; c < COINS; c++) {
    const coin = `C${String(c).padStart(2, "0")}`;
    await Deno.mkdir(`${dir}/ticks/${coin}`, { recursive: true });
    await Deno.mkdir(`${dir}/trades/${coin}`, { recursive: true });
    for (let d = 0; d < days; d++) {
      const start = FIRST_DAY + d * 86_400_000;
      const day = new Date(start).toISOString().slice(0, 10);
      const [ticks, trades] = coinDay(coin, start, rows, c + 1);
      await Deno.writeTextFile(`${dir}/ticks/${coin}/${day}.csv`, ticks);
      await Deno.writeTextFile(`${dir}/trades/${coin}/${day}.csv`, trades);
      bytes += ticks.length + trades.length;
    }
  }
  return bytes;
}

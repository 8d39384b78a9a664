/**
 * `./deno task fit-market <folder> [--out FILE] [--rounds N]`
 *
 * Fits the venue simulator's synthetic market to recorded Hyperliquid data: reads every book
 * and trade recording under the folder (see tools/market_fit/recording.ts for the formats),
 * measures each coin (tools/market_fit/stats.ts), fits and calibrates the generator's parameters
 * (tools/market_fit/fit.ts) and writes them, with the statistics and the dataset they came from,
 * as JSON (default `data/market_fit.json`; like every data task it may write only under `data/`).
 * The file the simulator uses is `tools/venue_sim/market_fit.json`: review the fit, then copy it
 * there. Only numbers are written, never the data.
 */

import { parseArgs } from "node:util";
import { readRecording } from "./market_fit/recording.ts";
import { type MarketStats, marketStats } from "./market_fit/stats.ts";
import { calibrate, firstGuess } from "./market_fit/fit.ts";
import type { FittedProfile, MarketFit } from "./venue_sim/market_profile.ts";
import { errorMessage } from "../engine/util/errors.ts";

const USAGE = "usage: ./deno task fit-market <folder or file> [--out FILE] [--rounds N]";
const DEFAULT_OUT = "data/market_fit.json";

/** Rounds every number in `x` to 4 significant figures (the fit is not more precise). */
function rounded<T>(x: T): T {
  return JSON.parse(
    JSON.stringify(x, (_k, v) => (typeof v === "number" ? Number(v.toPrecision(4)) : v)),
  );
}

function line(s: MarketStats): string {
  const q = (x: { p10: number; p50: number; p90: number }, d = 0) =>
    `${x.p10.toFixed(d)}/${x.p50.toFixed(d)}/${x.p90.toFixed(d)}`;
  return `${s.coin}: ${s.books} books, ${s.prints} prints over ${s.minutes.toFixed(1)} min; ` +
    `cadence ${q(s.cadenceMs)} ms; spread ${q(s.spreadTicks)} ticks (${
      s.spreadBps.toFixed(2)
    } bps); ` +
    `levels 1/2/5/20 $${[0, 1, 4, 19].map((i) => s.depthUsd[i]?.toFixed(0)).join("/$")}; ` +
    `holes ${s.holesPerSnapshot.toFixed(2)}, vanished ${
      s.vanishedPerSnapshot.toFixed(2)
    } a side; ` +
    `level 3 empties in ${q(s.queueEmptyMs)} ms (${(s.queueEmptyShare * 100).toFixed(0)} %); ` +
    `${s.takersPerMinute.toFixed(1)} takers/min of $${q(s.takerUsd)}; ` +
    `σ ${s.sigmaBpsPerSqrtS.toFixed(3)} bps/√s, |move| autocorr ${s.absMoveAutocorr.toFixed(2)}`;
}

/** Reads, measures, fits and writes; returns the fit. */
export async function fitMarket(
  path: string,
  out: string,
  rounds?: number,
  print: (line: string) => void = console.log,
): Promise<MarketFit> {
  const recording = await readRecording(path);
  for (const r of recording.read) print(`read ${r}`);
  for (const r of recording.skipped) print(`skipped ${r}`);
  const profiles: Record<string, FittedProfile> = {};
  let first = Infinity, last = -Infinity;
  for (const c of recording.coins) {
    first = Math.min(first, c.books[0].timeMs);
    last = Math.max(last, c.books[c.books.length - 1].timeMs);
    const stats = marketStats(c.coin, c.books, c.trades);
    print(`real ${line(stats)}`);
    const { params, simulated } = calibrate(stats, firstGuess(stats), rounds, print);
    print(`fit  ${line(simulated)}`);
    profiles[c.coin] = rounded({ stats, params });
  }
  const window = `${new Date(first).toISOString()} to ${new Date(last).toISOString()}`;
  const fit: MarketFit = {
    source: `${path.replace(/\/+$/, "")} (${window})`,
    command: `./deno task fit-market ${path}${rounds === undefined ? "" : ` --rounds ${rounds}`}`,
    profiles,
  };
  await Deno.writeTextFile(out, JSON.stringify(fit, null, 2) + "\n");
  print(`wrote ${out}: ${Object.keys(profiles).join(", ")}`);
  return fit;
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: { out: { type: "string" }, rounds: { type: "string" } },
    });
    if (positionals.length !== 1) throw new Error(`expected one folder or file\n${USAGE}`);
    let rounds: number | undefined;
    if (values.rounds !== undefined) {
      rounds = Number(values.rounds);
      if (!Number.isInteger(rounds) || rounds < 0 || rounds > 20) {
        throw new Error(`--rounds must be an integer from 0 to 20, got "${values.rounds}"`);
      }
    }
    await fitMarket(positionals[0], values.out ?? DEFAULT_OUT, rounds);
  } catch (e) {
    console.error(`fit-market: ${errorMessage(e)}`);
    Deno.exit(2);
  }
}

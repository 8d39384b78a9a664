/**
 * Fits the synthetic market's generator parameters to one coin's measured statistics. A first
 * guess comes from the queue model in closed form (a price k ticks from the fair price holds a
 * Poisson number of crowd orders, so its occupancy p gives the mean count −ln(1 − p); each order
 * lives an exponential time), then the generator is run on its own and each parameter is
 * corrected by the ratio of the recorded to the simulated statistic it drives, a few times.
 */

import { type MarketStats, marketStats, OCCUPANCY_TICKS } from "./stats.ts";
import { driveMarket } from "./drive.ts";
import type { GeneratorParams } from "../venue_sim/market_profile.ts";
import { Rng } from "../venue_sim/rng.ts";
import { szDecimalsFor } from "../venue_sim/replay.ts";
import type { SimCoin } from "../venue_sim/universe.ts";

/** Ticks behind the fair price the crowd quotes at (beyond the measured ones: the deepest seen). */
export const CROWD_TICKS = OCCUPANCY_TICKS + 10;
// First guess of the log-normal spread of one crowd order's size: real books mix $10 orders with
// $100k ones (the main dataset's BTC levels 2–20 are often one 0.00341 BTC order). Calibrated
// against the ratio of mean to median depth, which is what a sweep meets.
const ORDER_USD_SIGMA = 1.2;
// First guesses of the dust orders (market_profile.ts): a share of the new orders, living this
// many times longer than the others. Calibrated against prints per taker and how often level 3
// empties without a trade.
const DUST_SHARE = 0.1;
const DUST_LIFE_MULT = 10;
const MAX_DUST_SHARE = 0.9;
// Levels whose mean and median depth the size spread is calibrated on (levels 1–10).
const TAIL_LEVELS = 10;
// Occupancy is capped below 1 so a price always has some chance to be empty (holes do happen).
const MAX_OCCUPANCY = 0.995;
const CALIBRATION_ROUNDS = 6;
const CALIBRATION_MINUTES = 60;
// A correction is clamped to this factor a round, so one noisy measurement cannot run away, and
// after the first two rounds only half of it (in logarithm) is taken, so the noise of one run
// does not make the parameters wander.
const MAX_STEP = 2;
const DAMPED_AFTER = 2;
// Share of book updates that move the mid, capped below 1 so its log-survival −ln(1 − share)
// (moves per update as a Poisson rate) stays finite.
const MAX_MOVE_SHARE = 0.95;
// Draws behind the Monte Carlo median of a compound order size (fixed seed: same median each run).
const MEDIAN_DRAWS = 2_000;
// One basis point as a fraction.
const PER_BPS = 1e-4;
const MINUTES_PER_DAY = 1_440;
const SECONDS_PER_DAY = 86_400;

/** A simulated coin standing for a recorded one (its size decimals guessed from its price). */
export function coinFor(stats: MarketStats): SimCoin {
  return {
    name: stats.coin,
    szDecimals: szDecimalsFor(stats.midPx),
    maxLeverage: 10,
    startPx: stats.midPx,
    dayNtlVlm: stats.usdPerMinute * MINUTES_PER_DAY,
    dailyVol: stats.sigmaBpsPerSqrtS * PER_BPS * Math.sqrt(SECONDS_PER_DAY),
  };
}

/** Forward-fills the ticks no snapshot reached with the deepest measured value, to `n` ticks. */
function extend(values: readonly (number | null)[], n: number): number[] {
  const out: number[] = [];
  let last = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k];
    if (v !== null && v !== undefined && v > 0) last = v;
    out.push(last);
  }
  return out;
}

/** Median total size of a Poisson(m) count (at least one) of log-normal(0, σ) orders. */
function compoundMedian(m: number, sigma: number, rng: Rng): number {
  const sums: number[] = [];
  for (let i = 0; i < MEDIAN_DRAWS; i++) {
    let n = 0;
    while (n === 0) n = rng.poisson(m);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(sigma * rng.normal());
    sums.push(s);
  }
  sums.sort((a, b) => a - b);
  return sums[sums.length >> 1];
}

/** Throws naming the first statistic the fit needs that the recording could not give. */
function requireMeasured(stats: MarketStats): void {
  const needed: [string, number][] = [
    ["the book cadence", stats.cadenceMs.p50],
    ["the volatility", stats.sigmaBpsPerSqrtS],
    ["how often the mid moves", stats.midMoveShare],
    [
      "the time for level 3 to empty (needs 3+ levels a side and some emptying)",
      stats.queueEmptyMs.p50,
    ],
    ["the taker sizes (needs trades)", stats.takerUsd.p50],
    ["the taker rate (needs trades)", stats.takersPerMinute],
    ["the prints per taker (needs trades)", stats.printsPerTaker],
    ["the share of level-3 queues that empty", stats.queueEmptyShare],
  ];
  for (const [what, value] of needed) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new Error(
        `${stats.coin}: cannot fit: ${what} could not be measured from ${stats.books} books and ` +
          `${stats.prints} trades over ${stats.minutes.toFixed(1)} min`,
      );
    }
  }
}

/** The closed-form first guess; throws naming what the recording lacks when it cannot be made. */
export function firstGuess(stats: MarketStats): GeneratorParams {
  requireMeasured(stats);
  const rng = new Rng(7);
  const occupancy = extend(stats.occupancy, CROWD_TICKS);
  const ordersAt = occupancy.map((p) => -Math.log(1 - Math.min(MAX_OCCUPANCY, p)));
  const sizes = extend(stats.sizeUsdAt, CROWD_TICKS);
  return {
    cadenceMs: { ...stats.cadenceMs },
    sigmaPerSqrtMs: stats.sigmaBpsPerSqrtS * PER_BPS / Math.sqrt(1000),
    movesPerMs: -Math.log(1 - Math.min(MAX_MOVE_SHARE, stats.midMoveShare)) / stats.cadenceMs.p50,
    followShare: 0.5,
    ordersAt,
    orderUsdAt: sizes.map((usd, k) => usd / compoundMedian(ordersAt[k], ORDER_USD_SIGMA, rng)),
    orderUsdSigma: ORDER_USD_SIGMA,
    cancelPerMs: 1 / Math.max(1, stats.queueEmptyMs.p50),
    dustShare: DUST_SHARE,
    dustCancelPerMs: 1 / Math.max(1, stats.queueEmptyMs.p50) / DUST_LIFE_MULT,
    takersPerMs: stats.takersPerMinute / 60_000,
    takerUsd: { ...stats.takerUsd },
    dayNtlVlmUsd: stats.usdPerMinute * MINUTES_PER_DAY,
  };
}

/** Mean over median depth summed over the first levels (how heavy-tailed the book is). */
function tail(st: MarketStats): number {
  let mean = 0, med = 0;
  for (let i = 0; i < TAIL_LEVELS; i++) {
    mean += st.depthMeanUsd[i];
    med += st.depthUsd[i];
  }
  return mean / med;
}

function clampStep(ratio: number, damped = false): number {
  if (!Number.isFinite(ratio) || ratio <= 0) return 1;
  const step = Math.min(MAX_STEP, Math.max(1 / MAX_STEP, ratio));
  return damped ? Math.sqrt(step) : step;
}

/**
 * Corrects `params` so the generator reproduces `real`: runs it, compares, scales each parameter
 * by the ratio of the statistic it drives, `rounds` times. Returns the parameters and the last
 * run's statistics.
 */
export function calibrate(
  real: MarketStats,
  params: GeneratorParams,
  rounds = CALIBRATION_ROUNDS,
  log: (line: string) => void = () => {},
): { params: GeneratorParams; simulated: MarketStats } {
  const coin = coinFor(real);
  let p = structuredClone(params);
  let simulated = real;
  for (let round = 0; round <= rounds; round++) {
    const run = driveMarket(coin, p, 1_000 + round, CALIBRATION_MINUTES);
    simulated = marketStats(coin.name, run.books, run.trades);
    log(
      `  ${real.coin} round ${round}: queue empties p50 ${simulated.queueEmptyMs.p50.toFixed(0)}` +
        ` ms (real ${real.queueEmptyMs.p50.toFixed(0)}), share ${
          simulated.queueEmptyShare.toFixed(2)
        } (${real.queueEmptyShare.toFixed(2)}), prints/taker ${
          simulated.printsPerTaker.toFixed(2)
        } (${real.printsPerTaker.toFixed(2)}), holes ${simulated.holesPerSnapshot.toFixed(2)} (${
          real.holesPerSnapshot.toFixed(2)
        }), level 2 $${simulated.depthUsd[1].toFixed(0)} ($${
          real.depthUsd[1].toFixed(0)
        }), depth mean/median ${tail(simulated).toFixed(2)} (${tail(real).toFixed(2)}),` +
        ` takers/min ${simulated.takersPerMinute.toFixed(1)} (${
          real.takersPerMinute.toFixed(1)
        }), σ ${simulated.sigmaBpsPerSqrtS.toFixed(3)} (${
          real.sigmaBpsPerSqrtS.toFixed(3)
        }) bps/√s, spread p90 ${simulated.spreadTicks.p90} (${real.spreadTicks.p90}) ticks, moves ${
          simulated.midMoveShare.toFixed(2)
        } (${real.midMoveShare.toFixed(2)})`,
    );
    if (round === rounds) break;
    const next = structuredClone(p);
    const damped = round >= DAMPED_AFTER;
    const step = (ratio: number) => clampStep(ratio, damped);
    next.followShare = Math.min(
      1,
      next.followShare * step(simulated.queueEmptyMs.p50 / real.queueEmptyMs.p50),
    );
    // Dust is what a taker meets besides the large orders (prints beyond the first) and what
    // keeps an abandoned price alive (fewer level-3 queues emptying without a trade).
    next.dustShare = Math.min(
      MAX_DUST_SHARE,
      next.dustShare *
        step(
          Math.max(0.01, real.printsPerTaker - 1) / Math.max(0.01, simulated.printsPerTaker - 1),
        ),
    );
    next.dustCancelPerMs *= step(real.queueEmptyShare / simulated.queueEmptyShare);
    next.movesPerMs *= step(
      Math.log(1 - Math.min(MAX_MOVE_SHARE, real.midMoveShare)) /
        Math.log(1 - Math.min(MAX_MOVE_SHARE, simulated.midMoveShare)),
    );
    next.takersPerMs *= step(real.takersPerMinute / simulated.takersPerMinute);
    // Prints of one side in one block count as one taker, as in the recording: sizes are corrected
    // for those merges at each quantile.
    for (const q of ["p10", "p50", "p90", "p99"] as const) {
      next.takerUsd[q] *= step(real.takerUsd[q] / simulated.takerUsd[q]);
    }
    next.sigmaPerSqrtMs *= step(real.sigmaBpsPerSqrtS / simulated.sigmaBpsPerSqrtS);
    // For a log-normal size, mean / median = exp(σ² / 2): move σ² by twice the log of the miss.
    const variance = p.orderUsdSigma ** 2 +
      2 * Math.log(step(tail(real) / tail(simulated)));
    next.orderUsdSigma = Math.sqrt(Math.max(0.01, variance));
    for (let k = 0; k < OCCUPANCY_TICKS; k++) {
      const want = real.occupancy[k];
      const got = simulated.occupancy[k];
      if (want === null || got === null) continue;
      next.ordersAt[k] *= step(
        Math.log(1 - Math.min(MAX_OCCUPANCY, want)) / Math.log(1 - Math.min(MAX_OCCUPANCY, got)),
      );
      // Sizes follow the depth by level where the book is dense enough for level i to sit about
      // i ticks out (what a user reads off the book), by distance from the mid beyond.
      const wantUsd = k < real.depthUsd.length ? real.depthUsd[k] : real.sizeUsdAt[k];
      const gotUsd = k < real.depthUsd.length ? simulated.depthUsd[k] : simulated.sizeUsdAt[k];
      if (wantUsd !== null && gotUsd !== null) next.orderUsdAt[k] *= step(wantUsd / gotUsd);
    }
    for (let k = OCCUPANCY_TICKS; k < CROWD_TICKS; k++) {
      next.ordersAt[k] = next.ordersAt[OCCUPANCY_TICKS - 1];
      next.orderUsdAt[k] = next.orderUsdAt[OCCUPANCY_TICKS - 1];
    }
    p = next;
  }
  return { params: p, simulated };
}

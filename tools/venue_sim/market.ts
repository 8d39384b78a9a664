/**
 * One coin's seeded synthetic market: a mid price that diffuses with a volatility that
 * switches between a calm and a turbulent regime, a 20-level book whose spread and depth
 * widen with volatility, taker orders arriving as a Poisson process with heavy-tailed
 * (Pareto) sizes and bursts of one-sided flow, price impact after each taker (so a maker that
 * gets filled tends to be on the wrong side of the next move), and an hourly funding rate that
 * can spike. Everything is drawn from one seeded generator, so a seed fixes the whole stream.
 */
import { priceTick, roundPerpPrice } from "../../engine/hyperliquid/wire.ts";
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { Rng } from "./rng.ts";
import type { SimCoin } from "./universe.ts";

/** One level of the synthetic crowd's book (prices on the coin's tick grid). */
export interface Level {
  px: number;
  sz: number;
  n: number;
}

/** A taker order from the simulated crowd: it sweeps the opposite side of the book. */
export interface TakerOrder {
  side: TakerSide;
  /** Size in coin units. */
  sz: number;
}

/**
 * What a test (or `POST /control {"market":…}`) forces on one coin's synthetic market. Each
 * field left out keeps its current setting; `"auto"`, `null` or 0 hands it back to the model.
 */
export interface MarketSteer {
  /** Pin the volatility regime, or `"auto"` to let it switch by itself. */
  regime?: "calm" | "turbulent" | "auto";
  /** Volatility of the mid, fraction per √day, before the turbulent ×3.5 (null: the coin's own). */
  dailyVol?: number | null;
  /** A steady trend of the mid, fraction per minute of market time (−0.01: 1 % down a minute). */
  driftPerMinute?: number;
  /** Funding per hour served and charged, instead of the model's (null: the model's again). */
  funding?: number | null;
  /** One-sided taker flow for `seconds` of market time: `share` of takers on `side` (default 1). */
  burst?: { side: TakerSide; seconds: number; share?: number } | null;
  /** A one-off move of the mid now, as a fraction (−0.02: 2 % down); the book is redrawn. */
  jump?: number;
}

/** The steering in force on a coin (what `GET /control` shows). */
export interface SteerState {
  regime: "calm" | "turbulent" | "auto";
  dailyVol: number | null;
  driftPerMinute: number;
  funding: number | null;
  burst: { side: TakerSide; untilMs: number; share: number } | null;
}

/** Levels per side the venue serves (Hyperliquid: l2Book has at most 20). */
export const BOOK_DEPTH = 20;
// Share of the gap to a fresh size a level closes per redraw (0 = frozen, 1 = redrawn).
const PERSIST_DRIFT = 0.2;
// Levels per side the crowd keeps: spares behind the served 20, so takers that eat the top
// levels between two redraws still leave a full book.
const CROWD_LEVELS = BOOK_DEPTH + 10;

const MS_PER_DAY = 86_400_000;
/** Hyperliquid's funding baseline per hour (0.01 % per 8 h, paid hourly). */
export const BASE_FUNDING_HOURLY = 0.0000125;
// Hyperliquid caps funding at 4 % per hour.
const FUNDING_CAP_HOURLY = 0.04;
// Mean regime durations (ms): long calm stretches, shorter turbulent episodes.
const CALM_MEAN_MS = 600_000;
const TURBULENT_MEAN_MS = 90_000;
const TURBULENT_VOL_MULT = 3.5;
const TURBULENT_SPREAD_MULT = 3;
const TURBULENT_DEPTH_DIV = 2.5;
// One-sided bursts: how often they start (calm / turbulent), how long they last, how one-sided.
const BURST_EVERY_CALM_MS = 60_000;
const BURST_EVERY_TURBULENT_MS = 20_000;
const BURST_MEAN_MS = 8_000;
const BURST_SIDE_SHARE = 0.85;
const BURST_RATE_MULT = 3;
// Taker sizes: Pareto tail index 1.6 (heavy tail, finite mean), capped at 40x the minimum.
const TAKER_ALPHA = 1.6;
const TAKER_CAP = 40;
// Funding spikes: about one every 2 h, lasting ~10 min.
const SPIKE_EVERY_MS = 7_200_000;
const SPIKE_MEAN_MS = 600_000;

/** The evolving state of one coin's synthetic market. */
export class CoinMarket {
  readonly coin: SimCoin;
  readonly asset: number;
  /** Current mid price (USD). */
  mid: number;
  turbulent = false;
  /** Current hourly funding rate. */
  funding = BASE_FUNDING_HOURLY;
  /** Side of the current one-sided burst, or null. */
  burst: TakerSide | null = null;
  /** Bids, best (highest) first; sizes reflect what takers consumed since the last refresh. */
  bids: Level[] = [];
  /** Asks, best (lowest) first. */
  asks: Level[] = [];
  /** Open interest in coin units (for asset contexts). */
  openInterest: number;
  /** Notional traded since start, USD. */
  tradedUsd = 0;
  readonly prevDayPx: number;
  readonly #rng: Rng;
  #burstUntil = 0;
  #burstShare = BURST_SIDE_SHARE;
  #steer: SteerState = {
    regime: "auto",
    dailyVol: null,
    driftPerMinute: 0,
    funding: null,
    burst: null,
  };
  #spikeUntil = 0;
  #premium = 0;
  readonly #minTakerUsd: number;
  readonly #takerRatePerMs: number;

  /** Creates the market of `coin` (asset id `asset`) from its own seed. */
  constructor(coin: SimCoin, asset: number, seed: number) {
    this.coin = coin;
    this.asset = asset;
    this.#rng = new Rng(seed);
    this.mid = coin.startPx;
    this.prevDayPx = coin.startPx * Math.exp(coin.dailyVol * this.#rng.normal());
    this.openInterest = coin.dayNtlVlm / coin.startPx / 3;
    const usdPerMs = coin.dayNtlVlm / MS_PER_DAY;
    // Smallest taker ~ a quarter of a second's volume, between $20 and $3,000.
    this.#minTakerUsd = Math.min(3_000, Math.max(20, usdPerMs * 250));
    const meanTakerUsd = this.#minTakerUsd * TAKER_ALPHA / (TAKER_ALPHA - 1);
    this.#takerRatePerMs = usdPerMs / meanTakerUsd;
    this.#rebuildBook();
  }

  /** The seeded generator, shared with whoever draws this coin's synthetic trade ids. */
  get rng(): Rng {
    return this.#rng;
  }

  /** Price increment at the current mid. */
  get tick(): number {
    return priceTick(this.mid, this.coin.szDecimals);
  }

  /** The steering in force (a copy). */
  get steering(): SteerState {
    const s = this.#steer;
    return { ...s, burst: s.burst && { ...s.burst } };
  }

  /**
   * Applies a test's steering at market time `nowMs` (validated first: a bad field throws naming
   * it and nothing changes). A pinned regime, a funding override and a jump take effect at once.
   */
  steer(steer: MarketSteer, nowMs: number): void {
    const next = { ...this.#steer };
    const name = this.coin.name;
    const bad = (field: string, allowed: string, got: unknown) =>
      new Error(`market ${name}: ${field} must be ${allowed}, got ${JSON.stringify(got)}`);
    if (steer.regime !== undefined) {
      if (!["calm", "turbulent", "auto"].includes(steer.regime)) {
        throw bad("regime", '"calm", "turbulent" or "auto"', steer.regime);
      }
      next.regime = steer.regime;
    }
    if (steer.dailyVol !== undefined) {
      const v = steer.dailyVol;
      if (v !== null && !(typeof v === "number" && v >= 0 && v <= 10)) {
        throw bad("dailyVol", "a fraction per √day from 0 to 10, or null", v);
      }
      next.dailyVol = v;
    }
    if (steer.driftPerMinute !== undefined) {
      const d = steer.driftPerMinute;
      // Beyond ±50 % a minute the mid would leave any sensible price range within seconds.
      if (!(typeof d === "number" && Math.abs(d) <= 0.5)) {
        throw bad("driftPerMinute", "a fraction per minute from -0.5 to 0.5", d);
      }
      next.driftPerMinute = d;
    }
    if (steer.funding !== undefined) {
      const f = steer.funding;
      if (f !== null && !(typeof f === "number" && Math.abs(f) <= FUNDING_CAP_HOURLY)) {
        throw bad("funding", `an hourly rate within ±${FUNDING_CAP_HOURLY}, or null`, f);
      }
      next.funding = f;
    }
    if (steer.burst !== undefined) {
      const b = steer.burst;
      if (b === null) next.burst = null;
      else {
        if (typeof b !== "object") throw bad("burst", "{side, seconds, share?} or null", b);
        if (b.side !== "B" && b.side !== "A") {
          throw bad("burst.side", '"B" (buyers) or "A" (sellers)', b.side);
        }
        if (!(typeof b.seconds === "number" && b.seconds > 0)) {
          throw bad("burst.seconds", "a positive number", b.seconds);
        }
        const share = b.share ?? 1;
        if (!(typeof share === "number" && share >= 0.5 && share <= 1)) {
          throw bad("burst.share", "a fraction from 0.5 to 1", share);
        }
        next.burst = { side: b.side, untilMs: nowMs + b.seconds * 1000, share };
      }
    }
    const jump = steer.jump;
    if (jump !== undefined && !(typeof jump === "number" && jump > -1 && jump <= 10)) {
      throw bad("jump", "a fraction above -1 and at most 10 (-0.02 = 2 % down)", jump);
    }
    this.#steer = next;
    if (next.regime !== "auto") this.turbulent = next.regime === "turbulent";
    if (next.funding !== null) this.funding = next.funding;
    if (jump !== undefined) {
      this.mid *= 1 + jump;
      this.#rebuildBook();
    }
    if (steer.burst !== undefined) {
      this.burst = next.burst?.side ?? null;
      this.#burstUntil = next.burst?.untilMs ?? 0;
      this.#burstShare = next.burst?.share ?? BURST_SIDE_SHARE;
    }
  }

  /** Moves the market forward by `dtMs` and returns the takers that arrived meanwhile. */
  step(nowMs: number, dtMs: number): TakerOrder[] {
    const rng = this.#rng;
    const steer = this.#steer;
    const switchMean = this.turbulent ? TURBULENT_MEAN_MS : CALM_MEAN_MS;
    // The draw is made even when the regime is pinned, so the rest of the stream stays aligned.
    const switches = rng.next() < 1 - Math.exp(-dtMs / switchMean);
    if (steer.regime === "auto") {
      if (switches) this.turbulent = !this.turbulent;
    } else this.turbulent = steer.regime === "turbulent";

    const sigma = (steer.dailyVol ?? this.coin.dailyVol) / Math.sqrt(MS_PER_DAY) *
      (this.turbulent ? TURBULENT_VOL_MULT : 1);
    this.mid *= Math.exp(sigma * Math.sqrt(dtMs) * rng.normal());
    if (steer.driftPerMinute !== 0) this.mid *= Math.exp(steer.driftPerMinute * dtMs / 60_000);

    if (steer.burst !== null && nowMs >= steer.burst.untilMs) steer.burst = null;
    if (this.burst !== null && nowMs >= this.#burstUntil) {
      this.burst = null;
      this.#burstShare = BURST_SIDE_SHARE;
    }
    const burstEvery = this.turbulent ? BURST_EVERY_TURBULENT_MS : BURST_EVERY_CALM_MS;
    if (this.burst === null && rng.next() < 1 - Math.exp(-dtMs / burstEvery)) {
      this.burst = rng.next() < 0.5 ? "B" : "A";
      this.#burstUntil = nowMs + rng.exponential(BURST_MEAN_MS);
    }

    this.#stepFunding(nowMs, dtMs);
    this.#rebuildBook();

    const rate = this.#takerRatePerMs * (this.turbulent ? 2 : 1) *
      (this.burst ? BURST_RATE_MULT : 1);
    const count = rng.poisson(rate * dtMs);
    const takers: TakerOrder[] = [];
    for (let i = 0; i < count; i++) {
      let side: TakerSide;
      if (this.burst) {
        side = rng.next() < this.#burstShare ? this.burst : (this.burst === "B" ? "A" : "B");
      } else side = rng.next() < 0.5 ? "B" : "A";
      const usd = this.#minTakerUsd * Math.min(TAKER_CAP, rng.pareto(TAKER_ALPHA));
      const lot = Math.pow(10, -this.coin.szDecimals);
      const sz = Math.max(lot, roundLots(usd / this.mid, this.coin.szDecimals));
      takers.push({ side, sz });
    }
    return takers;
  }

  /** Shifts the mid after a taker of `usd` notional on `side` (permanent price impact). */
  impact(side: TakerSide, usd: number): void {
    const depthUsd = Math.max(1, (this.bids[0]?.sz ?? 0) * this.mid);
    const halfSpread = this.#halfSpreadFraction();
    const move = 0.4 * halfSpread * Math.min(4, Math.sqrt(usd / depthUsd));
    this.mid *= side === "B" ? 1 + move : 1 - move;
    this.tradedUsd += usd;
  }

  #halfSpreadFraction(): number {
    return this.coin.halfSpreadBps / 1e4 * (this.turbulent ? TURBULENT_SPREAD_MULT : 1);
  }

  #stepFunding(nowMs: number, dtMs: number): void {
    const rng = this.#rng;
    this.#premium = this.#premium * Math.exp(-dtMs / 3_600_000) +
      0.000004 * Math.sqrt(dtMs / 60_000) * rng.normal();
    if (nowMs >= this.#spikeUntil && rng.next() < 1 - Math.exp(-dtMs / SPIKE_EVERY_MS)) {
      this.#spikeUntil = nowMs + rng.exponential(SPIKE_MEAN_MS);
      // A spike: 20x to 60x the baseline, in either direction.
      this.#premium = (rng.next() < 0.5 ? -1 : 1) * BASE_FUNDING_HOURLY * (20 + 40 * rng.next());
    }
    const f = BASE_FUNDING_HOURLY + this.#premium;
    this.funding = this.#steer.funding ??
      Math.max(-FUNDING_CAP_HOURLY, Math.min(FUNDING_CAP_HOURLY, f));
  }

  /** Regenerates both sides around the mid: spread and depth follow the regime. */
  #rebuildBook(): void {
    const rng = this.#rng;
    const szd = this.coin.szDecimals;
    const half = this.mid * this.#halfSpreadFraction() * Math.exp(0.25 * rng.normal());
    let bestBid = roundPerpPrice(Math.max(this.mid - half, this.mid * 0.5), szd, "down");
    let bestAsk = roundPerpPrice(this.mid + half, szd, "up");
    if (bestAsk <= bestBid) bestAsk = roundPerpPrice(bestBid + priceTick(bestBid, szd), szd, "up");
    if (bestBid >= bestAsk) {
      bestBid = roundPerpPrice(bestAsk - priceTick(bestAsk, szd), szd, "down");
    }
    // Each level holds about 5 s of the coin's volume (at least $50).
    const levelUsd = Math.max(50, this.coin.dayNtlVlm / MS_PER_DAY * 5_000) /
      (this.turbulent ? TURBULENT_DEPTH_DIV : 1);
    this.bids = this.#side(bestBid, -1, levelUsd, this.bids);
    this.asks = this.#side(bestAsk, 1, levelUsd, this.asks);
  }

  #side(best: number, dir: 1 | -1, levelUsd: number, previous: readonly Level[]): Level[] {
    // Resting crowd size persists at a price from one redraw to the next and drifts toward a
    // fresh draw, so queues change gradually (cancels and joins) rather than at random.
    const before = new Map<number, number>();
    for (const l of previous) before.set(l.px, l.sz);
    const rng = this.#rng;
    const szd = this.coin.szDecimals;
    const lot = Math.pow(10, -szd);
    const levels: Level[] = [];
    // Levels step on an integer tick grid. Going down the grid only gets finer below a power of
    // ten, so the current one stays valid; going up it coarsens at the next power of ten, where
    // the price is snapped again.
    let px = best;
    let scale = 1;
    let ticks = 0;
    let ceiling = Infinity;
    const regrid = (p: number) => {
      scale = Math.pow(10, Math.round(-Math.log10(priceTick(p, szd))));
      ticks = Math.round(p * scale);
      ceiling = dir === 1 ? Math.pow(10, Math.floor(Math.log10(p) + 1e-12) + 1) : Infinity;
    };
    regrid(best);
    for (let k = 0; k < CROWD_LEVELS && ticks > 0; k++) {
      px = ticks / scale;
      if (px >= ceiling) {
        regrid(roundPerpPrice(px, szd, "up"));
        px = ticks / scale;
      }
      const usd = levelUsd * (1 + 0.25 * k) * Math.exp(0.5 * rng.normal());
      const old = before.get(px);
      const fresh = usd / px;
      const sz = Math.max(
        lot,
        roundLots(old === undefined ? fresh : old + PERSIST_DRIFT * (fresh - old), szd),
      );
      const n = 1 + Math.min(199, rng.poisson(usd / 2_000));
      levels.push({ px, sz, n });
      ticks += dir * (this.turbulent ? 1 + rng.int(3) : (rng.next() < 0.2 ? 2 : 1));
    }
    return levels;
  }
}

/** Rounds a size down to whole lots of 10^-szDecimals. */
export function roundLots(sz: number, szDecimals: number): number {
  const scale = Math.pow(10, szDecimals);
  return Math.floor(sz * scale + 1e-9) / scale;
}

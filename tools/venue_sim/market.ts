/**
 * One coin's seeded synthetic market, fitted to real Hyperliquid recordings (market_profile.ts):
 * a fair price that diffuses with a volatility that switches between a calm and a turbulent
 * regime, and a crowd of individual resting orders around it. Every price on the coin's tick grid
 * holds its own FIFO queue of crowd orders that join at the back at fitted rates (more orders,
 * and larger ones, further from the fair price), are cancelled from anywhere in the queue at a
 * fitted rate, and are consumed from the front by takers, so levels persist, thin out, vanish and
 * refill as on the exchange, and a hole in the grid is a queue that emptied, never a random step.
 * Orders left on the wrong side of a moving fair price are cancelled (makers repricing), so the
 * crowd's book never crosses. Takers arrive as a Poisson process with fitted sizes, faster in the
 * turbulent regime and in bursts of one-sided flow, and move the fair price (permanent impact).
 * Funding is hourly and can spike. All times are market time: the simulator's `--rate` runs
 * market time faster and never changes these shapes. Everything is drawn from one seeded
 * generator, so a seed fixes the whole stream.
 */
import { priceTick } from "../../engine/hyperliquid/wire.ts";
import {
  FUNDING_CAP_HOURLY,
  MIN_ORDER_VALUE_USD,
} from "../../engine/hyperliquid/exchange_facts.ts";
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { type GeneratorParams, profileFor } from "./market_profile.ts";
import { Rng } from "./rng.ts";
import type { SimCoin } from "./universe.ts";

/** One crowd order resting at a price: its place in the queue and its size (coin units). */
export interface CrowdOrder {
  /** Arrival number, shared with the account's orders on the coin: lower is ahead. */
  seq: number;
  sz: number;
  /** A dust order (minimum size, long-lived; see {@link GeneratorParams.dustShare}). */
  dust?: boolean;
}

/** One level of the book (prices on the coin's tick grid). */
export interface Level {
  px: number;
  sz: number;
  n: number;
  /** The crowd's FIFO queue at this price, front first (synthetic market only; not replays). */
  orders?: CrowdOrder[];
}

/** A taker order from the simulated crowd: it sweeps the opposite side of the book. */
export interface TakerOrder {
  side: TakerSide;
  /** Size in coin units. */
  sz: number;
  /** When it arrived within the step, as a share of the step (0: its start, 1: its end). */
  at: number;
  /**
   * Set for the sweep of dust a move of the fair price left on the wrong side (an arbitrageur
   * taking stale orders): its prints, best price first, already taken off the book.
   */
  stale?: { px: number; sz: number }[];
}
/**
 * What a test (or `POST /control {"market":…}`) forces on one coin's synthetic market. Each
 * field left out keeps its current setting; `"auto"`, `null` or 0 hands it back to the model.
 */
export interface MarketSteer {
  /** Pin the volatility regime, or `"auto"` to let it switch by itself. */
  regime?: "calm" | "turbulent" | "auto";
  /** Volatility of the mid, fraction per √day, before the turbulent ×3.5 (null: the fitted one). */
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

const MS_PER_DAY = 86_400_000;
/** Hyperliquid's funding baseline per hour (0.01 % per 8 h, paid hourly). */
export const BASE_FUNDING_HOURLY = 0.0000125;
// Mean regime durations (ms): long calm stretches, shorter turbulent episodes.
const CALM_MEAN_MS = 600_000;
const TURBULENT_MEAN_MS = 90_000;
const TURBULENT_VOL_MULT = 3.5;
// In the turbulent regime crowd orders are this many times smaller (the book thins out).
const TURBULENT_DEPTH_DIV = 2.5;
const TURBULENT_TAKER_MULT = 2;
// One-sided bursts: how often they start (calm / turbulent), how long they last, how one-sided.
const BURST_EVERY_CALM_MS = 60_000;
const BURST_EVERY_TURBULENT_MS = 20_000;
const BURST_MEAN_MS = 8_000;
const BURST_SIDE_SHARE = 0.85;
const BURST_RATE_MULT = 3;
const TURBULENT_SHARE = TURBULENT_MEAN_MS / (CALM_MEAN_MS + TURBULENT_MEAN_MS);
/**
 * The calm volatility and taker rate are the fitted averages divided by these, so that over the
 * regimes and bursts the mixture matches the recording (time shares from the means above).
 */
export const VOL_MIX = Math.sqrt(
  1 - TURBULENT_SHARE + TURBULENT_SHARE * TURBULENT_VOL_MULT ** 2,
);
const BURST_SHARE_CALM = BURST_MEAN_MS / (BURST_EVERY_CALM_MS + BURST_MEAN_MS);
const BURST_SHARE_TURBULENT = BURST_MEAN_MS / (BURST_EVERY_TURBULENT_MS + BURST_MEAN_MS);
/** Average taker-rate multiplier of the regimes and bursts (see {@link VOL_MIX}). */
export const TAKER_MIX = (1 - TURBULENT_SHARE) * (1 + (BURST_RATE_MULT - 1) * BURST_SHARE_CALM) +
  TURBULENT_SHARE * TURBULENT_TAKER_MULT * (1 + (BURST_RATE_MULT - 1) * BURST_SHARE_TURBULENT);
// Funding spikes: about one every 2 h, lasting ~10 min.
const SPIKE_EVERY_MS = 7_200_000;
const SPIKE_MEAN_MS = 600_000;
/**
 * Hyperliquid's block spacing in market time, ms (engine/hyperliquid/README.md § Update cadence:
 * `bbo` about 70–100 ms apart on BTC): the venue applies crowd takers at block times, after the
 * account's cancels and post-only orders that reached it within the block.
 */
export const BLOCK_MS = 85;
// A dust order's notional over the exchange's minimum (the recordings' BTC dust, 0.00011 BTC, is
// $12 at $110,000).
const DUST_OVER_MIN = 1.1;
// A taker as large as the best level moves the fair price by this many ticks (square-root law).
const IMPACT_TICKS = 1;
const IMPACT_CAP = 4;

/** The evolving state of one coin's synthetic market. */
export class CoinMarket {
  readonly coin: SimCoin;
  readonly asset: number;
  /** Fair price (USD): the crowd quotes around it; the venue's oracle, mark and mid. */
  mid: number;
  turbulent = false;
  /** Current hourly funding rate. */
  funding = BASE_FUNDING_HOURLY;
  /** Side of the current one-sided burst, or null. */
  burst: TakerSide | null = null;
  /** Bids, best (highest) first. */
  bids: Level[] = [];
  /** Asks, best (lowest) first. */
  asks: Level[] = [];
  /** Open interest in coin units (for asset contexts). */
  openInterest: number;
  /** Notional traded since start, USD. */
  tradedUsd = 0;
  readonly prevDayPx: number;
  /** The fitted profile this coin draws from (a fitted coin's name). */
  readonly profile: string;
  readonly #params: GeneratorParams;
  /** Size factor against the profile (the coin's volume over the profile's). */
  readonly #scale: number;
  /**
   * The arrival number of the account's youngest unpaid post-only order at a price (placed within
   * the exchange's 400 ms priority window), or null; set by the venue.
   */
  overtake: ((isBid: boolean, px: number) => number | null) | null = null;
  /** Share of crowd orders joining such a price that pay a priority fee and go ahead of it. */
  priorityShare = 0;
  /** How many crowd orders overtook one of the account's orders so far. */
  overtakes = 0;
  /** How many crowd orders joined a price while one of the account's young orders was there. */
  overtakeChances = 0;
  readonly #rng: Rng;
  #seq = 0;
  #scaleTicks = 1;
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
  /** Dust taken off the book by moves of the fair price, owed as prints (bids, then asks). */
  #stale: [{ px: number; sz: number }[], { px: number; sz: number }[]] = [[], []];

  /** Creates the market of `coin` (asset id `asset`) from its own seed. */
  constructor(coin: SimCoin, asset: number, seed: number, params?: GeneratorParams) {
    this.coin = coin;
    this.asset = asset;
    this.#rng = new Rng(seed);
    this.mid = coin.startPx;
    this.prevDayPx = coin.startPx * Math.exp(coin.dailyVol * this.#rng.normal());
    this.openInterest = coin.dayNtlVlm / coin.startPx / 3;
    const fitted = params
      ? { name: coin.name, params, scale: 1 }
      : profileFor(coin, priceTick(coin.startPx, coin.szDecimals) / coin.startPx);
    this.profile = fitted.name;
    this.#params = fitted.params;
    this.#scale = fitted.scale;
    this.#seedBook();
  }

  /** The seeded generator, shared with whoever draws this coin's synthetic trade ids. */
  get rng(): Rng {
    return this.#rng;
  }

  /** Price increment at the current mid. */
  get tick(): number {
    return priceTick(this.mid, this.coin.szDecimals);
  }

  /** The next arrival number on this coin (crowd orders and the account's orders share it). */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Crowd size resting ahead of an order with arrival number `seq` at `px` on one side. */
  crowdAhead(isBid: boolean, px: number, seq: number): number {
    const level = (isBid ? this.bids : this.asks).find((l) => l.px === px);
    let ahead = 0;
    for (const o of level?.orders ?? []) if (o.seq < seq) ahead += o.sz;
    return cleanLots(ahead);
  }

  /** Market time until the next book snapshot, ms (drawn from the fitted cadence). */
  nextIntervalMs(): number {
    const c = this.#params.cadenceMs;
    return Math.max(1, drawBetween(this.#rng.next(), c.p10, c.p50, c.p90));
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
      this.#seedBook();
    }
    if (steer.burst !== undefined) {
      this.burst = next.burst?.side ?? null;
      this.#burstUntil = next.burst?.untilMs ?? 0;
      this.#burstShare = next.burst?.share ?? BURST_SIDE_SHARE;
    }
  }

  /**
   * Moves the market forward by `dtMs` of market time (ending at market time `nowMs`) and returns
   * the takers that arrived meanwhile, for the venue to match against the book.
   */
  step(nowMs: number, dtMs: number): TakerOrder[] {
    const rng = this.#rng;
    const steer = this.#steer;
    const p = this.#params;
    const switchMean = this.turbulent ? TURBULENT_MEAN_MS : CALM_MEAN_MS;
    // The draw is made even when the regime is pinned, so the rest of the stream stays aligned.
    const switches = rng.next() < 1 - Math.exp(-dtMs / switchMean);
    if (steer.regime === "auto") {
      if (switches) this.turbulent = !this.turbulent;
    } else this.turbulent = steer.regime === "turbulent";

    const sigma =
      (steer.dailyVol !== null
        ? steer.dailyVol / Math.sqrt(MS_PER_DAY)
        : p.sigmaPerSqrtMs / VOL_MIX) * (this.turbulent ? TURBULENT_VOL_MULT : 1);
    let mid = this.mid;
    if (rng.next() < 1 - Math.exp(-p.movesPerMs * dtMs)) {
      mid *= Math.exp(sigma / Math.sqrt(p.movesPerMs) * rng.normal());
    }
    if (steer.driftPerMinute !== 0) mid *= Math.exp(steer.driftPerMinute * dtMs / 60_000);
    this.#moveFair(mid);

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
    this.#evolveBook(dtMs);
    const takers = this.#staleSweeps();

    const rate = p.takersPerMs / TAKER_MIX * (this.turbulent ? TURBULENT_TAKER_MULT : 1) *
      (this.burst ? BURST_RATE_MULT : 1);
    const count = rng.poisson(rate * dtMs);
    const t = p.takerUsd;
    for (let i = 0; i < count; i++) {
      let side: TakerSide;
      if (this.burst) {
        side = rng.next() < this.#burstShare ? this.burst : (this.burst === "B" ? "A" : "B");
      } else side = rng.next() < 0.5 ? "B" : "A";
      const u = rng.next();
      const usd = this.#scale * Math.exp(
        u < 0.9
          ? drawBetween(u, Math.log(t.p10), Math.log(t.p50), Math.log(t.p90))
          : Math.log(t.p90) + (u - 0.9) / 0.09 * Math.log(t.p99 / t.p90),
      );
      const lot = Math.pow(10, -this.coin.szDecimals);
      const sz = Math.max(lot, roundLots(usd / this.mid, this.coin.szDecimals));
      takers.push({ side, sz, at: rng.next() });
    }
    takers.sort((a, b) => a.at - b.at);
    return takers;
  }

  /**
   * Counts a taker of `usd` notional on `side` and shifts the fair price after it (permanent
   * price impact), unless `moves` is false (a trade the fair price already reflects). Returns
   * the sweeps of the dust the move left on the wrong side, for the venue to print at once.
   */
  impact(side: TakerSide, usd: number, moves = true): TakerOrder[] {
    this.tradedUsd += usd;
    if (!moves) return [];
    const best = side === "B" ? this.asks[0] : this.bids[0];
    const depthUsd = Math.max(1, (best?.sz ?? 0) * this.mid);
    const move = IMPACT_TICKS * this.tick / this.mid *
      Math.min(IMPACT_CAP, Math.sqrt(usd / depthUsd));
    this.#moveFair(this.mid * (side === "B" ? 1 + move : 1 - move));
    return this.#staleSweeps();
  }

  /** The owed sweeps of stale dust (sellers hit the bids, buyers lift the asks), counted traded. */
  #staleSweeps(): TakerOrder[] {
    const out: TakerOrder[] = [];
    for (const [prints, side] of [[this.#stale[0], "A"], [this.#stale[1], "B"]] as const) {
      if (prints.length === 0) continue;
      const sz = cleanLots(prints.reduce((s, x) => s + x.sz, 0));
      this.tradedUsd += prints.reduce((s, x) => s + x.px * x.sz, 0);
      out.push({ side, sz, at: 0, stale: prints });
    }
    this.#stale = [[], []];
    return out;
  }

  /**
   * After a sweep consumed crowd size (it lowers `sz` and drops emptied levels): takes the eaten
   * size off the front of each level's queue, so the FIFO queues and the levels agree again.
   */
  settle(): void {
    for (const side of [this.bids, this.asks]) {
      for (const level of side) {
        const orders = level.orders;
        if (!orders) continue;
        let extra = cleanLots(orders.reduce((s, o) => s + o.sz, 0) - level.sz);
        while (extra > 1e-12 && orders.length > 0) {
          const eat = Math.min(extra, orders[0].sz);
          orders[0].sz = cleanLots(orders[0].sz - eat);
          extra = cleanLots(extra - eat);
          if (orders[0].sz <= 1e-12) orders.shift();
        }
        level.n = orders.length;
      }
    }
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

  /** Grid index of the nearest price strictly on `dir`'s side of the fair price (bids -1). */
  #base(dir: 1 | -1): number {
    const x = this.mid * this.#scaleTicks;
    const near = Math.round(x);
    // A fair price within float noise of a grid price sits on it: neither side may quote there.
    const on = Math.abs(x - near) < 1e-7 * Math.max(1, Math.abs(x));
    if (dir === -1) return on ? near - 1 : Math.floor(x);
    return on ? near + 1 : Math.ceil(x);
  }

  #px(index: number): number {
    return index / this.#scaleTicks;
  }

  /** A new crowd order's size (coin units) k ticks behind the fair price. */
  #orderSize(k: number, px: number): number {
    const p = this.#params;
    const usd = p.orderUsdAt[Math.min(k, p.orderUsdAt.length - 1)] * this.#scale *
      Math.exp(p.orderUsdSigma * this.#rng.normal()) /
      (this.turbulent ? TURBULENT_DEPTH_DIV : 1);
    return Math.max(Math.pow(10, -this.coin.szDecimals), roundLots(usd / px, this.coin.szDecimals));
  }

  /** A dust order's size at `px`: the smallest whole lots worth the exchange's minimum and more. */
  #dustSize(px: number): number {
    const lot = Math.pow(10, -this.coin.szDecimals);
    return cleanLots(Math.ceil(MIN_ORDER_VALUE_USD * DUST_OVER_MIN / px / lot) * lot);
  }

  /**
   * Puts a new crowd order (of `sz`, or a fresh size for k ticks behind the fair price) at the
   * back of the queue at grid index `index` on one side.
   */
  #join(
    side: Level[],
    dir: 1 | -1,
    index: number,
    k: number,
    size?: number,
    dust = size === undefined && this.#rng.next() < this.#params.dustShare,
  ): void {
    const px = this.#px(index);
    if (!(px > 0)) return;
    let i = 0;
    while (i < side.length && (dir === -1 ? side[i].px > px : side[i].px < px)) i++;
    let level = side[i];
    if (!level || level.px !== px) {
      level = { px, sz: 0, n: 0, orders: [] };
      side.splice(i, 0, level);
    }
    const sz = size ?? (dust ? this.#dustSize(px) : this.#orderSize(k, px));
    const orders = level.orders ??= [];
    const young = this.overtake?.(dir === -1, px) ?? null;
    if (young !== null) this.overtakeChances++;
    if (young !== null && this.#rng.next() < this.priorityShare) {
      // A priority-paying order: re-sorted ahead of the young post-only order, behind the rest.
      let at = orders.length;
      while (at > 0 && orders[at - 1].seq > young) at--;
      orders.splice(at, 0, { seq: young - 0.5 / (orders.length + 2), sz, ...(dust && { dust }) });
      this.overtakes++;
    } else orders.push({ seq: this.nextSeq(), sz, ...(dust && { dust }) });
    level.sz = cleanLots(level.sz + sz);
    level.n = orders.length;
  }

  /**
   * Moves the fair price to `mid`. Crowd orders the move leaves on the wrong side are re-placed
   * at the same distance behind the new price (makers requoting: cancelled, then at the back of
   * a new queue), except dust, which nobody watches: an arbitrageur takes it (owed as prints,
   * so the price leaves the book through trades, as on the exchange). On the other side each
   * order but dust follows the move with the fitted share, so the touch stays as deep as the
   * recordings show and queues behind the old price thin out.
   */
  #moveFair(mid: number): void {
    const before = [this.#base(-1), this.#base(1)];
    this.mid = mid;
    if (this.#gridChanged()) return;
    const follow = this.#params.followShare;
    const rng = this.#rng;
    for (
      const [side, dir, old] of [[this.bids, -1, before[0]], [this.asks, 1, before[1]]] as const
    ) {
      const base = this.#base(dir);
      if (base === old) continue;
      const moved: { k: number; sz: number; dust: boolean }[] = [];
      for (let i = 0; i < side.length; i++) {
        const level = side[i];
        const index = Math.round(level.px * this.#scaleTicks);
        const wrong = dir === -1 ? index > base : index < base;
        const k = dir * (index - old);
        if (!level.orders) {
          if (wrong) side.splice(i--, 1);
          continue;
        }
        let kept = 0;
        let sz = 0;
        for (const o of level.orders) {
          if (wrong && o.dust) {
            this.#stale[dir === -1 ? 0 : 1].push({ px: level.px, sz: o.sz });
          } else if (wrong || (!o.dust && rng.next() < follow)) {
            moved.push({ k, sz: o.sz, dust: o.dust === true });
          } else {
            level.orders[kept++] = o;
            sz += o.sz;
          }
        }
        level.orders.length = kept;
        level.sz = cleanLots(sz);
        level.n = kept;
        if (kept === 0) side.splice(i--, 1);
      }
      for (const m of moved) this.#join(side, dir, base + dir * m.k, m.k, m.sz, m.dust);
    }
  }

  /** Whether the price crossed a power of ten that changes its tick (the book was redrawn). */
  #gridChanged(): boolean {
    const scale = Math.round(1 / this.tick);
    if (scale === this.#scaleTicks) return false;
    this.#seedBook();
    return true;
  }

  /** Cancellations, repricing and arrivals over `dtMs` of market time, on both sides. */
  #evolveBook(dtMs: number): void {
    const rng = this.#rng;
    const p = this.#params;
    const keep = Math.exp(-p.cancelPerMs * dtMs);
    const keepDust = Math.exp(-p.dustCancelPerMs * dtMs);
    for (const [side, dir] of [[this.bids, -1], [this.asks, 1]] as const) {
      for (let i = 0; i < side.length; i++) {
        const level = side[i];
        const orders = level.orders;
        if (!orders) continue;
        let kept = 0;
        let sz = 0;
        for (const o of orders) {
          if (rng.next() < (o.dust ? keepDust : keep)) {
            orders[kept++] = o;
            sz += o.sz;
          }
        }
        orders.length = kept;
        level.sz = cleanLots(sz);
        level.n = kept;
        if (kept === 0) side.splice(i--, 1);
      }
      const base = this.#base(dir);
      const arrivals = p.cancelPerMs * dtMs;
      for (let k = 0; k < p.ordersAt.length; k++) {
        const n = rng.poisson(p.ordersAt[k] * arrivals);
        for (let j = 0; j < n; j++) this.#join(side, dir, base + dir * k, k);
      }
    }
  }

  /** Draws a whole book from the stationary state of the queues (at start and on a new grid). */
  #seedBook(): void {
    const p = this.#params;
    this.#scaleTicks = Math.round(1 / this.tick);
    this.bids = [];
    this.asks = [];
    this.#stale = [[], []];
    for (const [side, dir] of [[this.bids, -1], [this.asks, 1]] as const) {
      const base = this.#base(dir);
      // Each class at its stationary mean: arrivals over its own cancel rate.
      const dustMean = p.dustShare * p.cancelPerMs / p.dustCancelPerMs;
      for (let k = 0; k < p.ordersAt.length; k++) {
        const n = this.#rng.poisson(p.ordersAt[k] * (1 - p.dustShare));
        for (let j = 0; j < n; j++) this.#join(side, dir, base + dir * k, k, undefined, false);
        const dust = this.#rng.poisson(p.ordersAt[k] * dustMean);
        for (let j = 0; j < dust; j++) this.#join(side, dir, base + dir * k, k, undefined, true);
      }
    }
  }
}

/**
 * A value drawn through three quantiles by a uniform `u` in (0, 1): linear between p10, p50 and
 * p90, and out to p10 − (p50 − p10) / 4 and p90 + (p90 − p50) / 4 beyond them.
 */
export function drawBetween(u: number, p10: number, p50: number, p90: number): number {
  if (u < 0.1) return p10 - (0.1 - u) / 0.1 * (p50 - p10) / 4;
  if (u < 0.5) return p10 + (u - 0.1) / 0.4 * (p50 - p10);
  if (u < 0.9) return p50 + (u - 0.5) / 0.4 * (p90 - p50);
  return p90 + (u - 0.9) / 0.1 * (p90 - p50) / 4;
}

function cleanLots(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/** Rounds a size down to whole lots of 10^-szDecimals. */
export function roundLots(sz: number, szDecimals: number): number {
  const scale = Math.pow(10, szDecimals);
  return Math.floor(sz * scale + 1e-9) / scale;
}

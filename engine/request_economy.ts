/**
 * The request economy: keeps requests per USDC traded under a target by widening the requote
 * tolerance, lengthening the minimum resting time and spacing requote batches further apart,
 * long before the address budget's reserve would pause quoting.
 *
 * Trading earns one address request per USDC (engine/hyperliquid/README.md § Rate limits), so a bot
 * spending more than one request per USDC drains its account's budget until the exchange caps it at
 * one action per 10 s. The economy watches requests and volume over a decaying window (half-life
 * {@link ECONOMY_HALF_LIFE_MS}) and computes
 *
 *     pressure = requests / (target × volume + GRACE_REQUESTS)
 *
 * where the grace lets a session start (placing the first grid costs 6 requests a coin before
 * any fill). An integral controller steers the pressure to {@link PRESSURE_SET_POINT}: the scale
 * s (1 to {@link MAX_SCALE}) grows by e per {@link CONTROL_TIME_MS} of market time spent one unit
 * above the set point and shrinks the same way below it. s multiplies the share of each level's
 * distance an order may drift (capped at {@link MAX_SHARE}), and s² multiplies the minimum
 * resting time and the shortest time between requote batches. A proportional rule stalls above
 * the target once the share is capped; the integral one keeps slowing until the target holds.
 * Market time only, so replays are deterministic.
 *
 * Measured on the 35-minute real Hyperliquid recording (BENCHMARKS.md, "Request economy"), the
 * requote rule alone holds 0.43 requests per USDC there: the economy is the guard for markets and
 * settings that spend more, not a cost paid everywhere.
 */

/** Half-life of the requests and volume the pressure is computed from, ms (10 minutes). */
export const ECONOMY_HALF_LIFE_MS = 600_000;

/**
 * Requests allowed on top of the target before any volume, within the decaying window: about
 * two full 30-coin grids (180 orders each), enough to start without widening at once.
 */
export const GRACE_REQUESTS = 500;

/**
 * The pressure the controller steers to: a fifth under the target, as margin for the session's
 * first minutes, which spend before the controller can have risen. Each step of widening costs
 * volume, so the set point is no lower: on the real recording and the demo market 0.6 held 0.33–0.38
 * requests per USDC with a third less volume than 0.8, which holds 0.40–0.43 (BENCHMARKS.md).
 */
export const PRESSURE_SET_POINT = 0.8;

/** How fast the scale follows the pressure: e-fold per this much market time at error 1, ms. */
export const CONTROL_TIME_MS = 30_000;

/** Largest tolerance and resting-time scale. */
export const MAX_SCALE = 4;

/** Largest share of a level's distance from mid an order may drift, however high the pressure. */
export const MAX_SHARE = 1;

/** Requests per USDC, or null before any volume. */
export function requestsPerUsdc(requests: number, volumeUsd: number): number | null {
  return volumeUsd > 0 ? requests / volumeUsd : null;
}

/** Tracks the request economy of one session. */
export class RequestEconomy {
  /** The target, requests per USDC traded (`MM_MAX_REQUESTS_PER_USDC`). */
  readonly target: number;
  #lastMs = NaN;
  #lastRequests = 0;
  #lastVolume = 0;
  #requests = 0;
  #volume = 0;
  #scale = 1;
  /** The last tick's step and decay: ticks come at one period, so Math.pow is seldom needed. */
  #decayDtMs = 0;
  #decay = 1;

  /** `target` > 0: requests per USDC the controller keeps the session under. */
  constructor(target: number) {
    if (!(target > 0 && Number.isFinite(target))) {
      throw new Error(`request economy: target must be a positive number, got ${target}`);
    }
    this.target = target;
  }

  /**
   * Takes the session's totals at `nowMs` (requests sent, volume traded in USD; both only
   * grow) and recomputes the scale.
   */
  update(nowMs: number, requestsTotal: number, volumeUsdTotal: number): void {
    if (Number.isNaN(this.#lastMs)) {
      this.#lastMs = nowMs;
      this.#lastRequests = requestsTotal;
      this.#lastVolume = volumeUsdTotal;
      return;
    }
    const dt = Math.max(0, nowMs - this.#lastMs);
    if (dt !== this.#decayDtMs) {
      this.#decayDtMs = dt;
      this.#decay = dt > 0 ? Math.pow(0.5, dt / ECONOMY_HALF_LIFE_MS) : 1;
    }
    const decay = this.#decay;
    this.#requests = this.#requests * decay + Math.max(0, requestsTotal - this.#lastRequests);
    this.#volume = this.#volume * decay + Math.max(0, volumeUsdTotal - this.#lastVolume);
    this.#lastMs = nowMs;
    this.#lastRequests = requestsTotal;
    this.#lastVolume = volumeUsdTotal;
    // Integral control: the scale grows while the pressure is above the set point and shrinks
    // below it, each by e per CONTROL_TIME_MS of pressure error. At the floor with the pressure
    // at or under the set point the step is at most 1 and the scale stays 1: no Math.exp needed.
    const pressure = this.pressure;
    if (this.#scale === 1 && pressure <= PRESSURE_SET_POINT) return;
    const step = Math.exp(((pressure - PRESSURE_SET_POINT) * dt) / CONTROL_TIME_MS);
    this.#scale = Math.min(MAX_SCALE, Math.max(1, this.#scale * step));
  }

  /** Recent requests over what the target allows for recent volume (1 = at the target). */
  get pressure(): number {
    return this.#requests / (this.target * this.#volume + GRACE_REQUESTS);
  }

  /** The factor on the requote share and (squared) on the minimum resting time, 1..MAX_SCALE. */
  get scale(): number {
    return this.#scale;
  }

  /** The requote share to use for a configured `share`. */
  share(share: number): number {
    return Math.max(share, Math.min(MAX_SHARE, share * this.#scale));
  }

  /** The minimum resting time to use for a configured `minRestMs`. */
  minRestMs(minRestMs: number): number {
    return minRestMs * this.#scale * this.#scale;
  }

  /** The factor on the shortest time between requote batches (the scale squared, 1..16). */
  slowdown(): number {
    return this.#scale * this.#scale;
  }
}

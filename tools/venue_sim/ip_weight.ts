/**
 * The exchange's per-IP request weight (engine/hyperliquid/README.md § Rate limits), enforced by
 * the venue: 1200 weight in any sliding 60 s window, shared by `POST /info`, `POST /exchange` and
 * (the stricter reading of engine/hyperliquid/README.md § WebSocket, where it is undocumented)
 * WebSocket `post` requests. Every loopback client is one IP, so the venue keeps one window. A
 * request that does not fit is refused before it runs and spends nothing. Weights are the engine's
 * own (engine/hyperliquid/weight_budget.ts), so the venue and the engine's budget cannot disagree
 * about what a request costs. Time is the venue's virtual clock, so a manual-clock test slides the
 * window with `advance`.
 */
import { IP_WEIGHT_PER_MINUTE, WEIGHT_WINDOW_MS } from "../../engine/hyperliquid/exchange_facts.ts";
import {
  exchangeWeight,
  infoItemWeight,
  infoWeight,
} from "../../engine/hyperliquid/weight_budget.ts";
import { batchLength } from "./exchange_handler.ts";
import { isRecord } from "../../engine/util/guards.ts";

/** Where a request came in: REST `/info`, REST `/exchange`, or a WebSocket `post`. */
export type WeightEndpoint = "info" | "exchange" | "post";

/** The per-IP weight as `GET /control` reports it. */
export interface IpWeightState {
  /** Weight allowed in any 60 s window (0: not enforced, still counted). */
  limit: number;
  /** Weight spent in the 60 s up to now. */
  usedLastMinute: number;
  /** The most weight spent in one 60 s window since start. */
  peakPerMinute: number;
  /** Requests refused for weight (HTTP 429, or an error answer to a WS post). */
  refusals: number;
  /** Weight spent since start, per endpoint. */
  byEndpoint: Record<WeightEndpoint, number>;
}

/** Checks the `ipWeightLimit` option (0 turns enforcement off); returns it. */
export function checkIpWeightLimit(n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(
      `ipWeightLimit must be a non-negative integer (0: off), got ${JSON.stringify(n)}`,
    );
  }
  return n;
}

/**
 * Weight of a request before it runs: an info request by its `type` (2, 20 or 60), an action by its
 * batch, `1 + floor(n / 40)` for n orders, cancels or modifies
 * (engine/hyperliquid/README.md § Rate limits). A body the venue cannot read is weighed like an
 * unknown info type (20) or a lone action (1).
 */
export function requestWeight(kind: "info" | "action", body: unknown): number {
  const b = isRecord(body) ? body : {};
  if (kind === "info") return infoWeight(typeof b.type === "string" ? b.type : "");
  return exchangeWeight(batchLength(b.action));
}

/** The venue's one per-IP weight window, with the counters `/control` shows. */
export class IpWeight {
  /** Weight allowed in any 60 s window; 0 counts without refusing. */
  readonly limit: number;
  readonly #now: () => number;
  // Spent weight in time order; entries older than the window are dropped from the front.
  #log: { at: number; weight: number }[] = [];
  #head = 0;
  #spent = 0;
  #peak = 0;
  #refusals = 0;
  readonly #byEndpoint: Record<WeightEndpoint, number> = { info: 0, exchange: 0, post: 0 };

  /** `limit` per 60 s (default 1200, 0 = off); `now` is the venue's virtual clock, ms. */
  constructor(options: { limit?: number; now: () => number }) {
    this.limit = checkIpWeightLimit(options.limit ?? IP_WEIGHT_PER_MINUTE);
    this.#now = options.now;
  }

  #expire(now: number): void {
    while (this.#head < this.#log.length && this.#log[this.#head].at <= now - WEIGHT_WINDOW_MS) {
      this.#spent -= this.#log[this.#head++].weight;
    }
    // Compact once the dropped prefix dominates, so the log stays about one window long.
    if (this.#head > 1024 && this.#head * 2 > this.#log.length) {
      this.#log = this.#log.slice(this.#head);
      this.#head = 0;
    }
  }

  #spend(endpoint: WeightEndpoint, now: number, weight: number): void {
    this.#log.push({ at: now, weight });
    this.#spent += weight;
    this.#byEndpoint[endpoint] += weight;
    if (this.#spent > this.#peak) this.#peak = this.#spent;
  }

  /**
   * Spends `weight` for a request about to run and returns true, or, when it would take the
   * window past the limit, counts a refusal, spends nothing and returns false.
   */
  admit(endpoint: WeightEndpoint, weight: number): boolean {
    const now = this.#now();
    this.#expire(now);
    if (this.limit > 0 && this.#spent + weight > this.limit) {
      this.#refusals++;
      return false;
    }
    this.#spend(endpoint, now, weight);
    return true;
  }

  /**
   * Charges an info answer's per-item surcharge (+1 per 20 fills or trades returned;
   * engine/hyperliquid/README.md § Rate limits). It is known only once the request has run, so it
   * may take the window past the limit; the next request then waits.
   */
  surcharge(endpoint: WeightEndpoint, body: unknown, answer: unknown): void {
    const type = (body as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !Array.isArray(answer)) return;
    const extra = infoItemWeight(type, answer.length);
    if (extra <= 0) return;
    const now = this.#now();
    this.#expire(now);
    this.#spend(endpoint, now, extra);
  }

  /** The counters for `GET /control`. */
  state(): IpWeightState {
    this.#expire(this.#now());
    return {
      limit: this.limit,
      usedLastMinute: this.#spent,
      peakPerMinute: this.#peak,
      refusals: this.#refusals,
      byEndpoint: { ...this.#byEndpoint },
    };
  }
}

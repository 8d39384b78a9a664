/**
 * The venue's control surface, shared by the `/control` HTTP endpoint and the programmatic
 * handle: inject and clear faults, step the virtual clock, force a crowd taker, steer a coin's
 * synthetic market (regime, volatility, trend, jump, funding, one-sided bursts), set the
 * account's spent address-based requests, and report what the venue believes (positions, open
 * orders, fills, the per-IP request weight spent) so a test can compare it with the engine.
 */
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { num, usd } from "./format.ts";
import {
  type Fault,
  FAULT_KINDS,
  type FaultKind,
  type FaultState,
  validateFault,
} from "./faults.ts";
import type { IpWeight, IpWeightState } from "./ip_weight.ts";
import type { MarketSteer, SteerState } from "./market.ts";
import { checkRequestsUsed, type Simulator, type WsTrade } from "./simulator.ts";
import type { StreamHub } from "./streams.ts";

/** What the venue believes about the account (and its own condition). */
export interface VenueState {
  time: number;
  account: string;
  balanceUsd: string;
  positions: { coin: string; szi: string; entryPx: string }[];
  openOrders: {
    oid: number;
    cloid: string | null;
    coin: string;
    side: "B" | "A";
    px: string;
    sz: string;
    origSz: string;
    /** Crowd size still ahead of the order at its price (coin units). */
    queueAhead: string;
  }[];
  fills: number;
  /** Crowd orders that paid a priority fee and went ahead of a young post-only order of ours. */
  priorityOvertakes: number;
  /** Priority fees the account paid for its own orders, USD (priority.ts). */
  priorityFeesUsd: string;
  /** Cancels the account sent as fast cancels (`f: true`). */
  fastCancels: number;
  /** The account's mode, as `userAbstraction` answers. */
  abstraction: string;
  volumeUsd: string;
  /** Address-based requests spent (every order and cancel) and the cap (10,000 + volume). */
  requestsUsed: number;
  requestsCap: number;
  /**
   * The per-IP request weight (engine/hyperliquid/README.md § Rate limits): limit, spent, peak,
   * refusals.
   */
  ipWeight: IpWeightState;
  sockets: number;
  accountWatched: boolean;
  faults: ReturnType<FaultState["describe"]> & { darkFills: boolean };
  /** Steering in force, for the coins a test steered away from the model. */
  markets: Record<string, SteerState>;
  stats: StreamHub["stats"];
}

/** Runs control commands against one venue. */
export class Control {
  readonly #sim: Simulator;
  readonly #hub: StreamHub;
  readonly #faults: FaultState;
  readonly #ipWeight: IpWeight;
  readonly #manualClock: boolean;

  /** Binds the controls; `manualClock` allows `advance` (a real-time venue moves by itself). */
  constructor(
    sim: Simulator,
    hub: StreamHub,
    faults: FaultState,
    ipWeight: IpWeight,
    manualClock: boolean,
  ) {
    this.#sim = sim;
    this.#hub = hub;
    this.#faults = faults;
    this.#ipWeight = ipWeight;
    this.#manualClock = manualClock;
  }

  /** Injects a fault now (and again every `every` virtual seconds when given). */
  inject(fault: Fault): void {
    const f = validateFault(fault);
    this.#applyOnce(f);
    if (f.every) this.#sim.every(f.every * 1000, () => this.#applyOnce(f));
  }

  #applyOnce(f: Fault): void {
    switch (f.kind) {
      case "dropWs":
        this.#hub.dropAll(f.closeFrame ?? false, f.scope);
        break;
      case "malformed":
        this.#hub.sendMalformed(f.count ?? 3);
        break;
      case "darkFills":
        this.#sim.darkFills = f.on ?? true;
        break;
      case "fillResting":
        this.#sim.fillAllResting();
        break;
      default:
        this.#faults.set(f, this.#sim.now);
    }
  }

  /** Clears one fault kind (or every lasting fault and dark fills). */
  clear(kind?: FaultKind): void {
    if (kind !== undefined && !(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new Error(
        `clear: kind must be one of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(kind)}`,
      );
    }
    this.#faults.clear(kind);
    if (!kind || kind === "darkFills") this.#sim.darkFills = false;
  }

  /** Steps the virtual clock by `ms` (manual clock only). */
  advance(ms: number): void {
    if (!this.#manualClock) throw new Error('advance needs a venue started with clock: "manual"');
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new Error(`advance: ms must be a non-negative number, got ${ms}`);
    }
    this.#sim.advance(ms);
  }

  /** Forces a crowd taker on `coin`: it sweeps `sz` coin on `side` (B buys, A sells). */
  takerTrade(coin: string, side: TakerSide, sz: number): WsTrade[] {
    if (!this.#sim.byName.has(coin)) {
      throw new Error(`takerTrade: unknown coin ${JSON.stringify(coin)}`);
    }
    if (side !== "B" && side !== "A") {
      throw new Error(`takerTrade: side must be B or A, got ${JSON.stringify(side)}`);
    }
    if (!(sz > 0)) throw new Error(`takerTrade: sz must be positive, got ${sz}`);
    return this.#sim.takerTrade(coin, side, sz);
  }

  /** Steers `coin`'s synthetic market; throws naming a bad field (and then changes nothing). */
  steer(coin: string, steer: MarketSteer): void {
    if (!this.#sim.byName.has(coin)) {
      throw new Error(`market: unknown coin ${JSON.stringify(coin)}`);
    }
    if (typeof steer !== "object" || steer === null) {
      throw new Error(`market: expected an object of settings, got ${JSON.stringify(steer)}`);
    }
    const known = ["coin", "regime", "dailyVol", "driftPerMinute", "funding", "burst", "jump"];
    const unknown = Object.keys(steer).filter((k) => !known.includes(k));
    if (unknown.length) {
      throw new Error(
        `market: unknown field ${JSON.stringify(unknown[0])}; expected ${known.join(", ")}`,
      );
    }
    this.#sim.steer(coin, steer);
  }

  /** Sets the account's spent address-based requests (`userRateLimit.nRequestsUsed`). */
  setRequestsUsed(n: number): void {
    this.#sim.account.requestsUsed = checkRequestsUsed(n);
  }

  /** What the venue believes now. */
  state(): VenueState {
    const sim = this.#sim;
    const acct = sim.account;
    return {
      time: sim.now,
      account: acct.address,
      balanceUsd: usd(acct.balance),
      positions: [...acct.positions].filter(([, p]) => p.szi !== 0).map(([coin, p]) => ({
        coin,
        szi: num(p.szi),
        entryPx: num(p.entryPx),
      })),
      openOrders: sim.openOrders().map((o) => ({
        oid: o.oid,
        cloid: o.cloid ?? null,
        coin: o.coin,
        side: o.isBuy ? "B" : "A",
        px: num(o.px),
        sz: num(o.sz),
        origSz: num(o.origSz),
        queueAhead: num(o.queueAhead),
      })),
      fills: acct.fills.length,
      priorityOvertakes: sim.coins.reduce((n, c) => n + c.market.overtakes, 0),
      priorityFeesUsd: usd(acct.priorityFeesUsd),
      fastCancels: acct.fastCancels,
      abstraction: acct.abstraction,
      volumeUsd: usd(acct.volumeUsd),
      requestsUsed: acct.requestsUsed,
      requestsCap: acct.requestCap(),
      ipWeight: this.#ipWeight.state(),
      sockets: this.#hub.sessions.size,
      accountWatched: this.#hub.accountWatched(),
      faults: { ...this.#faults.describe(sim.now), darkFills: sim.darkFills },
      markets: Object.fromEntries(
        sim.coins.map((c) => [c.info.name, c.market.steering] as const).filter(([, s]) =>
          s.regime !== "auto" || s.dailyVol !== null || s.driftPerMinute !== 0 ||
          s.funding !== null || s.burst !== null
        ),
      ),
      stats: { ...this.#hub.stats },
    };
  }

  /** Runs one JSON command from `POST /control`; returns the JSON answer. */
  command(body: unknown): unknown {
    if (typeof body !== "object" || body === null) {
      throw new Error("control: body must be a JSON object");
    }
    const b = body as Record<string, unknown>;
    if ("fault" in b) {
      this.inject(b.fault as Fault);
    } else if ("clear" in b) {
      this.clear(b.clear === "all" ? undefined : b.clear as FaultKind);
    } else if ("advance" in b) {
      this.advance(Number(b.advance));
    } else if ("takerTrade" in b) {
      const t = b.takerTrade as { coin: string; side: TakerSide; sz: number };
      return { ok: true, trades: this.takerTrade(t?.coin, t?.side, Number(t?.sz)) };
    } else if ("market" in b) {
      const m = b.market as MarketSteer & { coin: string };
      this.steer(m?.coin, m);
    } else if ("fills" in b) {
      return { ok: true, fills: this.#sim.account.fills };
    } else if ("requestsUsed" in b) {
      this.setRequestsUsed(b.requestsUsed as number);
    } else {
      throw new Error(
        "control: expected one of fault, clear, advance, takerTrade, market, fills, requestsUsed",
      );
    }
    return { ok: true, state: this.state() };
  }
}

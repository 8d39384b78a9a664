/**
 * Paper portfolio of shadow mode: inventory per coin, average entry, realized PnL, unrealized
 * PnL marked to mid, fees, volume, the session's peak and drawdown from it, and the UTC-day
 * anchor the global drawdown stop measures against (README, "Risk gates"). This is the one
 * place the peak and the day anchor are tracked; `risk/drawdown.ts` only checks the cap. PnL is honest:
 * realized + unrealized − fees (a negative fee is a rebate and adds). After a restart, positions
 * come back at their entry prices ({@link Portfolio.restore}) and, the same UTC day, the
 * session's totals and day anchor too ({@link Portfolio.resumeDay}).
 */
import type { Fill } from "./venue/venue.ts";

/** One coin's account. */
export interface CoinAccount {
  coin: string;
  /** Signed position in coin units (long > 0). */
  position: number;
  /** Average entry price of the open position; 0 when flat. */
  avgEntry: number;
  /** Latest mid, or NaN before the first mark (the last fill price stands in). */
  mid: number;
  realizedUsd: number;
  /** Fees paid in USD; negative when rebates exceeded fees. */
  feesUsd: number;
  /** Traded notional in USD. */
  volumeUsd: number;
  fills: number;
}

/** Session totals across coins. */
export interface PortfolioTotals {
  /** realized + unrealized − fees, USD. */
  pnlUsd: number;
  realizedUsd: number;
  unrealizedUsd: number;
  feesUsd: number;
  volumeUsd: number;
  fills: number;
  /** Highest `pnlUsd` seen at a mark or fill this session (starts at 0). */
  peakPnlUsd: number;
  /** peak − current PnL, USD (≥ 0). */
  drawdownFromPeakUsd: number;
  /** Largest fall from a peak seen at a mark or fill this session, USD (≥ 0). */
  maxDrawdownUsd: number;
  /** PnL since the current UTC day began (or since the session began, on its first day). */
  dailyPnlUsd: number;
}

/** Session totals carried over from a run that stopped earlier the same UTC day. */
export interface CarriedSession {
  realizedUsd: number;
  /** Fees paid, USD (negative = net rebate). */
  feesUsd: number;
  volumeUsd: number;
  fills: number;
  /** Session PnL when the UTC day began (0 when the session began that day), USD. */
  dayAnchorPnlUsd: number;
}

/** Options of {@link Portfolio}. */
export interface PortfolioOptions {
  /** Paper balance in USD for percentages (`MM_STARTING_BALANCE_USD`); must be positive. */
  startingBalanceUsd?: number;
}

const DAY_MS = 86_400_000;
/** Positions below this many coin units are flat (sizes are whole lots of at least 1e-8). */
const FLAT = 1e-12;

/** Shadow-mode inventory and PnL. */
export class Portfolio {
  /** Paper balance in USD. */
  readonly startingBalanceUsd: number;
  readonly #accounts = new Map<string, CoinAccount>();
  /** The same accounts in order of first appearance: indexed loops allocate no iterator. */
  readonly #list: CoinAccount[] = [];
  #peak = 0;
  #maxDrawdown = 0;
  #day = NaN;
  #dayAnchor = 0;
  #lastPnl = 0;
  #carried: CarriedSession = {
    realizedUsd: 0,
    feesUsd: 0,
    volumeUsd: 0,
    fills: 0,
    dayAnchorPnlUsd: 0,
  };

  /** Creates an empty portfolio; throws naming a bad starting balance. */
  constructor(options: PortfolioOptions = {}) {
    const balance = options.startingBalanceUsd ?? 10_000;
    if (!(balance > 0 && Number.isFinite(balance))) {
      throw new Error(`starting balance ${balance} USD is not a positive number`);
    }
    this.startingBalanceUsd = balance;
  }

  /** Books a fill; returns the coin's account after it. Throws naming a malformed fill. */
  applyFill(fill: Fill): CoinAccount {
    if (!(fill.sz > 0) || !(fill.px > 0) || !Number.isFinite(fill.feeUsd)) {
      throw new Error(
        `fill ${fill.orderId} on ${fill.coin}: px ${fill.px}, sz ${fill.sz}, fee ${fill.feeUsd} ` +
          `(px and sz must be positive, fee finite)`,
      );
    }
    const a = this.#account(fill.coin);
    const signed = fill.side === "bid" ? fill.sz : -fill.sz;
    const q = a.position;
    if (q === 0 || Math.sign(q) === Math.sign(signed)) {
      a.avgEntry = (Math.abs(q) * a.avgEntry + fill.sz * fill.px) / (Math.abs(q) + fill.sz);
    } else {
      const closed = Math.min(Math.abs(q), fill.sz);
      // Long closed by a sell gains px − entry; short closed by a buy gains entry − px.
      a.realizedUsd += closed * (q > 0 ? fill.px - a.avgEntry : a.avgEntry - fill.px);
      if (fill.sz > Math.abs(q) + FLAT) a.avgEntry = fill.px;
    }
    let next = q + signed;
    if (Math.abs(next) < FLAT) next = 0;
    a.position = next;
    if (next === 0) a.avgEntry = 0;
    a.feesUsd += fill.feeUsd;
    a.volumeUsd += fill.px * fill.sz;
    a.fills++;
    this.#observe(fill.timeMs);
    return a;
  }

  /**
   * Sets a coin's position as a previous run left it (saved state, or the exchange in live
   * mode) at market time `timeMs`: no fill, fee or volume is booked; PnL from here on is
   * measured from `avgEntry`. Throws naming a non-finite size or a bad entry price.
   */
  restore(coin: string, qty: number, avgEntry: number, timeMs: number): CoinAccount {
    if (!Number.isFinite(qty) || (qty !== 0 && !(avgEntry > 0 && Number.isFinite(avgEntry)))) {
      throw new Error(
        `restored position of ${coin}: qty ${qty} at ${avgEntry} (qty must be finite, the ` +
          `entry price positive)`,
      );
    }
    const a = this.#account(coin);
    a.position = Math.abs(qty) < FLAT ? 0 : qty;
    a.avgEntry = a.position === 0 ? 0 : avgEntry;
    this.#observe(timeMs);
    return a;
  }

  /**
   * Continues the session a previous run saved earlier the same UTC day as market time
   * `timeMs`: its realized PnL, fees, volume and fills count in the totals, and the day's PnL
   * is measured from its anchor, so a restart does not forget the day's losses.
   */
  resumeDay(carried: CarriedSession, timeMs: number): void {
    for (const [name, value] of Object.entries(carried)) {
      if (!Number.isFinite(value)) {
        throw new Error(`carried session ${name}=${value} is not finite`);
      }
    }
    this.#carried = { ...carried };
    this.#day = Math.floor(timeMs / DAY_MS);
    this.#dayAnchor = carried.dayAnchorPnlUsd;
    this.#lastPnl = this.pnlUsd();
    if (this.#lastPnl > this.#peak) this.#peak = this.#lastPnl;
  }

  /** Session PnL when the UTC day of market time `timeMs` began, USD (what a save records). */
  dayAnchorPnlUsd(timeMs: number): number {
    // No event yet on that day: nothing has moved the PnL since the day began.
    return Math.floor(timeMs / DAY_MS) === this.#day ? this.#dayAnchor : this.pnlUsd();
  }

  /** Marks one coin to its mid at market time `timeMs` (updates the peak and the day anchor). */
  mark(coin: string, mid: number, timeMs: number): void {
    if (this.setMid(coin, mid)) this.#observe(timeMs);
  }

  /**
   * Sets one coin's mid without updating the peak and the day anchor; returns whether the coin
   * holds a position (so its PnL moved). The loop marks every coin this way, then calls
   * {@link observe} once: one PnL sum per tick instead of one per coin.
   */
  setMid(coin: string, mid: number): boolean {
    if (!(mid > 0)) throw new Error(`mid ${mid} for ${coin} is not a positive price`);
    const a = this.#account(coin);
    a.mid = mid;
    return a.position !== 0;
  }

  /** Updates the peak, the largest drawdown and the day anchor at market time `timeMs`. */
  observe(timeMs: number): void {
    this.#observe(timeMs);
  }

  /** PnL since the UTC day of `timeMs` began, USD (0 before any event of that day). */
  dailyPnlUsd(timeMs: number): number {
    return this.pnlUsd() - this.dayAnchorPnlUsd(timeMs);
  }

  /** Totals carried over from a run earlier the same UTC day (all zero when none). */
  get carried(): Readonly<CarriedSession> {
    return this.#carried;
  }

  /** Signed position in coin units (0 for a coin never traded). */
  position(coin: string): number {
    return this.#accounts.get(coin)?.position ?? 0;
  }

  /** Position in USD at the latest mid (the last fill's entry stands in before any mark). */
  inventoryUsd(coin: string): number {
    const a = this.#accounts.get(coin);
    if (a === undefined || a.position === 0) return 0;
    return a.position * (Number.isNaN(a.mid) ? a.avgEntry : a.mid);
  }

  /** Unrealized PnL of one coin at its latest mid, USD. */
  unrealizedUsd(coin: string): number {
    const a = this.#accounts.get(coin);
    return a === undefined ? 0 : unrealized(a);
  }

  /** Signed positions by coin, in coin units (what reconcile compares with the venue's). */
  positions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [coin, a] of this.#accounts) if (a.position !== 0) out.set(coin, a.position);
    return out;
  }

  /** Every coin marked, traded or restored, in order of first appearance. */
  accounts(): readonly CoinAccount[] {
    return this.#list.slice();
  }

  /** realized + unrealized − fees, USD. */
  pnlUsd(): number {
    let pnl = this.#carried.realizedUsd - this.#carried.feesUsd;
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      pnl += a.realizedUsd + unrealized(a) - a.feesUsd;
    }
    return pnl;
  }

  /** Session totals, the peak and drawdown from it, and the day's PnL. */
  totals(): PortfolioTotals {
    const c = this.#carried;
    let realizedUsd = c.realizedUsd, unrealizedUsd = 0, feesUsd = c.feesUsd;
    let volumeUsd = c.volumeUsd, fills = c.fills;
    for (const a of this.#list) {
      realizedUsd += a.realizedUsd;
      unrealizedUsd += unrealized(a);
      feesUsd += a.feesUsd;
      volumeUsd += a.volumeUsd;
      fills += a.fills;
    }
    const pnlUsd = this.pnlUsd();
    const peakPnlUsd = Math.max(this.#peak, pnlUsd);
    return {
      pnlUsd,
      realizedUsd,
      unrealizedUsd,
      feesUsd,
      volumeUsd,
      fills,
      peakPnlUsd,
      drawdownFromPeakUsd: peakPnlUsd - pnlUsd,
      maxDrawdownUsd: Math.max(this.#maxDrawdown, peakPnlUsd - pnlUsd),
      dailyPnlUsd: pnlUsd - this.#dayAnchor,
    };
  }

  /** Drawdown from the session peak as a percentage of (starting balance + peak PnL). */
  drawdownFromPeakPct(): number {
    const t = this.totals();
    return (t.drawdownFromPeakUsd / (this.startingBalanceUsd + t.peakPnlUsd)) * 100;
  }

  /** Today's PnL as a percentage of the starting balance (negative = loss). */
  dailyPnlPct(): number {
    return (this.totals().dailyPnlUsd / this.startingBalanceUsd) * 100;
  }

  #account(coin: string): CoinAccount {
    let a = this.#accounts.get(coin);
    if (a === undefined) {
      a = {
        coin,
        position: 0,
        avgEntry: 0,
        mid: NaN,
        realizedUsd: 0,
        feesUsd: 0,
        volumeUsd: 0,
        fills: 0,
      };
      this.#accounts.set(coin, a);
      this.#list.push(a);
    }
    return a;
  }

  /** Moves the UTC-day anchor when market time enters a new day, then raises the peak. */
  #observe(timeMs: number): void {
    const pnl = this.pnlUsd();
    const day = Math.floor(timeMs / DAY_MS);
    if (day !== this.#day) {
      // The first event of a day: its PnL before this event is unknown to the anchor, so the
      // anchor is the PnL carried into the day (0 on the session's first day).
      if (!Number.isNaN(this.#day)) this.#dayAnchor = this.#lastPnl;
      this.#day = day;
    }
    this.#lastPnl = pnl;
    if (pnl > this.#peak) this.#peak = pnl;
    if (this.#peak - pnl > this.#maxDrawdown) this.#maxDrawdown = this.#peak - pnl;
  }
}

function unrealized(a: CoinAccount): number {
  if (a.position === 0 || Number.isNaN(a.mid)) return 0;
  return a.position * (a.mid - a.avgEntry);
}

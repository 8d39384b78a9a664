/**
 * The Regime Governor (README, "Regime Governor"): one spread multiplier in [1.0, 4.0] per coin, or
 * a halt, from realized volatility, the session's cancel-to-fill ratio, the engine's P95 latency,
 * funding, and the screener's regime.
 *
 * Volatility is an ATR fraction from the mid series, on market time (book `timeMs`), so a replay
 * gives the same answer as the live run it came from: the mean true range of the last 14
 * one-minute bars plus the bar in progress, over the latest mid (atr.ts, shared with the
 * calibration gates that suggest these thresholds).
 *
 * Mapping (the README's thresholds): below 0.15% calm (×1.0); from 0.15% to 0.5% uncertain, linear
 * from ×1.0 to ×4.0; above 0.5% the coin halts. The other factors multiply: cancel-to-fill above
 * the cap ×1.5; P95 latency above 50 ms ×1.5, above 100 ms ×2.0; a screener regime "uncertain"
 * holds the multiplier at ×1.5 or more, "halt" halts. Funding beyond 0.3% per 8 h halts;
 * Hyperliquid pays funding hourly, so the hourly cap is 0.3% / 8 = 0.0375%. The product is clamped
 * to [1, 4].
 */
import { ATR_DEFAULTS, AtrWindow } from "./atr.ts";
import { FUNDING_HOURS_PER_8H } from "./hyperliquid/exchange_facts.ts";
import type { Regime } from "./config.ts";

/** Thresholds of the governor; every field has the README's value by default. */
export interface RegimeOptions {
  /** ATR fraction below which a coin is calm (default 0.15%). */
  calmAtr: number;
  /** ATR fraction above which a coin halts (default 0.5%). */
  haltAtr: number;
  /** Bar length on market time, ms. */
  barMs: number;
  /** Completed bars in the ATR window. */
  bars: number;
  /** Cancels per fill above which spreads widen (default 50). */
  maxCancelFillRatio: number;
  /** |funding| per hour beyond which the coin halts (default 0.3% per 8 h). */
  fundingHaltHourly: number;
}

/** |funding| beyond this per 8 h halts a coin (0.3%; README, "Regime Governor"). */
export const FUNDING_HALT_PER_8H = 0.003;

/** Defaults of {@link RegimeOptions} (README, "Regime Governor"). */
export const REGIME_DEFAULTS: RegimeOptions = {
  calmAtr: 0.0015,
  haltAtr: 0.005,
  barMs: ATR_DEFAULTS.barMs,
  bars: ATR_DEFAULTS.bars,
  maxCancelFillRatio: 50,
  // Converted to Hyperliquid's hourly funding.
  fundingHaltHourly: FUNDING_HALT_PER_8H / FUNDING_HOURS_PER_8H,
};

/** Multiplier bounds (README, "Regime Governor": [1.0x, 4.0x]). */
export const MIN_MULTIPLIER = 1;
/** Upper bound of the spread multiplier. */
export const MAX_MULTIPLIER = 4;

/**
 * Fills before the cancel-to-fill ratio may widen spreads: with fewer, one fill more or less
 * moves the ratio by over 10% (the first seconds of a session have many cancels, few fills).
 */
export const MIN_FILLS_FOR_RATIO = 10;

/** Engine-wide inputs of one evaluation. */
export interface RegimeInputs {
  /** Session cancels per fill (cancels when there has been no fill yet). */
  cancelFillRatio: number;
  /** Session fills so far: the ratio is judged from {@link MIN_FILLS_FOR_RATIO} fills on. */
  fills: number;
  /** Engine P95 latency, ms, or 0 when not measured (replay). */
  latencyP95Ms: number;
}

/** A coin's regime decision. */
export interface RegimeDecision {
  multiplier: number;
  halted: boolean;
  /** ATR fraction now (0 before the first mid). */
  atrFraction: number;
  /** Human-readable cause of the current state ("" when calm). */
  reason: string;
}

/** A change worth a `[REGIME]` log line. */
export interface RegimeChange {
  coin: string;
  from: RegimeDecision;
  to: RegimeDecision;
}

/** Spread factor while cancels per fill exceed `maxCancelFillRatio` (README, "Regime Governor"). */
const CANCEL_FILL_FACTOR = 1.5;
/** P95 latency above which spreads widen by {@link SLOW_FACTOR}, ms (README, "Regime Governor"). */
const SLOW_P95_MS = 50;
/** Spread factor for a P95 latency above {@link SLOW_P95_MS}. */
const SLOW_FACTOR = 1.5;
/** P95 latency above which spreads widen by {@link VERY_SLOW_FACTOR} instead, ms. */
const VERY_SLOW_P95_MS = 100;
/** Spread factor for a P95 latency above {@link VERY_SLOW_P95_MS}. */
const VERY_SLOW_FACTOR = 2;
/** Least multiplier while the screener calls the coin's regime uncertain (README, `MM_REGIME`). */
const UNCERTAIN_FLOOR = 1.5;
/** Smallest multiplier change worth a `[REGIME]` line: smaller drifts would flood the log. */
const LOG_STEP = 0.25;

const CALM: RegimeDecision = { multiplier: 1, halted: false, atrFraction: 0, reason: "" };

/** Why a coin halts, as {@link RegimeGovernor} computes it (no string until one is logged). */
const enum HaltCause {
  None,
  Funding,
  Atr,
  Screener,
}

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;

/** Per-coin spread multipliers and halts. */
export class RegimeGovernor {
  readonly options: RegimeOptions;
  readonly #vol: AtrWindow[];
  readonly #funding: Float64Array;
  readonly #screener: Regime[];
  /** Each coin's current decision: its own object, updated in place between logged changes. */
  readonly #decisions: RegimeDecision[];
  readonly #logged: RegimeDecision[];
  /** Scratch of the latest computation (no object per coin per tick). */
  #haltCause = HaltCause.None;
  #atr = 0;
  readonly #reasons: string[] = [];

  /** Creates a governor for `coins` (indexed as the kernel indexes them). */
  constructor(readonly coins: readonly string[], options: Partial<RegimeOptions> = {}) {
    this.options = { ...REGIME_DEFAULTS, ...options };
    this.#vol = coins.map(() => new AtrWindow(this.options));
    this.#funding = new Float64Array(coins.length);
    this.#screener = coins.map(() => "calm");
    this.#decisions = coins.map(() => ({ ...CALM }));
    this.#logged = coins.map(() => CALM);
  }

  /** Feeds a mid price at market time `timeMs`. */
  recordMid(coin: number, mid: number, timeMs: number): void {
    if (mid > 0 && Number.isFinite(mid)) this.#vol[coin].record(mid, timeMs);
  }

  /** Sets a coin's current funding rate per hour (Hyperliquid's unit). */
  setFunding(coin: number, hourly: number): void {
    this.#funding[coin] = Number.isFinite(hourly) ? hourly : 0;
  }

  /** Sets the screener's regime for a coin. */
  setScreenerRegime(coin: number, regime: Regime): void {
    this.#screener[coin] = regime;
  }

  /** The latest decision for a coin. */
  decision(coin: number): RegimeDecision {
    return this.#decisions[coin];
  }

  /** Re-evaluates a coin; returns a change worth logging, or null. */
  evaluate(coin: number, inputs: RegimeInputs): RegimeChange | null {
    // Numbers first, into scratch fields; the reason text is built only for a change worth
    // logging, so an ordinary tick allocates nothing.
    const multiplier = this.#compute(coin, inputs, null);
    const halted = this.#haltCause !== HaltCause.None;
    const last = this.#logged[coin];
    const significant = halted !== last.halted ||
      (!halted && Math.abs(multiplier - last.multiplier) >= LOG_STEP) ||
      (!halted && multiplier === 1 && last.multiplier !== 1);
    if (!significant) {
      const d = this.#decisions[coin];
      d.multiplier = multiplier;
      d.halted = halted;
      d.atrFraction = this.#atr;
      d.reason = last.reason;
      return null;
    }
    const reasons = this.#reasons;
    reasons.length = 0;
    this.#compute(coin, inputs, reasons);
    const next: RegimeDecision = {
      multiplier,
      halted,
      atrFraction: this.#atr,
      reason: halted ? this.#haltReason(coin) : reasons.join("; "),
    };
    this.#decisions[coin] = { ...next };
    this.#logged[coin] = next;
    return { coin: this.coins[coin], from: last, to: next };
  }

  /**
   * The multiplier for a coin (MAX_MULTIPLIER when it halts); sets `#haltCause` and `#atr`.
   * With `reasons`, also pushes the text of each factor that widened the spread.
   */
  #compute(coin: number, inputs: RegimeInputs, reasons: string[] | null): number {
    const o = this.options;
    const atr = this.#vol[coin].fraction();
    this.#atr = atr;
    this.#haltCause = Math.abs(this.#funding[coin]) > o.fundingHaltHourly
      ? HaltCause.Funding
      : atr > o.haltAtr
      ? HaltCause.Atr
      : this.#screener[coin] === "halt"
      ? HaltCause.Screener
      : HaltCause.None;
    if (this.#haltCause !== HaltCause.None) return MAX_MULTIPLIER;

    let multiplier = 1;
    if (atr >= o.calmAtr) {
      multiplier = 1 + 3 * (atr - o.calmAtr) / (o.haltAtr - o.calmAtr);
      reasons?.push(`ATR spike detected (ATR ${pct(atr, 3)})`);
    }
    if (inputs.cancelFillRatio > o.maxCancelFillRatio && inputs.fills >= MIN_FILLS_FOR_RATIO) {
      multiplier *= CANCEL_FILL_FACTOR;
      reasons?.push(
        `Cancel/fill ratio ${inputs.cancelFillRatio.toFixed(1)} > ${o.maxCancelFillRatio}`,
      );
    }
    if (inputs.latencyP95Ms > VERY_SLOW_P95_MS) {
      multiplier *= VERY_SLOW_FACTOR;
      reasons?.push(`P95 latency ${inputs.latencyP95Ms.toFixed(1)}ms > ${VERY_SLOW_P95_MS}ms`);
    } else if (inputs.latencyP95Ms > SLOW_P95_MS) {
      multiplier *= SLOW_FACTOR;
      reasons?.push(`P95 latency ${inputs.latencyP95Ms.toFixed(1)}ms > ${SLOW_P95_MS}ms`);
    }
    if (this.#screener[coin] === "uncertain" && multiplier < UNCERTAIN_FLOOR) {
      multiplier = UNCERTAIN_FLOOR;
      reasons?.push("Screener regime uncertain");
    }
    return Math.min(MAX_MULTIPLIER, Math.max(MIN_MULTIPLIER, multiplier));
  }

  /** The text of the halt `#compute` found. */
  #haltReason(coin: number): string {
    const o = this.options;
    const funding = this.#funding[coin];
    switch (this.#haltCause) {
      case HaltCause.Funding:
        return `Funding ${pct(funding, 4)}/h (${
          pct(funding * FUNDING_HOURS_PER_8H, 3)
        }/8h) beyond ${pct(o.fundingHaltHourly * FUNDING_HOURS_PER_8H)}/8h`;
      case HaltCause.Atr:
        return `ATR ${pct(this.#atr, 3)} above halt ${pct(o.haltAtr)}`;
      default:
        return "Screener regime halt";
    }
  }
}

/** Formats a change as the `[REGIME]` line. */
export function formatRegimeChange(change: RegimeChange): string {
  const { coin, from, to } = change;
  const x = (d: RegimeDecision) => d.halted ? "HALT" : `${d.multiplier.toFixed(1)}x`;
  if (to.halted) {
    return `[REGIME] ${coin} ${to.reason}. Multiplier: ${x(from)} → HALT (quoting stopped)`;
  }
  const cause = to.reason || (from.halted ? "Conditions normal again" : "Market calm");
  return `[REGIME] ${coin} ${cause}. Multiplier: ${x(from)} → ${x(to)}`;
}

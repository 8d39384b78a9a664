/**
 * Turns what the engine does into alerts, by comparing one cheap reading with the last: a halt,
 * a stall panic, a reconnect storm (market data lost again and again), a request budget running
 * low. Run about once a second beside the loop, never inside it. Pause, resume and crashes are
 * alerted where they happen (control.ts, run.ts).
 */
import type { AlertSender } from "./alerts.ts";

/** What the watch reads each time: counters and levels the engine keeps anyway. */
export interface WatchReading {
  nowMs: number;
  haltReason: string | null;
  stallPanics: number;
  /** Market-data reconnects completed this run. */
  reconnects: number;
  /** Address budget left, requests (null while unknown). */
  addressLeft: number | null;
  /** IP weight spent in the last 60 s, and its limit. */
  ipWeightUsed: number;
  ipWeightLimit: number;
}

/** Options of {@link AlertWatch}. */
export interface AlertWatchOptions {
  /** This many reconnects within `stormWindowMs` is a storm (default 3 in 5 minutes). */
  stormReconnects: number;
  stormWindowMs: number;
  /**
   * Address requests left below which the budget is low (default 2,000: the venue stops placing
   * under 1,000, so this warns while there is still time to act, e.g. `reserveRequestWeight`).
   */
  lowAddressLeft: number;
  /** Share of the IP weight limit spent in a minute that counts as low (default 0.9). */
  highIpWeightShare: number;
}

// Hysteresis of the budget alerts, so a level hovering at its threshold sends one alert, not
// one per reading: the address budget is low again only after recovering to 1.25x its alert
// level; the IP weight only after falling under 0.75x its alert share.
const ADDRESS_RECOVERED = 1.25;
const WEIGHT_RECOVERED = 0.75;

/** Compares readings and sends the alerts they call for. */
export class AlertWatch {
  readonly options: AlertWatchOptions;
  readonly #alerts: Pick<AlertSender, "send">;
  #last: WatchReading | null = null;
  #reconnectTimes: number[] = [];
  #addressLow = false;
  #weightHigh = false;

  /** Creates a watch that sends through `alerts`. */
  constructor(alerts: Pick<AlertSender, "send">, options: Partial<AlertWatchOptions> = {}) {
    this.#alerts = alerts;
    this.options = {
      stormReconnects: 3,
      stormWindowMs: 300_000,
      lowAddressLeft: 2_000,
      highIpWeightShare: 0.9,
      ...options,
    };
  }

  /** Looks at a new reading; the first one only sets the baseline (and a budget already low). */
  check(r: WatchReading): void {
    const last = this.#last;
    this.#last = r;
    if (last !== null && last.haltReason === null && r.haltReason !== null) {
      this.#alerts.send(
        "halt",
        `🛑 HALT: ${r.haltReason}. Every order cancelled; quoting stops until a restart with --clear-halt.`,
      );
    }
    if (last !== null && r.stallPanics > last.stallPanics) {
      this.#alerts.send(
        "stall",
        "🚨 STALL PANIC: market data went silent; every quote pulled until it is back and reconciled.",
      );
    }
    if (last !== null && r.reconnects > last.reconnects) {
      for (let i = last.reconnects; i < r.reconnects; i++) this.#reconnectTimes.push(r.nowMs);
      this.#reconnectTimes = this.#reconnectTimes.filter((t) =>
        r.nowMs - t < this.options.stormWindowMs
      );
      const n = this.#reconnectTimes.length;
      if (n >= this.options.stormReconnects) {
        const minutes = this.options.stormWindowMs / 60_000;
        this.#alerts.send(
          "reconnects",
          `⚠️ RECONNECT STORM: market data reconnected ${n} times in ${minutes} min.`,
        );
      }
    }
    const low = this.options.lowAddressLeft;
    if (r.addressLeft !== null && !this.#addressLow && r.addressLeft < low) {
      this.#addressLow = true;
      this.#alerts.send(
        "budget",
        `⚠️ LOW REQUEST BUDGET: ${
          Math.max(0, Math.floor(r.addressLeft))
        } address requests left; placing stops under 1,000 until volume frees more.`,
      );
    } else if (
      r.addressLeft !== null && this.#addressLow && r.addressLeft >= low * ADDRESS_RECOVERED
    ) {
      this.#addressLow = false;
    }
    const share = r.ipWeightUsed / r.ipWeightLimit;
    if (!this.#weightHigh && share >= this.options.highIpWeightShare) {
      this.#weightHigh = true;
      this.#alerts.send(
        "budget",
        `⚠️ LOW REQUEST BUDGET: IP weight ${r.ipWeightUsed} of ${r.ipWeightLimit} spent in the last minute; requotes are held back.`,
      );
    } else if (this.#weightHigh && share < this.options.highIpWeightShare * WEIGHT_RECOVERED) {
      this.#weightHigh = false;
    }
  }
}

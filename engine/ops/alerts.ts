/**
 * Alerts to a webhook (`MM_ALERT_WEBHOOK_URL`): a JSON POST `{"text": "..."}`, the body Slack's
 * incoming webhooks take as they are, Discord's at the webhook URL with `/slack` appended, and
 * the usual Telegram bot relays. Sending never blocks or throws into the caller: alerts queue and
 * a background task delivers them one at a time, each with a timeout. A kind of alert is sent at
 * most once a minute and no more than ten go out in ten minutes (a flapping connection must not
 * flood a phone); what the limit drops is counted and mentioned in the next alert delivered.
 * A crash always goes out.
 */
import type { Logger } from "../log.ts";
import type { OpsCounters } from "./metrics.ts";
import type { Secret } from "./secret.ts";
import { errorMessage } from "../util/errors.ts";

/** What an alert is about; the rate limit is per kind. */
export type AlertKind =
  | "halt"
  | "stall"
  | "reconnects"
  | "budget"
  | "pause"
  | "resume"
  | "crash";

/** Options of {@link AlertSender}. */
export interface AlertSenderOptions {
  /** The webhook; null sends nothing (alerts are still logged). */
  url: Secret | null;
  /** Names the engine in every alert, e.g. `live`. */
  label: string;
  log: Logger;
  counters: OpsCounters;
  /** Clock, ms (injectable for tests). */
  now?: () => number;
  /** Least time between two alerts of one kind, ms (default 60 s). */
  perKindMs?: number;
  /** At most `burst` alerts per `burstWindowMs` (default 10 per 10 minutes). */
  burst?: number;
  burstWindowMs?: number;
  /** Delivery timeout per alert, ms (default 5 s). */
  timeoutMs?: number;
}

// Alerts waiting for delivery at most: beyond it the oldest are dropped (the webhook is down).
const MAX_QUEUED = 20;

/** Queues, rate-limits and delivers alerts. */
export class AlertSender {
  readonly #url: Secret | null;
  readonly #label: string;
  readonly #log: Logger;
  readonly #counters: OpsCounters;
  readonly #now: () => number;
  readonly #perKindMs: number;
  readonly #burst: number;
  readonly #burstWindowMs: number;
  readonly #timeoutMs: number;
  readonly #lastByKind = new Map<AlertKind, number>();
  /** Times of the alerts accepted within the burst window. */
  #recent: number[] = [];
  #suppressed = 0;
  #queue: string[] = [];
  #delivering: Promise<void> | null = null;

  /** Creates a sender; nothing is sent until {@link send}. */
  constructor(options: AlertSenderOptions) {
    this.#url = options.url;
    this.#label = options.label;
    this.#log = options.log;
    this.#counters = options.counters;
    this.#now = options.now ?? Date.now;
    this.#perKindMs = options.perKindMs ?? 60_000;
    this.#burst = options.burst ?? 10;
    this.#burstWindowMs = options.burstWindowMs ?? 600_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Whether a webhook is configured. */
  get enabled(): boolean {
    return this.#url !== null;
  }

  /** Sends an alert unless the rate limit drops it; returns at once. */
  send(kind: AlertKind, text: string): void {
    if (this.#url === null) return;
    const now = this.#now();
    this.#recent = this.#recent.filter((t) => now - t < this.#burstWindowMs);
    const last = this.#lastByKind.get(kind);
    const limited = (last !== undefined && now - last < this.#perKindMs) ||
      this.#recent.length >= this.#burst;
    if (limited && kind !== "crash") {
      this.#suppressed++;
      this.#counters.alertsSuppressed++;
      return;
    }
    this.#lastByKind.set(kind, now);
    this.#recent.push(now);
    const dropped = this.#suppressed > 0
      ? ` (${this.#suppressed} earlier alert(s) not sent: rate limit)`
      : "";
    this.#suppressed = 0;
    if (this.#queue.length >= MAX_QUEUED) {
      this.#queue.shift();
      this.#counters.alertsFailed++;
    }
    this.#queue.push(`[MM ${this.#label}] ${text}${dropped}`);
    this.#delivering ??= this.#deliver();
  }

  /** Waits until the queue is delivered, or `timeoutMs` has passed (shutdown, crash). */
  async flush(timeoutMs: number): Promise<void> {
    if (this.#delivering === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#delivering,
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  async #deliver(): Promise<void> {
    // Started from send(): the first await lets the caller return before any network work.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const text = this.#queue.shift()!;
      try {
        const response = await fetch(this.#url!.reveal(), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
        this.#counters.alertsSent++;
      } catch (error) {
        this.#counters.alertsFailed++;
        // The URL is a credential: the message names the failure, never the address.
        const reason = error instanceof DOMException && error.name === "TimeoutError"
          ? `no answer within ${this.#timeoutMs / 1000}s`
          : errorMessage(error).replaceAll(this.#url!.reveal(), "[webhook]");
        this.#log.warn(`[ALERT] not delivered (${reason}): ${text}`);
      }
    }
    this.#delivering = null;
  }
}

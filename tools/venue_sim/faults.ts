/**
 * Faults the venue can inject, from the command line at start or from the control endpoint at
 * run time: dropped sockets (with or without a close frame), silent stalls, malformed frames,
 * HTTP 429/5xx, slow responses, rejected orders, and fills that happen while the bot is not
 * listening. Durations are in seconds of the venue's virtual clock; a fault without a duration
 * stays on until cleared. `every` repeats a fault on a period (virtual seconds). Socket faults
 * (`dropWs`, `silence`) take a {@link SocketScope}, so the account's user-data sockets can break
 * while market data keeps flowing, or the other way round.
 */
import { Rng } from "./rng.ts";

/**
 * Which sockets a socket fault hits: `all`; `user`, the sockets subscribed to any user-data
 * channel (orderUpdates, userFills, userEvents); `market`, every other socket.
 */
export type SocketScope = "all" | "market" | "user";

const SOCKET_SCOPES: readonly SocketScope[] = ["all", "market", "user"];

/** One fault to inject. */
export type Fault =
  & (
    | { kind: "dropWs"; closeFrame?: boolean; scope?: SocketScope }
    | { kind: "silence"; seconds?: number; scope?: SocketScope }
    | { kind: "malformed"; count?: number }
    | { kind: "httpError"; status?: number; seconds?: number }
    | { kind: "delay"; ms: number; seconds?: number }
    | { kind: "rejectOrders"; fraction: number; seconds?: number; message?: string }
    | { kind: "darkFills"; on?: boolean }
    | { kind: "fillResting" }
  )
  & { every?: number };

/** Names of the fault kinds, for messages and `clear`. */
export const FAULT_KINDS = [
  "dropWs",
  "silence",
  "malformed",
  "httpError",
  "delay",
  "rejectOrders",
  "darkFills",
  "fillResting",
] as const;

/** A fault kind. */
export type FaultKind = typeof FAULT_KINDS[number];

// Hyperliquid per-order error used for injected rejections unless the fault names another.
const DEFAULT_REJECT_MESSAGE = "Insufficient margin to place order.";

/**
 * Parses `kind[:key=value,...]` (CLI form), e.g. `httpError:status=429,seconds=5,every=60` or
 * `silence:scope=user,seconds=20`.
 */
export function parseFaultSpec(spec: string): Fault {
  const [kind, rest] = spec.split(/:(.*)/s);
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`fault ${JSON.stringify(spec)}: kind must be one of ${FAULT_KINDS.join(", ")}`);
  }
  const fault: Record<string, unknown> = { kind };
  for (const pair of (rest ?? "").split(",").filter((p) => p !== "")) {
    const [key, value] = pair.split("=");
    if (value === undefined) {
      throw new Error(`fault ${JSON.stringify(spec)}: expected key=value, got ${pair}`);
    }
    fault[key] = value === "true"
      ? true
      : value === "false"
      ? false
      : Number.isFinite(Number(value))
      ? Number(value)
      : value;
  }
  return validateFault(fault);
}

/** Checks a fault object (from JSON or the CLI); throws naming the bad field. */
export function validateFault(x: unknown): Fault {
  if (typeof x !== "object" || x === null) {
    throw new Error(`fault must be an object, got ${JSON.stringify(x)}`);
  }
  const f = x as Record<string, unknown>;
  if (!(FAULT_KINDS as readonly unknown[]).includes(f.kind)) {
    throw new Error(
      `fault.kind must be one of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(f.kind)}`,
    );
  }
  const positive = (key: string, optional = true) => {
    const v = f[key];
    if (v === undefined && optional) return;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new Error(
        `fault ${f.kind}: ${key} must be a positive number, got ${JSON.stringify(v)}`,
      );
    }
  };
  positive("every");
  positive("seconds");
  if (f.kind === "delay") positive("ms", false);
  if (f.kind === "malformed") positive("count");
  if (
    (f.kind === "dropWs" || f.kind === "silence") && f.scope !== undefined &&
    !(SOCKET_SCOPES as readonly unknown[]).includes(f.scope)
  ) {
    throw new Error(
      `fault ${f.kind}: scope must be one of ${SOCKET_SCOPES.join(", ")}, got ${
        JSON.stringify(f.scope)
      }`,
    );
  }
  if (
    f.kind === "httpError" && f.status !== undefined &&
    !(f.status === 429 || (Number(f.status) >= 500 && Number(f.status) <= 599))
  ) {
    throw new Error(`fault httpError: status must be 429 or 5xx, got ${JSON.stringify(f.status)}`);
  }
  if (
    f.kind === "rejectOrders" &&
    !(typeof f.fraction === "number" && f.fraction > 0 && f.fraction <= 1)
  ) {
    throw new Error(
      `fault rejectOrders: fraction must be in (0, 1], got ${JSON.stringify(f.fraction)}`,
    );
  }
  return f as Fault;
}

/** The faults currently in force (times are virtual ms). */
export class FaultState {
  /** End of the silence in force on each scope of sockets. */
  readonly silentUntil: Record<SocketScope, number> = { all: 0, market: 0, user: 0 };
  httpStatus = 0;
  httpUntil = 0;
  delayMs = 0;
  delayUntil = 0;
  rejectFraction = 0;
  rejectUntil = 0;
  rejectMessage = DEFAULT_REJECT_MESSAGE;
  readonly #rng: Rng;

  /** Creates an empty fault state; `seed` fixes which orders a reject fault picks. */
  constructor(seed: number) {
    this.#rng = new Rng(seed);
  }

  /** Turns on a lasting fault at virtual time `now` (one-shot faults are not stored here). */
  set(f: Fault, now: number): void {
    const until = "seconds" in f && f.seconds ? now + f.seconds * 1000 : Infinity;
    if (f.kind === "silence") this.silentUntil[f.scope ?? "all"] = until;
    else if (f.kind === "httpError") {
      this.httpStatus = f.status ?? 503;
      this.httpUntil = until;
    } else if (f.kind === "delay") {
      this.delayMs = f.ms;
      this.delayUntil = until;
    } else if (f.kind === "rejectOrders") {
      this.rejectFraction = f.fraction;
      this.rejectUntil = until;
      this.rejectMessage = f.message ?? DEFAULT_REJECT_MESSAGE;
    }
  }

  /** Clears one lasting fault kind, or all of them. */
  clear(kind?: FaultKind): void {
    if (!kind || kind === "silence") {
      this.silentUntil.all = this.silentUntil.market = this.silentUntil.user = 0;
    }
    if (!kind || kind === "httpError") this.httpUntil = 0;
    if (!kind || kind === "delay") this.delayUntil = 0;
    if (!kind || kind === "rejectOrders") this.rejectUntil = 0;
  }

  /**
   * Whether a socket is silent at `now`; `socket` says whether it is on user-data channels
   * (`user`) or not (`market`). Without `socket`: whether every socket is, whatever it is on.
   */
  silent(now: number, socket?: "market" | "user"): boolean {
    if (now < this.silentUntil.all) return true;
    if (socket) return now < this.silentUntil[socket];
    return now < this.silentUntil.market && now < this.silentUntil.user;
  }

  /** The sockets a silence holds at `now`, or null. */
  silenceScope(now: number): SocketScope | null {
    if (this.silent(now)) return "all";
    if (this.silent(now, "user")) return "user";
    return this.silent(now, "market") ? "market" : null;
  }

  /** HTTP status to answer REST with at `now`, or 0 for normal service. */
  httpError(now: number): number {
    return now < this.httpUntil ? this.httpStatus : 0;
  }

  /** Extra response delay at `now`, ms of wall time. */
  delay(now: number): number {
    return now < this.delayUntil ? this.delayMs : 0;
  }

  /** Whether to reject the next order at `now` (draws from the fault's own generator). */
  rejectNext(now: number): boolean {
    return now < this.rejectUntil && this.#rng.next() < this.rejectFraction;
  }

  /** What is in force at `now`, for the control endpoint. */
  describe(now: number) {
    return {
      silence: this.silenceScope(now),
      httpError: this.httpError(now) || null,
      delayMs: this.delay(now) || null,
      rejectOrders: now < this.rejectUntil ? this.rejectFraction : null,
    };
  }
}

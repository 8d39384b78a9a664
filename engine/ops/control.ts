/**
 * `POST /control`: pause quoting (cancel everything, keep running and harvesting), resume, and
 * halt, for the status page and for scripts.
 *
 * Who may: with `MM_CONTROL_TOKEN` set, any caller presenting `Authorization: Bearer <token>`
 * (compared in constant time); without it, only callers on loopback. Whatever the token, a
 * request must be JSON and a browser's `Origin`, when sent, must be this server's own: a web page
 * elsewhere cannot make the operator's browser press the buttons (cross-site request forgery).
 * Every action, and every refusal, is logged with its source; the token is never logged.
 */
import type { Logger } from "../log.ts";
import type { AlertSender } from "./alerts.ts";
import type { OpsCounters } from "./metrics.ts";
import type { Secret } from "./secret.ts";
import { errorMessage } from "../util/errors.ts";

/** What control acts on (the engine). */
export interface ControlTarget {
  readonly haltReason: string | null;
  readonly pausedBy: string | null;
  pause(by: string): Promise<void>;
  resume(): void;
  halt(reason: string): Promise<void>;
}

/** The actions `POST /control` takes. */
export const CONTROL_ACTIONS = ["pause", "resume", "halt"] as const;
/** One of {@link CONTROL_ACTIONS}. */
export type ControlAction = typeof CONTROL_ACTIONS[number];

/** Options of {@link Control}. */
export interface ControlOptions {
  target: ControlTarget;
  /** Required bearer token, or null: loopback callers only. */
  token: Secret | null;
  log: Logger;
  alerts: AlertSender;
  counters: OpsCounters;
}

// A request body larger than this is not a control command.
const MAX_BODY_BYTES = 4_096;

/** Whether an address is this machine's loopback (IPv4 127/8, ::1, or IPv4-mapped 127/8). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/** Authorizes and carries out control requests. */
export class Control {
  readonly #options: ControlOptions;

  /** Creates the control endpoint's handler. */
  constructor(options: ControlOptions) {
    this.#options = options;
  }

  /** Whether callers must present the bearer token. */
  get tokenRequired(): boolean {
    return this.#options.token !== null;
  }

  /** Answers `POST /control` from the peer at `remoteHost`. */
  async handle(request: Request, remoteHost: string): Promise<Response> {
    const { log } = this.#options;
    let body: { action?: unknown; source?: unknown; reason?: unknown };
    const declared = request.headers.get("x-mm-source");
    const who = (source: unknown, auth: string) =>
      `${sanitize(source ?? declared) ?? "api"} (${remoteHost}, ${auth})`;

    const refusal = await this.#authorize(request, remoteHost);
    if (refusal !== null) {
      log.warn(`[CONTROL] refused a request from ${who(null, "unauthorized")}: ${refusal.error}`);
      return json(refusal.status, { ok: false, error: refusal.error }, refusal.headers);
    }
    const auth = this.#options.token ? "token" : "loopback";
    if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
      return json(415, { ok: false, error: "send the command as Content-Type: application/json" });
    }
    const text = await request.text();
    try {
      if (text.length > MAX_BODY_BYTES) throw new Error(`body over ${MAX_BODY_BYTES} bytes`);
      body = JSON.parse(text);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new Error("the body must be a JSON object");
      }
    } catch (error) {
      return json(400, {
        ok: false,
        error: `bad control request: ${errorMessage(error)}; send {"action":"pause"}`,
      });
    }
    const action = body.action;
    if (!CONTROL_ACTIONS.includes(action as ControlAction)) {
      return json(400, {
        ok: false,
        error: `action ${JSON.stringify(action)} is not one of ${CONTROL_ACTIONS.join(", ")}`,
      });
    }
    const source = who(body.source, auth);
    return await this.#act(action as ControlAction, source, sanitize(body.reason));
  }

  async #act(action: ControlAction, source: string, reason: string | null): Promise<Response> {
    const { target, log, alerts, counters } = this.#options;
    const because = reason ? `: ${reason}` : "";
    if (target.haltReason !== null && action !== "halt") {
      log.warn(`[CONTROL] ${action} by ${source} refused: the engine is halted`);
      return json(409, {
        ok: false,
        error: `the engine is halted (${target.haltReason}); restart it with --clear-halt`,
      });
    }
    if (action === "resume" && target.pausedBy === null) {
      log.info(`[CONTROL] resume by ${source}: not paused, nothing to do`);
      return json(200, { ok: true, action, paused: false, halted: false });
    }
    counters.control[action] = (counters.control[action] ?? 0) + 1;
    if (action === "pause") {
      log.warn(
        `[CONTROL] ⏸ pause by ${source}${because}: cancelling every order; quoting stops, market data and harvesting go on`,
      );
      alerts.send(
        "pause",
        `⏸ PAUSED by ${source}${because}: every order cancelled, still harvesting.`,
      );
      await target.pause(source);
    } else if (action === "resume") {
      log.warn(`[CONTROL] ▶ resume by ${source}${because}: quoting again`);
      alerts.send("resume", `▶ RESUMED by ${source}${because}: quoting again.`);
      target.resume();
    } else {
      log.error(`[CONTROL] 🛑 halt by ${source}${because}`);
      await target.halt(`halted by operator (${source})${because}`);
    }
    return json(200, {
      ok: true,
      action,
      paused: target.pausedBy !== null,
      halted: target.haltReason !== null,
    });
  }

  async #authorize(
    request: Request,
    remoteHost: string,
  ): Promise<{ status: number; error: string; headers?: Record<string, string> } | null> {
    const origin = request.headers.get("origin");
    const host = request.headers.get("host");
    if (origin !== null && (host === null || !sameOrigin(origin, host))) {
      return {
        status: 403,
        error: `cross-origin control request from ${sanitize(origin)} refused`,
      };
    }
    const token = this.#options.token;
    if (token === null) {
      if (isLoopback(remoteHost)) return null;
      return {
        status: 403,
        error: "control from another machine needs MM_CONTROL_TOKEN set on the engine",
      };
    }
    const presented = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (presented !== undefined && await equalSecrets(presented, token.reveal())) return null;
    return {
      status: 401,
      error: presented === undefined ? "a bearer token is required" : "wrong bearer token",
      headers: { "www-authenticate": 'Bearer realm="mm control"' },
    };
  }
}

/** Whether an `Origin` header names the host the request was sent to. */
function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Compares two strings in time that does not depend on where they differ (SHA-256 of each). */
async function equalSecrets(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  const u = new Uint8Array(x), v = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < u.length; i++) diff |= u[i] ^ v[i];
  return diff === 0;
}

/** A caller-supplied label made safe for one log line: printable, at most 60 characters. */
function sanitize(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const clean = value.replace(/[^\x20-\x7e]/g, "").trim().slice(0, 60);
  return clean === "" ? null : clean;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

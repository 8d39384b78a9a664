import { errorMessage } from "../util/errors.ts";
/**
 * POSTs JSON to Hyperliquid's `/info` or `/exchange` with a timeout. Every failure becomes an
 * {@link HttpError} whose `kind` tells the caller whether the request may have reached the
 * exchange (status, timeout, transport) or whether the answer was unreadable (badJson).
 */

/** Why a request failed: an HTTP status ≠ 2xx, no answer in time, no connection, or a body that is not JSON. */
export type HttpErrorKind = "status" | "timeout" | "transport" | "badJson";

/** A failed POST to the exchange. */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  /** HTTP status for `status` and `badJson` errors. */
  readonly status?: number;
  /** The start of the response body, when there was one. */
  readonly body?: string;

  constructor(
    kind: HttpErrorKind,
    message: string,
    details: { status?: number; body?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "HttpError";
    this.kind = kind;
    this.status = details.status;
    this.body = details.body;
  }

  /** Whether the exchange refused for rate limiting (HTTP 429). */
  get isRateLimited(): boolean {
    return this.status === 429;
  }
}

/** A fetch-compatible function (injectable so tests and simulators can answer in-process). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options of {@link postJson}. */
export interface PostOptions {
  fetch?: FetchLike;
  /** Give up after this many ms (default 10,000). */
  timeoutMs?: number;
  /** What the request is, for error messages (e.g. `info l2Book`). */
  label?: string;
}

/** Default request timeout in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const BODY_EXCERPT = 300;

/** POSTs `body` (already JSON text) to `url` and returns the parsed JSON answer. */
export async function postJson(
  url: string,
  body: string,
  options: PostOptions = {},
): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = options.label ? `POST ${url} (${options.label})` : `POST ${url}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
        signal: controller.signal,
      });
      text = await response.text();
    } catch (err) {
      if (timedOut) {
        throw new HttpError("timeout", `${what}: no answer within ${timeoutMs} ms`, {
          cause: err,
        });
      }
      const reason = errorMessage(err);
      throw new HttpError("transport", `${what}: ${reason}`, { cause: err });
    }
    const excerpt = text.slice(0, BODY_EXCERPT);
    if (!response.ok) {
      throw new HttpError("status", `${what}: HTTP ${response.status}: ${excerpt}`, {
        status: response.status,
        body: excerpt,
      });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new HttpError("badJson", `${what}: answer is not JSON: ${excerpt}`, {
        status: response.status,
        body: excerpt,
        cause: err,
      });
    }
  } finally {
    clearTimeout(timer);
  }
}

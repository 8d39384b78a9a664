/** Turning whatever was thrown into text for a log line or an error message. */

import { isRecord } from "./guards.ts";

/**
 * The message of a caught value: an `Error`'s (or any object's) string `message`, otherwise the
 * value as text, so a thrown string or number still says what went wrong instead of `undefined`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isRecord(error) && typeof error.message === "string") return error.message;
  return String(error);
}

/**
 * `text` cut to its first `maxChars` characters with "…" appended when longer, so an error can
 * quote a bad value without flooding the log.
 */
export function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

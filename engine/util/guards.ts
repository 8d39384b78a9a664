/** Type guards for values parsed from JSON or received from outside. */

/** Whether `value` is a plain object (not null, not an array): a JSON object once parsed. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

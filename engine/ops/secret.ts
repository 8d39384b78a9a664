/**
 * A value that must never reach a log line, a state file or a status page: the control token and
 * the alert webhook URL (a Slack or Discord webhook URL is itself a credential). Printing,
 * stringifying or inspecting it shows `[redacted]`; only {@link Secret.reveal} gives the value.
 */
export class Secret {
  readonly #value: string;

  /** Wraps `value`. */
  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself, for the one place that needs it (an HTTP header, a fetch). */
  reveal(): string {
    return this.#value;
  }

  /** `[redacted]`, so string interpolation never leaks the value. */
  toString(): string {
    return "[redacted]";
  }

  /** `"[redacted]"` in JSON. */
  toJSON(): string {
    return "[redacted]";
  }

  /** `[redacted]` in `console.log` and `Deno.inspect`. */
  [Symbol.for("Deno.customInspect")](): string {
    return "[redacted]";
  }
}

/**
 * The operations settings: the HTTP server for metrics, the status page and control
 * (`MM_HTTP_PORT`, `MM_HTTP_HOST`, `MM_CONTROL_TOKEN`) and the alert webhook
 * (`MM_ALERT_WEBHOOK_URL`). Each is checked at start, including that the task's permissions let
 * the engine listen where asked and reach the webhook, so a missing permission is named at start
 * rather than met later as Deno's bare "Requires net access".
 */
import { ConfigError } from "../config.ts";
import { type EnvRecord } from "../config_env.ts";
import { Secret } from "./secret.ts";

/** The environment variables read here (the deno.json permission sets allow them). */
export const OPS_ENV_NAMES = [
  "MM_HTTP_PORT",
  "MM_HTTP_HOST",
  "MM_CONTROL_TOKEN",
  "MM_ALERT_WEBHOOK_URL",
] as const;

/** The validated operations settings. */
export interface OpsConfig {
  /** Port of the metrics/status/control server; null: no server (the default). 0: any free port. */
  httpPort: number | null;
  /** Address the server binds (default loopback only). */
  httpHost: string;
  /** Bearer token `POST /control` must carry; null: control from loopback only, without token. */
  controlToken: Secret | null;
  /** Where alerts are posted; null: no alerts. */
  alertWebhookUrl: Secret | null;
}

/** The loopback address the server binds unless `MM_HTTP_HOST` says otherwise. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";

// A token shorter than this can be guessed over the network; 32 hex digits is 128 bits.
const MIN_TOKEN_LENGTH = 16;
/** Highest TCP port number (ports are 16-bit). */
const MAX_PORT = 65_535;

/** Whether this process may reach (or listen on) `host` (`name` or `name:port`). */
export function hasNetAccess(host: string): boolean {
  return Deno.permissions.querySync({ name: "net", host }).state === "granted";
}

/**
 * Parses the operations settings from an environment record; throws a {@link ConfigError} naming
 * the variable. `mayReach` says whether the task's permissions allow a host (default: Deno's).
 */
export function loadOpsConfig(
  env: EnvRecord,
  mayReach: (host: string) => boolean = hasNetAccess,
): OpsConfig {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const portText = get("MM_HTTP_PORT");
  let httpPort: number | null = null;
  if (portText !== undefined) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
      throw new ConfigError(
        "MM_HTTP_PORT",
        portText,
        "a TCP port from 1 to 65535 (0: any free port, printed at start)",
      );
    }
    httpPort = port;
  }
  const httpHost = get("MM_HTTP_HOST") ?? DEFAULT_HTTP_HOST;
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(httpHost)) {
    throw new ConfigError("MM_HTTP_HOST", httpHost, "an IP address or host name, e.g. 127.0.0.1");
  }
  if (httpPort !== null) {
    const target = httpPort === 0 ? httpHost : `${httpHost}:${httpPort}`;
    if (!mayReach(target)) {
      throw new ConfigError(
        "MM_HTTP_HOST",
        httpHost,
        `an address this task may listen on (its net permission does not allow ${target}; ` +
          `loopback is allowed, another address needs --allow-net with it added)`,
      );
    }
  }

  const tokenText = env["MM_CONTROL_TOKEN"];
  let controlToken: Secret | null = null;
  if (tokenText !== undefined && tokenText !== "") {
    // The value is never echoed: a ConfigError prints the value it names.
    if (!/^[\x21-\x7e]+$/.test(tokenText) || tokenText.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(
        "MM_CONTROL_TOKEN",
        "[redacted]",
        `at least ${MIN_TOKEN_LENGTH} printable characters without spaces ` +
          "(e.g. the output of `openssl rand -hex 16`)",
      );
    }
    controlToken = new Secret(tokenText);
  }

  const hookText = get("MM_ALERT_WEBHOOK_URL");
  let alertWebhookUrl: Secret | null = null;
  if (hookText !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(hookText);
    } catch {
      url = null;
    }
    // Only the host is ever shown: the path of a Slack or Discord webhook is its credential.
    if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw new ConfigError("MM_ALERT_WEBHOOK_URL", "[redacted]", "an http or https URL");
    }
    const target = `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
    if (!mayReach(target)) {
      throw new ConfigError(
        "MM_ALERT_WEBHOOK_URL",
        `${url.protocol}//${url.host}/…`,
        `a host this task may reach (its net permission does not allow ${target}: ` +
          "add it with --allow-net, or relay alerts through a loopback service)",
      );
    }
    alertWebhookUrl = new Secret(url.href);
  }
  return { httpPort, httpHost, controlToken, alertWebhookUrl };
}

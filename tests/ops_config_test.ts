/**
 * The operations settings as an operator meets them: off by default, loopback unless told
 * otherwise, bad values named at start (secrets never echoed), the variables granted to every
 * engine task, and `MM_LOG_FORMAT=json` writing the human line's fields as one object per line.
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../engine/config.ts";
import { CONFIG_ENV_NAMES } from "../engine/config_env.ts";
import { createLogger } from "../engine/log.ts";
import { Secret } from "../engine/ops/secret.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";
const anyWrite = () => true;
const loopbackOnly = (host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);

Deno.test("operations are off by default: no server, no token, no alerts, text logs", () => {
  const config = loadConfig({});
  assert.deepEqual(config.ops, {
    httpPort: null,
    httpHost: "127.0.0.1",
    controlToken: null,
    alertWebhookUrl: null,
  });
  assert.equal(config.logFormat, "text");
});

Deno.test("every operations variable is honoured", () => {
  const config = loadConfig(
    {
      MM_HTTP_PORT: "9464",
      MM_HTTP_HOST: "localhost",
      MM_CONTROL_TOKEN: TOKEN,
      MM_ALERT_WEBHOOK_URL: "http://127.0.0.1:8080/hooks/abc",
      MM_LOG_FORMAT: "JSON",
    },
    anyWrite,
    loopbackOnly,
  );
  assert.equal(config.ops.httpPort, 9464);
  assert.equal(config.ops.httpHost, "localhost");
  assert.equal(config.ops.controlToken?.reveal(), TOKEN);
  assert.equal(config.ops.alertWebhookUrl?.reveal(), "http://127.0.0.1:8080/hooks/abc");
  assert.equal(config.logFormat, "json");
});

Deno.test("bad operations values are refused by name, and secrets are never echoed", () => {
  const refused = (env: Record<string, string>, message: RegExp) =>
    assert.throws(() => loadConfig(env, anyWrite, loopbackOnly), (error: Error) => {
      assert.ok(error instanceof ConfigError, error.message);
      assert.match(error.message, message);
      return true;
    });
  refused(
    { MM_HTTP_PORT: "99999" },
    /^MM_HTTP_PORT="99999" is invalid: expected a TCP port from 1 to 65535/,
  );
  refused({ MM_HTTP_PORT: "web" }, /^MM_HTTP_PORT="web" is invalid/);
  refused(
    { MM_HTTP_PORT: "9464", MM_HTTP_HOST: "0.0.0.0" },
    /^MM_HTTP_HOST="0\.0\.0\.0" is invalid: expected an address this task may listen on \(its net permission does not allow 0\.0\.0\.0:9464/,
  );
  refused({ MM_HTTP_HOST: "http://x/" }, /^MM_HTTP_HOST="http:\/\/x\/" is invalid: expected an IP/);
  refused(
    { MM_CONTROL_TOKEN: "hunter2" },
    /^MM_CONTROL_TOKEN="\[redacted\]" is invalid: expected at least 16 printable characters/,
  );
  refused(
    { MM_ALERT_WEBHOOK_URL: "ftp://hooks.example/T0/secret-path" },
    /^MM_ALERT_WEBHOOK_URL="\[redacted\]" is invalid: expected an http or https URL/,
  );
  refused(
    { MM_ALERT_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/secret-path" },
    /^MM_ALERT_WEBHOOK_URL="https:\/\/hooks\.slack\.com\/…" is invalid: expected a host this task may reach \(its net permission does not allow hooks\.slack\.com:443: add it with --allow-net/,
  );
  refused({ MM_LOG_FORMAT: "xml" }, /^MM_LOG_FORMAT="xml" is invalid: expected one of text, json/);
  for (
    const env of [{ MM_CONTROL_TOKEN: "hunter2" }, {
      MM_ALERT_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/secret-path",
    }]
  ) {
    assert.throws(
      () => loadConfig(env, anyWrite, loopbackOnly),
      (error: Error) => !/hunter2|secret-path/.test(error.message),
    );
  }
});

Deno.test("a token or webhook URL prints as [redacted] however it is printed", () => {
  const config = loadConfig({ MM_CONTROL_TOKEN: TOKEN }, anyWrite, loopbackOnly);
  const token = config.ops.controlToken!;
  assert.equal(`${token}`, "[redacted]");
  assert.ok(!JSON.stringify(config).includes(TOKEN));
  assert.ok(!Deno.inspect(config, { depth: 10 }).includes(TOKEN));
  assert.equal(Deno.inspect(new Secret("x")), "[redacted]");
});

Deno.test("every engine task may read every variable the engine reads, and no other task the token", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (const set of ["demo", "shadow", "live", "deploy", "replay"]) {
    const allowed: string[] = denoJson.permissions[set].env.allow;
    for (const name of CONFIG_ENV_NAMES) assert.ok(allowed.includes(name), `${set} lacks ${name}`);
  }
  for (const set of ["venue-sim", "data-tools", "import", "watchdog", "load-live", "screener"]) {
    const env = denoJson.permissions[set].env;
    const allowed: string[] = Array.isArray(env) ? env : env?.allow ?? [];
    assert.ok(!allowed.includes("MM_CONTROL_TOKEN"), `${set} may read MM_CONTROL_TOKEN`);
  }
});

Deno.test("MM_LOG_FORMAT=json writes one object per line with the human line's fields", async () => {
  const text: string[] = [];
  const json: string[] = [];
  const human = createLogger({ sink: (t) => void text.push(t) });
  const machine = createLogger({ format: "json", sink: (t) => void json.push(t) });
  for (const log of [human, machine]) {
    log.warn("[OFI] Sell dominance 78.3% > threshold. Bids suppressed for BTC.");
    log.error('two\nlines with "quotes"');
    await log.flush();
  }
  const lines = json.join("").split("\n").filter(Boolean);
  assert.equal(lines.length, 2, "a newline in a message stays inside its record");
  const records = lines.map((line) => JSON.parse(line));
  assert.deepEqual(records.map((r) => Object.keys(r)), [["time", "level", "message"], [
    "time",
    "level",
    "message",
  ]]);
  const humanLine = text.join("").split("\n")[0];
  const [time, level, ...message] = humanLine.split(" ");
  assert.ok(Math.abs(Date.parse(records[0].time) - Date.parse(time)) < 5_000);
  assert.equal(records[0].level, level.toLowerCase());
  assert.equal(records[0].message, message.join(" "));
  assert.deepEqual(records[1], {
    time: records[1].time,
    level: "error",
    message: 'two\nlines with "quotes"',
  });
});

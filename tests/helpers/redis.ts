/**
 * Starts a real `redis-server` on a free loopback port for one test, and registers tests that
 * need it. Without redis-server the tests fail under CI=true (so a CI image missing it cannot
 * pass silently) and are ignored elsewhere, with one line saying how to install it.
 */

const INSTALL_HINT =
  "redis-server not installed: apt-get update && apt-get install -y redis-server";

function probeRedis(): boolean {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Whether `redis-server` can be run on this machine. */
export const redisInstalled: boolean = probeRedis();
let hintPrinted = false;

/** Registers a test that needs redis-server (see the module comment for the missing case). */
export function redisTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  const ci = Deno.env.get("CI") === "true";
  if (!redisInstalled && !hintPrinted) {
    hintPrinted = true;
    console.log(INSTALL_HINT);
  }
  if (redisInstalled) {
    Deno.test(name, fn);
  } else if (ci) {
    Deno.test(name, () => {
      throw new Error(`${INSTALL_HINT} (required under CI=true)`);
    });
  } else {
    Deno.test({ name, ignore: true, fn });
  }
}

/** A running redis-server owned by one test. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Kills the server with SIGKILL (no goodbye to clients), waiting until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, waiting until it answers. */
  restart(): Promise<void>;
  /** Stops it (SIGTERM) if running; safe to call twice. */
  stop(): Promise<void>;
}

/** A loopback TCP port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts redis-server on a free loopback port (or `port`), without persistence. */
export async function startRedis(port: number = freePort()): Promise<RedisServer> {
  let child: Deno.ChildProcess | null = null;
  const spawn = async () => {
    child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--loglevel",
        "warning",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitUntilAnswering(port, child);
  };
  const end = async (signal: Deno.Signal) => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill(signal);
    await running.status;
  };
  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => end("SIGKILL"),
    restart: spawn,
    stop: () => end("SIGTERM"),
  };
}

async function waitUntilAnswering(port: number, child: Deno.ChildProcess): Promise<void> {
  let settled = false;
  child.status.then(() => {
    settled = true;
  });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (settled) throw new Error(`redis-server exited at start (port ${port} taken?)`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
}

async function answersPing(port: number): Promise<boolean> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return false;
  }
  try {
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(64);
    const n = await conn.read(buffer);
    return n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn.close();
  }
}

/** Polls `condition` every 10 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

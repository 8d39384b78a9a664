/**
 * The operations HTTP server: `GET /` (the status page), `GET /status.json` (the snapshot it
 * shows), `GET /metrics` (Prometheus) and `POST /control` (control.ts). It runs on the engine's
 * event loop, so every answer is built from the engine's own state of the moment; requests are
 * small and rare (a scrape every few seconds), which keeps the cost to the loop negligible.
 */
import type { Logger } from "../log.ts";
import type { Control } from "./control.ts";
import type { EngineMetrics } from "./metrics.ts";
import type { OpsSnapshot } from "./snapshot.ts";
import { statusPage, statusPageCsp } from "./status_page.ts";
import { errorMessage } from "../util/errors.ts";

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  hostname: string;
  /** 0: any free port. */
  port: number;
  snapshot: () => OpsSnapshot;
  metrics: EngineMetrics;
  control: Control;
  log: Logger;
  /** How often the status page refreshes itself, ms (default 2 s). */
  refreshMs?: number;
}

/** A running server. */
export interface OpsServer {
  /** e.g. `http://127.0.0.1:9464/`. */
  readonly url: string;
  /** Stops listening and waits for open requests to finish. */
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { log } = options;
  const refreshMs = options.refreshMs ?? 2_000;
  const handler = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const remote = (info.remoteAddr as Deno.NetAddr).hostname;
    try {
      if (pathname === "/control") {
        if (request.method !== "POST") {
          return text(405, 'POST /control {"action":"pause"}', { allow: "POST" });
        }
        return await options.control.handle(request, remote);
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return text(405, `${request.method} is not served here`, { allow: "GET, HEAD" });
      }
      if (pathname === "/") {
        const nonce = crypto.randomUUID().replaceAll("-", "");
        return new Response(
          statusPage({
            snapshot: options.snapshot(),
            nonce,
            tokenRequired: options.control.tokenRequired,
            refreshMs,
          }),
          {
            headers: {
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-store",
              "content-security-policy": statusPageCsp(nonce),
              "x-content-type-options": "nosniff",
            },
          },
        );
      }
      if (pathname === "/status.json") {
        return new Response(JSON.stringify(options.snapshot()), {
          headers: { "content-type": "application/json", "cache-control": "no-store" },
        });
      }
      if (pathname === "/metrics") {
        return new Response(await options.metrics.render(), {
          headers: { "content-type": options.metrics.contentType },
        });
      }
      return text(404, "not found: GET / (status page), /status.json, /metrics; POST /control");
    } catch (error) {
      log.error(`[OPS] ${request.method} ${pathname} failed: ${errorMessage(error)}`);
      return text(500, "internal error (see the engine's log)");
    }
  };
  const ready = Promise.withResolvers<OpsServer>();
  let server: Deno.HttpServer;
  try {
    server = serve();
  } catch (error) {
    throw new Error(
      `the status server cannot listen on ${options.hostname}:${options.port} ` +
        `(MM_HTTP_HOST, MM_HTTP_PORT): ${errorMessage(error)}`,
    );
  }
  return await ready.promise;

  function serve(): Deno.HttpServer {
    return Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        ready.resolve({ url: `http://${host}:${port}/`, close: () => server.shutdown() });
      },
      onError: (error) => {
        log.error(`[OPS] request failed: ${errorMessage(error)}`);
        return text(500, "internal error");
      },
    }, handler);
  }
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

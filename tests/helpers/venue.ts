/**
 * Starts the venue simulator for tests: in-process on a free port (manual virtual clock by
 * default, so a test steps the market instead of waiting), or as a subprocess through the
 * `venue-sim` task. Also a small WebSocket probe that records every frame a client would see.
 */
import { startVenueSim, type VenueSim, type VenueSimOptions } from "../../tools/venue_sim/mod.ts";
import { privateKeyToAccount } from "viem/accounts";
import type { NetworkEndpoints } from "../../engine/hyperliquid/types.ts";
import { type L1ActionInput, signL1Action } from "../../engine/hyperliquid/signing.ts";

/**
 * The official SDK's test key (engine/hyperliquid/README.md § Signing): public, worthless,
 * convenient.
 */
export const TEST_PRIVATE_KEY =
  "0x0123456789012345678901234567890123456789012345678901234567890123";
/** Address of {@link TEST_PRIVATE_KEY}. */
export const TEST_ACCOUNT = privateKeyToAccount(TEST_PRIVATE_KEY).address;
/** A fixed virtual start time, so streams compare byte for byte across runs. */
export const TEST_START_MS = 1_790_000_000_000;

/** Starts an in-process venue for {@link TEST_ACCOUNT} with a manual clock unless told otherwise. */
export function startTestVenue(options: Partial<VenueSimOptions> = {}): Promise<VenueSim> {
  return startVenueSim({
    account: TEST_ACCOUNT,
    clock: "manual",
    startTimeMs: TEST_START_MS,
    coins: 4,
    ...options,
  });
}

/** `POST /exchange` of `action` signed by {@link TEST_PRIVATE_KEY} (mainnet) with `nonce`. */
export async function postSignedAction(
  apiUrl: string,
  action: L1ActionInput["action"],
  nonce: number,
): Promise<Response> {
  const signature = await signL1Action({
    privateKey: TEST_PRIVATE_KEY,
    action,
    nonce,
    isMainnet: true,
  });
  return await fetch(`${apiUrl}/exchange`, {
    method: "POST",
    body: JSON.stringify({ action, nonce, signature, vaultAddress: null }),
  });
}

/** Endpoints that point the engine's clients at a venue (signed as mainnet, like the engine). */
export function venueEndpoints(
  venue: { apiUrl: string; wsUrl: string },
  isMainnet = true,
): NetworkEndpoints {
  return {
    network: isMainnet ? "mainnet" : "testnet",
    apiUrl: venue.apiUrl,
    wsUrl: venue.wsUrl,
    isMainnet,
  };
}

/** A venue running in a child process (the `venue-sim` task), with the URLs it printed. */
export interface VenueProcess {
  apiUrl: string;
  wsUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Stops the process and waits for it. */
  close(): Promise<void>;
}

/** Starts `./deno task venue-sim` with `args` (port 0) and waits for the URLs it prints. */
export async function startVenueProcess(args: string[] = []): Promise<VenueProcess> {
  const child = new Deno.Command("./deno", {
    args: ["task", "-q", "venue-sim", "--port", "0", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const decoder = new TextDecoder();
  let text = "";
  const reader = child.stdout.getReader();
  const stderr = child.stderr.text();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  })();
  const deadline = Date.now() + 30_000;
  while (!/HL_WS_URL=\S+/.test(text)) {
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      await child.status;
      throw new Error(`venue-sim did not print its URLs within 30 s; output: ${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const apiUrl = /HL_API_URL=(\S+)/.exec(text)![1];
  const wsUrl = /HL_WS_URL=(\S+)/.exec(text)![1];
  return {
    apiUrl,
    wsUrl,
    output: () => text,
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await pump;
      await stderr;
    },
  };
}

/** A parsed frame the probe received (raw text kept for byte-for-byte comparisons). */
export interface ProbeFrame {
  raw: string;
  /** The parsed JSON, or undefined when the frame was not JSON. */
  json?: { channel?: string; data?: unknown };
}

/** A WebSocket client that records every frame and can wait for one. */
export class WsProbe {
  readonly frames: ProbeFrame[] = [];
  readonly ws: WebSocket;
  /** Set once the socket closed: the close code and whether it was clean. */
  closed: { code: number; wasClean: boolean } | null = null;
  #waiters: (() => void)[] = [];
  readonly #closedPromise: Promise<void>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.onmessage = (e) => {
      const raw = typeof e.data === "string" ? e.data : "<binary>";
      let json: ProbeFrame["json"];
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      this.frames.push({ raw, json });
      this.#wake();
    };
    this.#closedPromise = new Promise((resolve) => {
      ws.onclose = (e) => {
        this.closed = { code: e.code, wasClean: e.wasClean };
        this.#wake();
        resolve();
      };
    });
  }

  /** Connects to `url` and waits for the socket to open. */
  static async connect(url: string): Promise<WsProbe> {
    const ws = new WebSocket(url);
    const probe = new WsProbe(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`could not connect to ${url}`));
    });
    ws.onerror = () => {};
    return probe;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Sends a JSON message. */
  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Subscribes and waits for the ack. */
  async subscribe(subscription: Record<string, unknown>): Promise<void> {
    const from = this.frames.length;
    this.send({ method: "subscribe", subscription });
    await this.waitFor((f) => f.json?.channel === "subscriptionResponse", from);
  }

  /** Waits (up to `timeoutMs`) for a frame at index ≥ `from` matching `pred`. */
  async waitFor(
    pred: (f: ProbeFrame) => boolean,
    from = 0,
    timeoutMs = 5_000,
  ): Promise<ProbeFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      if (this.closed) {
        throw new Error(`socket closed (code ${this.closed.code}) while waiting for a frame`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; last: ${
            this.frames.at(-1)?.raw.slice(0, 200)
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Round-trips a ping: every frame the server sent before the pong has then arrived. */
  async sync(): Promise<void> {
    const from = this.frames.length;
    this.send({ method: "ping" });
    await this.waitFor((f) => f.json?.channel === "pong", from);
  }

  /** Frames on one channel (optionally only from index `from`). */
  channel(name: string, from = 0): ProbeFrame[] {
    return this.frames.slice(from).filter((f) => f.json?.channel === name);
  }

  /** Waits until the server closes the socket. */
  async waitClosed(timeoutMs = 5_000): Promise<{ code: number; wasClean: boolean }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closedPromise,
      new Promise((_, reject) =>
        timer = setTimeout(() => reject(new Error("socket still open")), timeoutMs)
      ),
    ]);
    clearTimeout(timer);
    return this.closed!;
  }

  /** Closes the socket (if open) and waits for the close. */
  async close(): Promise<void> {
    if (!this.closed) this.ws.close();
    await this.#closedPromise;
  }
}

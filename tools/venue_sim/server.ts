/**
 * The venue simulator's server: HTTP (`/info`, `/exchange`, `/control`) and WebSocket (`/ws`)
 * on one loopback port, driving the simulator's virtual clock from wall time (or leaving it to
 * the caller with `clock: "manual"`). `startVenueSim` is what the CLI, the tests and the
 * engine's demo use.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import { createLogger, type Logger } from "../../engine/log.ts";
import { Control, type VenueState } from "./control.ts";
import { ExchangeBodyError, ExchangeHandler } from "./exchange_handler.ts";
import { type Fault, type FaultKind, FaultState } from "./faults.ts";
import { handleInfo, InfoError } from "./info_handler.ts";
import { IpWeight, requestWeight } from "./ip_weight.ts";
import type { MarketSteer } from "./market.ts";
import type { ReplayEvent } from "./replay.ts";
import { deriveSeed } from "./rng.ts";
import { Simulator, type SimulatorOptions, type WsTrade } from "./simulator.ts";
import { StreamHub } from "./streams.ts";
import { acceptUpgrade, WsConnection } from "./websocket.ts";
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { errorMessage } from "../../engine/util/errors.ts";

/** Options of {@link startVenueSim}. */
export interface VenueSimOptions extends Omit<SimulatorOptions, "replay"> {
  /** TCP port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Approved agents (API wallets) allowed to sign for the account. */
  agents?: string[];
  /** The account's master, when the account is a vault or sub-account traded with vaultAddress. */
  master?: string;
  /** Verify L1 signatures as mainnet (source "a", default) or testnet ("b"). */
  isMainnet?: boolean;
  /** "realtime" (default): the market moves with wall time; "manual": only `advance` moves it. */
  clock?: "realtime" | "manual";
  /** Recorded events to replay instead of the synthetic market. */
  replay?: ReplayEvent[];
  /** Replay pacing: a speed factor (1 = recorded speed, default) or "asap". */
  replaySpeed?: number | "asap";
  /** Faults to inject at start. */
  faults?: Fault[];
  /**
   * Per-IP request weight allowed in any 60 s window, shared by /info, /exchange and WS `post`
   * (default 1200, as Hyperliquid; 0: counted but never refused).
   */
  ipWeightLimit?: number;
  /** Where the server logs (default: warnings and errors to stdout). */
  logger?: Logger;
}

/** A running venue simulator. */
export interface VenueSim {
  /** Set HL_API_URL to this (`http://127.0.0.1:PORT`). */
  apiUrl: string;
  /** Set HL_WS_URL to this (`ws://127.0.0.1:PORT/ws`). */
  wsUrl: string;
  port: number;
  /** The simulated account (lowercase). */
  account: string;
  /** The simulator core (markets, matching, account, virtual clock). */
  sim: Simulator;
  /** Injects a fault now (see faults.ts). */
  inject(fault: Fault): void;
  /** Clears one fault kind, or all. */
  clear(kind?: FaultKind): void;
  /** Steps the virtual clock (manual clock only). */
  advance(ms: number): void;
  /** Forces a crowd taker that sweeps `sz` coin on `side`. */
  takerTrade(coin: string, side: TakerSide, sz: number): WsTrade[];
  /** Steers a coin's synthetic market: regime, volatility, trend, jump, funding, bursts. */
  steer(coin: string, steer: MarketSteer): void;
  /** Sets the account's spent address-based requests (reach or leave the request cap). */
  setRequestsUsed(n: number): void;
  /** What the venue believes (positions, open orders, fills, faults). */
  state(): VenueState;
  /** Stops the server, closes every socket and clears every timer. */
  close(): Promise<void>;
}

// How often the real-time driver catches the virtual clock up with wall time (ms).
const DRIVER_PERIOD_MS = 10;
// Replay "asap": events handled per driver turn before yielding to the sockets.
const ASAP_EVENTS_PER_TURN = 2_000;
// What an over-weight request is told (and an httpError 429 fault): the exchange answers HTTP 429
// with a body the docs do not describe (engine/hyperliquid/README.md § Rate limits), so REST gets
// the status's reason phrase, and a WS post the same words in its error envelope.
const IP_LIMITED = "Too Many Requests";

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts a venue simulator on 127.0.0.1. */
export async function startVenueSim(options: VenueSimOptions): Promise<VenueSim> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(options.account ?? "")) {
    throw new Error(
      `account must be a 0x-prefixed 20-byte hex address, got ${JSON.stringify(options.account)}`,
    );
  }
  for (const a of [...(options.agents ?? []), ...(options.master ? [options.master] : [])]) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(a)) {
      throw new Error(`agent/master must be a 20-byte hex address, got ${JSON.stringify(a)}`);
    }
  }
  const log = options.logger ?? createLogger({ level: "warn" });
  const clockMode = options.clock ?? "realtime";
  const replay = options.replay ?? [];
  const startTimeMs = options.startTimeMs ?? (replay.length ? replay[0].timeMs - 1 : Date.now());
  const sim = new Simulator({ ...options, startTimeMs, replay });
  const faults = new FaultState(deriveSeed(options.seed ?? 1, 77));
  const ipWeight = new IpWeight({ limit: options.ipWeightLimit, now: () => sim.now });
  const account = sim.account.address;
  const owners = [account, ...(options.master ? [options.master.toLowerCase()] : [])];
  const exchange = new ExchangeHandler(sim, {
    account,
    signers: new Set([...owners, ...(options.agents ?? []).map((a) => a.toLowerCase())]),
    owners: new Set(owners),
    isMainnet: options.isMainnet ?? true,
  }, faults);

  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        timers.delete(id);
        resolve();
      }, ms);
      timers.add(id);
    });
  // A clock that does not run by itself never reaches a block's end: the venue closes the block
  // once the requests that arrived together are in (virtual time stands still meanwhile).
  if (clockMode === "manual" || options.replaySpeed === "asap") {
    sim.onBlockOpened = () => void sleep(0).then(() => sim.closeBlock());
  }

  // WS post requests draw on the same per-IP weight as REST: undocumented
  // (engine/hyperliquid/README.md § WebSocket), so the stricter reading. Thrown here, the refusal
  // reaches the client as a post error.
  const hub: StreamHub = new StreamHub(sim, faults, async (type, payload) => {
    if (!ipWeight.admit("post", requestWeight(type, payload))) throw new Error(IP_LIMITED);
    if (type === "action") return await exchange.handle(payload);
    const answer = handleInfo(sim, payload, (c) => hub.recentTrades(c));
    ipWeight.surcharge("post", payload, answer);
    return answer;
  }, sleep);
  const control = new Control(sim, hub, faults, ipWeight, clockMode === "manual");

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((e) => {
      log.error(
        `venue-sim: ${req.method} ${req.url} failed: ${errorMessage(e)}`,
      );
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    });
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    if (!req.url?.startsWith("/ws") || !acceptUpgrade(req, socket)) {
      if (!socket.destroyed) socket.destroy();
      return;
    }
    let handlers: ReturnType<StreamHub["attach"]> | null = null;
    const conn = new WsConnection(
      socket,
      head,
      (t) => handlers?.onText(t),
      () => handlers?.onClose(),
    );
    handlers = hub.attach(conn);
  });

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const text = req.method === "POST" ? await readBody(req) : "";
    if (url.startsWith("/control")) {
      if (req.method === "GET") return json(res, 200, control.state());
      try {
        return json(res, 200, control.command(JSON.parse(text)));
      } catch (e) {
        return json(res, 400, { ok: false, error: errorMessage(e) });
      }
    }
    if (req.method !== "POST" || (url !== "/info" && url !== "/exchange")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end(
        `venue-sim: no route ${req.method} ${url} (POST /info, POST /exchange, /control, WS /ws)`,
      );
      return;
    }
    const delay = faults.delay(sim.now);
    if (delay > 0) await sleep(delay);
    const status = faults.httpError(sim.now);
    if (status) {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 429 ? IP_LIMITED : "Service Unavailable");
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const isInfo = url === "/info";
    if (
      !ipWeight.admit(isInfo ? "info" : "exchange", requestWeight(isInfo ? "info" : "action", body))
    ) {
      res.writeHead(429, { "content-type": "text/plain" });
      res.end(IP_LIMITED);
      return;
    }
    if (body === undefined) {
      res.writeHead(422, { "content-type": "text/plain" });
      res.end("Failed to deserialize the JSON body into the target type");
      return;
    }
    try {
      if (isInfo) {
        const answer = handleInfo(sim, body, (c) => hub.recentTrades(c));
        ipWeight.surcharge("info", body, answer);
        return json(res, 200, answer);
      }
      return json(res, 200, await exchange.handle(body));
    } catch (e) {
      if (e instanceof InfoError || e instanceof ExchangeBodyError) {
        res.writeHead(422, { "content-type": "text/plain" });
        res.end(e.message);
        return;
      }
      throw e;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  for (const f of options.faults ?? []) control.inject(f);

  let driver: ReturnType<typeof setInterval> | undefined;
  if (clockMode === "realtime") {
    const wallStart = performance.now();
    const speed = options.replaySpeed === "asap" ? 0 : options.replaySpeed ?? 1;
    if (!(speed >= 0)) {
      throw new Error(
        `replaySpeed must be a positive number or "asap", got ${options.replaySpeed}`,
      );
    }
    driver = setInterval(() => {
      if (options.replaySpeed === "asap" && replay.length) {
        for (let i = 0; i < ASAP_EVENTS_PER_TURN; i++) {
          const next = sim.nextReplayAt;
          if (next === null) break;
          sim.advanceTo(next);
        }
      } else {
        sim.advanceTo(startTimeMs + (performance.now() - wallStart) * speed);
      }
    }, DRIVER_PERIOD_MS);
  }

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    account,
    sim,
    inject: (f) => control.inject(f),
    clear: (k) => control.clear(k),
    advance: (ms) => control.advance(ms),
    takerTrade: (coin, side, sz) => control.takerTrade(coin, side, sz),
    steer: (coin, steer) => control.steer(coin, steer),
    setRequestsUsed: (n) => control.setRequestsUsed(n),
    state: () => control.state(),
    async close() {
      if (driver !== undefined) clearInterval(driver);
      for (const id of timers) clearTimeout(id);
      timers.clear();
      hub.dropAll(true);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      await log.flush();
    },
  };
}

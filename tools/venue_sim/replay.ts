/**
 * Recorded market data for the venue to replay: the harvester's tick CSV rows
 * (`timestamp_ms,coin,bid,ask,mid,spread_bps`), trade CSV rows
 * (`timestamp_ms,coin,side,px,sz,tid`), or raw `l2Book`/`trades` WebSocket frames, one JSON
 * object per line (`.jsonl`). Tick rows carry only the top of book, so the depth behind it is
 * drawn from a seeded generator (one level per tick, sizes of a few hundred dollars).
 */
import { priceTick } from "../../engine/hyperliquid/wire.ts";
import type { TakerSide } from "../../engine/hyperliquid/types.ts";
import { BOOK_DEPTH, type Level, roundLots } from "./market.ts";
import { Rng } from "./rng.ts";
import { UNIVERSE } from "./universe.ts";

/** One recorded market event, in time order once loaded. */
export type ReplayEvent =
  | {
    kind: "book";
    timeMs: number;
    coin: string;
    /** A representative price (for coins the simulated universe lacks). */
    refPx: number;
    bids: Level[];
    asks: Level[];
  }
  | {
    kind: "trade";
    timeMs: number;
    coin: string;
    refPx: number;
    side: TakerSide;
    px: number;
    sz: number;
    tid: number;
    hash?: string;
    users?: [string, string];
  };

function fail(source: string, line: number, why: string): never {
  throw new Error(`${source}:${line}: ${why}`);
}

function finite(source: string, line: number, name: string, text: string): number {
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x)) {
    fail(source, line, `${name} is not a number: ${JSON.stringify(text)}`);
  }
  return x;
}

/** Synthesizes depth behind a recorded top of book, `levelUsd` a level (growing with depth). */
function depthBehind(
  best: number,
  dir: 1 | -1,
  szDecimals: number,
  levelUsd: number,
  rng: Rng,
): Level[] {
  const levels: Level[] = [];
  let px = best;
  for (let k = 0; k < BOOK_DEPTH && px > 0; k++) {
    const usd = levelUsd * (1 + 0.25 * k) * Math.exp(0.5 * rng.normal());
    levels.push({
      px,
      sz: Math.max(Math.pow(10, -szDecimals), roundLots(usd / px, szDecimals)),
      n: 1 + rng.int(5),
    });
    const tick = priceTick(px, szDecimals);
    px = Number((px + dir * tick).toPrecision(12));
  }
  return levels;
}

/** Size decimals a recorded price suggests when the universe does not know the coin. */
export function szDecimalsFor(px: number): number {
  return Math.max(0, Math.min(5, Math.round(Math.log10(px))));
}

/** Parses harvested tick rows (`timestamp_ms,coin,bid,ask,mid,spread_bps`; header optional). */
export function parseTickCsv(text: string, source: string, seed: number): ReplayEvent[] {
  const rng = new Rng(seed);
  const out: ReplayEvent[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || /^[a-z_]/i.test(line) && i === 0) return;
    const f = line.split(",");
    if (f.length < 4) {
      fail(
        source,
        i + 1,
        `expected timestamp_ms,coin,bid,ask,mid,spread_bps, got ${JSON.stringify(line)}`,
      );
    }
    const timeMs = finite(source, i + 1, "timestamp_ms", f[0]);
    const bid = finite(source, i + 1, "bid", f[2]);
    const ask = finite(source, i + 1, "ask", f[3]);
    if (!(bid > 0 && ask > bid)) {
      fail(source, i + 1, `bid ${bid} and ask ${ask} do not form a book`);
    }
    const coin = f[1].trim();
    const known = UNIVERSE.find((c) => c.name === coin);
    const szd = known?.szDecimals ?? szDecimalsFor((bid + ask) / 2);
    // Known coins get the synthetic market's level size (~5 s of volume); others $2,000.
    const levelUsd = known ? Math.max(50, known.dayNtlVlm / 86_400 * 5) : 2_000;
    out.push({
      kind: "book",
      timeMs,
      coin,
      refPx: (bid + ask) / 2,
      bids: depthBehind(bid, -1, szd, levelUsd, rng),
      asks: depthBehind(ask, 1, szd, levelUsd, rng),
    });
  });
  return out;
}

/** Parses harvested trade rows (`timestamp_ms,coin,side,px,sz,tid`; header optional). */
export function parseTradeCsv(text: string, source: string): ReplayEvent[] {
  const out: ReplayEvent[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || /^[a-z_]/i.test(line) && i === 0) return;
    const f = line.split(",");
    if (f.length < 6) {
      fail(source, i + 1, `expected timestamp_ms,coin,side,px,sz,tid, got ${JSON.stringify(line)}`);
    }
    const side = f[2].trim();
    if (side !== "B" && side !== "A") {
      fail(source, i + 1, `side must be B or A, got ${JSON.stringify(side)}`);
    }
    const px = finite(source, i + 1, "px", f[3]);
    out.push({
      kind: "trade",
      timeMs: finite(source, i + 1, "timestamp_ms", f[0]),
      coin: f[1].trim(),
      refPx: px,
      side,
      px,
      sz: finite(source, i + 1, "sz", f[4]),
      tid: finite(source, i + 1, "tid", f[5]),
    });
  });
  return out;
}

interface WireLevel {
  px: string;
  sz: string;
  n: number;
}

/** Parses recorded WebSocket frames (`{"channel":"l2Book"|"trades","data":…}` per line). */
export function parseFramesJsonl(text: string, source: string): ReplayEvent[] {
  const out: ReplayEvent[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let frame: { channel?: string; data?: unknown };
    try {
      frame = JSON.parse(line);
    } catch {
      fail(source, i + 1, "not a JSON frame");
    }
    if (frame.channel === "l2Book") {
      const d = frame.data as { coin: string; time: number; levels: [WireLevel[], WireLevel[]] };
      const side = (ls: WireLevel[]) =>
        ls.map((l) => ({ px: Number(l.px), sz: Number(l.sz), n: l.n }));
      const bids = side(d.levels[0]);
      const asks = side(d.levels[1]);
      out.push({
        kind: "book",
        timeMs: d.time,
        coin: d.coin,
        refPx: bids[0]?.px ?? asks[0]?.px ?? 1,
        bids,
        asks,
      });
    } else if (frame.channel === "trades") {
      for (const t of frame.data as Array<Record<string, unknown>>) {
        const px = Number(t.px);
        out.push({
          kind: "trade",
          timeMs: Number(t.time),
          coin: String(t.coin),
          refPx: px,
          side: t.side === "B" ? "B" : "A",
          px,
          sz: Number(t.sz),
          tid: Number(t.tid),
          hash: typeof t.hash === "string" ? t.hash : undefined,
          users: Array.isArray(t.users) ? (t.users as [string, string]) : undefined,
        });
      }
    }
  });
  return out;
}

/** Loads recorded files (kind told by extension and content), merged in time order. */
export async function loadReplay(paths: string[], seed: number): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  for (const path of paths) {
    if (!path.endsWith(".jsonl") && !path.endsWith(".csv")) {
      throw new Error(`replay file ${path}: expected a .csv (ticks or trades) or .jsonl (frames)`);
    }
    const text = await Deno.readTextFile(path);
    if (path.endsWith(".jsonl")) {
      events.push(...parseFramesJsonl(text, path));
      continue;
    }
    const first = text.split("\n").find((l) => l.trim() !== "" && !/^[a-z_]/i.test(l.trim())) ?? "";
    const side = first.split(",")[2]?.trim();
    events.push(
      ...(side === "B" || side === "A"
        ? parseTradeCsv(text, path)
        : parseTickCsv(text, path, seed)),
    );
  }
  if (events.length === 0) throw new Error(`replay files ${paths.join(", ")} hold no events`);
  return events.sort((a, b) => a.timeMs - b.timeMs);
}

/**
 * `./deno task queue-twins [--minutes N] [--seed S] [--rest S] [--priority-share X]`
 *
 * Per-order twins of the shadow estimator against the venue simulator's true fills. Real
 * post-only orders rest in the simulator (true FIFO queues, blocks, priority overtaking) at the
 * best price and 2 and 5 ticks behind it, on BTC, ETH and SOL, one order a side and level at a
 * time, each cancelled after `--rest` seconds unfilled. For every order, a twin of the engine's
 * estimator (engine/fill_model/, unchanged: the `queue` model, and the threshold model `spec`) sees
 * only the public stream: it joins behind the displayed size at the order's price (the order's
 * own size left out, as a shadow order is not in the book), and reads every book and print. The
 * table compares the twins' fills with the venue's, per level: how many filled, how many the twin
 * filled that the venue did not, and how much earlier the twin filled. Reads and writes nothing.
 */

import { parseArgs } from "node:util";
import {
  newQueueState,
  type QueueFillModel,
  type QueueState,
  specThresholdModel,
  type TradeOutcome,
} from "../engine/fill_model/queue_model.ts";
import { probQueueModel } from "../engine/fill_model/prob_queue.ts";
import { floatToWire } from "../engine/hyperliquid/wire.ts";
import { DEFAULT_ASSET } from "../engine/asset_config.ts";
import { Simulator, type WsTrade } from "./venue_sim/simulator.ts";

const ACCOUNT = "0x00000000000000000000000000000000000000aa";
const COINS = ["BTC", "ETH", "SOL"];
// Ticks behind the best price of its side an order is placed at.
const LEVELS = [0, 2, 5];
// An order of about the engine's default minimum order.
const ORDER_USD = DEFAULT_ASSET.minOrderUsd;
// How often the experiment looks at its orders, ms of market time.
const STEP_MS = 100;
// Adverse selection is measured this long after a fill (as the session report does), ms.
const MARKOUT_MS = 10_000;

/** One real order and its twins. */
interface Twin {
  coin: string;
  level: number;
  isBuy: boolean;
  px: number;
  sz: number;
  oid: number;
  placedAt: number;
  /** When the venue filled it completely, or null. */
  realAt: number | null;
  /** The venue's fill: the mid 10 s later against the order's price, bps (null until known). */
  realMarkout: { bps: number | null } | null;
  /** The same for the queue twin's fill. */
  twinMarkout: { bps: number | null } | null;
  /** Samples while resting: true crowd size ahead, and the queue twin's estimate. */
  ahead: { real: number; twin: number }[];
  model: {
    name: string;
    model: QueueFillModel;
    state: QueueState;
    filled: number;
    at: number | null;
  }[];
  done: boolean;
}

/** Per level: what the venue and each twin did. */
export interface TwinRow {
  level: number;
  orders: number;
  realFilled: number;
  /** Per model: orders it filled, of them not filled by the venue, median lead (s) when both. */
  models: Record<string, { filled: number; falseFills: number; medianLeadS: number }>;
  /** Venue fills the queue twin did not make while the order rested. */
  missed: number;
  /** Share of resting time with nothing ahead: at the venue, and as the queue twin believes. */
  nothingAhead: { real: number; twin: number };
  /** Median of the queue twin's size ahead over the true one, where the true one is not 0. */
  aheadRatio: number;
  /** Mean loss of a fill against the mid 10 s later, bps: the venue's fills, the twin's. */
  adverseBps: { real: number; twin: number };
}

function mean(xs: (number | null)[]): number {
  const known = xs.filter((x): x is number => x !== null);
  return known.reduce((a, b) => a + b, 0) / known.length;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Runs the experiment for `minutes` of market time; returns one row per level. */
export function runTwins(
  minutes: number,
  seed: number,
  restS: number,
  priorityShare?: number,
): TwinRow[] {
  const sim = new Simulator({
    account: ACCOUNT,
    seed,
    coins: COINS.length,
    startTimeMs: 0,
    priorityShare,
  });
  const twins: Twin[] = [];
  const live = new Map<number, Twin>();
  const out: TradeOutcome = { fill: 0, cause: "queue" };
  const ownAt = (coin: string, isBuy: boolean, px: number) =>
    sim.openOrders().filter((o) => o.coin === coin && o.isBuy === isBuy && o.px === px)
      .reduce((s, o) => s + o.sz, 0);
  const displayed = (coin: string, isBuy: boolean, px: number) => {
    const side = sim.l2Book(coin).levels[isBuy ? 0 : 1];
    const level = side.find((l) => Number(l.px) === px);
    return Math.max(0, Number(level?.sz ?? 0) - ownAt(coin, isBuy, px));
  };
  const finishModel = (t: Twin, m: Twin["model"][number], sz: number) => {
    m.filled += sz;
    if (m.at === null && m.filled >= t.sz - 1e-12) {
      m.at = sim.now;
      if (m.name === "queue") t.twinMarkout = { bps: null };
    }
  };
  sim.setEvents({
    book(coin) {
      const [bids, asks] = sim.l2Book(coin).levels;
      // The others' best price of a side: the first level not made of our own orders alone.
      const othersBest = (side: typeof bids, isBuy: boolean) => {
        const level = side.find((l) => displayed(coin, isBuy, Number(l.px)) > 0);
        return level === undefined ? undefined : Number(level.px);
      };
      const bestBid = othersBest(bids, true), bestAsk = othersBest(asks, false);
      for (const t of live.values()) {
        if (t.coin !== coin) continue;
        // The shadow matcher's rule (engine/venue/shadow_matching.ts `cross`): an order the mid
        // has reached or run through is picked off whole; with its own side of the book empty,
        // the opposite best at its price is the reference.
        const own = t.isBuy ? bestBid : bestAsk, opposite = t.isBuy ? bestAsk : bestBid;
        const reference = opposite === undefined
          ? undefined
          : own === undefined
          ? opposite
          : (own + opposite) / 2;
        for (const m of t.model) {
          if (m.at !== null) continue;
          const crossed = reference !== undefined &&
            (t.isBuy ? t.px >= reference : t.px <= reference);
          if (crossed && m.model.fillsOnCross) finishModel(t, m, t.sz - m.filled);
          else if (m.model.tracksDepth) {
            m.model.onDepth(m.state, displayed(coin, t.isBuy, t.px), sim.now - t.placedAt, 0);
          }
        }
      }
    },
    trades(coin, trades: WsTrade[]) {
      for (const tr of trades) {
        const px = Number(tr.px);
        const sz = Number(tr.sz);
        for (const t of live.values()) {
          if (t.coin !== coin || (tr.side === "A") !== t.isBuy) continue;
          const reaches = t.isBuy ? px <= t.px : px >= t.px;
          if (!reaches) continue;
          const through = t.isBuy ? px < t.px : px > t.px;
          for (const m of t.model) {
            if (m.at !== null) continue;
            m.model.onTrade(m.state, t.sz, t.sz - m.filled, through, sz, sz, out);
            if (out.fill > 0) finishModel(t, m, Math.min(out.fill, t.sz - m.filled));
          }
        }
      }
    },
    fills(fills) {
      for (const f of fills) {
        const t = live.get(f.oid);
        if (!t) continue;
        if (!sim.openOrders().some((o) => o.oid === f.oid)) {
          t.realAt = sim.now;
          t.realMarkout = { bps: null };
        }
      }
    },
    orderUpdates() {},
  });
  const place = (coin: string, isBuy: boolean, level: number) => {
    const asset = COINS.indexOf(coin);
    const [bids, asks] = sim.l2Book(coin).levels;
    const best = Number((isBuy ? bids : asks)[0].px);
    const tick = sim.coins[asset].market.tick;
    const px = Number((isBuy ? best - level * tick : best + level * tick).toPrecision(10));
    const szd = sim.coins[asset].info.szDecimals;
    const sz = Math.ceil(ORDER_USD / px * 10 ** szd) / 10 ** szd;
    const status = sim.placeOrder({
      a: asset,
      b: isBuy,
      p: floatToWire(px),
      s: floatToWire(sz),
      r: false,
      t: { limit: { tif: "Alo" } },
    });
    if (!("resting" in status)) return;
    const shown = displayed(coin, isBuy, px);
    const models = [probQueueModel(), specThresholdModel()].map((model) => {
      const state = newQueueState();
      model.join(state, shown);
      return { name: model.name, model, state, filled: 0, at: null };
    });
    const twin: Twin = {
      coin,
      level,
      isBuy,
      px,
      sz,
      oid: status.resting.oid,
      placedAt: sim.now,
      realAt: null,
      realMarkout: null,
      twinMarkout: null,
      ahead: [],
      model: models,
      done: false,
    };
    twins.push(twin);
    live.set(twin.oid, twin);
  };
  const queueAt = (t: Twin) => t.model.find((m) => m.name === "queue")!.at;
  sim.advance(10_000);
  const end = sim.now + minutes * 60_000;
  while (sim.now < end) {
    // One order per coin, side and level at a time: a new one once the last is done.
    for (const coin of COINS) {
      for (const isBuy of [true, false]) {
        for (const level of LEVELS) {
          const open = [...live.values()].find((t) =>
            t.coin === coin && t.isBuy === isBuy && t.level === level
          );
          if (open) {
            const expired = sim.now - open.placedAt >= restS * 1000;
            const resting = sim.openOrders().some((o) => o.oid === open.oid);
            if (resting && expired) sim.cancel(COINS.indexOf(coin), open.oid);
            if (!resting || expired) {
              open.done = true;
              live.delete(open.oid);
            } else continue;
          }
          place(coin, isBuy, level);
        }
      }
    }
    for (const t of twins) {
      for (const [mark, at] of [[t.realMarkout, t.realAt], [t.twinMarkout, queueAt(t)]] as const) {
        if (mark && mark.bps === null && at !== null && sim.now - at >= MARKOUT_MS) {
          // Positive: 10 s later the mid is on the losing side of the price the order traded at.
          const move = (sim.mark(t.coin) - t.px) / t.px * 1e4;
          mark.bps = t.isBuy ? -move : move;
        }
      }
    }
    for (const o of sim.openOrders()) {
      const t = live.get(o.oid);
      const q = t?.model.find((m) => m.name === "queue");
      if (t && q && q.at === null) t.ahead.push({ real: o.queueAhead, twin: q.state.front });
    }
    sim.advance(STEP_MS);
  }
  return LEVELS.map((level) => {
    const rows = twins.filter((t) => t.level === level && t.done);
    const models: TwinRow["models"] = {};
    for (const name of ["queue", "spec"]) {
      const ms = rows.map((t) => ({ t, m: t.model.find((m) => m.name === name)! }));
      const filled = ms.filter(({ m }) => m.at !== null);
      models[name] = {
        filled: filled.length,
        falseFills: filled.filter(({ t }) => t.realAt === null).length,
        medianLeadS: median(
          filled.filter(({ t }) => t.realAt !== null).map(({ t, m }) => (t.realAt! - m.at!) / 1000),
        ),
      };
    }
    const samples = rows.flatMap((t) => t.ahead);
    const queue = (t: Twin) => t.model.find((m) => m.name === "queue")!;
    return {
      level,
      orders: rows.length,
      realFilled: rows.filter((t) => t.realAt !== null).length,
      models,
      missed: rows.filter((t) => t.realAt !== null && queue(t).at === null).length,
      nothingAhead: {
        real: samples.filter((x) => x.real <= 1e-12).length / Math.max(1, samples.length),
        twin: samples.filter((x) => x.twin <= 1e-12).length / Math.max(1, samples.length),
      },
      aheadRatio: median(samples.filter((x) => x.real > 1e-12).map((x) => x.twin / x.real)),
      adverseBps: {
        real: mean(rows.map((t) => t.realMarkout?.bps ?? null)),
        twin: mean(rows.map((t) => t.twinMarkout?.bps ?? null)),
      },
    };
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      minutes: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      rest: { type: "string", default: "30" },
      "priority-share": { type: "string", default: "0.2" },
    },
  });
  const number = (name: string, text: string, min: number) => {
    const x = Number(text);
    if (!(Number.isFinite(x) && x >= min)) {
      console.error(`queue-twins: --${name} must be a number of at least ${min}, got "${text}"`);
      Deno.exit(2);
    }
    return x;
  };
  const rows = runTwins(
    number("minutes", values.minutes!, 1),
    number("seed", values.seed!, 0),
    number("rest", values.rest!, 1),
    number("priority-share", values["priority-share"]!, 0),
  );
  const pct = (n: number, d: number) => `${d > 0 ? (100 * n / d).toFixed(1) : "-"} %`;
  console.log(
    "| ticks behind best | orders | venue filled | queue twin filled | not by the venue | venue fills it missed | twin early by (median) | spec twin filled | not by the venue | nothing ahead: venue / twin (share of resting time) | twin's ahead ÷ true ahead (median) | loss vs mid 10 s after the fill: venue / twin (bps) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const q = r.models.queue;
    const s = r.models.spec;
    console.log(
      `| ${r.level} | ${r.orders} | ${pct(r.realFilled, r.orders)} | ${pct(q.filled, r.orders)} | ${
        pct(q.falseFills, q.filled)
      } | ${pct(r.missed, r.realFilled)} | ${q.medianLeadS.toFixed(1)} s | ${
        pct(s.filled, r.orders)
      } | ${pct(s.falseFills, s.filled)} | ${pct(r.nothingAhead.real, 1)} / ${
        pct(r.nothingAhead.twin, 1)
      } | ${r.aheadRatio.toFixed(2)} | ${r.adverseBps.real.toFixed(2)} / ${
        r.adverseBps.twin.toFixed(2)
      } |`,
    );
  }
}

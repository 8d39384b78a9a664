/**
 * `POST /info` (and WS `post` info requests): the read-only questions the engine asks. Unknown
 * request types get the exchange's 422 text. User questions about any address other than the
 * simulated account are answered as for an empty account.
 */
import { metaAndAssetCtxs } from "./asset_ctxs.ts";
import { wsOrder } from "./simulator.ts";
import type { Simulator, WsTrade } from "./simulator.ts";
import { Account } from "./account.ts";
import { BOOK_DEPTH } from "./market.ts";

/** A request the info handler refuses (HTTP 422 on REST, `type:"error"` over WS). */
export class InfoError extends Error {}

// Hyperliquid: the body text of a 422 for a request it cannot read.
const DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type";
// Hyperliquid: userFills returns at most the 2000 most recent fills.
const MAX_FILLS = 2000;

/** Answers one info request. */
export function handleInfo(
  sim: Simulator,
  body: unknown,
  recentTrades: (coin: string) => WsTrade[],
): unknown {
  if (typeof body !== "object" || body === null) throw new InfoError(DESERIALIZE_ERROR);
  const req = body as Record<string, unknown>;
  const userOf = (): Account => {
    if (typeof req.user !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(req.user)) {
      throw new InfoError(DESERIALIZE_ERROR);
    }
    const user = req.user.toLowerCase();
    return user === sim.account.address ? sim.account : new Account(user, 0);
  };
  const coinOf = (): string => {
    if (typeof req.coin !== "string" || !sim.byName.has(req.coin)) {
      throw new InfoError(DESERIALIZE_ERROR);
    }
    return req.coin;
  };
  const mark = (coin: string) => sim.mark(coin);
  const maxLev = (coin: string) => sim.maxLeverage(coin);
  switch (req.type) {
    case "meta":
      return metaAndAssetCtxs(sim)[0];
    case "metaAndAssetCtxs":
      return metaAndAssetCtxs(sim);
    case "allMids": {
      const mids: Record<string, string> = {};
      for (const c of sim.coins) {
        const [bid, ask] = sim.bbo(c);
        if (bid !== undefined && ask !== undefined) {
          mids[c.info.name] = String(Number(((bid + ask) / 2).toPrecision(8)));
        }
      }
      return mids;
    }
    case "clearinghouseState":
      return userOf().clearinghouseState(mark, maxLev, sim.now);
    case "openOrders": {
      const acct = userOf();
      if (acct !== sim.account) return [];
      return sim.openOrders().map((o) => {
        const w = wsOrder({ order: o, status: "open", statusTimestamp: o.timestamp }).order;
        return { ...w, cloid: o.cloid ?? null, reduceOnly: o.reduceOnly || undefined };
      });
    }
    case "frontendOpenOrders": {
      const acct = userOf();
      if (acct !== sim.account) return [];
      return sim.openOrders().map((o) =>
        frontendOrder(o, wsOrder({ order: o, status: "open", statusTimestamp: 0 }))
      );
    }
    case "userFills":
    case "userFillsByTime": {
      const acct = userOf();
      let fills = acct.fills;
      if (req.type === "userFillsByTime") {
        const start = Number(req.startTime ?? 0);
        const end = Number(req.endTime ?? Infinity);
        fills = fills.filter((f) => f.time >= start && f.time <= end);
      }
      return fills.slice(-MAX_FILLS).reverse();
    }
    case "orderStatus": {
      const acct = userOf();
      const key = req.oid;
      const oid = typeof key === "string" ? acct.cloidToOid.get(key.toLowerCase()) : Number(key);
      const rec = oid === undefined ? undefined : acct.orders.get(oid);
      if (!rec) return { status: "unknownOid" };
      const ws = wsOrder(rec);
      return {
        status: "order",
        order: {
          order: frontendOrder(rec.order, ws),
          status: rec.status,
          statusTimestamp: rec.statusTimestamp,
        },
      };
    }
    case "l2Book":
      return sim.l2Book(coinOf(), BOOK_DEPTH);
    case "recentTrades":
      return recentTrades(coinOf());
    case "exchangeStatus":
      return { specialStatuses: null, time: sim.now };
    case "userFees":
      return {
        userCrossRate: String(sim.takerFeeRate),
        userAddRate: String(sim.makerFeeRate),
        activeReferralDiscount: "0.0",
        dailyUserVlm: [],
      };
    case "userRateLimit": {
      const acct = userOf();
      return {
        cumVlm: String(Math.round(acct.volumeUsd * 1e6) / 1e6),
        nRequestsUsed: acct.requestsUsed,
        nRequestsCap: acct.requestCap(),
        nRequestsSurplus: 0,
      };
    }
    default:
      throw new InfoError(DESERIALIZE_ERROR);
  }
}

function frontendOrder(
  o: { tif: string; reduceOnly: boolean; cloid?: string },
  ws: ReturnType<typeof wsOrder>,
) {
  return {
    ...ws.order,
    isPositionTpsl: false,
    isTrigger: false,
    orderType: "Limit",
    reduceOnly: o.reduceOnly,
    triggerCondition: "N/A",
    triggerPx: "0.0",
    children: [],
    tif: o.tif,
    cloid: o.cloid ?? null,
  };
}

/**
 * `POST /info` (and WS `post` info requests): the read-only questions the engine asks, and the
 * ones a client asks at start-up (`spotMeta`, `spotMetaAndAssetCtxs`: the venue has no spot
 * market, so it answers the spot universe empty and USDC as the only token). Unknown request
 * types get the exchange's 422 text. User questions about any address other than the simulated
 * account are answered as for an empty account.
 */
import { readAggregation } from "./aggregation.ts";
import { metaAndAssetCtxs } from "./asset_ctxs.ts";
import { wsOrder } from "./simulator.ts";
import type { Simulator, WsTrade } from "./simulator.ts";
import { Account } from "./account.ts";
import { BOOK_DEPTH } from "./market.ts";
import { userFees } from "./user_fees.ts";
import { BUILDER_DEXES, perpDexs } from "./dexes.ts";
import { FILLS_PER_ANSWER, REACHABLE_FILLS } from "../../engine/hyperliquid/exchange_facts.ts";
import { dexOfCoin } from "../../engine/hyperliquid/perp_dexs.ts";

/** A request the info handler refuses (HTTP 422 on REST, `type:"error"` over WS). */
export class InfoError extends Error {}

// Hyperliquid: the body text of a 422 for a request it cannot read.
const DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type";

/**
 * The spot metadata: no pairs, and USDC, the perps' collateral (`collateralToken: 0` in `meta`),
 * as token 0 with its mainnet id and decimals (docs' `spotMeta` example).
 */
export function spotMeta() {
  return {
    universe: [],
    tokens: [{
      name: "USDC",
      szDecimals: 8,
      weiDecimals: 8,
      index: 0,
      tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054",
      isCanonical: true,
      evmContract: null,
      fullName: null,
      deployerTradingFeeShare: "0",
    }],
  };
}

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
  const timeOf = (field: "startTime" | "endTime"): number | undefined => {
    const t = req[field];
    if (t === undefined || (field === "endTime" && t === null)) return undefined;
    if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0) {
      throw new InfoError(DESERIALIZE_ERROR);
    }
    return t;
  };
  // A `dex` field names the perp dex asked about: absent or "" is the main dex.
  const dexOf = (): string => {
    if (req.dex === undefined || req.dex === null || req.dex === "") return "";
    if (typeof req.dex !== "string" || !BUILDER_DEXES.some((d) => d.name === req.dex)) {
      throw new InfoError(DESERIALIZE_ERROR);
    }
    return req.dex;
  };
  const onDex = (coin: string) => dexOfCoin(coin) === dexOf();
  const mark = (coin: string) => sim.mark(coin);
  const maxLev = (coin: string) => sim.maxLeverage(coin);
  switch (req.type) {
    case "meta":
      return metaAndAssetCtxs(sim, dexOf())[0];
    case "metaAndAssetCtxs":
      return metaAndAssetCtxs(sim, dexOf());
    case "perpDexs":
      return perpDexs();
    case "spotMeta":
      return spotMeta();
    case "spotMetaAndAssetCtxs":
      return [spotMeta(), []];
    case "allMids":
      return sim.allMids(dexOf());
    case "clearinghouseState":
      return userOf().clearinghouseState(mark, maxLev, sim.now, dexOf());
    case "spotClearinghouseState":
      return userOf().spotClearinghouseState(mark, maxLev);
    case "userAbstraction":
      return userOf().abstraction;
    case "openOrders": {
      const acct = userOf();
      if (acct !== sim.account) return [];
      // `cloid` and `reduceOnly: true` only when they apply (the SDK's OpenOrdersResponse).
      return sim.openOrders().filter((o) => onDex(o.coin)).map((o) => {
        const w = wsOrder({ order: o, status: "open", statusTimestamp: o.timestamp }).order;
        return o.reduceOnly ? { ...w, reduceOnly: true } : w;
      });
    }
    case "frontendOpenOrders": {
      const acct = userOf();
      if (acct !== sim.account) return [];
      return sim.openOrders().filter((o) => onDex(o.coin)).map((o) =>
        frontendOrder(o, wsOrder({ order: o, status: "open", statusTimestamp: 0 }))
      );
    }
    case "userFills":
      return userOf().fills.slice(-FILLS_PER_ANSWER).reverse();
    case "userFillsByTime": {
      // Oldest first from startTime (times inclusive), so a client paging forward from the last
      // time it got never skips a fill.
      const acct = userOf();
      const start = timeOf("startTime");
      if (start === undefined) throw new InfoError(DESERIALIZE_ERROR);
      const end = timeOf("endTime") ?? Infinity;
      const page = [];
      for (const f of acct.fills.slice(-REACHABLE_FILLS)) {
        if (f.time < start || f.time > end) continue;
        page.push(f);
        if (page.length === FILLS_PER_ANSWER) break;
      }
      return page;
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
    case "l2Book": {
      // An unknown coin is no error: the exchange answers null (the SDK's L2BookResponse).
      if (typeof req.coin !== "string") throw new InfoError(DESERIALIZE_ERROR);
      const aggregation = readAggregation(req.nSigFigs, req.mantissa);
      if (aggregation === "invalid") throw new InfoError(DESERIALIZE_ERROR);
      return sim.byName.has(req.coin) ? sim.l2Book(req.coin, BOOK_DEPTH, aggregation) : null;
    }
    case "recentTrades":
      return recentTrades(coinOf());
    case "exchangeStatus":
      return { specialStatuses: null, time: sim.now };
    case "userFees":
      return userFees(sim, userOf());
    case "userRateLimit": {
      const acct = userOf();
      return {
        cumVlm: String(Math.round(acct.volumeUsd * 1e6) / 1e6),
        nRequestsUsed: acct.requestsUsed,
        nRequestsCap: acct.requestCap(),
        nRequestsSurplus: acct.requestSurplus,
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

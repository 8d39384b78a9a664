/**
 * The `userFees` answer with all twelve of its fields (Hyperliquid docs "Info endpoint" and "Fees";
 * the field set is the community SDK's `UserFeesResponse`, which adds `feeTrialEscrow`): the
 * exchange's published schedule, the account's own rates (the venue's configured maker and
 * taker fees) and its daily volumes, split into taker (`userCross`) and maker (`userAdd`), for
 * the last 15 UTC days. The account has no referral, staking, trial or staking link.
 */
import {
  BASE_MAKER_FEE_RATE,
  BASE_TAKER_FEE_RATE,
  SPOT_BASE_MAKER_FEE_RATE,
  SPOT_BASE_TAKER_FEE_RATE,
} from "../../engine/hyperliquid/exchange_facts.ts";
import { num, usd } from "./format.ts";
import type { Simulator } from "./simulator.ts";
import type { Account } from "./account.ts";

const DAY_MS = 86_400_000;
// Days of volume the answer lists (the 14-day fee window and today).
const DAYS = 15;

// Hyperliquid docs "Fees": [14d volume cutoff, perp taker, perp maker] for tiers 1–6. The spot
// columns come from the same fee page's spot table (unused: the venue has no spot).
const VIP_TIERS: [number, number, number, number, number][] = [
  [5e6, 0.0004, 0.00012, 0.0006, 0.0003],
  [25e6, 0.00035, 0.00008, 0.0005, 0.0002],
  [1e8, 0.0003, 0.00004, 0.0004, 0.0001],
  [5e8, 0.00028, 0, 0.00035, 0],
  [2e9, 0.00026, 0, 0.0003, 0],
  [7e9, 0.00024, 0, 0.00025, 0],
];
// Hyperliquid docs "Fees": maker rebates by 14d maker volume share.
const MM_TIERS: [number, number][] = [[0.005, -0.00001], [0.015, -0.00002], [0.03, -0.00003]];
// Hyperliquid docs "Fees": staking discounts at >10, >100, … HYPE staked, as basis points of the
// 1,000,000,000 HYPE max supply (10 HYPE = 0.0001 bps).
const STAKING_TIERS: [number, number][] = [
  [0, 0],
  [0.0001, 0.05],
  [0.001, 0.1],
  [0.01, 0.15],
  [0.1, 0.2],
  [1, 0.3],
  [5, 0.4],
];
// Hyperliquid docs "Fees": tier-0 base rates (perp taker, perp maker, spot taker, spot maker).
const BASE = {
  cross: BASE_TAKER_FEE_RATE,
  add: BASE_MAKER_FEE_RATE,
  spotCross: SPOT_BASE_TAKER_FEE_RATE,
  spotAdd: SPOT_BASE_MAKER_FEE_RATE,
};
// The docs' example answer: a 4 % referral discount.
const REFERRAL_DISCOUNT = "0.04";

/** The `userFees` answer for `acct` at the venue's time. */
export function userFees(sim: Simulator, acct: Account) {
  const today = Math.floor(sim.now / DAY_MS);
  const cross = new Array<number>(DAYS).fill(0);
  const add = new Array<number>(DAYS).fill(0);
  for (const f of acct.fills) {
    const day = DAYS - 1 - (today - Math.floor(f.time / DAY_MS));
    if (day < 0 || day >= DAYS) continue;
    (f.crossed ? cross : add)[day] += Number(f.px) * Number(f.sz);
  }
  const exchange = usd(sim.coins.reduce((sum, c) => sum + c.info.dayNtlVlm, 0));
  return {
    dailyUserVlm: cross.map((_, i) => ({
      date: new Date((today - DAYS + 1 + i) * DAY_MS).toISOString().slice(0, 10),
      userCross: usd(cross[i]),
      userAdd: usd(add[i]),
      exchange,
    })),
    feeSchedule: {
      cross: num(BASE.cross),
      add: num(BASE.add),
      spotCross: num(BASE.spotCross),
      spotAdd: num(BASE.spotAdd),
      tiers: {
        vip: VIP_TIERS.map(([cutoff, cross, add, spotCross, spotAdd]) => ({
          ntlCutoff: num(cutoff),
          cross: num(cross),
          add: num(add),
          spotCross: num(spotCross),
          spotAdd: num(spotAdd),
        })),
        mm: MM_TIERS.map(([share, add]) => ({ makerFractionCutoff: num(share), add: num(add) })),
      },
      referralDiscount: REFERRAL_DISCOUNT,
      stakingDiscountTiers: STAKING_TIERS.map(([bps, discount]) => ({
        bpsOfMaxSupply: num(bps),
        discount: num(discount),
      })),
    },
    userCrossRate: num(sim.takerFeeRate),
    userAddRate: num(sim.makerFeeRate),
    userSpotCrossRate: num(BASE.spotCross),
    userSpotAddRate: num(BASE.spotAdd),
    activeReferralDiscount: "0",
    trial: null,
    feeTrialEscrow: "0",
    nextTrialAvailableTimestamp: null,
    stakingLink: null,
    activeStakingDiscount: { bpsOfMaxSupply: "0", discount: "0" },
  };
}

/**
 * The account's equity whatever its mode. A standard account keeps its collateral in each perp
 * dex (`clearinghouseState.marginSummary.accountValue`); a unified or portfolio-margin account
 * keeps it in the spot state, and its `clearinghouseState` reports zero (docs
 * "Query a user's abstraction state"; engine/hyperliquid/wire_reference.md § Unified accounts). Live mode
 * takes its starting balance, and so its drawdown stop, from here, and refuses to trade when
 * the equity cannot be told.
 */
import type { InfoClient } from "./info.ts";
import type { ClearinghouseState, SpotClearinghouseState } from "./info_answers.ts";
import { errorMessage } from "../util/errors.ts";

/** Where an account keeps its collateral. */
export type AccountMode = "standard" | "unified" | "portfolioMargin";

/** The account's equity and where it was read. */
export interface AccountEquity {
  mode: AccountMode;
  /** The `userAbstraction` answer as sent. */
  abstraction: string;
  /** Collateral plus unrealized PnL, USD. */
  equityUsd: number;
  /** Which state the figure comes from, for the start-up log line. */
  source: string;
}

/** The equity cannot be determined: live trading must not start. */
export class AccountEquityError extends Error {
  /** Creates the error; the message says what was found and what to do. */
  constructor(message: string) {
    super(message);
    this.name = "AccountEquityError";
  }
}

// Hyperliquid `userAbstraction` answers (TS SDK @nktkas/hyperliquid v0.33 `UserAbstractionResponse`;
// `dexAbstraction` is the discontinued per-dex mode, whose USDC stays in the perp state).
const MODES: Readonly<Record<string, AccountMode>> = {
  default: "standard",
  disabled: "standard",
  dexAbstraction: "standard",
  unifiedAccount: "unified",
  portfolioMargin: "portfolioMargin",
};

/**
 * The equity of an account in mode `abstraction`, from its perp state (summed over the dexes
 * read) and, for unified and portfolio-margin accounts, its spot state. `collateralTokens` are the
 * spot token indices the quoted markets settle in (0 = USDC), each counted at $1. Throws an
 * {@link AccountEquityError} when the mode is unknown, the spot state is missing, a
 * portfolio-margin account holds collateral the engine cannot price, or the equity is not
 * positive.
 */
export function equityOf(
  abstraction: string,
  perp: ClearinghouseState,
  spot: SpotClearinghouseState | null,
  collateralTokens: readonly number[] = [0],
): AccountEquity {
  const mode = MODES[abstraction];
  if (mode === undefined) {
    throw new AccountEquityError(
      `userAbstraction answered "${abstraction}", an account mode this engine does not know: ` +
        `it cannot tell where the account's equity is kept, so it will not trade live`,
    );
  }
  let equityUsd: number;
  let source: string;
  if (mode === "standard") {
    equityUsd = perp.accountValue;
    source = "clearinghouseState accountValue";
  } else {
    if (spot === null) {
      throw new AccountEquityError(
        `the account is in ${abstraction} mode, whose collateral lives in spotClearinghouseState, ` +
          `and that state could not be read`,
      );
    }
    const counted = spot.balances.filter((b) => collateralTokens.includes(b.token));
    if (mode === "portfolioMargin") {
      const unpriced = spot.balances.filter((b) =>
        !collateralTokens.includes(b.token) && b.total !== 0
      );
      if (unpriced.length > 0) {
        throw new AccountEquityError(
          `the account is in portfolio margin with ${
            unpriced.map((b) => `${b.total} ${b.coin}`).join(", ")
          } as collateral besides the markets' own: the engine cannot price it, so it cannot ` +
            `tell the equity its drawdown stop needs`,
        );
      }
    }
    const unrealized = perp.positions.reduce((sum, p) => sum + p.unrealizedPnl, 0);
    equityUsd = counted.reduce((sum, b) => sum + b.total, 0) + unrealized;
    source = `spotClearinghouseState ${counted.map((b) => b.coin).join("+") || "(no collateral)"}` +
      " + unrealized PnL";
  }
  if (!(equityUsd > 0)) {
    throw new AccountEquityError(
      `the account's equity reads $${equityUsd.toFixed(2)} (${abstraction} mode, ${source}): ` +
        `fund it, or check its mode (a unified account's collateral shows in the spot state)`,
    );
  }
  return { mode, abstraction, equityUsd, source };
}

/** Reads the account's mode and the states it needs, then its equity (see {@link equityOf}). */
export async function readAccountEquity(
  info: InfoClient,
  user: string,
  collateralTokens: readonly number[] = [0],
): Promise<AccountEquity> {
  let abstraction: string;
  try {
    abstraction = await info.userAbstraction(user);
  } catch (error) {
    throw new AccountEquityError(
      `userAbstraction could not be read (${errorMessage(error)}): without the account's ` +
        `mode its equity cannot be told`,
    );
  }
  const perp = await info.clearinghouseState(user);
  const spot = MODES[abstraction] === "unified" || MODES[abstraction] === "portfolioMargin"
    ? await info.spotClearinghouseState(user)
    : null;
  return equityOf(abstraction, perp, spot, collateralTokens);
}

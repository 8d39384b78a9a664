/**
 * Reads of the address request budget for the live venue (`userRateLimit`, weight 20 each): at
 * start, every minute, and at once when the exchange says the budget is spent. One read at a
 * time; the answer goes to the request governor's address budget (address_budget.ts).
 */
import type { InfoClient } from "../hyperliquid/info.ts";
import type { UserRateLimit } from "../hyperliquid/info_answers.ts";
import type { Logger } from "../log.ts";
import type { AddressBudget } from "./address_budget.ts";
import { errorMessage } from "../util/errors.ts";

/** Reads the address budget into an {@link AddressBudget}, one read at a time. */
export class BudgetReader {
  readonly #budget: AddressBudget;
  readonly #user: string;
  readonly #log: Logger;
  readonly #onSettled: () => void;
  #polling: Promise<void> | null = null;

  /** `onSettled` runs after each read, whatever its outcome. */
  constructor(budget: AddressBudget, user: string, log: Logger, onSettled: () => void) {
    this.#budget = budget;
    this.#user = user;
    this.#log = log;
    this.#onSettled = onSettled;
  }

  /** Whether a read is under way. */
  get busy(): boolean {
    return this.#polling !== null;
  }

  /** Starts a read with `info` (or joins the one under way); settles once it is done, never throws. */
  poll(info: InfoClient): Promise<void> {
    this.#polling ??= this.#read(info).finally(() => {
      this.#polling = null;
      this.#onSettled();
    });
    return this.#polling;
  }

  async #read(info: InfoClient): Promise<void> {
    const sentAtAsk = this.#budget.sent;
    let read: UserRateLimit;
    try {
      read = await info.userRateLimit(this.#user);
    } catch (error) {
      this.#log.warn(
        `[LIVE] userRateLimit failed: ${errorMessage(error)}; ` +
          (this.#budget.known
            ? "counting requests locally until the next read"
            : "no order is placed until the address budget has been read"),
      );
      return;
    }
    this.#budget.set(
      read.nRequestsUsed,
      read.nRequestsCap + read.nRequestsSurplus,
      sentAtAsk,
    );
  }
}

/**
 * Hyperliquid's numbers, in one place: what an order must satisfy, what trading costs, how far
 * funding goes, and how many requests an IP and an address may send. Each cites its row in
 * `engine/hyperliquid/wire_reference.md` ("Order rules, fees, funding and request limits"),
 * which names the exchange's own page behind it. Code that needs one of these imports it from
 * here, never writes the number again.
 *
 * Only plain numeric constants: the WASM kernel (wasm/assembly/, AssemblyScript) imports this
 * file too, and AssemblyScript compiles every declaration of an imported file.
 */

// ── Orders (wire_reference.md, "Orders") ─────────────────────────────────────────────────────

/** Smallest perp order value, USD (size × limit price): "Order must have minimum value of $10." */
export const MIN_ORDER_VALUE_USD = 10;

/** Significant figures a non-integer price may carry (integers are always valid). */
export const PRICE_SIG_FIGS = 5;

/** Perps: a price carries at most `PERP_MAX_DECIMALS − szDecimals` decimals. */
export const PERP_MAX_DECIMALS = 6;

/**
 * Farthest an order's price may be from the reference price, as a fraction of it: "Order price
 * cannot be more than 80% away from the reference price" (a price in 0.2 … 1.8 × reference).
 */
export const PRICE_BAND_FRACTION = 0.8;

/** `scheduleCancel` (the dead man's switch) is refused below this much traded volume, USD. */
export const SCHEDULE_CANCEL_MIN_VOLUME_USD = 1_000_000;

// ── Fees (wire_reference.md, "Fees") ─────────────────────────────────────────────────────────

/** Perps tier 0 (≤ $5M 14-day volume, a new account): maker pays 0.015% of notional. */
export const BASE_MAKER_FEE_RATE = 0.00015;

/** Perps tier 0: taker pays 0.045% of notional. */
export const BASE_TAKER_FEE_RATE = 0.00045;

/** Spot tier 0: maker pays 0.040% of notional. */
export const SPOT_BASE_MAKER_FEE_RATE = 0.0004;

/** Spot tier 0: taker pays 0.070% of notional. */
export const SPOT_BASE_TAKER_FEE_RATE = 0.0007;

// ── Funding (wire_reference.md, "Funding") ───────────────────────────────────────────────────

/** Largest funding rate per hour, either sign (4% per hour). */
export const FUNDING_CAP_HOURLY = 0.04;

/** Funding is paid hourly at an eighth of the 8-hour formula: hours per 8-hour rate. */
export const FUNDING_HOURS_PER_8H = 8;

// ── Fill history (wire_reference.md, "Fill history") ─────────────────────────────────────────

/** Fills one `userFills` or `userFillsByTime` answer carries at most. */
export const FILLS_PER_ANSWER = 2000;

/** Only this many of an account's most recent fills can be read back at all. */
export const REACHABLE_FILLS = 10_000;

// ── Request limits (wire_reference.md, "Request limits") ─────────────────────────────────────

/** Weight all REST requests of one IP may spend in any window of {@link WEIGHT_WINDOW_MS}. */
export const IP_WEIGHT_PER_MINUTE = 1200;

/** The IP weight window, ms (one minute, sliding). */
export const WEIGHT_WINDOW_MS = 60_000;

/** An exchange action of n orders or cancels weighs `1 + floor(n / ACTION_BATCH_STEP)`. */
export const ACTION_BATCH_STEP = 40;

/** Weight of a light info request (`l2Book`, `allMids`, `clearinghouseState`, …). */
export const LIGHT_INFO_WEIGHT = 2;

/** Weight of every info request not named light or `userRole`. */
export const INFO_WEIGHT = 20;

/** Weight of a `userRole` info request. */
export const USER_ROLE_WEIGHT = 60;

/** List answers (`userFills`, `recentTrades`, …) add one weight per this many items. */
export const ITEMS_PER_EXTRA_WEIGHT = 20;

/** `candleSnapshot` adds one weight per this many candles. */
export const CANDLES_PER_EXTRA_WEIGHT = 60;

/** Requests a new address may send before any volume (each order or cancel counts one). */
export const NEW_ADDRESS_REQUESTS = 10_000;

/** Requests an address earns per USDC it trades. */
export const REQUESTS_PER_USDC = 1;

/**
 * A growth-mode market (`growthMode: "enabled"` in `meta`) cuts fees, rebates, volume credit and
 * the request credit to this share (wire_reference.md, "Changes" 1).
 */
export const GROWTH_MODE_SHARE = 0.1;

/** Past its cap an address may still send one request this often, ms. */
export const CAPPED_REQUEST_INTERVAL_MS = 10_000;

/** Cancels may go this far past the cap (their cap is `min(cap + this, 2 × cap)`). */
export const CANCEL_EXTRA_REQUESTS = 100_000;

/** An action refused for a stale `expiresAfter` costs this many times its requests. */
export const STALE_ACTION_COST = 5;

/** Price of one address request bought with `reserveRequestWeight`, USDC. */
export const RESERVED_REQUEST_PRICE_USDC = 0.0005;

/**
 * `l2Book` price aggregation (engine/hyperliquid/README.md § Books and trades, § Info requests):
 * with `nSigFigs` (2–5) each level's price is rounded to that many significant figures (bids down,
 * asks up, so a bucket never looks better than the orders in it) and the levels that meet in one
 * bucket are merged, sizes and order counts added. `mantissa` (only with `nSigFigs: 5`) widens the
 * bucket to 2 or 5 units of the fifth figure. The docs list mantissa 1, 2 or 5 and the community
 * SDK only 2 or 5: where they disagree the venue takes the narrower set, so a request for 1 fails
 * here as it may live.
 */
import { fixed } from "./format.ts";
import type { Level } from "./market.ts";

/** How a book is aggregated: significant figures, and the fifth figure's bucket width. */
export interface Aggregation {
  nSigFigs: 2 | 3 | 4 | 5;
  mantissa: 2 | 5 | null;
}

const SIG_FIGS = [2, 3, 4, 5];
const MANTISSAS = [2, 5];
// Relative slack when snapping a price to its bucket, so float noise never moves a level.
const SNAP_SLACK = 1e-9;

/**
 * Reads `nSigFigs`/`mantissa` as a request carries them: null for full precision, the
 * aggregation, or "invalid" for a combination the exchange refuses.
 */
export function readAggregation(
  nSigFigs: unknown,
  mantissa: unknown,
): Aggregation | null | "invalid" {
  const sig = nSigFigs ?? null;
  const man = mantissa ?? null;
  if (sig === null) return man === null ? null : "invalid";
  if (!SIG_FIGS.includes(sig as number)) return "invalid";
  if (man !== null && (sig !== 5 || !MANTISSAS.includes(man as number))) return "invalid";
  return { nSigFigs: sig as Aggregation["nSigFigs"], mantissa: man as Aggregation["mantissa"] };
}

/** Decimal exponent of a positive number: floor(log10(x)), exact at powers of ten. */
function exponent(x: number): number {
  let e = Math.floor(Math.log10(x));
  if (Number(`1e${e + 1}`) <= x) e += 1;
  else if (Number(`1e${e}`) > x) e -= 1;
  return e;
}

/** A level's price in its bucket, and the decimals that price needs. */
function bucket(px: number, isBid: boolean, agg: Aggregation): { px: number; decimals: number } {
  const e = exponent(px) - agg.nSigFigs + 1;
  const step = Number(`1e${e}`) * (agg.mantissa ?? 1);
  const units = px / step;
  const nearest = Math.round(units);
  const n = Math.abs(units - nearest) <= SNAP_SLACK * Math.max(1, units)
    ? nearest
    : isBid
    ? Math.floor(units)
    : Math.ceil(units);
  const decimals = Math.max(0, -e);
  return { px: Number((n * step).toFixed(decimals)), decimals };
}

/**
 * Aggregates one side of a book (best first) into at most `depth` levels, already formatted
 * for the wire.
 */
export function aggregateSide(
  levels: readonly Level[],
  isBid: boolean,
  agg: Aggregation,
  depth: number,
): { px: string; sz: string; n: number }[] {
  const out: { px: string; sz: string; n: number }[] = [];
  let current: { px: number; decimals: number; sz: number; n: number } | null = null;
  for (const level of levels) {
    const b = bucket(level.px, isBid, agg);
    if (current && current.px === b.px) {
      current.sz += level.sz;
      current.n += level.n;
      continue;
    }
    if (current) out.push(wire(current));
    if (out.length === depth) return out;
    current = { ...b, sz: level.sz, n: level.n };
  }
  if (current && out.length < depth) out.push(wire(current));
  return out;
}

function wire(l: { px: number; decimals: number; sz: number; n: number }) {
  return { px: fixed(l.px, Math.min(l.decimals, 8)), sz: fixed(l.sz, 8), n: l.n };
}

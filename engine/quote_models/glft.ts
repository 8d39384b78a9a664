/**
 * The Gueant-Lehalle-Fernandez-Tapia coefficients of the GLFT quote model.
 *
 * Source: O. Gueant, C.-A. Lehalle, J. Fernandez-Tapia, "Dealing with the inventory risk: a
 * solution to the market making problem", Mathematics and Financial Economics 7 (2013), the
 * closed-form approximation of the optimal quotes, as written in hftbacktest's tutorial "GLFT
 * market making model and grid trading":
 *
 *   c1 = 1 / (xi * Delta) * ln(1 + xi * Delta / k)
 *   c2 = sqrt(gamma / (2 * A * Delta * k) * (1 + xi * Delta / k) ^ (k / (xi * Delta) + 1))
 *   half-spread = c1 + Delta / 2 * sigma * c2,   skew = sigma * c2 (per order held)
 *   bid depth = half-spread + skew * q,   ask depth = half-spread - skew * q
 *
 * with xi = gamma (the paper's risk-averse case) and Delta = 1 (quantities in orders). Units here:
 * depths in bps of the mid, time in seconds, q in orders of min_order_usd; so A is arrivals per
 * second, k per bps, sigma bps per square-root second, gamma per (bps x order), c1 bps and c2
 * square-root seconds per order. The per-tick part (half-spread, skew, levels) is the kernel's
 * (wasm/assembly/grid.ts); the logarithm and power are here, recomputed only when the estimates
 * change, so the kernel and its TypeScript twin need no transcendental functions to agree bit
 * for bit.
 *
 * @module
 */

/** c1 and c2 of the closed form. */
export interface GlftCoefficients {
  /** bps of the mid. */
  c1: number;
  /** Square-root seconds per order: sigma * c2 is the skew in bps per order held. */
  c2: number;
}

/** The coefficients for risk aversion `gamma` and trade intensity A, k; throws naming a bad one. */
export function glftCoefficients(gamma: number, a: number, k: number): GlftCoefficients {
  for (const [name, value] of [["gamma", gamma], ["A", a], ["k", k]] as const) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`glft: ${name} must be a finite number > 0, got ${value}`);
    }
  }
  const xiDelta = gamma; // xi = gamma, Delta = 1 order
  const ratio = 1 + xiDelta / k;
  const c1 = Math.log1p(xiDelta / k) / xiDelta;
  const c2 = Math.sqrt(gamma / (2 * a * k) * Math.pow(ratio, k / xiDelta + 1));
  return { c1, c2 };
}

/** The level-1 half-spread in bps: c1 + sigma * c2 / 2 (what the kernel quotes at regime 1). */
export function glftHalfSpreadBps(coefficients: GlftCoefficients, sigma: number): number {
  return coefficients.c1 + sigma * coefficients.c2 * 0.5;
}

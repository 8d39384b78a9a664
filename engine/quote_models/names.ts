/**
 * The quote models by name (`MM_QUOTE_MODEL`, `quote_model` in `MmAssetConfig`). What each one
 * quotes: wasm/assembly/grid.ts and the README's "Quote models".
 *
 * @module
 */

/** A quote model by name. */
export type QuoteModelName = "grid" | "microprice" | "glft";

/** The quote models a config may name, in kernel code order; `grid` is the default. */
export const QUOTE_MODELS: readonly QuoteModelName[] = ["grid", "microprice", "glft"];

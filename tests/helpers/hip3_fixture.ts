/**
 * The recorded builder-dex (HIP-3) answers in tests/fixtures/hyperliquid/hip3/, parsed.
 *
 * @module
 */

const HIP3 = new URL("../fixtures/hyperliquid/hip3/", import.meta.url);

/** The JSON of fixture file `name` in tests/fixtures/hyperliquid/hip3/ (as JSON.parse types it). */
export async function hip3Fixture(name: string) {
  return JSON.parse(await Deno.readTextFile(new URL(name, HIP3)));
}

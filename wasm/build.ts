/**
 * Compiles the AssemblyScript kernel (wasm/assembly/index.ts) to wasm/build/kernel.wasm.
 *
 * The module imports one fixed-size memory (no growth), so the typed-array views that
 * engine/kernel.ts holds on it never detach.
 */
import asc from "assemblyscript/asc";
import { KERNEL_MEMORY_PAGES, LAYOUT_END } from "./layout.ts";

const here = new URL(".", import.meta.url);
const source = new URL("assembly/index.ts", here).pathname;
const outFile = new URL("build/kernel.wasm", here).pathname;
// The text form is kept next to the binary so tests can prove the module never allocates.
const textFile = new URL("build/kernel.wat", here).pathname;

const { error, stderr } = await asc.main([
  source,
  "--outFile",
  outFile,
  "--textFile",
  textFile,
  "-O3",
  "--noAssert",
  "--runtime",
  "stub",
  "--importMemory",
  "--initialMemory",
  String(KERNEL_MEMORY_PAGES),
  "--maximumMemory",
  String(KERNEL_MEMORY_PAGES),
  // AssemblyScript's own static data goes above the regions of wasm/layout.ts.
  "--memoryBase",
  String(LAYOUT_END),
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build:wasm: AssemblyScript compilation failed: ${error.message}`);
  Deno.exit(1);
}
console.log(`build:wasm: wrote ${outFile}`);

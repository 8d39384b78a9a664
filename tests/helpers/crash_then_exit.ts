/**
 * A stand-in engine for the watchdog test: exits with code 3 on its first `crashes` starts
 * (counted in a file) and with 0 after that. Usage: crash_then_exit.ts <counter file> <crashes>
 */
const [counterPath, crashes] = Deno.args;
let starts = 0;
try {
  starts = Number(await Deno.readTextFile(counterPath));
} catch {
  starts = 0;
}
await Deno.writeTextFile(counterPath, String(starts + 1));
Deno.exit(starts < Number(crashes) ? 3 : 0);

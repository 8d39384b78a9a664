/**
 * The engine's exit codes. A supervisor (tools/watchdog.ts) reads them to decide whether a
 * restart can help: a crash or an unfinished shutdown is restarted, a bad configuration or a halt
 * on purpose is not.
 */

/** Clean stop: `--duration` reached or SIGINT/SIGTERM, every step done, nothing resting. */
export const EXIT_OK = 0;
/** An error stopped the engine; a restart may help (the next live start cancels leftovers). */
export const EXIT_FAILED = 1;
/** Bad command line or configuration: a restart would fail the same way. */
export const EXIT_USAGE = 2;
/** The shutdown ran but left orders resting or could not save state (its log says what). */
export const EXIT_UNCLEAN_SHUTDOWN = 3;
/** The saved state is halted (drawdown stop or an operator's halt): start with --clear-halt. */
export const EXIT_HALTED = 4;

/** Thrown when the engine refuses to start because the saved state is halted. */
export class HaltedError extends Error {
  /** Names the halt and how to clear it. */
  constructor(message: string) {
    super(message);
    this.name = "HaltedError";
  }
}

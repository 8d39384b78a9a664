/**
 * Graceful shutdown: on SIGINT/SIGTERM, run the registered steps in order (stop quoting, cancel
 * all in live mode, flush harvest buffers, save state, print the report) and exit, all within a
 * deadline (5 s by default). Each step has its own time limit too, so one hung step (a cancel
 * request that never returns) cannot take the state save and the report down with it.
 *
 * The exit code tells the truth: 0 only when every step registered with what its failure leaves
 * behind (orders resting, state not saved) finished; otherwise {@link EXIT_UNCLEAN_SHUTDOWN},
 * after a log line naming what remains.
 */
import { EXIT_OK, EXIT_UNCLEAN_SHUTDOWN } from "./exit_codes.ts";
import type { Logger } from "./log.ts";
import { errorMessage } from "./util/errors.ts";

/** How long the whole shutdown may take, signal to exit, ms (issue 7: within 5 s). */
export const SHUTDOWN_DEADLINE_MS = 5_000;

/** Time allowed for queued log lines to reach stdout before exiting, ms. */
export const LOG_FLUSH_GRACE_MS = 250;

/** Default budget of the steps: what the deadline leaves after the final log flush, ms. */
export const STEPS_DEADLINE_MS = SHUTDOWN_DEADLINE_MS - LOG_FLUSH_GRACE_MS;

/** Limit of a step registered without one, ms. */
export const DEFAULT_STEP_TIMEOUT_MS = 1_000;

/** Time the last-resort action of a second signal may take before the process exits, ms. */
export const LAST_RESORT_MS = 1_000;

/** What happened to one step. */
export type StepOutcome = "ok" | "failed" | "timed-out" | "skipped";

/** One step's line in the shutdown report. */
export interface StepResult {
  name: string;
  outcome: StepOutcome;
  /** Time the step took (or was allowed before it was cut), ms. */
  elapsedMs: number;
  /** The error message of a failed step. */
  error?: string;
}

/** What {@link Shutdown.run} did. */
export interface ShutdownReport {
  /** Why shutdown began (`SIGINT`, `SIGTERM`, or a caller's reason). */
  reason: string;
  steps: StepResult[];
  elapsedMs: number;
  /** Whether every step finished `ok`. */
  clean: boolean;
  /** What the steps that did not finish leave behind (empty: nothing). */
  remains: string[];
  /** 0, or {@link EXIT_UNCLEAN_SHUTDOWN} when something remains. */
  exitCode: number;
}

/** Options of {@link Shutdown}. */
export interface ShutdownOptions {
  /** Budget for all steps together, ms (default {@link STEPS_DEADLINE_MS}). */
  deadlineMs?: number;
  logger?: Logger;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
}

interface Step {
  name: string;
  run: () => void | Promise<void>;
  timeoutMs: number;
  leavesBehind?: string;
}

/** An ordered list of shutdown steps with a deadline. */
export class Shutdown {
  readonly #steps: Step[] = [];
  readonly #deadlineMs: number;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  #running: Promise<ShutdownReport> | null = null;
  #lastResort: (() => Promise<void>) | null = null;
  #forced = false;

  /** Creates an empty shutdown sequence. */
  constructor(options: ShutdownOptions = {}) {
    this.#deadlineMs = options.deadlineMs ?? STEPS_DEADLINE_MS;
    this.#log = options.logger;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Appends a step; steps run in the order they were added. `timeoutMs` bounds this step
   * (default {@link DEFAULT_STEP_TIMEOUT_MS}); the whole run is bounded by the deadline.
   * `leavesBehind` says what remains when the step fails, times out or is skipped ("orders may
   * still rest at the venue"): such a step makes the exit code non-zero. A step that throws says
   * more in its message (which orders), and that is reported with it.
   */
  add(
    name: string,
    run: () => void | Promise<void>,
    timeoutMs = DEFAULT_STEP_TIMEOUT_MS,
    leavesBehind?: string,
  ): this {
    if (!(timeoutMs > 0)) {
      throw new Error(`shutdown step "${name}": timeoutMs=${timeoutMs} must be > 0`);
    }
    this.#steps.push({ name, run, timeoutMs, leavesBehind });
    return this;
  }

  /**
   * Sets what a second signal does before exiting (live: one best-effort cancel-all request),
   * bounded by {@link LAST_RESORT_MS}.
   */
  onForcedExit(lastResort: () => Promise<void>): this {
    this.#lastResort = lastResort;
    return this;
  }

  /** Whether shutdown has begun (the quoting loop checks this to stop placing orders). */
  get started(): boolean {
    return this.#running !== null;
  }

  /** Runs every step once; later calls return the same report. Never throws. */
  run(reason: string): Promise<ShutdownReport> {
    this.#running ??= this.#runSteps(reason);
    return this.#running;
  }

  /**
   * Runs the shutdown on SIGINT or SIGTERM, then calls `exit` with the report's exit code (0, or
   * {@link EXIT_UNCLEAN_SHUTDOWN} when something remains). A second signal during the
   * shutdown runs the {@link onForcedExit} action (at most {@link LAST_RESORT_MS}) and exits with
   * code 1 (the operator insists; state may not be saved); a third exits at once.
   * Returns a function that removes the listeners.
   */
  listen(exit: (code: number) => void = Deno.exit): () => void {
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const handlers = signals.map((signal) => {
      const handler = () => {
        if (this.started) {
          const lastResort = this.#lastResort;
          if (this.#forced || lastResort === null) {
            this.#log?.warn(`[SHUTDOWN] ${signal} again: exiting now, without finishing the steps`);
            exit(1);
            return;
          }
          this.#forced = true;
          this.#log?.warn(
            `[SHUTDOWN] ${signal} again: one last cancel-all request, then exiting without ` +
              "finishing the steps",
          );
          let timer: ReturnType<typeof setTimeout> | undefined;
          Promise.race([
            lastResort().catch(() => {}),
            new Promise((resolve) => timer = setTimeout(resolve, LAST_RESORT_MS)),
          ]).then(() => {
            clearTimeout(timer);
            exit(1);
          });
          return;
        }
        this.#log?.info(`[SHUTDOWN] ${signal} received: shutting down`);
        this.run(signal).then(async (report) => {
          // The last log lines get what is left of a short grace period, not an open-ended wait.
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            this.#log?.flush(),
            new Promise((resolve) => timer = setTimeout(resolve, LOG_FLUSH_GRACE_MS)),
          ]);
          clearTimeout(timer);
          exit(report.exitCode);
        });
      };
      Deno.addSignalListener(signal, handler);
      return [signal, handler] as const;
    });
    return () => {
      for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    };
  }

  async #runSteps(reason: string): Promise<ShutdownReport> {
    const start = this.#now();
    const steps: StepResult[] = [];
    // A step cut at the deadline spends it, whatever the clock says: timers may fire a
    // millisecond early, which must not let the next step start past the deadline.
    let deadlineSpent = false;
    for (const step of this.#steps) {
      const remaining = this.#deadlineMs - (this.#now() - start);
      if (deadlineSpent || remaining <= 0) {
        steps.push({ name: step.name, outcome: "skipped", elapsedMs: 0 });
        this.#log?.error(
          `[SHUTDOWN] ${step.name}: skipped, the ${this.#deadlineMs} ms deadline passed`,
        );
        continue;
      }
      const limitMs = Math.min(step.timeoutMs, remaining);
      const result = await this.#runStep(step, limitMs);
      if (result.outcome === "timed-out" && limitMs === remaining) deadlineSpent = true;
      steps.push(result);
      if (result.outcome === "ok") {
        this.#log?.info(`[SHUTDOWN] ${step.name}: done in ${Math.round(result.elapsedMs)} ms`);
      } else if (result.outcome === "timed-out") {
        this.#log?.error(
          `[SHUTDOWN] ${step.name}: cut after ${Math.round(result.elapsedMs)} ms, moving on`,
        );
      } else {
        this.#log?.error(`[SHUTDOWN] ${step.name}: failed: ${result.error}`);
      }
    }
    const elapsedMs = this.#now() - start;
    const clean = steps.every((s) => s.outcome === "ok");
    const remains = this.#steps.flatMap((step, i) => {
      const result = steps[i];
      if (step.leavesBehind === undefined || result.outcome === "ok") return [];
      const detail = result.outcome === "failed" ? result.error : result.outcome;
      return [`${step.leavesBehind} (${step.name}: ${detail})`];
    });
    const exitCode = remains.length === 0 ? EXIT_OK : EXIT_UNCLEAN_SHUTDOWN;
    this.#log?.info(
      `[SHUTDOWN] ${clean ? "complete" : "finished with problems"} in ${
        Math.round(elapsedMs)
      } ms (${reason})`,
    );
    for (const line of remains) this.#log?.error(`[SHUTDOWN] REMAINS: ${line}`);
    if (exitCode !== EXIT_OK) {
      this.#log?.error(`[SHUTDOWN] exit code ${exitCode}: the shutdown left something behind`);
    }
    return { reason, steps, elapsedMs, clean, remains, exitCode };
  }

  async #runStep(step: Step, limitMs: number): Promise<StepResult> {
    const start = this.#now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cut = new Promise<"timed-out">((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), limitMs);
    });
    try {
      const work = Promise.resolve().then(step.run).then(() => "ok" as const);
      // A step cut at its limit may still fail later; that must not crash the remaining steps.
      work.catch(() => {});
      const outcome = await Promise.race([work, cut]);
      return { name: step.name, outcome, elapsedMs: this.#now() - start };
    } catch (error) {
      return {
        name: step.name,
        outcome: "failed",
        elapsedMs: this.#now() - start,
        error: errorMessage(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

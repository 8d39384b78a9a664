/**
 * `deno task sweep-worker` and `deno task sweep` as child processes of a test, each run as its
 * task runs it (`./deno run -P=<set>`, with nothing of the test's environment), with their output
 * followed line by line.
 *
 * @module
 */
import { followOutput } from "./child_output.ts";
import { waitFor } from "./redis.ts";

/** A running child: its output so far, a wait for a line, its exit code. */
export interface TaskChild {
  readonly child: Deno.ChildProcess;
  /** Stdout so far. */
  stdout(): string;
  /** Stderr, once the child has ended. */
  stderr: Promise<string>;
  /** Waits until stdout matches `pattern`; the match. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code, once it ends. */
  code: Promise<number>;
}

/** Starts `./deno run -P=<permissions> <script> ...args` at the repository root. */
export function startTask(
  permissions: string,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): TaskChild {
  const child = new Deno.Command("./deno", {
    args: ["run", `-P=${permissions}`, script, ...args],
    cwd: new URL("../../", import.meta.url),
    clearEnv: true,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = followOutput(child);
  return {
    child,
    stdout: output.stdout,
    stderr: output.stderr,
    async waitForLine(pattern, timeoutMs = 60_000) {
      await waitFor(
        `${script} to print ${pattern}`,
        () => pattern.test(output.stdout()),
        timeoutMs,
      );
      return output.stdout().match(pattern)!;
    },
    code: child.status.then((status) => status.code),
  };
}

/** A `sweep-worker` on `paths` taking jobs from the Redis at `url`. */
export function startSweepWorker(paths: string[], url: string, extra: string[] = []): TaskChild {
  return startTask("sweep-worker", "tools/sweep_worker.ts", [...paths, "--redis", url, ...extra]);
}

/** The grid indexes (from 1) of the runs a worker's output says it finished. */
export function runsDone(stdout: string): number[] {
  return [...stdout.matchAll(/^sweep-worker: run (\d+) of batch \S+ done/gm)].map((m) =>
    Number(m[1])
  );
}

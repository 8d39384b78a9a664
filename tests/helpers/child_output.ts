/**
 * A child process's output followed as it comes, for tests that wait for log lines of a running
 * engine.
 *
 * @module
 */

/** What a child has printed: stdout so far, when stdout ends, and stderr's whole text. */
export interface FollowedOutput {
  /** Stdout's text so far. */
  stdout(): string;
  /** Resolves when stdout ends. */
  ended: Promise<void>;
  /** Stderr's text, once it ends. */
  stderr: Promise<string>;
}

/** Follows the piped stdout and stderr of `child`. */
export function followOutput(child: Deno.ChildProcess): FollowedOutput {
  let stdout = "";
  const ended = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) stdout += chunk;
  })();
  return { stdout: () => stdout, ended, stderr: child.stderr.text() };
}

/**
 * A sweep worker (a Web Worker of tools/sweep/pool.ts): opens the shared data once, then replays
 * one configuration per message and posts its row back.
 *
 * Messages in: `{ type: "data", shared, env }` once, then `{ type: "run", index, params, window,
 * env? }` per job (a job's own `env` replaces the base one). Out: `{ type: "row", index, row }` or
 * `{ type: "error", index, message }`.
 *
 * @module
 */
// The engine's modules are written for the main thread's globals (the live start's `prompt`),
// which a worker's type check would not know; the worker never calls them.
/// <reference lib="deno.window" />
import { loadConfig } from "../../engine/config.ts";
import type { ReplayData } from "../../engine/replay.ts";
import type { SweepJob } from "./pool.ts";
import { runOne } from "./run.ts";
import { openSharedReplay, type SharedReplay } from "./shared_data.ts";
import { sliceReplay } from "./windows.ts";
import { errorMessage } from "../../engine/util/errors.ts";

let data: ReplayData | null = null;
let env: Record<string, string> = {};

const scope = globalThis as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage: (message: unknown) => void;
};

scope.onmessage = async (event: MessageEvent) => {
  const message = event.data;
  if (message.type === "data") {
    data = openSharedReplay(message.shared as SharedReplay);
    env = message.env;
    return;
  }
  const { index, params, window, env: jobEnv } = message as SweepJob;
  try {
    const slice = window === null ? data! : sliceReplay(data!, window[0], window[1]);
    const config = loadConfig({ ...(jobEnv ?? env), ...params }, () => true);
    const row = await runOne(slice, { index, params, config });
    scope.postMessage({ type: "row", index, row });
  } catch (error) {
    scope.postMessage({ type: "error", index, message: errorMessage(error) });
  }
};

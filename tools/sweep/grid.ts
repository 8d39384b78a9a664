/**
 * The parameter grid of a sweep: `--grid "spread=1.5,3;model=grid,glft"` is every combination
 * of the listed values (here 4 runs). A parameter is an engine variable (`MM_BASE_SPREAD_BPS`)
 * or one of the short names below; every combination is checked by the engine's own config
 * loader before anything runs, so a bad value stops the sweep naming the variable and the value.
 *
 * @module
 */
import { type EngineConfig, loadConfig } from "../../engine/config.ts";
import { errorMessage } from "../../engine/util/errors.ts";

/** Short names of the parameters a sweep usually varies, and the variables they set. */
export const SWEEP_ALIASES: Readonly<Record<string, string>> = {
  spread: "MM_BASE_SPREAD_BPS",
  model: "MM_QUOTE_MODEL",
  gamma: "MM_GLFT_GAMMA",
  requote: "MM_REQUOTE_SHARE",
  min_rest: "MM_MIN_REST_MS",
  queue: "MM_QUEUE_MODEL",
  max_inv: "MM_MAX_INV_USD",
  order: "MM_MIN_ORDER_USD",
  latency: "MM_ENTRY_LATENCY_MS",
  fee: "MM_MAKER_FEE_RATE",
};

/** Variables a sweep may not vary: they choose coins, files or connections, not quoting. */
const NOT_SWEPT =
  /^(HL_|REDIS_URL$|RUST_LOG$|MM_LOG_|MM_DATA_DIR$|MM_HTTP_|MM_CONTROL_|MM_ALERT_|MM_COINS)/;

/** One run of a sweep: its parameters (variable = value) and the config they give. */
export interface SweepRun {
  /** Position in the grid, from 0. */
  index: number;
  /** The swept variables and their values, in grid order. */
  params: Record<string, string>;
  config: EngineConfig;
}

/** Parses `grid` into its axes: variable names and their values, in the order written. */
export function parseGrid(grid: string): { name: string; values: string[] }[] {
  const axes: { name: string; values: string[] }[] = [];
  for (const part of grid.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? "" : part.slice(0, eq).trim();
    const values = eq < 0 ? [] : part.slice(eq + 1).split(",").map((v) => v.trim());
    if (key === "" || values.length === 0 || values.some((v) => v === "")) {
      throw new Error(
        `sweep: --grid part "${part.trim()}" is invalid: expected name=value,value (e.g. spread=1.5,3)`,
      );
    }
    const name = SWEEP_ALIASES[key] ?? key;
    if (!/^(MM|HL)_[A-Z0-9_]+$/.test(name)) {
      throw new Error(
        `sweep: --grid parameter "${key}" is unknown: use an MM_ variable or one of ${
          Object.keys(SWEEP_ALIASES).join(", ")
        }`,
      );
    }
    if (NOT_SWEPT.test(name)) {
      throw new Error(
        `sweep: --grid parameter ${name} chooses data or connections: it cannot be swept`,
      );
    }
    if (axes.some((a) => a.name === name)) {
      throw new Error(`sweep: --grid names ${name} twice`);
    }
    if (new Set(values).size < values.length) {
      throw new Error(`sweep: --grid repeats a value of ${name}: ${values.join(",")}`);
    }
    axes.push({ name, values });
  }
  if (axes.length === 0) throw new Error('sweep: --grid is empty: expected e.g. "spread=1.5,3"');
  return axes;
}

/**
 * Every combination of the grid over the base environment `env` (the first axis varies slowest),
 * each checked by {@link loadConfig}; throws naming the first bad variable and value.
 */
export function expandGrid(
  grid: string,
  env: Readonly<Record<string, string | undefined>>,
  canWrite?: (path: string) => boolean,
): SweepRun[] {
  const axes = parseGrid(grid);
  let combos: Record<string, string>[] = [{}];
  for (const axis of axes) {
    combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v })));
  }
  return combos.map((params, index) => {
    try {
      return { index, params, config: loadConfig({ ...env, ...params }, canWrite) };
    } catch (error) {
      throw new Error(`sweep: run ${index + 1} (${label(params)}): ${errorMessage(error)}`);
    }
  });
}

/** `MM_BASE_SPREAD_BPS=3 MM_QUOTE_MODEL=glft`: a run's parameters as environment assignments. */
export function label(params: Readonly<Record<string, string>>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${v}`).join(" ");
}

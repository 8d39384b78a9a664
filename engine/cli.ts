/**
 * The engine's command line: the mode (`shadow | live | demo | replay <files or folder>`) and
 * its flags, checked before anything starts so a mistake stops with the usage.
 */
import type { EngineMode } from "./engine.ts";

/** The parsed command line. */
export interface Cli {
  mode: EngineMode;
  /** Replay inputs. */
  paths: string[];
  speed: "max" | "1x";
  /** Stop after this long (ms), or run until Ctrl-C. */
  durationMs: number | null;
  clearHalt: boolean;
  /** Live mode without a terminal: the confirmation phrase comes from this flag. */
  confirmLive: boolean;
  /** Seed of the demo's synthetic market (default 1): another seed, another market. */
  seed: number;
}

const USAGE = `usage: main.ts <shadow | live | demo | replay <files or folder>...>
  --duration 60s|5m|1h   stop after this long (default: until Ctrl-C)
  --speed max|1x         replay pace (default max)
  --clear-halt           start although the saved state is halted
  --confirm-live         live mode without a terminal (instead of typing CONFIRM LIVE)
  --seed N               demo only: seed of the synthetic market (default 1)`;

/** Parses `--duration` values such as `30s`, `5m`, `1h`, `500ms`; throws naming the value. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`--duration "${text}" is invalid: expected e.g. 30s, 5m, 1h`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

/** Parses the command line; throws with the usage on a mistake. */
export function parseCli(args: readonly string[]): Cli {
  const [mode, ...rest] = args;
  if (!["shadow", "live", "demo", "replay"].includes(mode)) {
    throw new Error(`unknown mode "${mode ?? ""}"\n${USAGE}`);
  }
  const cli: Cli = {
    mode: mode as EngineMode,
    paths: [],
    speed: "max",
    durationMs: null,
    clearHalt: false,
    confirmLive: false,
    seed: 1,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === "--duration") cli.durationMs = parseDuration(value());
    else if (arg.startsWith("--duration=")) cli.durationMs = parseDuration(arg.slice(11));
    else if (arg === "--speed" || arg.startsWith("--speed=")) {
      const speed = arg === "--speed" ? value() : arg.slice(8);
      if (speed !== "max" && speed !== "1x") {
        throw new Error(`--speed "${speed}" is invalid: expected max or 1x`);
      }
      cli.speed = speed;
    } else if (arg === "--clear-halt") cli.clearHalt = true;
    else if (arg === "--confirm-live") cli.confirmLive = true;
    else if (arg === "--seed" || arg.startsWith("--seed=")) {
      const text = arg === "--seed" ? value() : arg.slice(7);
      if (cli.mode !== "demo") throw new Error(`--seed applies to demo only\n${USAGE}`);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        throw new Error(`--seed "${text}" is invalid: expected a whole number >= 0`);
      }
      cli.seed = Number(text);
    } else if (arg.startsWith("--")) throw new Error(`unknown flag ${arg}\n${USAGE}`);
    else if (cli.mode === "replay") cli.paths.push(arg);
    else throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
  }
  if (cli.mode === "replay" && cli.paths.length === 0) {
    throw new Error(`replay needs files or a folder of harvested data\n${USAGE}`);
  }
  return cli;
}

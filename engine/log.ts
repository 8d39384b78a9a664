/**
 * A logger that never blocks its caller: lines are queued in memory and written to the sink
 * after the current task, so the quoting loop and market-data handlers pay only for a string
 * push. If the sink falls behind, the oldest queued lines are dropped and counted rather than
 * growing memory without bound.
 */

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug";

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * How a line is written: `text` is `<ISO time> <LEVEL> <message>`; `json` is one JSON object per
 * line with the same fields, `{"time":"…","level":"info","message":"…"}`, for log shippers.
 */
export type LogFormat = "text" | "json";

/** Where formatted log text goes (stdout by default; tests pass a collector). */
export type LogSink = (text: string) => void | Promise<void>;

/** A non-blocking logger. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Whether `level` would be written (so callers can skip building expensive messages). */
  enabled(level: LogLevel): boolean;
  /** Writes everything queued so far; resolves when the sink has taken it. */
  flush(): Promise<void>;
  /** Lines dropped because the queue was full. */
  readonly dropped: number;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  /** Queue bound in lines (default 10,000). */
  maxQueued?: number;
  /** Prefix each line with an ISO timestamp (default true); false leaves `time` out of JSON. */
  timestamps?: boolean;
  /** `text` (default) or `json`. */
  format?: LogFormat;
}

const encoder = new TextEncoder();

/** Writes text to stdout, completing partial writes. */
export async function stdoutSink(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

/** Parses a level name (`RUST_LOG`/`MM_LOG_LEVEL` style); throws naming the bad value. */
export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase();
  if (level in LEVEL_RANK) return level as LogLevel;
  throw new Error(`log level "${value}" is not one of error, warn, info, debug`);
}

/** Creates a non-blocking logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_RANK[options.level ?? "info"];
  const sink = options.sink ?? stdoutSink;
  const maxQueued = options.maxQueued ?? 10_000;
  const timestamps = options.timestamps ?? true;
  const json = options.format === "json";
  let queue: string[] = [];
  let dropped = 0;
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  const drain = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const text = queue.join("");
    queue = [];
    writing = writing.then(() => sink(text)).catch(() => {});
  };

  const push = (level: LogLevel, message: string) => {
    if (LEVEL_RANK[level] > threshold) return;
    if (queue.length >= maxQueued) {
      queue.shift();
      dropped++;
    }
    const time = timestamps ? new Date().toISOString() : null;
    if (json) {
      // JSON.stringify escapes newlines inside a message: one record stays one line.
      const record = time === null ? { level, message } : { time, level, message };
      queue.push(`${JSON.stringify(record)}\n`);
    } else {
      queue.push(`${time === null ? "" : `${time} ${level.toUpperCase()} `}${message}\n`);
    }
    if (!scheduled) {
      scheduled = true;
      setTimeout(drain, 0);
    }
  };

  return {
    error: (m) => push("error", m),
    warn: (m) => push("warn", m),
    info: (m) => push("info", m),
    debug: (m) => push("debug", m),
    enabled: (level) => LEVEL_RANK[level] <= threshold,
    async flush() {
      drain();
      await writing;
    },
    get dropped() {
      return dropped;
    },
  };
}

/**
 * Reading external recordings: text lines from plain or gzip files, CSV headers, numbers and
 * timestamps in whatever unit the collector used.
 */

import { parseDecimal } from "../../engine/csv_rows.ts";

/**
 * The lines of a text file, one at a time, without holding the file in memory. A `.gz` file is
 * gunzipped on the way; a UTF-8 byte order mark and `\r` before each newline are dropped. A
 * last line without a newline is still a line: exported recordings often end that way.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  const bytes: ReadableStream<BufferSource> = path.endsWith(".gz")
    ? file.readable.pipeThrough(new DecompressionStream("gzip"))
    : file.readable;
  // TextDecoderStream drops a leading byte order mark (its ignoreBOM option is false).
  let rest = "";
  for await (const chunk of bytes.pipeThrough(new TextDecoderStream())) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

/** The first line of a file ("" for an empty file). */
export async function firstLine(path: string): Promise<string> {
  for await (const line of readLines(path)) return line;
  return "";
}

/** Column positions of a CSV header by name. */
export function columnsOf(header: string): Map<string, number> {
  return new Map(header.split(",").map((name, i) => [name.trim(), i]));
}

// Epoch times of this era told apart by magnitude: ~1.7e9 s, ~1.7e12 ms, ~1.7e15 µs, ~1.7e18 ns.
// The bounds sit three decades apart, so any date from 1973 to 5138 is read in the right unit.
const SECONDS_BELOW = 1e11, MILLIS_BELOW = 1e14, MICROS_BELOW = 1e17;

/**
 * An epoch timestamp in seconds, milliseconds, microseconds or nanoseconds (the unit told by its
 * magnitude) as whole milliseconds, rounded down; NaN when it is not a positive number.
 */
export function epochMs(text: string): number {
  const value = parseDecimal(text);
  if (!(value > 0) || !Number.isFinite(value)) return NaN;
  // Seconds carry at most microseconds (`1757015216.673878`): round to whole µs first, so binary
  // noise (1757015216.674 * 1000 = …673.9998) cannot move the time back a millisecond.
  if (value < SECONDS_BELOW) return Math.floor(Math.round(value * 1e6) / 1000);
  if (value < MILLIS_BELOW) return Math.floor(value);
  if (value < MICROS_BELOW) return Math.floor(value / 1000);
  return Math.floor(value / 1e6);
}

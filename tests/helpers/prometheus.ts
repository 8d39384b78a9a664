/** A Prometheus text exposition parser for tests: every sample line must follow its TYPE line. */
import assert from "node:assert/strict";

/** Prometheus text exposition parsed into `name{labels}` → value, with each family's TYPE. */
export function parsePrometheus(text: string) {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const sample = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a Prometheus sample line: ${line}`);
    assert.ok(types.has(sample[1]), `${sample[1]} has no TYPE line before it`);
    samples.set(sample[1] + (sample[2] ?? ""), Number(sample[3]));
  }
  return { samples, types };
}

import assert from "node:assert/strict";
import { analyze } from "../tools/analyze.ts";
import { openDatabase } from "../tools/analysis/duckdb.ts";
import {
  type Gate5Check,
  type Gate5Result,
  MAX_REQUESTS_PER_USD,
  requestsCheck,
} from "../tools/analysis/gate5.ts";
import { loadData } from "../tools/analysis/load.ts";

const DAY = "2026-02-20";

/** A session record as the engine writes it; `extra` holds the request economy fields. */
function session(extra: Record<string, number | null> = {}): string {
  return JSON.stringify({
    dateUtc: DAY,
    mode: "shadow",
    startedMs: Date.parse(`${DAY}T10:00:00Z`),
    endedMs: Date.parse(`${DAY}T11:00:00Z`),
    cancels: 10,
    fills: 2,
    stallRecoveries: 0,
    pnlUsd: 0.1,
    ...extra,
  });
}

/** Gate 5's "requests per USDC traded" check over a data folder holding these session lines. */
async function requestsCheckOf(lines: string[] | null): Promise<Gate5Check> {
  const dir = await Deno.makeTempDir();
  try {
    if (lines !== null) {
      await Deno.mkdir(`${dir}/shadow`);
      await Deno.writeTextFile(`${dir}/shadow/sessions.jsonl`, lines.map((l) => `${l}\n`).join(""));
    }
    const [report] = await analyze({
      dataDir: dir,
      gate: 5,
      nowMs: Date.parse("2026-03-01T00:00:00Z"),
      print: () => {},
    });
    const result = report.result as Gate5Result;
    assert.match(report.text, /requests per USDC traded/);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/reports/gate5.json`));
    const check = result.checks.find((c) => c.name === "requests per USDC traded");
    assert.ok(check, "gate 5 has the check");
    assert.deepEqual(
      json.checks.find((c: Gate5Check) => c.name === check.name),
      check,
      "gate5.json carries it",
    );
    return check;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("gate 5 passes under one request per USDC, summed over sessions, older records ignored", async () => {
  // 300 + 500 requests over $400 + $600 traded: 0.8 per USDC. The first session predates the
  // fields and must not count as zero requests.
  const check = await requestsCheckOf([
    session(),
    session({ placed: 200, requests: 300, volumeUsd: 400 }),
    session({ placed: 300, requests: 500, volumeUsd: 600 }),
  ]);
  assert.equal(check.value, 0.8);
  assert.equal(check.pass, true);
  assert.equal(check.threshold, `< ${MAX_REQUESTS_PER_USD}`);
  assert.equal(check.note, "800 requests / $1000 traded in 2 of 3 sessions");
});

Deno.test("gate 5 fails at or above one request per USDC", async () => {
  const at = await requestsCheckOf([session({ placed: 60, requests: 100, volumeUsd: 100 })]);
  assert.equal(at.value, 1);
  assert.equal(at.pass, false);
  const above = await requestsCheckOf([session({ placed: 400, requests: 900, volumeUsd: 300 })]);
  assert.equal(above.value, 3);
  assert.equal(above.pass, false);
});

Deno.test("gate 5 fails with a clear note when no session carries request counts", async () => {
  const old = await requestsCheckOf([session(), session()]);
  assert.equal(old.value, null);
  assert.equal(old.pass, false);
  assert.equal(old.note, "no request counts in sessions.jsonl: record sessions with this version");
  // A record written while the engine did not count requests yet has them null.
  const nulls = await requestsCheckOf([session({ placed: 5, requests: null, volumeUsd: 10 })]);
  assert.equal(nulls.pass, false);
  assert.match(nulls.note, /^no request counts in sessions\.jsonl/);
  const none = await requestsCheckOf(null);
  assert.equal(none.pass, false);
  assert.equal(none.note, "no shadow/sessions.jsonl");
});

Deno.test("gate 5 fails when requests were sent and nothing was traded", async () => {
  const check = await requestsCheckOf([session({ placed: 40, requests: 70, volumeUsd: 0 })]);
  assert.equal(check.value, null);
  assert.equal(check.pass, false);
  assert.equal(check.note, "70 requests / $0 traded (no volume) in 1 of 1 sessions");
});

Deno.test("requestsCheck reads the row of GATE5_SESSIONS_SQL", () => {
  const row = { sessions: 4, request_sessions: 2, requests: 50, volume_usd: 200 };
  assert.deepEqual(requestsCheck(row), {
    name: "requests per USDC traded",
    value: 0.25,
    threshold: "< 1",
    pass: true,
    note: "50 requests / $200 traded in 2 of 4 sessions",
  });
});

Deno.test("the sql sessions table has the request economy columns, null in older records", async () => {
  const dir = await Deno.makeTempDir();
  const db = await openDatabase();
  try {
    await Deno.mkdir(`${dir}/shadow`);
    await Deno.writeTextFile(
      `${dir}/shadow/sessions.jsonl`,
      `${session()}\n${session({ placed: 7, requests: 9, volumeUsd: 12.5 })}\n`,
    );
    await loadData(db, dir);
    assert.deepEqual(
      db.query("SELECT placed, requests, volume_usd FROM sessions ORDER BY placed NULLS FIRST"),
      [
        { placed: null, requests: null, volume_usd: null },
        { placed: 7, requests: 9, volume_usd: 12.5 },
      ],
    );
    db.dropTables();
    // Without any session file the table still has every column, so every query runs.
    await loadData(db, `${dir}/none`);
    assert.deepEqual(
      db.query("SELECT count(*) AS n, sum(requests) AS r, sum(volume_usd) AS v FROM sessions"),
      [{ n: 0, r: null, v: null }],
    );
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

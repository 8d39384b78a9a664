import assert from "node:assert/strict";
import { Shutdown } from "../engine/shutdown.ts";

const never = () => new Promise<void>(() => {});

Deno.test("shutdown: steps run in the order they were registered", async () => {
  const ran: string[] = [];
  const shutdown = new Shutdown()
    .add("stop quoting", () => void ran.push("stop quoting"))
    .add("cancel all", async () => {
      await Promise.resolve();
      ran.push("cancel all");
    })
    .add("flush harvest", () => void ran.push("flush harvest"))
    .add("save state", () => void ran.push("save state"))
    .add("report", () => void ran.push("report"));
  assert.equal(shutdown.started, false);
  const report = await shutdown.run("SIGTERM");
  assert.equal(shutdown.started, true);
  assert.deepEqual(ran, ["stop quoting", "cancel all", "flush harvest", "save state", "report"]);
  assert.deepEqual(report.steps.map((s) => s.outcome), ["ok", "ok", "ok", "ok", "ok"]);
  assert.equal(report.clean, true);
  assert.equal(report.reason, "SIGTERM");
  assert.equal(await shutdown.run("again"), report, "a second call does not run the steps again");
  assert.equal(ran.length, 5);
});

Deno.test("shutdown: a hung step is cut at its limit and a failing one does not stop the rest", async () => {
  const ran: string[] = [];
  const report = await new Shutdown({ deadlineMs: 5_000 })
    .add("stop quoting", () => void ran.push("stop quoting"))
    .add("cancel all", never, 50)
    .add("flush harvest", () => {
      throw new Error("disk full");
    })
    .add("save state", () => void ran.push("save state"))
    .add("report", () => void ran.push("report"))
    .run("SIGINT");
  assert.deepEqual(ran, ["stop quoting", "save state", "report"]);
  assert.deepEqual(report.steps.map((s) => [s.name, s.outcome]), [
    ["stop quoting", "ok"],
    ["cancel all", "timed-out"],
    ["flush harvest", "failed"],
    ["save state", "ok"],
    ["report", "ok"],
  ]);
  assert.equal(report.steps[2].error, "disk full");
  assert.equal(report.clean, false);
});

Deno.test("shutdown: a step that fails after being cut does not disturb the next ones", async () => {
  const ran: string[] = [];
  const report = await new Shutdown()
    .add(
      "cancel all",
      () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error("late")), 60)),
      20,
    )
    .add("save state", async () => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      ran.push("save state");
    })
    .run("SIGTERM");
  assert.deepEqual(report.steps.map((s) => s.outcome), ["timed-out", "ok"]);
  assert.deepEqual(ran, ["save state"]);
});

Deno.test("shutdown: the deadline bounds the whole run; steps past it are skipped", async () => {
  const ran: string[] = [];
  const report = await new Shutdown({ deadlineMs: 100 })
    .add("stop quoting", () => void ran.push("stop quoting"))
    .add("cancel all", never, 10_000)
    .add("save state", () => void ran.push("save state"))
    .run("SIGTERM");
  assert.deepEqual(ran, ["stop quoting"]);
  assert.deepEqual(report.steps.map((s) => s.outcome), ["ok", "timed-out", "skipped"]);
});

Deno.test("shutdown: an injected clock decides what the deadline leaves", async () => {
  let now = 0;
  const ran: string[] = [];
  const report = await new Shutdown({ deadlineMs: 5_000, now: () => now })
    .add("cancel all", () => {
      now += 6_000;
    })
    .add("save state", () => void ran.push("save state"))
    .run("SIGTERM");
  assert.deepEqual(report.steps.map((s) => s.outcome), ["ok", "skipped"]);
  assert.deepEqual(ran, []);
  assert.equal(report.elapsedMs, 6_000);
});

Deno.test("shutdown: a bad step limit is refused with its name", () => {
  assert.throws(() => new Shutdown().add("save state", () => {}, 0), /"save state": timeoutMs=0/);
});

Deno.test("shutdown: SIGTERM to a running engine runs the steps in order and exits 0", async () => {
  const child = new Deno.Command("./deno", {
    args: ["run", "--quiet", "tests/helpers/shutdown_child.ts"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const readLine = async (): Promise<string | null> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return null;
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  try {
    assert.equal(await readLine(), "ready");
    child.kill("SIGTERM");
    for (let line = await readLine(); line !== null; line = await readLine()) lines.push(line);
    const status = await child.status;
    assert.equal(status.code, 0, await new Response(child.stderr).text());
    assert.deepEqual(lines, [
      "step: stop quoting",
      "step: cancel all (hangs)",
      "step: flush harvest",
      "step: save state",
      "step: report",
    ]);
  } finally {
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
});

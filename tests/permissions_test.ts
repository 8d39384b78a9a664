/**
 * No task reads .env, or anything outside its declared paths, through a child process or a
 * symbolic link placed in data/: the tasks that may start programs start only tools/engine.sh,
 * and every task that reads data/ refuses to start while a link there leads outside its reach.
 */
import assert from "node:assert/strict";
import { findEscapingLinks } from "../engine/data_links.ts";

const root = new URL("../", import.meta.url);
const decoder = new TextDecoder();

async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(program, {
    args,
    cwd: root,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("code under the watchdog's or load-live's permissions cannot start ./deno eval or read .env", async () => {
  for (const set of ["watchdog", "load-live"]) {
    const out = await run("./deno", ["run", `-P=${set}`, "tests/helpers/escape_child.ts"]);
    assert.equal(out.code, 0, out.stderr);
    const got = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(got.denoEval, { refused: "NotCapable" }, `${set}: ./deno eval`);
    assert.deepEqual(got.readEnvFile, { refused: "NotCapable" }, `${set}: reading .env`);
    // The one program it may start runs engine modes and the simulator, nothing else.
    assert.equal(got.wrapperEval.ran.code, 2, set);
    assert.match(got.wrapperEval.ran.stderr, /"eval" is not one of shadow, demo, live, venue-sim/);
  }
});

Deno.test("a symbolic link in data/ to a file outside the task's paths stops the engine and the data tools", async () => {
  const dir = `data/test/links_${crypto.randomUUID().slice(0, 8)}`;
  const secrets = await Deno.makeTempDir({ prefix: "mm_secret_" });
  try {
    await Deno.writeTextFile(`${secrets}/.env`, "HL_PRIVATE_KEY=0xsecret\n");
    await Deno.mkdir(new URL(`${dir}/ticks`, root), { recursive: true });
    // The link is made by another program (a task cannot: Deno.symlink needs unscoped access).
    const made = await run("./deno", [
      "eval",
      `Deno.symlinkSync(${JSON.stringify(`${secrets}/.env`)}, ${JSON.stringify(`${dir}/ticks/x`)})`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    // Why the check exists: Deno checks the permission on the link's name, not its target.
    const leak = await run("./deno", [
      "run",
      "--allow-read=data",
      "tests/helpers/read_file.ts",
      `${dir}/ticks/x`,
    ]);
    assert.match(leak.stdout, /0xsecret/, "Deno 2.9.6 follows a link in an allowed folder");

    const engine = await run("./tools/engine.sh", ["demo", "--duration", "1s"], {
      MM_DATA_DIR: dir,
    });
    assert.equal(engine.code, 2, engine.stdout + engine.stderr);
    assert.match(
      engine.stderr,
      new RegExp(
        `refusing to start: 1 link\\(s\\) lead outside what this task may ` +
          `read: ${dir}/ticks/x -> ${secrets}/\\.env`,
      ),
    );
    assert.doesNotMatch(engine.stdout + engine.stderr, /0xsecret/);

    const integrity = await run("./deno", [
      "run",
      "-P=data-tools",
      "tools/integrity.ts",
      "--data-dir",
      dir,
    ]);
    assert.equal(integrity.code, 2, integrity.stdout + integrity.stderr);
    assert.match(integrity.stderr, /refusing to start: 1 link\(s\) lead outside/);
  } finally {
    await Deno.remove(new URL(dir, root), { recursive: true });
    await Deno.remove(secrets, { recursive: true });
  }
});

Deno.test("a hard link in data/ to a file outside it stops the engine, the screener and the venue simulator", async () => {
  const dir = `data/test/hardlinks_${crypto.randomUUID().slice(0, 8)}`;
  // A hard link needs the same file system: the "secret" sits beside the engine's data folder,
  // as .env sits beside data/ (the test may write only under data/test and /tmp).
  const secrets = `data/test/secret_${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(new URL(secrets, root), { recursive: true });
  try {
    await Deno.writeTextFile(`${secrets}/.env`, "HL_PRIVATE_KEY=0xsecret\n");
    await Deno.mkdir(new URL(`${dir}/reports`, root), { recursive: true });
    const made = await run("./deno", [
      "eval",
      `Deno.linkSync(${JSON.stringify(`${secrets}/.env`)}, ${
        JSON.stringify(`${dir}/reports/x.jsonl`)
      })`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    // Why: the file is .env itself under a name inside data/.
    const leak = await run("./deno", [
      "run",
      "--allow-read=data",
      "tests/helpers/read_file.ts",
      `${dir}/reports/x.jsonl`,
    ]);
    assert.match(leak.stdout, /0xsecret/);

    const refused = new RegExp(
      `refusing to start: 1 link\\(s\\) lead outside what this task may read: ` +
        `${dir}/reports/x\\.jsonl -> \\(hard link`,
    );
    const engine = await run("./tools/engine.sh", ["demo", "--duration", "1s"], {
      MM_DATA_DIR: dir,
    });
    assert.equal(engine.code, 2, engine.stdout + engine.stderr);
    assert.match(engine.stderr, refused);
    const screener = await run("./deno", ["task", "screener", "--once"], { MM_DATA_DIR: dir });
    assert.equal(screener.code, 2, screener.stdout + screener.stderr);
    assert.match(screener.stderr, refused);
    const venueSim = await run("./deno", [
      "task",
      "venue-sim",
      "--replay",
      `${dir}/reports/x.jsonl`,
    ]);
    assert.notEqual(venueSim.code, 0, venueSim.stdout + venueSim.stderr);
    assert.match(venueSim.stdout + venueSim.stderr, refused);
    for (const out of [engine, screener, venueSim]) {
      assert.doesNotMatch(out.stdout + out.stderr, /0xsecret/);
    }
  } finally {
    await Deno.remove(new URL(dir, root), { recursive: true });
    await Deno.remove(new URL(secrets, root), { recursive: true });
  }
});

Deno.test("links to places the task may read are fine; a dangling link leads nowhere", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mm_links_" });
  try {
    // This test runs with read access everywhere: nothing escapes it.
    await Deno.mkdir(`${dir}/a`);
    await Deno.writeTextFile(`${dir}/a/f`, "x");
    const made = await run("./deno", [
      "eval",
      `Deno.symlinkSync("${dir}/a/f", "${dir}/a/link"); Deno.symlinkSync("${dir}/gone", "${dir}/dangling")`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    assert.deepEqual(findEscapingLinks(dir), []);
    assert.deepEqual(findEscapingLinks(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The environment allow-lists in deno.json against the one list of variables the engine reads,
 * `CONFIG_ENV_NAMES` in engine/config_env.ts.
 *
 * Why a test and not generated lists: deno.json is plain JSON that Deno reads before any code
 * runs, so it can neither import the list nor share one copy between permission sets; a
 * generator would have to rewrite the file that every task and engineer edits by hand. Instead
 * this test finds every task whose entry module reads the configuration (`readEnv(`), and holds
 * its permission set to exactly the variables `readEnv` asks for: a variable added to config_env.ts
 * but not to a set fails here (Deno would refuse the task at start), and so does a variable left
 * in a set that nothing reads any more. `.env` stays out of every set's reach.
 */
import assert from "node:assert/strict";
import { CONFIG_ENV_NAMES } from "../engine/config_env.ts";
import { PRIVATE_KEY_ENV } from "../engine/live_start.ts";

const root = new URL("../", import.meta.url);
const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
type Task = string | { command: string };
type EnvPermission = string[] | { allow?: string[]; ignore?: string[] } | boolean | undefined;
interface PermissionSet {
  read?: string[] | { allow?: string[] } | boolean;
  env?: EnvPermission;
}
const tasks: Record<string, Task> = denoJson.tasks;
const sets: Record<string, PermissionSet> = denoJson.permissions;

/**
 * Read besides the configuration, in every set that loads it: `NO_COLOR`, by the colour probe that
 * npm dependencies (ioredis's `debug`) run through Node's `tty`, which honours it; the probe's other
 * variables (`TERM`, `CI`, …) are in each set's `ignore`, read as unset.
 */
const ALSO_READ = ["NO_COLOR"];
/** Sets that run without a terminal and so are granted the key instead of asking for it. */
const UNATTENDED = new Set(["deploy"]);

function commandOf(task: Task): string {
  return typeof task === "string" ? task : task.command;
}

/** Permission set and entry module of each `deno run`/`deno compile` task. */
function entryPoints(): { task: string; set: string; entry: string }[] {
  const out = [];
  for (const [task, definition] of Object.entries(tasks)) {
    const command = commandOf(definition);
    const set = command.match(/^deno (?:run|compile) .*-P=([\w-]+)/)?.[1];
    const entry = command.split(/\s+/).find((word) => word.endsWith(".ts"));
    if (set !== undefined && entry !== undefined) out.push({ task, set, entry });
  }
  return out;
}

function envAllowed(set: string): string[] {
  const env = sets[set].env;
  if (env === undefined || typeof env === "boolean") {
    assert.notEqual(env, true, `permission set ${set} may read every variable`);
    return [];
  }
  return Array.isArray(env) ? env : env.allow ?? [];
}

/** The TypeScript modules under `dir`, as repository paths. */
function modulesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, root))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...modulesUnder(path));
    else if (entry.isFile && path.endsWith(".ts")) out.push(path);
  }
  return out;
}

async function readsConfig(entry: string): Promise<boolean> {
  return /\breadEnv\(/.test(await Deno.readTextFile(new URL(entry, root)));
}

/**
 * The variables an entry module's `readEnv` reads: the names it lists (`readEnv(["A", "B"])`),
 * or every configuration variable when it lists none.
 */
async function configNamesRead(entry: string): Promise<readonly string[]> {
  const text = await Deno.readTextFile(new URL(entry, root));
  const listed = /\breadEnv\(\[([^\]]*)\]/.exec(text);
  return listed ? [...listed[1].matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]) : CONFIG_ENV_NAMES;
}

Deno.test("every task that loads the configuration may read exactly the variables it reads", async () => {
  const loading = [];
  for (const { task, set, entry } of entryPoints()) {
    if (!await readsConfig(entry)) continue;
    loading.push(task);
    const expected = [...await configNamesRead(entry), ...ALSO_READ];
    if (UNATTENDED.has(set)) expected.push(PRIVATE_KEY_ENV);
    const allowed = envAllowed(set);
    const missing = expected.filter((name) => !allowed.includes(name));
    const stray = allowed.filter((name) => !expected.includes(name));
    assert.deepEqual(missing, [], `task ${task} (-P=${set}) cannot read what ${entry} reads`);
    assert.deepEqual(stray, [], `task ${task} (-P=${set}) may read variables nothing reads`);
    assert.equal(new Set(allowed).size, allowed.length, `-P=${set} names a variable twice`);
  }
  // The engine modes, their compiled binary and the sweep all start from the configuration; a
  // sweep worker reads only where its Redis is and which coins (the jobs carry the rest).
  assert.deepEqual(loading.sort(), [
    "compile",
    "demo",
    "live",
    "replay",
    "shadow",
    "sweep",
    "sweep-worker",
  ]);
});

Deno.test("only task entry modules read the configuration from the environment", async () => {
  const entries = new Set(entryPoints().map((e) => e.entry));
  const readers: string[] = [];
  for (const file of ["main.ts", ...modulesUnder("engine"), ...modulesUnder("tools")]) {
    if (file === "engine/config_env.ts") continue; // where readEnv is defined
    if (await readsConfig(file)) readers.push(file);
  }
  // A module deeper in the graph calling readEnv would escape the check above.
  assert.deepEqual(readers.filter((file) => !entries.has(file)), []);
  assert.ok(readers.includes("main.ts") && readers.includes("tools/sweep.ts"));
});

Deno.test("the private key is granted to the unattended set only", () => {
  for (const { set } of entryPoints()) {
    assert.equal(
      envAllowed(set).includes(PRIVATE_KEY_ENV),
      UNATTENDED.has(set),
      `-P=${set} and ${PRIVATE_KEY_ENV}`,
    );
  }
});

Deno.test("no permission set can read .env: no read path is the repository root, .env or above it", () => {
  const rootPath = new URL(".", root).pathname.replace(/\/$/, "");
  const envFile = `${rootPath}/.env`;
  for (const [name, set] of Object.entries(sets)) {
    const read = set.read;
    assert.notEqual(read, true, `permission set ${name} may read anywhere`);
    const paths = read === undefined || typeof read === "boolean"
      ? []
      : Array.isArray(read)
      ? read
      : read.allow ?? [];
    for (const path of paths) {
      const resolved = new URL(path, root).pathname.replace(/\/$/, "");
      const reaches = envFile === resolved || envFile.startsWith(`${resolved}/`);
      assert.ok(!reaches, `permission set ${name} reads ${path}, which holds .env`);
    }
  }
});

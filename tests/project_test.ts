/**
 * The promises the repository makes to a newcomer and to an operator: the layout, the pinned
 * toolchain, tasks that name only the permissions they need, and secrets kept out of git.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const tasks: Record<string, string | { command: string; dependencies?: string[] }> = denoJson.tasks;
const commandOf = (name: string) => {
  const task = tasks[name];
  return typeof task === "string" ? task : task.command;
};

Deno.test("the top level holds exactly the files of the design", async () => {
  // Git-ignored install and build output (.tools/, node_modules/, dist/) is not part of the layout.
  const ignored = new Set([".git", ".tools", "node_modules", "dist"]);
  const topLevel = new Set<string>();
  for await (const entry of Deno.readDir(root)) {
    if (!ignored.has(entry.name)) topLevel.add(entry.name);
  }
  assert.deepEqual([...topLevel].sort(), [
    ".ci",
    ".dockerignore",
    ".gitignore",
    "BENCHMARKS.md",
    "Dockerfile",
    "README.md",
    "data",
    "deno",
    "deno.json",
    "deno.lock",
    "docker-compose.mm.yml",
    "engine",
    "main.ts",
    "tests",
    "tools",
    "wasm",
  ]);
});

Deno.test("no task asks for all permissions", () => {
  for (const name of Object.keys(tasks)) {
    const command = commandOf(name);
    assert.doesNotMatch(command, /(^|\s)(-A|--allow-all)(\s|$)/, `task ${name}: ${command}`);
    for (
      const flag of ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-run"]
    ) {
      assert.doesNotMatch(
        command,
        new RegExp(`${flag}(\\s|$)`),
        `task ${name} grants bare ${flag}`,
      );
    }
  }
});

Deno.test("every task that runs a program uses a named permission set that exists", () => {
  const sets = Object.keys(denoJson.permissions);
  for (const name of Object.keys(tasks)) {
    const command = commandOf(name);
    if (!/^deno (run|compile) /.test(command)) continue;
    const match = command.match(/-P=([\w-]+)/);
    assert.ok(match, `task ${name} names no permission set: ${command}`);
    assert.ok(sets.includes(match[1]), `task ${name} uses unknown permission set ${match[1]}`);
  }
});

Deno.test("no permission set reaches beyond Hyperliquid and loopback, or writes outside data/", () => {
  const allowedHosts =
    /^(api\.hyperliquid(-testnet)?\.xyz:443|127\.0\.0\.1(:\d+)?|localhost(:\d+)?|\[::1\](:\d+)?)$/;
  for (const [name, set] of Object.entries<Record<string, unknown>>(denoJson.permissions)) {
    assert.ok(set.all === undefined, `permission set ${name} grants all`);
    for (const host of (set.net as string[] | undefined) ?? []) {
      assert.match(host, allowedHosts, `permission set ${name} allows network host ${host}`);
    }
    const write = set.write as string[] | boolean | undefined;
    assert.notEqual(write, true, `permission set ${name} may write anywhere`);
    for (const path of (write as string[] | undefined) ?? []) {
      assert.match(path, /^(data|wasm\/build|dist)(\/|$)/, `permission set ${name} writes ${path}`);
    }
  }
});

Deno.test("tasks that load the kernel build it first", () => {
  for (const name of ["demo", "shadow", "live", "replay", "test", "bench", "compile"]) {
    const task = tasks[name];
    assert.ok(typeof task === "object", `task ${name} has no dependencies`);
    assert.ok(
      task.dependencies?.includes("build:wasm"),
      `task ${name} does not depend on build:wasm`,
    );
  }
});

Deno.test("npm imports are pinned to exact versions and nothing comes from jsr", () => {
  for (const [name, target] of Object.entries<string>(denoJson.imports)) {
    assert.match(
      target,
      // An exact version, a release suffix included (`1.5.6-r.1`); never a range or a tag.
      /^npm:(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+(-[\w.]+)?(\/[\w./-]*)?$/,
      `${name} → ${target}`,
    );
  }
});

Deno.test("secrets and tool installs stay out of git", async () => {
  const ignored = await Deno.readTextFile(new URL(".gitignore", root));
  for (const entry of [".env", ".tools/", "node_modules/", "data/state/"]) {
    assert.ok(ignored.split("\n").includes(entry), `.gitignore lacks ${entry}`);
  }
});

Deno.test("the deno wrapper pins the same Deno that runs these tests", async () => {
  const wrapper = await Deno.readTextFile(new URL("deno", root));
  const pinned = wrapper.match(/DENO_VERSION="([\d.]+)"/)?.[1];
  assert.equal(pinned, "2.9.6");
  const out = await new Deno.Command("./deno", { args: ["--version"], cwd: root }).output();
  assert.match(new TextDecoder().decode(out.stdout), /^deno 2\.9\.6 /);
});

Deno.test("deno task live asks for the private key at run time; only the deploy set grants it", () => {
  const envOf = (set: string): string[] => denoJson.permissions[set].env.allow;
  for (const set of ["demo", "shadow", "live", "replay"]) {
    assert.ok(
      !envOf(set).includes("HL_PRIVATE_KEY"),
      `permission set ${set} grants HL_PRIVATE_KEY`,
    );
  }
  assert.ok(envOf("deploy").includes("HL_PRIVATE_KEY"));
  assert.match(commandOf("live"), /-P=live /);
  assert.deepEqual(
    envOf("deploy").filter((name) => name !== "HL_PRIVATE_KEY"),
    envOf("live"),
    "deploy is live plus the key",
  );
});

Deno.test("the compiled binary embeds the deploy permissions and the kernel it loads at run time", () => {
  const command = commandOf("compile");
  assert.match(command, /^deno compile -P=deploy /);
  // engine/kernel.ts reads wasm/build/kernel.wasm with Deno.readFile: not part of the module graph.
  assert.match(command, /--include wasm\/build\/kernel\.wasm /);
  assert.match(command, /--output dist\/mm main\.ts$/);
});

Deno.test("no task may read the repository root, where .env and its secrets live", () => {
  for (const [name, set] of Object.entries<Record<string, unknown>>(denoJson.permissions)) {
    const read = set.read as string[] | { allow: string[] } | true | undefined;
    assert.notEqual(read, true, `permission set ${name} may read anywhere`);
    const paths = read === undefined || read === true
      ? []
      : Array.isArray(read)
      ? read
      : read.allow;
    for (const path of paths) {
      assert.ok(
        !["", ".", "./"].includes(path),
        `permission set ${name} reads the repository root`,
      );
    }
  }
});

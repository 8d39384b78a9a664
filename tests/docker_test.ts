/**
 * The Dockerfile builds and runs as README "Deploy and stop (Docker)" describes: a Debian base made
 * here with debootstrap and `docker import` (Docker Hub is out of reach), the image built from it
 * with the pinned Deno from npm and the kernel built inside, and the demo run in a container with
 * host networking quoting and filling. dockerd is started for the test with its own folders and
 * socket in a fresh folder under /tmp (two runs on one machine never share a daemon), and stopped
 * and unmounted after it. Needs root, debootstrap and docker.io (.ci/run installs
 * them) and the npm registry and Debian's mirror (the only network this machine has).
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const decoder = new TextDecoder();
// Kept between runs on one machine: a base image is a few minutes of debootstrap.
const baseTar = "/tmp/mm_debian_bookworm_minbase.tar";

async function run(program: string, args: string[], cwd?: string | URL) {
  const out = await new Deno.Command(program, {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
  return { code: out.code, text };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test({
  name: "the Dockerfile builds from a local debootstrap base and its demo quotes and fills",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ dir: "/tmp", prefix: "mm_docker_" });
    const socket = `unix://${work}/docker.sock`;
    if (!await exists(baseTar)) {
      const rootfs = `${work}/rootfs`;
      const made = await run("debootstrap", [
        "--variant=minbase",
        "bookworm",
        rootfs,
        "http://deb.debian.org/debian",
      ]);
      assert.equal(made.code, 0, made.text.slice(-3000));
      // A base made here carries this machine's extra certificate authorities, as any local base
      // would: where HTTPS goes through a site's proxy, npm in the image needs them too.
      const extraCas = "/usr/local/share/ca-certificates";
      await Deno.mkdir(`${rootfs}${extraCas}`, { recursive: true });
      for await (const entry of Deno.readDir(extraCas)) {
        if (entry.isFile) {
          await Deno.copyFile(`${extraCas}/${entry.name}`, `${rootfs}${extraCas}/${entry.name}`);
        }
      }
      // Renamed into place whole, so a run beside this one never reads half a base.
      const part = `${work}/base.tar.part`;
      const tarred = await run("tar", ["-C", rootfs, "-cf", part, "."]);
      assert.equal(tarred.code, 0, tarred.text);
      await run("mv", [part, baseTar]);
      await Deno.remove(rootfs, { recursive: true });
    }
    const dockerd = new Deno.Command("dockerd", {
      args: [
        "--host",
        socket,
        "--data-root",
        `${work}/data-root`,
        "--exec-root",
        `${work}/exec-root`,
        "--pidfile",
        `${work}/dockerd.pid`,
        // Host networking only: no bridge, no firewall rules on this machine.
        "--bridge",
        "none",
        "--iptables=false",
        "--ip6tables=false",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Debian's docker.io client, by its path.
    const docker = (args: string[]) => run("/usr/bin/docker", ["--host", socket, ...args], root);
    try {
      for (let waited = 0; (await docker(["info"])).code !== 0; waited += 250) {
        if (waited > 30_000) throw new Error("dockerd did not answer within 30 s");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const imported = await docker(["import", baseTar, "mm-base:bookworm"]);
      assert.equal(imported.code, 0, imported.text);
      const built = await docker([
        "build",
        "--network",
        "host",
        "--build-arg",
        "BASE_IMAGE=mm-base:bookworm",
        "--tag",
        "mm-engine:test",
        ".",
      ]);
      assert.equal(built.code, 0, built.text.slice(-4000));
      const demo = await docker([
        "run",
        "--rm",
        "--network",
        "host",
        "--env",
        "MM_HARVEST_TICKS=false",
        "mm-engine:test",
        "demo",
        "--duration",
        "20s",
      ]);
      assert.equal(demo.code, 0, demo.text.slice(-4000));
      assert.match(demo.text, /\[ENGINE\] demo mode \| \d+ coins/);
      const placed = Number(/Orders placed: (\d+)/.exec(demo.text)?.[1]);
      assert.ok(placed > 0, `the demo placed orders\n${demo.text.slice(-3000)}`);
      assert.match(demo.text, /\[SHADOW FILL\]/, "and filled");
    } finally {
      dockerd.kill("SIGTERM");
      await dockerd.status;
      // dockerd leaves its data root (a gigabyte of images) and a network namespace mounted: they
      // are unmounted before the folder goes, or the next run on this machine meets them busy.
      await run("umount", ["--recursive", "--lazy", `${work}/data-root`]);
      await run("umount", ["--lazy", `${work}/exec-root/netns/default`]);
      await Deno.remove(work, { recursive: true });
    }
  },
});

/**
 * Symbolic links that lead a task outside its permissions. Deno checks a path's permission as
 * named, not where a link leads: with `--allow-read=data`, a link `data/x -> ../.env` reads the
 * secrets (tried on Deno 2.9.6). A task cannot make such a link itself (Deno.symlink needs
 * unscoped read and write), but one placed in data/ by another program would open .env, or any
 * file, to every task that reads data/. So the tasks that read data/ look through the folders they
 * read before reading any, and refuse to start when a link leads somewhere their own permissions
 * do not grant. A link to recordings elsewhere still works once the task is granted that place
 * (`--allow-read=data,/mnt/recordings`).
 */

/** A link whose target the running task may not read. */
export interface EscapingLink {
  link: string;
  target: string;
}

/**
 * Every symbolic link under `root` (the root itself included) whose resolved target this
 * process is not granted read access to. Links are not followed into; a dangling link leads
 * nowhere and is left alone. A missing root has none.
 */
export function findEscapingLinks(root: string): EscapingLink[] {
  const found: EscapingLink[] = [];
  const check = (path: string) => {
    let target: string;
    try {
      target = Deno.realPathSync(path);
    } catch {
      return;
    }
    if (Deno.permissions.querySync({ name: "read", path: target }).state !== "granted") {
      found.push({ link: path, target });
    }
  };
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return;
      }
      throw error;
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isSymlink) check(path);
      else if (entry.isDirectory) walk(path);
    }
  };
  const clean = root.replace(/\/+$/, "") || "/";
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(clean);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return found;
    throw error;
  }
  if (info.isSymlink) check(clean);
  else if (info.isDirectory) walk(clean);
  return found;
}

/** Throws naming every link under `roots` that leads outside this task's read permission. */
export function refuseEscapingLinks(roots: readonly string[]): void {
  const found = roots.flatMap(findEscapingLinks);
  if (found.length === 0) return;
  const list = found.slice(0, 10).map((f) => `${f.link} -> ${f.target}`).join(", ");
  const more = found.length > 10 ? ` and ${found.length - 10} more` : "";
  throw new Error(
    `refusing to start: ${found.length} symbolic link(s) lead outside what this task may read: ` +
      `${list}${more}. Remove them, or grant the task their targets (--allow-read)`,
  );
}

/**
 * Symbolic links that lead a task outside its permissions. Deno checks a path's permission as
 * named, not where a link leads: with `--allow-read=data`, a link `data/x -> ../.env` reads the
 * secrets (tried on Deno 2.9.6). A task cannot make such a link itself (Deno.symlink needs
 * unscoped read and write), but one placed in data/ by another program would open .env, or any
 * file, to every task that reads data/. So the tasks that read data/ look through the folders they
 * read before reading any, and refuse to start when a link leads somewhere their own permissions
 * do not grant. A link to recordings elsewhere still works once the task is granted that place
 * (`--allow-read=data,/mnt/recordings`).
 *
 * A hard link is worse: it is the file itself under a second name, so no permission check can
 * tell `data/x` from `.env` once linked, and nothing says where the other name is. A regular file
 * with more than one name under these folders is refused too (copy it instead: `cp` without
 * `-l`). Deno does not follow hard links anywhere else: the refusal is the only guard.
 */

/** A link whose target the running task may not read, or a file with other names (hard link). */
export interface EscapingLink {
  link: string;
  /** The resolved target, or a note that the file has other names somewhere. */
  target: string;
}

/** What {@link EscapingLink.target} says of a hard link: its other names cannot be found. */
const HARD_LINK = "(hard link: the same file has another name, which may be any file)";

/**
 * Every symbolic link under `root` (the root itself included) whose resolved target this
 * process is not granted read access to, and every regular file with more than one name (hard
 * link). Links are not followed into; a dangling link leads nowhere and is left alone. A missing
 * root has none.
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
  const checkNames = (path: string, info: Deno.FileInfo) => {
    if ((info.nlink ?? 1) > 1) found.push({ link: path, target: HARD_LINK });
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
      else if (entry.isFile) checkNames(path, Deno.lstatSync(path));
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
  else if (info.isFile) checkNames(clean, info);
  return found;
}

/** Throws naming every link under `roots` that leads outside this task's read permission. */
export function refuseEscapingLinks(roots: readonly string[]): void {
  const found = roots.flatMap(findEscapingLinks);
  if (found.length === 0) return;
  const list = found.slice(0, 10).map((f) => `${f.link} -> ${f.target}`).join(", ");
  const more = found.length > 10 ? ` and ${found.length - 10} more` : "";
  throw new Error(
    `refusing to start: ${found.length} link(s) lead outside what this task may read: ` +
      `${list}${more}. Remove them (copy a hard-linked file instead), or grant the task a ` +
      `symbolic link's target (--allow-read)`,
  );
}

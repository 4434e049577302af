// File operations that never follow a symlink inside the output root: folders are checked with lstat
// as they are made, and files are written to a random temporary name opened with O_EXCL|O_NOFOLLOW,
// then renamed over the target (rename replaces a link, never its target).
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { UnsafePathError } from "./errors.js";

/** Mode of a file the writer creates; an existing file keeps its own mode. */
export const NEW_FILE_MODE = 0o644;

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function describe(stats: Stats): string {
  return stats.isSymbolicLink() ? "is a symlink" : "is not a folder";
}

/** Refuses an output root that is a symlink or not a folder; a missing root is fine (made later). */
export async function checkRoot(root: string): Promise<void> {
  const stats = await lstatOrUndefined(root);
  if (stats && !stats.isDirectory()) throw new UnsafePathError([{ path: root, reason: describe(stats) }]);
}

/**
 * Why writing `relative` under `root` would be unsafe: a parent inside the root that is a symlink or
 * not a folder, or a target that is a symlink or not a regular file. `undefined` when it is safe.
 */
export async function findUnsafePath(
  root: string,
  relative: string,
): Promise<{ path: string; reason: string } | undefined> {
  const parts = relative.split("/");
  if (path.isAbsolute(relative) || parts.some((part) => part === ".." || part === "." || part === "")) {
    return { path: path.join(root, relative), reason: "leaves the output folder" };
  }
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const stats = await lstatOrUndefined(current);
    if (stats === undefined) return undefined; // the rest does not exist yet and is made by mkdirInside
    const last = index === parts.length - 1;
    if (stats.isSymbolicLink()) return { path: current, reason: "is a symlink" };
    if (!last && !stats.isDirectory()) return { path: current, reason: "is not a folder" };
    if (last && !stats.isFile()) return { path: current, reason: "is not a regular file" };
  }
  return undefined;
}

/** Makes `folder` (relative, inside `root`) one level at a time, refusing any level that is not a real folder. */
export async function mkdirInside(root: string, folder: string): Promise<void> {
  await mkdir(root, { recursive: true });
  await checkRoot(root);
  let current = root;
  for (const part of folder === "." || folder === "" ? [] : folder.split("/")) {
    current = path.join(current, part);
    try {
      await mkdir(current, { mode: 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const stats = await lstat(current);
    if (!stats.isDirectory()) throw new UnsafePathError([{ path: current, reason: describe(stats) }]);
  }
}

/**
 * Replaces `file` atomically. The temporary file gets a random name and is created exclusively without
 * following links, so nothing planted beside the target can redirect the write. The mode is set
 * explicitly (the existing file's, else NEW_FILE_MODE), independent of the umask.
 */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const existing = await lstatOrUndefined(file);
  if (existing && !existing.isFile()) {
    throw new UnsafePathError([
      { path: file, reason: existing.isSymbolicLink() ? "is a symlink" : "is not a regular file" },
    ]);
  }
  const mode = existing ? existing.mode & 0o7777 : NEW_FILE_MODE;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString("hex")}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temporary, flags, mode);
  try {
    try {
      await handle.writeFile(content);
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

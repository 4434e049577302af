// Lays a rendered tree onto disk. Writes only what changed (atomically, via rename), removes files it
// generated before that are no longer rendered, never touches files it did not generate and never
// follows a symlink inside the output root (nor a symlinked root).
import { readdir, readFile, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { GENERATED_MARKER } from "../render/serialize.js";
import type { TreeFile } from "../render/tree.js";
import { UnsafePathError, WriteConflictError } from "./errors.js";
import { checkRoot, findUnsafePath, mkdirInside, writeFileAtomically } from "./safe-fs.js";

export interface WriteTreeResult {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
}

export interface WriteTreeOptions {
  /** Compute the result without changing anything (for `--check`). */
  readonly dryRun?: boolean;
}

async function listFiles(root: string, folder = ""): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(path.join(root, folder), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    // Symlinks and other non-files are never read; writing through one is refused before any write.
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

/**
 * Files kubeforge owns: those starting with its marker, plus what its own kustomization.yaml files
 * list (copied SOPS files cannot carry a marker without changing their MAC).
 */
function ownedFiles(existing: ReadonlyMap<string, string>): Set<string> {
  const owned = new Set<string>();
  for (const [file, content] of existing) {
    if (!content.startsWith(GENERATED_MARKER)) continue;
    owned.add(file);
    if (path.posix.basename(file) !== "kustomization.yaml") continue;
    const folder = path.posix.dirname(file);
    const resources = (parse(content) as { resources?: unknown } | null)?.resources;
    if (!Array.isArray(resources)) continue;
    for (const resource of resources) {
      if (typeof resource === "string") owned.add(folder === "." ? resource : `${folder}/${resource}`);
    }
  }
  return owned;
}

async function checkPaths(root: string, files: readonly string[]): Promise<void> {
  const unsafe = [];
  for (const file of files) {
    const problem = await findUnsafePath(root, file);
    if (problem) unsafe.push(problem);
  }
  if (unsafe.length > 0) throw new UnsafePathError(unsafe);
}

async function removeEmptyFolders(root: string, folders: Iterable<string>): Promise<void> {
  const deepestFirst = [...new Set(folders)].sort((a, b) => b.length - a.length);
  for (const folder of deepestFirst) {
    if (folder === "." || folder === "") continue;
    try {
      await rmdir(path.join(root, folder));
    } catch {
      // not empty (user files) or already gone: leave it
    }
  }
}

export async function writeTree(
  root: string,
  files: readonly TreeFile[],
  options: WriteTreeOptions = {},
): Promise<WriteTreeResult> {
  await checkRoot(root);
  const existing = new Map<string, string>();
  for (const file of await listFiles(root)) existing.set(file, await readFile(path.join(root, file), "utf8"));
  const owned = ownedFiles(existing);

  const conflicts = files
    .filter((file) => existing.has(file.path) && !owned.has(file.path) && existing.get(file.path) !== file.content)
    .map((file) => path.join(root, file.path));
  if (conflicts.length > 0) throw new WriteConflictError(conflicts);

  const result: WriteTreeResult = { written: [], unchanged: [], removed: [] };
  const targets = new Set(files.map((file) => file.path));
  const changed = files.filter((file) => existing.get(file.path) !== file.content);
  const stale = [...owned].filter((file) => existing.has(file) && !targets.has(file)).sort();
  await checkPaths(root, [...changed.map((file) => file.path), ...stale]);
  for (const file of files) {
    if (existing.get(file.path) === file.content) {
      result.unchanged.push(file.path);
      continue;
    }
    if (!options.dryRun) {
      await mkdirInside(root, path.posix.dirname(file.path));
      await writeFileAtomically(path.join(root, file.path), file.content);
    }
    result.written.push(file.path);
  }
  for (const file of stale) {
    if (!options.dryRun) await rm(path.join(root, file));
    result.removed.push(file);
  }
  if (!options.dryRun)
    await removeEmptyFolders(
      root,
      stale.map((file) => path.posix.dirname(file)),
    );
  return result;
}

// kubeforge build's all-or-nothing write. The generated folders are copied into a staging folder in the cluster's
// gitignored .kubeforge/tmp/; the manifests and Talos engines write there with their own writers (ownership,
// stale-file removal, SOPS re-use of unchanged ciphertext all apply unchanged); only when every step succeeded are
// the changed files renamed into the cluster folder. The staging folder is on the same file system, so each rename
// is atomic; the set of renames is not (POSIX has no multi-file rename), so callers hold signals while committing.
import { existsSync } from "node:fs";
import { cp, mkdir, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";

/** Folders of a cluster that `kubeforge build` writes, relative to the cluster folder. */
export const GENERATED_FOLDERS = ["flux", "bootstrap", "talos/generated"] as const;

/** Paths relative to the cluster folder (forward slashes), as the staged build changed them. */
export interface StagedChanges {
  readonly written: readonly string[];
  readonly removed: readonly string[];
}

/** Copies the generated folders that exist into `staging` (links stay links, so the writers still refuse them). */
export async function copyIntoStaging(clusterDir: string, staging: string): Promise<void> {
  await mkdir(staging, { recursive: true });
  for (const folder of GENERATED_FOLDERS) {
    const source = path.join(clusterDir, folder);
    if (!existsSync(source)) continue;
    await cp(source, path.join(staging, folder), {
      recursive: true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
    });
  }
}

/**
 * Moves the staged changes into the cluster folder: written files by rename, removed files deleted, and a folder the
 * removals emptied removed when the staged tree no longer has it either (the writers' own rule, mirrored).
 */
export async function commitStaging(clusterDir: string, staging: string, changes: StagedChanges): Promise<void> {
  for (const file of changes.written) {
    const target = path.join(clusterDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(staging, file), target);
  }
  for (const file of changes.removed) await rm(path.join(clusterDir, file), { force: true });
  const folders = [...new Set(changes.removed.map((file) => path.posix.dirname(file)))]
    .filter((folder) => !existsSync(path.join(staging, folder)))
    .sort((a, b) => b.length - a.length);
  for (const folder of folders) await rmdir(path.join(clusterDir, folder)).catch(() => undefined);
}

/** An engine's error names staged files; point it at the cluster's own files instead. */
export function unstageError(error: unknown, clusterDir: string, staging: string): unknown {
  if (error instanceof Error && error.message.includes(staging)) {
    error.message = error.message.split(staging).join(clusterDir);
  }
  return error;
}

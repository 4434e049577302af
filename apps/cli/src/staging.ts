// Staging folders of build and init live in a gitignored `.kubeforge/tmp/` (never under clusters/, where pnpm and
// turbo would take one for a workspace package). The name carries the owner's pid, so a folder left by a run that
// was killed (kill -9, power loss) is told apart from one a running process still uses.
import { randomBytes } from "node:crypto";
import { readdirSync, rmdirSync, rmSync } from "node:fs";
import { rmdir } from "node:fs/promises";
import path from "node:path";
import { pidAlive } from "@kubeforge/cli-kit";

/** `<root>/.kubeforge/tmp`: `root` is the repository (init) or the cluster folder (build). */
export const stagingRoot = (root: string) => path.join(root, ".kubeforge", "tmp");

/** A fresh staging path `<root>/.kubeforge/tmp/<prefix>-<pid>-<random>` (not created yet). */
export function stagingFolder(root: string, prefix: string): string {
  return path.join(stagingRoot(root), `${prefix}-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/**
 * Removes `<prefix>-<pid>-<random>` folders under `<root>/.kubeforge/tmp` whose process is gone; returns their paths.
 * Folders of a live process are left alone.
 */
export function removeAbandonedStaging(root: string, prefix: string): string[] {
  const parent = stagingRoot(root);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = name.startsWith(`${prefix}-`) ? /-(\d+)-[0-9a-f]{8}$/.exec(name) : null;
    if (!match || pidAlive(Number(match[1]))) continue;
    rmSync(path.join(parent, name), { recursive: true, force: true });
    removed.push(path.join(parent, name));
  }
  return removed;
}

/** Removes `staging` and the emptied folders above it, synchronously (for a signal handler on the way out). */
export function removeStagingSync(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
  const tmp = path.dirname(staging);
  for (const folder of [tmp, path.dirname(tmp)]) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
  }
}

/** After `staging` is gone: removes `.kubeforge/tmp` and `.kubeforge` above it when they are empty (nothing else). */
export async function removeEmptyStagingRoot(staging: string): Promise<void> {
  const tmp = path.dirname(staging);
  for (const folder of [tmp, path.dirname(tmp)]) {
    try {
      await rmdir(folder);
    } catch {
      return; // not empty (the age-key pointer, a running build's staging) or already gone
    }
  }
}

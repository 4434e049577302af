// Staging folders an interrupted init left behind. Since this version init stages in the repository's gitignored
// .kubeforge/tmp/ and removes the folder on SIGINT/SIGTERM/SIGHUP; only kill -9 (or a crash) leaves one there. Older
// versions staged in clusters/.init-<name>-<random>/, which pnpm and turbo took for a workspace package.
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { removeAbandonedStaging } from "../staging.js";

const LEGACY = /^\.init-[a-z0-9-]+-[0-9a-f]{8}$/;

/** Removes init staging folders whose process is gone; returns them relative to the repository root. */
export function removeInterruptedInits(repoRoot: string): string[] {
  const removed = removeAbandonedStaging(repoRoot, "init");
  let names: string[] = [];
  try {
    names = readdirSync(path.join(repoRoot, "clusters"));
  } catch {
    // no clusters/ yet
  }
  for (const name of names.filter((entry) => LEGACY.test(entry))) {
    const folder = path.join(repoRoot, "clusters", name);
    rmSync(folder, { recursive: true, force: true });
    removed.push(folder);
  }
  return removed.map((folder) => path.relative(repoRoot, folder));
}

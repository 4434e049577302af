// Paths tests need: the repository root, the shared reference folder beside it, the example clusters.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
/** CI clones the repo with `shared/` beside it; in a worktree /work/wt-x the same path resolves to /work/shared. */
export const sharedRoot = path.resolve(repoRoot, "../shared");
export const talosConformance = path.join(sharedRoot, "conformance/talos");
export const homelabClusterFile = path.join(repoRoot, "clusters/homelab/cluster.ts");

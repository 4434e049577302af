// Where things are for a validated directory: clusters/<name>/{flux,talos,cluster.ts,validate.yaml}.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export interface ClusterLayout {
  /** clusters/<name>, or the given directory when it is a bare manifest tree. */
  readonly clusterDir: string;
  /** The manifests Flux applies. */
  readonly fluxDir: string;
  readonly talosDir: string;
  /** cluster.ts / cluster.yaml / cluster.json, when present. */
  readonly modelFile?: string;
  readonly configFile: string;
}

const MODEL_FILES = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"];

/** True for clusters/<name>: a folder with a Flux tree or a cluster definition. */
export function isClusterDir(dir: string): boolean {
  return existsSync(path.join(dir, "flux")) || MODEL_FILES.some((name) => existsSync(path.join(dir, name)));
}

/**
 * The cluster folders a path names: itself when it is a cluster (or a bare manifest folder), its cluster
 * subfolders when it holds several (`clusters/`), and the folder of a definition file (`clusters/x/cluster.ts`).
 */
export function clusterDirsOf(target: string): string[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat?.isFile() && MODEL_FILES.includes(path.basename(target))) return [path.dirname(target)];
  if (!stat?.isDirectory() || isClusterDir(target) || path.basename(path.resolve(target)) === "flux") return [target];
  const clusters = readdirSync(target, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
    .map((entry) => path.join(target, entry.name))
    .filter(isClusterDir)
    .sort();
  return clusters.length > 0 ? clusters : [target];
}

export function resolveLayout(dir: string): ClusterLayout {
  const absolute = path.resolve(dir);
  let clusterDir = absolute;
  let fluxDir = absolute;
  if (existsSync(path.join(absolute, "flux"))) fluxDir = path.join(absolute, "flux");
  else if (path.basename(absolute) === "flux") clusterDir = path.dirname(absolute);
  const modelFile = MODEL_FILES.map((name) => path.join(clusterDir, name)).find((file) => existsSync(file));
  return {
    clusterDir,
    fluxDir,
    talosDir: path.join(clusterDir, "talos"),
    ...(modelFile ? { modelFile } : {}),
    configFile: path.join(clusterDir, "validate.yaml"),
  };
}

/**
 * The directory Flux paths are relative to (the Git repository root): the nearest ancestor of the tree from
 * which some Flux Kustomization path lands on an existing folder inside the tree, else the nearest ancestor holding `.git`.
 */
export function inferSourceRoot(fluxDir: string, fluxPaths: readonly string[]): string {
  for (let current = fluxDir; ; current = path.dirname(current)) {
    for (const fluxPath of fluxPaths) {
      const target = path.resolve(current, fluxPath);
      if ((target === fluxDir || target.startsWith(`${fluxDir}${path.sep}`)) && existsSync(target)) return current;
    }
    if (path.dirname(current) === current) break;
  }
  for (let current = fluxDir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return fluxDir;
  }
}

// `kubeforge validate [cluster…]`: kubeforge-validate over cluster folders; a folder of clusters validates each.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { savedAgeKeyOf, useClusterAgeKey } from "../cluster-args.js";
import { binFile, delegateTo } from "../delegate.js";

const validateBin = () => binFile("@kubeforge/validate", "kubeforge-validate");

const DEFINITIONS = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"];
const hasDefinition = (dir: string) => DEFINITIONS.some((name) => existsSync(path.join(dir, name)));

/**
 * No target: the current folder, except at the repository root, where it means clusters/ (the root also holds the
 * packages' test fixtures, which are not clusters).
 */
export function defaultTarget(cwd: string): string {
  const atRoot = existsSync(path.join(cwd, "pnpm-workspace.yaml")) && existsSync(path.join(cwd, "clusters"));
  return atRoot
    ? path.relative(process.cwd(), path.join(cwd, "clusters")) || "."
    : path.relative(process.cwd(), cwd) || ".";
}

/** A target's cluster folders: a cluster folder or file, each cluster in a folder of clusters, or a name. */
export async function expandTargets(targets: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const dirs: string[] = [];
  for (const target of targets.length ? targets : [defaultTarget(cwd)]) {
    const isDir = statSync(target, { throwIfNoEntry: false })?.isDirectory();
    if (isDir && !hasDefinition(target) && !existsSync(path.join(target, "flux"))) {
      const inside = readdirSync(target)
        .map((name) => path.join(target, name))
        .filter((dir) => statSync(dir).isDirectory() && hasDefinition(dir))
        .sort();
      if (inside.length > 0) {
        dirs.push(...inside);
        continue;
      }
    }
    if (isDir) {
      dirs.push(target);
      continue;
    }
    const { findDefinition } = await import("@kubeforge/config");
    dirs.push(path.relative(process.cwd(), path.dirname(findDefinition(target))) || ".");
  }
  return dirs;
}

/** Cluster folders grouped by their saved age key (in order); folders without one join the first group. */
export function groupByAgeKey(
  dirs: readonly string[],
  savedKey: (dir: string) => string | undefined,
): { key: string | undefined; dirs: string[] }[] {
  const groups: { key: string | undefined; dirs: string[] }[] = [];
  const unsaved: string[] = [];
  for (const dir of dirs) {
    const key = savedKey(dir);
    if (key === undefined) {
      unsaved.push(dir);
      continue;
    }
    const group = groups.find((entry) => entry.key === key);
    if (group) group.dirs.push(dir);
    else groups.push({ key, dirs: [dir] });
  }
  if (unsaved.length) {
    if (groups[0]) groups[0].dirs.push(...unsaved);
    else groups.push({ key: undefined, dirs: unsaved });
  }
  return groups;
}

/** kubeforge-validate's options that take a value; every other `-…` argument is a flag passed on as is. */
const VALUE_OPTIONS = new Set(["--config", "--source-root", "--kubeconfig", "--context"]);

/** Splits arguments into kubeforge-validate's options and the cluster targets (pure). */
export function splitValidateArgs(argv: readonly string[]): { flags: string[]; targets: string[] } {
  const flags: string[] = [];
  const targets: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (!arg.startsWith("-")) targets.push(arg);
    else if (VALUE_OPTIONS.has(arg) && index + 1 < argv.length) flags.push(arg, argv[++index]!);
    else flags.push(arg);
  }
  return { flags, targets };
}

export default defineCommand({
  name: "validate",
  description:
    "Validate cluster folders: schemas, Flux graph, kustomize builds, policies, SOPS recipients, Talos configs,\nand the charts HelmReleases name (from their repositories or the cache).",
  usage: "validate [<cluster>…] [options]",
  passThrough: true,
  options: {
    json: { type: "boolean", description: "machine-readable output" },
    strict: { type: "boolean", description: "warnings fail the run too" },
    "no-kustomize": { type: "boolean", description: "skip the `kubectl kustomize` build of Flux paths" },
    offline: { type: "boolean", description: "check charts from the cache only" },
    "no-charts": { type: "boolean", description: "skip the chart check" },
    outdated: { type: "boolean", description: "list newer chart versions and Talos/Kubernetes patches" },
    config: { type: "string", value: "<file>", description: "validate.yaml with crds and exceptions" },
    "source-root": { type: "string", value: "<dir>", description: "folder Flux paths are relative to" },
    live: { type: "boolean", description: "also report drift and Flux objects not Ready in the current cluster" },
    kubeconfig: { type: "string", value: "<file>", description: "kubeconfig for --live" },
    context: { type: "string", value: "<name>", description: "kubeconfig context" },
  },
  footer:
    "<cluster> is a cluster folder, its cluster.ts, a name under clusters/, or a folder of clusters (each is validated);\nwithout one: clusters/ at the repository root, else the current folder. Each cluster uses its own saved age key.\nEvery option of kubeforge-validate is passed on. Exit codes: 0 clean, 1 findings, 2 usage or internal error.",
  async run({ argv }) {
    const { flags, targets } = splitValidateArgs(argv);
    const dirs = await expandTargets(targets);
    const groups = groupByAgeKey(dirs, savedAgeKeyOf);
    if (groups.length <= 1) {
      if (dirs[0]) useClusterAgeKey(dirs[0]);
      return delegateTo("@kubeforge/validate", "kubeforge-validate", [...flags, ...dirs]);
    }
    // Clusters with different saved keys: one kubeforge-validate per key, each with its own SOPS_AGE_KEY_FILE.
    const { execa } = await import("execa");
    let code = 0;
    for (const group of groups) {
      const env = { ...process.env };
      if (group.dirs[0]) useClusterAgeKey(group.dirs[0], env);
      const result = await execa(process.execPath, [validateBin(), ...flags, ...group.dirs], {
        env,
        stdio: "inherit",
        reject: false,
      });
      code = Math.max(code, result.exitCode ?? 2);
    }
    return code;
  },
});

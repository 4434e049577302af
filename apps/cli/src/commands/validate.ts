// `kubeforge validate [cluster…]`: kubeforge-validate over cluster folders; a folder of clusters validates each.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { useClusterAgeKey } from "../cluster-args.js";
import { delegateTo } from "../delegate.js";

const DEFINITIONS = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"];
const hasDefinition = (dir: string) => DEFINITIONS.some((name) => existsSync(path.join(dir, name)));

/** A target's cluster folders: a cluster folder or file, each cluster in a folder of clusters, or a name. */
export async function expandTargets(targets: readonly string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const target of targets.length ? targets : ["."]) {
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
    "<cluster> is a cluster folder, its cluster.ts, a name under clusters/, or a folder of clusters (each is validated).\nEvery option of kubeforge-validate is passed on. Exit codes: 0 clean, 1 findings, 2 usage or internal error.",
  async run({ argv }) {
    const { flags, targets } = splitValidateArgs(argv);
    const dirs = await expandTargets(targets);
    for (const dir of dirs) useClusterAgeKey(dir);
    return delegateTo("@kubeforge/validate", "kubeforge-validate", [...flags, ...dirs]);
  },
});

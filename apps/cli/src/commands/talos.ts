// `kubeforge talos …`: kubeforge-talos, with --cluster accepting a folder or a name under clusters/, and the cluster's
// saved age key found the way build and secrets find it (from --cluster, the files named, or the current folder).

import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterDirAt, hasClusterFlag, resolveClusterFlag, useClusterAgeKey, useKeyOfFiles } from "../cluster-args.js";
import { delegateWithHelp, renameInHelp } from "../delegate.js";

/**
 * The arguments kubeforge-talos gets, after pointing SOPS_AGE_KEY_FILE at the cluster's saved key:
 * `--cluster` resolved; `validate FILE…` keyed by the cluster holding the files; `gen`/`apply` without `--cluster`
 * given the cluster at or above `cwd` (kubeforge-talos alone would only look for ./cluster.ts).
 */
export async function talosArgs(
  argv: readonly string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (hasClusterFlag(argv)) return resolveClusterFlag(argv);
  const positionals = argv.filter((arg) => !arg.startsWith("-"));
  if (positionals[0] === "validate") {
    await useKeyOfFiles(positionals.slice(1), { cwd, env, hint: "validate one cluster's files at a time" });
    return [...argv];
  }
  if (positionals[0] !== "gen" && positionals[0] !== "apply") return [...argv];
  const dir = clusterDirAt(cwd);
  if (!dir) return [...argv];
  const { findDefinition } = await import("@kubeforge/config");
  useClusterAgeKey(dir, env);
  return [...argv, "--cluster", path.relative(cwd, findDefinition(dir)) || findDefinition(dir)];
}

/**
 * kubeforge-talos prints next steps and fixes as `kubeforge-talos …`, which knows nothing of saved keys; called as
 * `kubeforge talos`, they say `kubeforge talos …` so they work as printed. talosctl, which kubeforge-talos starts,
 * writes to the inherited descriptors and is left alone.
 */
function renameOutput(invocation: string): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === "string" ? renameInHelp(chunk, "kubeforge-talos", invocation) : chunk, ...rest)) as never;
  }
}

export default defineCommand({
  name: "talos",
  description: "Talos secrets bundle, machine configs and talosctl apply for a cluster.",
  usage: "talos <gen secrets|gen config|validate|apply> [options]",
  passThrough: true,
  footer: `Commands:
  gen secrets      create talos/talsecret.sops.yaml (new PKI, or --from a bundle); never overwrites
  gen config       write SOPS-encrypted machine configs and talosconfig to talos/generated/
  validate FILE…   check machine configs against the official Talos schema
  apply            talosctl apply-config per node

--cluster takes a file, a folder or a cluster name [default: the cluster folder you are in]. The cluster's saved
age key (clusters/<name>/.kubeforge/age-key-file) is used, as build and secrets do; for validate, that of the
cluster holding the files. \`kubeforge talos gen config --help\` lists every option.`,
  async run({ argv }) {
    const asksHelp = argv.includes("--help") || argv.includes("-h");
    const args = asksHelp ? [...argv] : await talosArgs(argv);
    if (!asksHelp) renameOutput("kubeforge talos");
    return delegateWithHelp("@kubeforge/talos", "kubeforge-talos", args, "kubeforge talos");
  },
});

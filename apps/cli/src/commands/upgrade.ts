// `kubeforge upgrade …`: kubeforge-upgrade, with --cluster accepting a folder or a name under clusters/.

import path from "node:path";
import { parseArgs } from "node:util";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterDirAt, hasClusterFlag, resolveClusterFlag, useClusterAgeKey } from "../cluster-args.js";
import { delegateWithHelp } from "../delegate.js";

/**
 * The arguments kubeforge-upgrade gets, after pointing SOPS_AGE_KEY_FILE at the cluster's saved key: the cluster
 * comes from `--cluster`, the argument after the command (`plan mine`) or the cluster folder around `cwd`, read with
 * kubeforge-upgrade's own option table. Without the key, `plan` could not open the secrets bundle (talosconfig,
 * etcd client certificates) and showed a simulated plan instead of the live cluster's.
 */
export async function upgradeArgs(
  argv: readonly string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (hasClusterFlag(argv)) return resolveClusterFlag(argv);
  const { UPGRADE_OPTIONS } = await import("@kubeforge/upgrade/cli-options");
  const { positionals } = parseArgs({
    args: [...argv],
    options: UPGRADE_OPTIONS,
    allowPositionals: true,
    strict: false,
  });
  const named = positionals[1];
  let dir: string | undefined;
  if (named === undefined) dir = clusterDirAt(cwd);
  else {
    const { findDefinition } = await import("@kubeforge/config");
    try {
      dir = path.dirname(findDefinition(named, { cwd }));
    } catch {
      dir = undefined; // kubeforge-upgrade names the missing cluster itself
    }
  }
  if (dir) useClusterAgeKey(dir, env);
  return [...argv];
}

export default defineCommand({
  name: "upgrade",
  description: "Rolling Talos and Kubernetes upgrades, one node at a time, staging before production.",
  usage: "upgrade <plan|run|status> [<cluster> | --cluster <file|folder|name>] [options]",
  passThrough: true,
  footer: `Commands:
  plan     print the ordered steps for the model's target versions
  run      upgrade with gates before and after each node; resumes an interrupted run
  status   show where the last or current run stands

\`kubeforge upgrade plan --help\` lists every option (it is kubeforge-upgrade); --json prints data.`,
  async run({ argv }) {
    return delegateWithHelp("@kubeforge/upgrade", "kubeforge-upgrade", await upgradeArgs(argv), "kubeforge upgrade");
  },
});

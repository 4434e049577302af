// `kubeforge build [cluster]`: version gate and recipients check first, then flux/, bootstrap/ and the Talos configs,
// all staged and checked before the first file of the cluster changes.
import { existsSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterArgument, loadDefinition, useClusterAgeKey } from "../cluster-args.js";

export default defineCommand({
  name: "build",
  description:
    "Build a cluster: check its definition (versions included) and SOPS recipients before writing anything, then write flux/, bootstrap/ and the encrypted Talos configs in talos/generated/.",
  usage: "build [<cluster>] [options]",
  maxPositionals: 1,
  options: {
    cluster: {
      type: "string",
      value: "<cluster>",
      description: "the cluster, as the <cluster> argument (the package CLIs' form)",
    },
    check: {
      type: "boolean",
      description: "change nothing; exit 1 if flux/, bootstrap/ or the (decrypted) talos/generated/ is out of date",
    },
    json: { type: "boolean", description: "print the result as JSON" },
    quiet: { type: "boolean", short: "q", description: "print nothing on success" },
  },
  footer:
    "<cluster> is a cluster.ts|yaml|json, a folder holding one, or a name under clusters/ [default: the current folder].\nExit codes: 0 built, 1 invalid definition / recipients / out of date, 2 usage error, 70 internal error.",
  async run({ values, positionals, io }) {
    const { findDefinition, formatIssue } = await import("@kubeforge/config");
    const file = findDefinition(await clusterArgument(values, positionals, "build"));
    const clusterDir = path.dirname(file);
    useClusterAgeKey(clusterDir);
    const { cluster, warnings } = await loadDefinition(file);
    const { assertClusterRecipients } = await import("../recipients.js");
    await assertClusterRecipients({ clusterDir, definitionFile: file, cluster });
    let manifests: import("@kubeforge/manifests").BuildClusterResult;
    let talos: { files: number; changed: number } | undefined;
    let talosStale: string[] = [];
    if (values.check) {
      const { buildCluster } = await import("@kubeforge/manifests");
      manifests = await buildCluster({ cluster: file, dryRun: true });
      talosStale = await checkTalos(file, cluster, io);
    } else {
      // Everything that can fail runs against a staging folder first; see build/write-cluster.ts.
      const { writeCluster } = await import("../build/write-cluster.js");
      ({ manifests, talos } = await writeCluster({ file, cluster }));
    }
    const changed = [manifests, manifests.bootstrap].reduce(
      (n, part) => n + part.written.length + part.removed.length,
      0,
    );
    const stale = values.check === true && (changed > 0 || talosStale.length > 0);
    if (values.json) {
      io.out(
        `${JSON.stringify({ cluster: cluster.name, definition: file, manifests, talos, talosStale, upToDate: !stale }, null, 2)}\n`,
      );
      return stale ? 1 : 0;
    }
    for (const warning of [...warnings, ...manifests.warnings])
      io.err(`warning: ${formatIssue(warning, path.relative(process.cwd(), file))}\n`);
    if (stale) {
      for (const line of talosStale) io.err(`${line}\n`);
      if (changed > 0)
        io.err(
          `${cluster.name}: flux/ or bootstrap/ is out of date (${changed} files): run \`kubeforge build ${path.relative(process.cwd(), clusterDir) || "."}\`\n`,
        );
      return 1;
    }
    if (!values.quiet) {
      const { objectCount } = await import("@kubeforge/manifests");
      io.out(
        `${cluster.name}: ${objectCount(manifests)} in ${path.relative(process.cwd(), manifests.out) || "."} (${changed} files changed)\n`,
      );
      if (talos)
        io.out(`${cluster.name}: ${talos.files} encrypted Talos files in talos/generated (${talos.changed} changed)\n`);
      else if (!values.check)
        io.err(
          `warning: ${cluster.name} has no talos/talsecret.sops.yaml yet — run \`kubeforge talos gen secrets --cluster ${path.relative(process.cwd(), clusterDir) || "."}\`\n`,
        );
    }
    return 0;
  },
});

/** `--check` of talos/generated/: one line per stale file; a warning (not a failure) when no age key can check it. */
async function checkTalos(
  file: string,
  cluster: import("@kubeforge/config").Cluster,
  io: { err: (text: string) => void },
): Promise<string[]> {
  const { checkTalosOutput, createSopsSealer, formatTalosIssue, talosLayout } = await import("@kubeforge/talos");
  const layout = talosLayout(file);
  if (!existsSync(layout.bundle)) return [];
  const sealer = createSopsSealer({ sops: () => import("@kubeforge/sops"), recipients: cluster.sops.ageRecipients });
  const fix = `kubeforge build ${path.relative(process.cwd(), path.dirname(file)) || "."}`;
  const result = await checkTalosOutput({ cluster, layout, sealer, fix });
  if (!result.checked) {
    io.err(`warning: ${cluster.name}: talos/generated/ was not checked: ${result.reason}\n`);
    return [];
  }
  return result.stale.map(
    (issue) =>
      `${cluster.name}: stale Talos output: ${formatTalosIssue({ ...issue, file: path.relative(process.cwd(), issue.file ?? "") })}`,
  );
}

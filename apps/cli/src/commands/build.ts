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
    const { assertNameMatchesFolder } = await import("../build/cluster-folder.js");
    assertNameMatchesFolder(file, cluster);
    const { assertClusterRecipients } = await import("../recipients.js");
    await assertClusterRecipients({ clusterDir, definitionFile: file, cluster });
    const { describeMissingBundle, inspectTalosFolder, missingBundleError } = await import("../build/talos-folder.js");
    const folder = inspectTalosFolder(clusterDir, cluster);
    // Configs built from a bundle that is gone cannot be rebuilt: refuse rather than leave them stale.
    const bundleMissing = !folder.bundleExists && folder.configs.length > 0;
    const cwd = process.cwd();
    let manifests: import("@kubeforge/manifests").BuildClusterResult;
    let talos: import("../build/write-cluster.js").WriteClusterResult["talos"];
    let talosStale: string[] = [];
    let talosOrphans: string[] = [];
    if (values.check) {
      const { buildCluster } = await import("@kubeforge/manifests");
      manifests = await buildCluster({ cluster: file, dryRun: true });
      if (bundleMissing) {
        const { message, hint } = describeMissingBundle(folder, cluster, clusterDir, cwd);
        talosStale = [`${cluster.name}: ${message}\n  fix: ${hint}`];
      } else talosStale = await checkTalos(file, cluster, io);
      talosOrphans = folder.orphans.map((orphan) => path.relative(cwd, orphan));
      talosStale.push(
        ...talosOrphans.map(
          (orphan) =>
            `${cluster.name}: stale Talos output: ${orphan}: ${path.basename(orphan, ".sops.yaml")} is not a node of the cluster definition — run \`${buildFix(clusterDir)}\` to remove it`,
        ),
      );
    } else {
      if (bundleMissing) throw missingBundleError(folder, cluster, clusterDir, cwd);
      // Everything that can fail runs against a staging folder first; see build/write-cluster.ts.
      const { writeCluster } = await import("../build/write-cluster.js");
      ({ manifests, talos } = await writeCluster({ file, cluster }));
    }
    const changedFiles = [
      ...[...manifests.written, ...manifests.removed].map((entry) => `flux/${entry}`),
      ...[...manifests.bootstrap.written, ...manifests.bootstrap.removed].map((entry) => `bootstrap/${entry}`),
    ];
    const changed = changedFiles.length;
    const stale = values.check === true && (changed > 0 || talosStale.length > 0);
    if (values.json) {
      io.out(
        `${JSON.stringify({ cluster: cluster.name, definition: file, manifests, talos, talosStale, talosOrphans, upToDate: !stale }, null, 2)}\n`,
      );
      return stale ? 1 : 0;
    }
    for (const warning of [...warnings, ...manifests.warnings])
      io.err(`warning: ${formatIssue(warning, path.relative(cwd, file))}\n`);
    if (stale) {
      for (const line of talosStale) io.err(`${line}\n`);
      if (changed > 0)
        io.err(
          `${cluster.name}: flux/ or bootstrap/ is out of date (${describeFiles(changedFiles)}): run \`${buildFix(clusterDir)}\`\n`,
        );
      return 1;
    }
    if (!values.quiet) {
      const { objectCount } = await import("@kubeforge/manifests");
      io.out(
        `${cluster.name}: ${objectCount(manifests)} in ${path.relative(cwd, manifests.out) || "."} (${plural(changed, "file")} changed)\n`,
      );
      if (talos) {
        io.out(
          `${cluster.name}: ${plural(talos.files, "encrypted Talos file")} in talos/generated (${talos.changed} changed)\n`,
        );
        for (const removed of talos.removed)
          io.out(
            `${cluster.name}: removed ${path.relative(cwd, path.join(clusterDir, removed))}: ${path.basename(removed, ".sops.yaml")} is no longer a node of the cluster definition\n`,
          );
      } else if (!values.check)
        io.err(
          `warning: ${cluster.name} has no talos/talsecret.sops.yaml yet — run \`kubeforge talos gen secrets --cluster ${path.relative(process.cwd(), clusterDir) || "."}\`\n`,
        );
    }
    return 0;
  },
});

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** "1 file: flux/a.yaml" / "3 files: …", the first ten named. */
function describeFiles(files: readonly string[]): string {
  const shown = files.slice(0, 10).join(", ");
  const more = files.length > 10 ? ` and ${files.length - 10} more` : "";
  return `${plural(files.length, "file")}: ${shown}${more}`;
}

const buildFix = (clusterDir: string) => `kubeforge build ${path.relative(process.cwd(), clusterDir) || "."}`;

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

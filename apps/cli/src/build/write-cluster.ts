// `kubeforge build` without --check: every step that can fail (rendering, write checks, opening the secrets bundle,
// Talos generation and validation) runs against a staging folder; the cluster folder changes only in the final
// commit, which SIGINT/SIGTERM/SIGHUP cannot cut short (they take effect once it is done). Before the commit a signal
// removes the staging folder and leaves the previous files as they were.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import type { BuildClusterResult } from "@kubeforge/manifests";
import { guardInterrupts } from "../interrupts.js";
import { removeAbandonedStaging, removeEmptyStagingRoot, removeStagingSync, stagingFolder } from "../staging.js";
import { commitStaging, copyIntoStaging, type StagedChanges, unstageError } from "./staged-output.js";

export interface WriteClusterOptions {
  /** The definition file (cluster.ts|yaml|json). */
  readonly file: string;
  readonly cluster: Cluster;
}

export interface WriteClusterResult {
  readonly manifests: BuildClusterResult;
  /**
   * Undefined when the cluster has no secrets bundle yet. `removed`: machine configs of nodes no longer in the
   * definition, deleted with the rest of the commit (paths relative to the cluster folder).
   */
  readonly talos?: { readonly files: number; readonly changed: number; readonly removed: readonly string[] };
}

const toPosix = (file: string) => file.split(path.sep).join("/");

export async function writeCluster(options: WriteClusterOptions): Promise<WriteClusterResult> {
  const { file, cluster } = options;
  const clusterDir = path.dirname(path.resolve(file));
  removeAbandonedStaging(clusterDir, "build");
  const staging = stagingFolder(clusterDir, "build");
  const guard = guardInterrupts({
    cleanup: () => removeStagingSync(staging),
    message: ({ signal, held }) =>
      held
        ? `\n${signal}: kubeforge build finished writing ${cluster.name} first; its files are complete\n`
        : `\n${signal}: kubeforge build stopped before writing; ${cluster.name}'s files are unchanged\n`,
  });
  try {
    await copyIntoStaging(clusterDir, staging);
    const { buildCluster } = await import("@kubeforge/manifests");
    // flux/ and bootstrap/ beside it: buildCluster puts bootstrap/ next to `out`.
    const manifests = await buildCluster({ cluster: file, out: path.join(staging, "flux") });
    const written = [
      ...manifests.written.map((entry) => `flux/${entry}`),
      ...manifests.bootstrap.written.map((entry) => `bootstrap/${entry}`),
    ];
    const removed = [
      ...manifests.removed.map((entry) => `flux/${entry}`),
      ...manifests.bootstrap.removed.map((entry) => `bootstrap/${entry}`),
    ];
    let talos: WriteClusterResult["talos"];
    const { createSopsSealer, generateTalosOutput, talosLayout } = await import("@kubeforge/talos");
    const layout = talosLayout(file);
    if (existsSync(layout.bundle)) {
      const sealer = createSopsSealer({
        sops: () => import("@kubeforge/sops"),
        recipients: cluster.sops.ageRecipients,
      });
      const result = await generateTalosOutput({
        cluster,
        // The bundle is read where it is; the output (and the previous output it reuses) is the staged copy.
        layout: {
          ...layout,
          generated: path.join(staging, "talos", "generated"),
          plaintext: path.join(staging, "talos", "out"),
        },
        sealer,
      });
      const changed = result.files.filter((entry) => entry.changed);
      written.push(...changed.map((entry) => toPosix(path.relative(staging, entry.file))));
      // build owns talos/generated/: a config it wrote for a node the definition no longer has goes (it holds the
      // cluster's PKI and would be applied or validated as live). Only build's own machine configs qualify.
      const { inspectTalosFolder } = await import("./talos-folder.js");
      const orphans = inspectTalosFolder(staging, cluster).orphans.map((file) => toPosix(path.relative(staging, file)));
      removed.push(...orphans);
      talos = { files: result.files.length, changed: changed.length, removed: orphans };
    }
    const changes: StagedChanges = { written, removed };
    await guard.hold(() => commitStaging(clusterDir, staging, changes));
    return { manifests: { ...manifests, out: path.join(clusterDir, "flux") }, ...(talos ? { talos } : {}) };
  } catch (error) {
    throw unstageError(error, clusterDir, staging);
  } finally {
    guard.release();
    await rm(staging, { recursive: true, force: true });
    await removeEmptyStagingRoot(staging);
  }
}

// Loads a cluster definition, renders its tree and writes it. Rendering finishes before any write,
// so a definition that fails validation or rendering leaves the previous output intact.
import path from "node:path";
import { type ConfigIssue, loadCluster } from "@kubeforge/config";
import { renderBootstrap } from "./render/bootstrap.js";
import { renderTree } from "./render/tree.js";
import { readUserSecrets, SECRETS_FOLDER } from "./secrets.js";
import { type WriteTreeResult, writeTree } from "./writer/write-tree.js";

export interface BuildClusterOptions {
  /** Path of cluster.ts / cluster.yaml. */
  readonly cluster: string;
  /** Output folder; defaults to `flux/` beside the definition. */
  readonly out?: string;
  readonly dryRun?: boolean;
}

export interface BuildClusterResult extends WriteTreeResult {
  readonly name: string;
  readonly out: string;
  /** Files for the bootstrap before Flux runs (Cilium's Helm values), beside the Flux tree. */
  readonly bootstrap: WriteTreeResult;
  /** Kubernetes objects rendered (kustomization files and the user's Secrets not counted). */
  readonly objects: number;
  /** The user's SOPS-encrypted Secrets (`secrets/*.sops.yaml`) copied into the tree. */
  readonly userSecrets: number;
  readonly warnings: readonly ConfigIssue[];
}

/** "79 objects + 2 Secrets from secrets/": the count `kubeforge validate` reports for the same tree is their sum. */
export function objectCount(result: Pick<BuildClusterResult, "objects" | "userSecrets">): string {
  const secrets =
    result.userSecrets > 0 ? ` + ${result.userSecrets} Secret${result.userSecrets === 1 ? "" : "s"} from secrets/` : "";
  return `${result.objects} objects${secrets}`;
}

export async function buildCluster(options: BuildClusterOptions): Promise<BuildClusterResult> {
  const { cluster, file, warnings } = await loadCluster(options.cluster);
  const out = path.resolve(options.out ?? path.join(path.dirname(file), "flux"));
  const source = `${path.basename(path.dirname(file))}/${path.basename(file)}`;
  const secrets = await readUserSecrets(path.dirname(file));
  const files = renderTree(cluster, { source, extraFiles: secrets.files });
  const objects = files
    .filter((entry) => !entry.path.endsWith("kustomization.yaml") && !entry.path.startsWith(SECRETS_FOLDER))
    .reduce((count, entry) => count + (entry.content.match(/^---$/gm)?.length ?? 0), 0);
  // Both renders finish before either write, so bad input changes neither folder.
  const bootstrapFiles = renderBootstrap(cluster, { source });
  const result = await writeTree(out, files, { dryRun: options.dryRun });
  const bootstrap = await writeTree(path.join(path.dirname(out), "bootstrap"), bootstrapFiles, {
    dryRun: options.dryRun,
  });
  const skipped = secrets.skipped.map((skippedFile) => ({
    path: path.relative(path.dirname(file), skippedFile),
    message: "is not copied into the Flux tree",
    hint: "name SOPS-encrypted Secrets *.sops.yaml",
  }));
  return {
    ...result,
    name: cluster.name,
    out,
    objects,
    userSecrets: secrets.files.length,
    warnings: [...warnings, ...skipped],
    bootstrap,
  };
}

// A definition in clusters/<folder>/ names its cluster; Flux's path (`./clusters/<name>/flux`, see fluxPath in
// @kubeforge/config) and Talos' clusterName come from that name, so a name that is not the folder's points Flux at a
// folder that does not exist.
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { CliError } from "../errors.js";

/**
 * Refuses a definition in `clusters/<folder>/` whose `name` is not `<folder>` while `flux.path` is not set. A
 * definition elsewhere (a scratch copy, a test) or with an explicit `flux.path` is left alone.
 */
export function assertNameMatchesFolder(file: string, cluster: Cluster, cwd = process.cwd()): void {
  const clusterDir = path.dirname(path.resolve(file));
  const folder = path.basename(clusterDir);
  if (path.basename(path.dirname(clusterDir)) !== "clusters") return;
  if (cluster.name === folder || cluster.flux.path !== undefined) return;
  const shown = path.relative(cwd, file) || file;
  throw new CliError(
    "E_INPUT",
    `${shown}: name: "${cluster.name}" differs from its folder clusters/${folder}/, so Flux would sync ./clusters/${cluster.name}/flux, which does not exist (nothing was written)`,
    [
      `set \`name: "${folder}"\` again, or move the folder to clusters/${cluster.name}/ (then \`pnpm install\`, as the folder is a workspace package);`,
      "renaming a cluster that runs also changes Talos' clusterName in every machine config",
    ].join("\n       "),
  );
}

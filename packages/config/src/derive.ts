// Values derived from the model that several renderers need; computed in one place.
import { installerPath } from "./releases/check.js";
import type { Cluster } from "./schema/cluster.js";

/**
 * The installer image: the model's, else the Image Factory one for the schematic. From Talos 1.14 talosctl
 * defaults to the platform-specific `metal-installer` path (ghcr installers are no longer published).
 */
export function installerImage(cluster: Cluster): string {
  if (cluster.talos.installerImage) return cluster.talos.installerImage;
  return `factory.talos.dev/${installerPath(cluster.talos.version)}/${cluster.talos.schematic}:${cluster.talos.version}`;
}

/** The path Flux reconciles, relative to the repository root, e.g. `./clusters/homelab/flux`. */
export function fluxPath(cluster: Cluster): string {
  return cluster.flux.path ?? `./clusters/${cluster.name}/flux`;
}

/** The Kubernetes API endpoint through the VIP, e.g. `https://192.168.1.100:6443`. */
export function apiEndpoint(cluster: Cluster): string {
  const host = cluster.api.vip.includes(":") ? `[${cluster.api.vip}]` : cluster.api.vip;
  return `https://${host}:${cluster.api.port}`;
}

/** The StorageClass marked default, if any (validateCluster allows at most one). */
export function defaultStorageClass(cluster: Cluster): string | undefined {
  return cluster.storageClasses.find((storageClass) => storageClass.default)?.name;
}

export function controlPlaneNodes(cluster: Cluster) {
  return cluster.nodes.filter((node) => node.controlPlane);
}

/** Node label values CubeFS' chart selects its roles by (`component.cubefs.io/<role>: enabled`). */
export const CUBEFS_ROLES = ["master", "metanode", "datanode", "csi"] as const;

/** The CubeFS role labels of every node, by hostname; Talos sets them as machine.nodeLabels. */
export function cubefsNodeLabels(cluster: Cluster): Record<string, Record<string, string>> {
  const all = cluster.nodes.map((node) => node.hostname);
  const roles: Record<(typeof CUBEFS_ROLES)[number], readonly string[]> = {
    master: cluster.cubefs.masterNodes ?? controlPlaneNodes(cluster).map((node) => node.hostname),
    metanode: cluster.cubefs.metaNodes ?? all,
    datanode: cluster.cubefs.dataNodes ?? all,
    csi: all,
  };
  return Object.fromEntries(
    all.map((hostname) => [
      hostname,
      Object.fromEntries(
        CUBEFS_ROLES.filter((role) => roles[role].includes(hostname)).map((role) => [
          `component.cubefs.io/${role}`,
          "enabled",
        ]),
      ),
    ]),
  );
}

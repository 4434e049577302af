// Values derived from the model that several renderers need; computed in one place.
import type { Cluster } from "./schema/cluster.js";

export function installerImage(cluster: Cluster): string {
  return (
    cluster.talos.installerImage ?? `factory.talos.dev/installer/${cluster.talos.schematic}:${cluster.talos.version}`
  );
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

export function controlPlaneNodes(cluster: Cluster) {
  return cluster.nodes.filter((node) => node.controlPlane);
}

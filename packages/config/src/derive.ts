// Values derived from the model that several renderers need; computed in one place.
import { installerPath } from "./releases/check.js";
import type { Cluster } from "./schema/cluster.js";
import type { Node } from "./schema/nodes.js";
import { type FactorySchematic, factorySchematic, schematicId } from "./schematic-id.js";

export interface NodeSchematicResult {
  /** The Image Factory schematic id (computed, or the pinned `talos.schematic.id`). */
  readonly id: string;
  /** The document the id is computed from (absent for a pinned id). */
  readonly schematic?: FactorySchematic;
  readonly secureBoot: boolean;
  /** Every kernel argument the node boots with from the schematic (cluster's, then the node's). */
  readonly extraKernelArgs: readonly string[];
}

/** The schematic of `node` (the cluster's plus the node's additions), or of the cluster when no node is given. */
export function nodeSchematic(cluster: Cluster, node?: Node): NodeSchematicResult {
  const base = cluster.talos.schematic;
  const extra = node?.schematic;
  const extensions = [...new Set([...base.extensions, ...(extra?.extensions ?? [])])];
  const extraKernelArgs = [...new Set([...base.extraKernelArgs, ...(extra?.extraKernelArgs ?? [])])];
  const overlay = extra?.overlay ?? base.overlay;
  const secureBoot = extra?.secureBoot ?? base.secureBoot;
  const customised = extensions.length > 0 || extraKernelArgs.length > 0 || overlay !== undefined;
  if (base.id !== undefined && !customised) return { id: base.id, secureBoot, extraKernelArgs };
  const schematic = factorySchematic({ extensions, extraKernelArgs, ...(overlay ? { overlay } : {}) });
  return { id: schematicId(schematic), schematic, secureBoot, extraKernelArgs };
}

export interface InstallerImageOptions {
  /** The node whose schematic additions apply. */
  readonly node?: Node;
  /** @default cluster.talos.version */
  readonly version?: string;
}

/**
 * The installer image: the model's (with the tag set to `version`), else the Image Factory one for the
 * node's schematic. From Talos 1.14 talosctl defaults to the platform-specific `metal-installer` path
 * (ghcr installers are no longer published); secure boot uses the `-secureboot` variant of either path.
 */
export function installerImage(cluster: Cluster, options: InstallerImageOptions = {}): string {
  const version = options.version ?? cluster.talos.version;
  if (cluster.talos.installerImage) {
    return options.version
      ? cluster.talos.installerImage.replace(/:[^:/]+$/, `:${version}`)
      : cluster.talos.installerImage;
  }
  const { id, secureBoot } = nodeSchematic(cluster, options.node);
  return `factory.talos.dev/${installerPath(version)}${secureBoot ? "-secureboot" : ""}/${id}:${version}`;
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

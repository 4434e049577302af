// Turns the cluster model and a secrets bundle into one machine config (a document stream) per node. Pure.
import type { Cluster, Node } from "@kubeforge/config";
import { stringifyGoYaml } from "../go-yaml-style.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { nodeContext } from "./context.js";
import { checkKubernetesVersion, talosMinor } from "./contract.js";
import { renderDataDiskDocuments } from "./disk-documents.js";
import type { ConfigDocument } from "./documents.js";
import {
  renderKubernetesDocuments,
  renderMachineDefaults,
  renderSlimV1Alpha1Document,
} from "./kubernetes-documents.js";
import { renderNetworkDocuments } from "./network-documents.js";
import { applyPatches, type LocatedPatch } from "./patches.js";
import { renderV1Alpha1Document } from "./v1alpha1-document.js";

export interface MachineConfig {
  readonly hostname: string;
  readonly address: string;
  readonly type: "controlplane" | "worker";
  /** The Talos version whose contract the documents follow. */
  readonly talosVersion: string;
  readonly documents: readonly ConfigDocument[];
}

function patchesFor(cluster: Cluster, node: Node, nodeIndex: number): LocatedPatch[] {
  const role = node.controlPlane ? "controlPlanePatches" : "workerPatches";
  return [
    ...cluster.talos.patches.map((patch, index) => ({ patch, path: `talos.patches[${index}]` })),
    ...cluster.talos[role].map((patch, index) => ({ patch, path: `talos.${role}[${index}]` })),
    ...node.patches.map((patch, index) => ({ patch, path: `nodes[${nodeIndex}].patches[${index}]` })),
  ];
}

export function renderMachineConfig(cluster: Cluster, bundle: SecretsBundle, node: Node): MachineConfig {
  const minor = talosMinor(cluster.talos.version);
  checkKubernetesVersion(cluster.kubernetes.version, cluster.talos.version);
  const context = nodeContext(cluster, node, bundle, minor);
  const base: ConfigDocument[] =
    minor >= 14
      ? [
          renderSlimV1Alpha1Document(context),
          ...renderMachineDefaults(context),
          ...renderNetworkDocuments(context, { hostDns: true }),
          ...renderKubernetesDocuments(context),
          ...renderDataDiskDocuments(context),
        ]
      : [
          renderV1Alpha1Document(context),
          ...renderNetworkDocuments(context, { hostDns: false }),
          ...renderDataDiskDocuments(context),
        ];
  const nodeIndex = cluster.nodes.indexOf(node);
  return {
    hostname: node.hostname,
    address: node.address,
    type: node.controlPlane ? "controlplane" : "worker",
    talosVersion: cluster.talos.version,
    documents: applyPatches(base, patchesFor(cluster, node, nodeIndex)),
  };
}

export function renderMachineConfigs(cluster: Cluster, bundle: SecretsBundle): MachineConfig[] {
  return cluster.nodes.map((node) => renderMachineConfig(cluster, bundle, node));
}

/** YAML the way talosctl writes it: 4-space indent, no folding, `---` between documents. */
export function stringifyMachineConfig(config: Pick<MachineConfig, "documents">): string {
  return config.documents.map((document) => stringifyGoYaml(document)).join("---\n");
}

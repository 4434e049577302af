// Everything one node's documents are computed from, derived once.
import {
  apiEndpoint,
  type Cluster,
  cubefsNodeLabels,
  type DiskSpec,
  installerImage,
  type Node,
  type NodeLinks,
  nodeLinks,
} from "@kubeforge/config";
import type { SecretsBundle } from "../secrets/bundle.js";
import type { TalosMinor } from "./contract.js";

export interface NodeContext {
  readonly cluster: Cluster;
  readonly node: Node;
  readonly bundle: SecretsBundle;
  readonly minor: TalosMinor;
  readonly controlPlane: boolean;
  /** Kubernetes API URL through the VIP. */
  readonly endpoint: string;
  /** The node's link names: uplink (an alias when the NIC is picked by MAC), bond, bridge, VLANs, VIP link. */
  readonly links: NodeLinks;
  readonly installerImage: string;
  readonly installDisk: DiskSpec;
  /** `v1.35.2` */
  readonly kubernetesVersion: string;
  /** Whether the Layer2 VIP document belongs in this node's config. */
  readonly talosVip: boolean;
}

export function nodeContext(cluster: Cluster, node: Node, bundle: SecretsBundle, minor: TalosMinor): NodeContext {
  return {
    cluster,
    node,
    bundle,
    minor,
    controlPlane: node.controlPlane,
    endpoint: apiEndpoint(cluster),
    links: nodeLinks(node),
    installerImage: installerImage(cluster, { node }),
    installDisk: node.installDisk ?? cluster.talos.installDisk,
    kubernetesVersion: cluster.kubernetes.version,
    talosVip: cluster.api.provider === "talos" && node.controlPlane,
  };
}

/** Extra SANs of the API server certificate: the VIP first, then the model's own. */
export function apiServerSans(context: NodeContext): string[] {
  return [...new Set([context.cluster.api.vip, ...context.cluster.api.certSANs])];
}

/**
 * Where kubelet and etcd pick the node's own address: nodeCidr minus the API VIP, which lives inside it.
 * Talos filters only its own Layer2 VIP (and 1.12.0-rc.0 advertised a Layer2VIPConfig address to etcd,
 * siderolabs/talos#12410); a kube-vip address it does not know at all. A VIP picked as node IP or etcd peer
 * address moves away with the VIP and breaks the node.
 */
export function nodeAddressSubnets(context: NodeContext): string[] {
  const { vip } = context.cluster.api;
  return [context.cluster.network.nodeCidr, `!${vip}/${vip.includes(":") ? 128 : 32}`];
}

/** Node labels: CubeFS roles, the model's own, and the external-LB exclusion only where the node runs no workloads. */
export function nodeLabels(context: NodeContext): Record<string, string> {
  const labels: Record<string, string> = {};
  // Talos marks control planes as excluded from external load balancers; on dual-purpose nodes that
  // would leave LoadBalancer Services with no backends, so the label goes only on dedicated control planes.
  if (context.controlPlane && !context.node.worker) {
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  // CubeFS' chart places its masters, metanodes, datanodes and CSI plugin by these labels.
  const cubefs = cubefsNodeLabels(context.cluster)[context.node.hostname] ?? {};
  return { ...labels, ...cubefs, ...context.node.labels };
}

export const POD_SECURITY_ADMISSION = {
  name: "PodSecurity",
  configuration: {
    apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
    kind: "PodSecurityConfiguration",
    defaults: {
      audit: "restricted",
      "audit-version": "latest",
      enforce: "baseline",
      "enforce-version": "latest",
      warn: "restricted",
      "warn-version": "latest",
    },
    exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
  },
} as const;

export const AUDIT_POLICY = { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] } as const;

export const KUBE_PRISM_PORT = 7445;

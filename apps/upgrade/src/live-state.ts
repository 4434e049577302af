// What the planner knows about the running cluster: observed, or simulated when nothing is reachable.
import type { Cluster } from "@kubeforge/config";

export interface LiveNode {
  readonly hostname: string;
  /** Talos tag reported by `talosctl version`, e.g. v1.13.9. */
  readonly talosVersion: string;
  /** kubelet version from the Kubernetes Node status, e.g. v1.35.2. */
  readonly kubeletVersion: string;
  readonly ready: boolean;
}

export interface LiveState {
  /** `simulated` means no cluster was reachable and the versions below are assumptions. */
  readonly source: "cluster" | "simulated";
  /** Why the state is simulated (what could not be reached). */
  readonly reason?: string;
  readonly nodes: readonly LiveNode[];
  /** Hostname of the etcd leader, when known. */
  readonly etcdLeader?: string;
  /** Hostname of the node holding the API VIP, when known. */
  readonly vipHolder?: string;
}

export interface SimulateLiveStateOptions {
  readonly cluster: Cluster;
  readonly reason: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
}

/** Every node Ready at the given versions, the first control-plane node as etcd leader and VIP holder. */
export function simulateLiveState(options: SimulateLiveStateOptions): LiveState {
  const { cluster } = options;
  const leader = cluster.nodes.find((node) => node.controlPlane)?.hostname;
  return {
    source: "simulated",
    reason: options.reason,
    nodes: cluster.nodes.map((node) => ({
      hostname: node.hostname,
      talosVersion: options.talosVersion,
      kubeletVersion: options.kubernetesVersion,
      ready: true,
    })),
    ...(leader ? { etcdLeader: leader, vipHolder: leader } : {}),
  };
}

// Reads the live state of a cluster (versions, readiness, etcd leader) for the planner.
import type { Cluster } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import { inspectEtcd } from "./gates/etcd.js";
import type { GateClients } from "./gates/index.js";
import type { LiveState } from "./live-state.js";

/** Throws when a source cannot be reached; the caller decides whether to fall back to a simulation. */
export async function observeLiveState(cluster: Cluster, clients: GateClients): Promise<LiveState> {
  const kubeNodes = await clients.kube.listNodes();
  const etcd = await inspectEtcd(clients.etcd);
  const nodes = await Promise.all(
    cluster.nodes.map(async (node) => {
      const kube = kubeNodes.find((candidate) => candidate.name === node.hostname);
      if (!kube) {
        throw new UpgradeError("E_PRECHECK", `${node.hostname} is in the model but not registered in Kubernetes`, {
          node: node.hostname,
          gate: "kube-nodes-ready",
          hint: "bring the node up (or remove it from the model) before upgrading",
        });
      }
      const talosVersion = await clients.talosctl.version(node.address, { timeoutMs: clients.callTimeoutMs ?? 10_000 });
      return {
        hostname: node.hostname,
        talosVersion,
        kubeletVersion: kube.kubeletVersion,
        ready: kube.ready,
      };
    }),
  );
  return { source: "cluster", nodes, ...(etcd.leader ? { etcdLeader: etcd.leader } : {}) };
}

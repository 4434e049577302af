// Reads the live state of a cluster (versions, readiness, etcd leader) for the planner.
import type { Cluster } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import { inspectEtcd } from "./gates/etcd.js";
import type { GateClients } from "./gates/index.js";
import type { LiveState } from "./live-state.js";

/** kube-vip's leader-election Lease (packages/manifests, components/kube-vip.ts): its holder owns the API VIP. */
export const KUBE_VIP_LEASE = { namespace: "kube-system", name: "plndr-cp-lock" } as const;

const LEADER_READ_TIMEOUT_MS = 15_000;

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Who leads right now: the etcd leader and the kube-vip VIP holder, each undefined when it cannot be read
 * (the gates then refuse on their own if etcd is really unreachable).
 */
export async function observeLeaders(clients: GateClients): Promise<{ etcdLeader?: string; vipHolder?: string }> {
  const [etcd, vipHolder] = await Promise.all([
    within(inspectEtcd(clients.etcd), LEADER_READ_TIMEOUT_MS),
    clients.kube.leaseHolder
      ? within(clients.kube.leaseHolder(KUBE_VIP_LEASE.namespace, KUBE_VIP_LEASE.name), LEADER_READ_TIMEOUT_MS)
      : Promise.resolve(undefined),
  ]);
  return { ...(etcd?.leader ? { etcdLeader: etcd.leader } : {}), ...(vipHolder ? { vipHolder } : {}) };
}

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
  const vipHolder = clients.kube.leaseHolder
    ? await within(clients.kube.leaseHolder(KUBE_VIP_LEASE.namespace, KUBE_VIP_LEASE.name), LEADER_READ_TIMEOUT_MS)
    : undefined;
  return {
    source: "cluster",
    nodes,
    ...(etcd.leader ? { etcdLeader: etcd.leader } : {}),
    ...(vipHolder ? { vipHolder } : {}),
  };
}

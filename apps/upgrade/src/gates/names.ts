// The gates a step runs, by name. Shared by the planner (to print them) and the runner (to run them).

export const GATE_DESCRIPTIONS = {
  "no-upgrade-in-progress":
    "no other kubeforge-upgrade holds the lock, no node is unschedulable and every node's Talos machine stage is running",
  "kube-nodes-ready": "every Kubernetes node is Ready",
  "etcd-members-healthy": "every etcd member is started, in the member list, not a learner and answers a quorum read",
  "etcd-no-alarms": "etcd reports no alarms (NOSPACE, CORRUPT)",
  "etcd-quorum-without-node": "etcd keeps quorum with this node's member down, and the cluster is not 2 members",
  "talos-version": "talosctl version reports the target Talos tag",
  "kube-node-ready": "this node is Ready again and schedulable",
  "etcd-member-rejoined": "this node's etcd member is back in the member list and healthy",
  "pods-running":
    "no pod is Pending or Unknown (before: none already stuck; after: drained workloads were rescheduled)",
  "kubelet-version": "every node's kubelet reports the target Kubernetes version",
} as const;

export type GateName = keyof typeof GATE_DESCRIPTIONS;

export const TALOS_GATES_BEFORE: readonly GateName[] = [
  "no-upgrade-in-progress",
  "kube-nodes-ready",
  "etcd-no-alarms",
  "etcd-members-healthy",
  "etcd-quorum-without-node",
  // A pod already stuck would fail the after-gate only once this node has been drained and rebooted.
  "pods-running",
];
export const TALOS_GATES_AFTER: readonly GateName[] = [
  "talos-version",
  "kube-node-ready",
  "etcd-member-rejoined",
  "etcd-members-healthy",
  "pods-running",
];
export const KUBERNETES_GATES_BEFORE: readonly GateName[] = [
  "no-upgrade-in-progress",
  "kube-nodes-ready",
  "etcd-no-alarms",
  "etcd-members-healthy",
  "pods-running",
];
export const KUBERNETES_GATES_AFTER: readonly GateName[] = [
  "kubelet-version",
  "kube-nodes-ready",
  "etcd-members-healthy",
  "pods-running",
];

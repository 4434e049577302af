// Cross-field checks of the node list: uniqueness, names, control-plane quorum.
import type { ConfigIssue } from "../errors.js";
import type { Cluster } from "../schema/cluster.js";

/** Names a node must not take: they clash with loopback or with names the cluster itself uses. */
export const RESERVED_NODE_NAMES = new Set([
  "localhost",
  "kubernetes",
  "kube-apiserver",
  "etcd",
  "controlplane",
  "default",
]);

export function checkUniqueNodes(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const field of ["hostname", "address", "mac"] as const) {
    const seen = new Map<string, number>();
    cluster.nodes.forEach((node, index) => {
      const value = node[field];
      if (value === undefined) return;
      const first = seen.get(value);
      if (first === undefined) {
        seen.set(value, index);
        return;
      }
      issues.push({
        path: `nodes[${index}].${field}`,
        message: `${value} is already used by nodes[${first}]`,
        hint: `give every node its own ${field}`,
      });
    });
  }
  return issues;
}

export function checkNodeNames(cluster: Cluster): ConfigIssue[] {
  return cluster.nodes.flatMap((node, index) =>
    RESERVED_NODE_NAMES.has(node.hostname) || node.hostname === cluster.name
      ? [
          {
            path: `nodes[${index}].hostname`,
            message: `${node.hostname} is a reserved name`,
            hint: `rename the node, e.g. ${cluster.name}-cp-${index + 1}`,
          },
        ]
      : [],
  );
}

/** etcd needs an odd number of members, at least three, to survive losing one. */
export function checkControlPlaneCount(cluster: Cluster): ConfigIssue[] {
  const count = cluster.nodes.filter((node) => node.controlPlane).length;
  if (count < 3) {
    return [
      {
        path: "nodes",
        message: `${count} control-plane node${count === 1 ? "" : "s"}; an HA cluster needs at least 3`,
        hint: "mark at least three nodes controlPlane: true",
      },
    ];
  }
  if (count % 2 === 0) {
    return [
      {
        path: "nodes",
        message: `${count} control-plane nodes; an even etcd member count tolerates no more failures than ${count - 1}`,
        hint: `use ${count - 1} or ${count + 1} control-plane nodes`,
      },
    ];
  }
  return [];
}

// Cross-field checks of the node list: uniqueness, names, control-plane quorum.
import { cubefsNodeLabels } from "../derive.js";
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

/** CubeFS roles by hostname, as the node labels give them. */
function cubefsRoles(cluster: Cluster, hostname: string): Set<string> {
  return new Set(Object.keys(cubefsNodeLabels(cluster)[hostname] ?? {}).map((label) => label.split("/")[1] ?? ""));
}

function cubefsDiskNames(node: Cluster["nodes"][number], use: "data" | "meta"): string[] {
  return node.disks.filter((disk) => disk.cubefs === use).map((disk) => disk.name);
}

/**
 * Data disks: unique volume names per node, and CubeFS disks laid out the way its chart can use them — the
 * chart gives every datanode the same disk list and every metanode/master the same data path.
 */
export function checkDataDisks(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  cluster.nodes.forEach((node, index) => {
    const seen = new Set<string>();
    node.disks.forEach((disk, diskIndex) => {
      if (seen.has(disk.name)) {
        issues.push({
          path: `nodes[${index}].disks[${diskIndex}].name`,
          message: `${disk.name} is already a volume of ${node.hostname}`,
          hint: "give every data disk of a node its own name",
        });
      }
      seen.add(disk.name);
    });
    if (cubefsDiskNames(node, "meta").length > 1) {
      issues.push({
        path: `nodes[${index}].disks`,
        message: "more than one disk is marked cubefs: meta",
        hint: "CubeFS keeps metanode and master data in one path: mark one disk",
      });
    }
  });
  const withData = cluster.nodes.filter((node) => cubefsDiskNames(node, "data").length > 0);
  const datanodes = cluster.nodes.filter((node) => cubefsRoles(cluster, node.hostname).has("datanode"));
  if (withData.length > 0) {
    const expected = [...new Set(withData.flatMap((node) => cubefsDiskNames(node, "data")))].sort();
    for (const node of datanodes) {
      const names = cubefsDiskNames(node, "data").sort();
      if (names.join() !== expected.join()) {
        issues.push({
          path: `nodes[${cluster.nodes.indexOf(node)}].disks`,
          message: `CubeFS datanode ${node.hostname} has data disks [${names.join(", ")}], the others [${expected.join(", ")}]`,
          hint: "the CubeFS chart gives every datanode one disk list: give each datanode the same cubefs: data disk names (or drop it from cubefs.dataNodes)",
        });
      }
    }
    const usable = datanodes.filter((node) => cubefsDiskNames(node, "data").length > 0).length;
    cluster.storageClasses.forEach((storageClass, index) => {
      // When every datanode has a disk, checkCubefsReplicas already reports a shortfall of datanodes.
      if (storageClass.replicas > usable && usable < datanodes.length) {
        issues.push({
          path: `storageClasses[${index}].replicas`,
          message: `${storageClass.replicas} replicas need ${storageClass.replicas} CubeFS datanodes with a data disk; ${usable} have one`,
          hint: "lower replicas, or add a cubefs: data disk to more datanodes",
        });
      }
    });
  }
  const withMeta = cluster.nodes.filter((node) => cubefsDiskNames(node, "meta").length > 0);
  if (withMeta.length > 0) {
    const name = cubefsDiskNames(withMeta[0] as Cluster["nodes"][number], "meta")[0];
    cluster.nodes.forEach((node, index) => {
      const roles = cubefsRoles(cluster, node.hostname);
      if (!roles.has("metanode") && !roles.has("master")) return;
      if (cubefsDiskNames(node, "meta")[0] !== name) {
        issues.push({
          path: `nodes[${index}].disks`,
          message: `CubeFS metanode/master ${node.hostname} has no cubefs: meta disk named ${name}`,
          hint: `CubeFS uses one data path on every metanode and master: give each a cubefs: meta disk named ${name}`,
        });
      }
    });
  }
  return issues;
}

/** A pinned schematic id cannot be extended per node: kubeforge does not know what it holds. */
export function checkNodeSchematics(cluster: Cluster): ConfigIssue[] {
  if (cluster.talos.schematic.id === undefined) return [];
  return cluster.nodes.flatMap((node, index) => {
    const extra = node.schematic;
    if (!extra || (extra.extensions.length === 0 && extra.extraKernelArgs.length === 0 && !extra.overlay)) return [];
    return [
      {
        path: `nodes[${index}].schematic`,
        message: "adds to a pinned talos.schematic.id, whose contents kubeforge does not know",
        hint: "describe the cluster's schematic with extensions/extraKernelArgs instead of an id, or pin the node's image with a patch",
      },
    ];
  });
}

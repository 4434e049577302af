// CubeFS: distributed storage (masters, metanodes, datanodes) and its CSI driver, plus the model's
// StorageClasses. Nodes get their CubeFS roles as labels through the Talos configs (cubefsNodeLabels).
import { type Cluster, cubefsNodeLabels, cubefsVolumes } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import type { Component } from "./component.js";
import { addHelmRelease, type RenderedPatch } from "./helm.js";
import { platformNamespace } from "./namespaces.js";
import { STORAGE_PRIORITY_CLASS } from "./priority.js";
import type { PodBudget } from "./quota.js";
import { CHARTS } from "./versions.js";

export const CUBEFS_PROVISIONER = "csi.cubefs.com";
const NAMESPACE = "cubefs";
const MASTER_ADDRESS = `master-service.${NAMESPACE}.svc.cluster.local:17010`;

interface Resources {
  readonly enabled: boolean;
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The subset of the cubefs chart's values kubeforge sets. */
export interface CubefsValues {
  readonly component: {
    readonly master: boolean;
    readonly metanode: boolean;
    readonly datanode: boolean;
    readonly objectnode: boolean;
    readonly client: boolean;
    readonly csi: boolean;
    readonly monitor: boolean;
    readonly ingress: boolean;
  };
  readonly path: { readonly data: string; readonly log: string };
  readonly master: {
    readonly replicas: number;
    readonly nodeSelector: Record<string, string>;
    readonly resources: Resources;
  };
  readonly metanode: {
    readonly nodeSelector: Record<string, string>;
    readonly total_mem: string;
    readonly resources: Resources;
  };
  readonly datanode: {
    readonly nodeSelector: Record<string, string>;
    readonly disks: readonly string[];
    readonly resources: Resources;
  };
  readonly csi: {
    readonly driverName: string;
    readonly kubeletPath: string;
    readonly controller: { readonly nodeSelector: Record<string, string> };
    /** Resources of the node plugin's driver container, which also runs the FUSE clients of mounted volumes. */
    readonly node: { readonly nodeSelector: Record<string, string>; readonly resources: Resources };
    /**
     * The chart always renders its StorageClass `cfs-sc` (default by default); kubeforge renders its own
     * from the model, so the chart's is never default and is removed by a post-render patch.
     */
    readonly storageClass: { readonly setToDefault: false };
  };
}

const role = (name: string) => ({ [`component.cubefs.io/${name}`]: "enabled" });
const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  enabled: true,
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/** How many nodes carry each CubeFS role label. */
function roleCounts(cluster: Cluster): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const labels of Object.values(cubefsNodeLabels(cluster))) {
    for (const label of Object.keys(labels)) {
      const role = label.replace("component.cubefs.io/", "");
      counts[role] = (counts[role] ?? 0) + 1;
    }
  }
  return counts;
}

export function cubefsValues(cluster: Cluster): CubefsValues {
  const masters = roleCounts(cluster).master ?? 0;
  // Data on the nodes' own volumes (Talos UserVolumeConfig at /var/mnt/<name>), not on the system disk.
  const volumes = cubefsVolumes(cluster);
  const reserved = 10 * 1024 ** 3;
  const dataDisks = volumes.data.length > 0 ? volumes.data : [`${cluster.cubefs.dataPath}/data0`];
  return {
    component: {
      master: true,
      metanode: true,
      datanode: true,
      objectnode: false,
      client: false,
      csi: true,
      monitor: false,
      ingress: false,
    },
    path: { data: volumes.meta ?? cluster.cubefs.dataPath, log: "/var/log/cubefs" },
    master: { replicas: masters, nodeSelector: role("master"), resources: resources("250m", "512Mi", "1", "1Gi") },
    // The chart's defaults (25 GiB of metadata memory, 32 GiB requests) suit a data centre, not a homelab.
    // total_mem is what the metanode lets its metadata grow to; it must stay below the container's
    // memory limit (the chart suggests 80%) or the kernel kills the metanode before it refuses writes.
    metanode: {
      nodeSelector: role("metanode"),
      total_mem: String(1.5 * 1024 ** 3),
      resources: resources("250m", "1Gi", "1", "2Gi"),
    },
    datanode: {
      nodeSelector: role("datanode"),
      disks: dataDisks.map((disk) => `${disk}:${reserved}`),
      resources: resources("250m", "1Gi", "2", "4Gi"),
    },
    csi: {
      driverName: CUBEFS_PROVISIONER,
      kubeletPath: "/var/lib/kubelet",
      controller: { nodeSelector: role("csi") },
      node: { nodeSelector: role("csi"), resources: resources("250m", "512Mi", "1", "1Gi") },
      storageClass: { setToDefault: false },
    },
  };
}

/** The chart's own PriorityClass (hardcoded in its templates, 1,000,000: below monitoring) and StorageClass. */
const CHART_PRIORITY_CLASS = "cubefs-high-priority";
const CHART_STORAGE_CLASS = "cfs-sc";

const deletePatch = (apiVersion: string, kind: string, name: string): RenderedPatch => ({
  patch: `$patch: delete\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n`,
});

/**
 * What the chart's values cannot set: every CubeFS workload (the CSI node plugin has no class at all in
 * 3.2.0) runs at kubeforge-storage, and the chart's own PriorityClass and StorageClass are not installed.
 */
export function cubefsPatches(): RenderedPatch[] {
  const priority = JSON.stringify([
    { op: "add", path: "/spec/template/spec/priorityClassName", value: STORAGE_PRIORITY_CLASS },
  ]);
  return [
    ...["DaemonSet", "Deployment", "StatefulSet"].map((kind) => ({
      patch: priority,
      target: { group: "apps", version: "v1", kind },
    })),
    deletePatch("scheduling.k8s.io/v1", "PriorityClass", CHART_PRIORITY_CLASS),
    deletePatch("storage.k8s.io/v1", "StorageClass", CHART_STORAGE_CLASS),
  ];
}

export class CubefsChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    addHelmRelease(this, {
      name: "cubefs",
      namespace: NAMESPACE,
      chart: CHARTS.cubefs,
      values: cubefsValues(cluster),
      timeout: "15m",
      patches: cubefsPatches(),
    });
  }
}

export class StorageClassesChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const storageClass of cluster.storageClasses) {
      new k8s.KubeStorageClass(this, storageClass.name, {
        metadata: {
          name: storageClass.name,
          labels: { ...MANAGED_BY },
          ...(storageClass.default ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}),
        },
        provisioner: CUBEFS_PROVISIONER,
        reclaimPolicy: storageClass.reclaimPolicy,
        volumeBindingMode: storageClass.volumeBindingMode,
        allowVolumeExpansion: storageClass.allowVolumeExpansion,
        parameters: {
          masterAddr: MASTER_ADDRESS,
          owner: "csiuser",
          logLevel: "error",
          replicaNum: String(storageClass.replicas),
        },
      });
    }
  }
}

/** The chart's CSI sidecars request 200m/256Mi each and set no limits (csi-*-deployment/daemonset.yaml in 3.2.0). */
const CSI_SIDECAR = { requests: { cpu: "200m", memory: "256Mi" } };

/** Every pod the cubefs chart runs with our values, for the namespace's quota. */
export function cubefsPods(cluster: Cluster): PodBudget[] {
  const values = cubefsValues(cluster);
  const counts = roleCounts(cluster);
  return [
    { name: "master", count: values.master.replicas, containers: [values.master.resources] },
    { name: "metanode", count: counts.metanode ?? 0, containers: [values.metanode.resources] },
    { name: "datanode", count: counts.datanode ?? 0, containers: [values.datanode.resources] },
    // provisioner, attacher, resizer and the driver, which requests what the sidecars do.
    { name: "cfs-csi-controller", count: 1, containers: [CSI_SIDECAR, CSI_SIDECAR, CSI_SIDECAR, CSI_SIDECAR] },
    { name: "cfs-csi-node", count: counts.csi ?? 0, containers: [CSI_SIDECAR, values.csi.node.resources] },
  ];
}

export function cubefsComponent(cluster: Cluster): Component {
  return {
    name: "cubefs",
    namespaces: [platformNamespace("cubefs", { pods: cubefsPods(cluster) })],
    sources: [CHARTS.cubefs.source],
    files: [
      { path: "infrastructure/cubefs.yaml", chart: (app) => new CubefsChart(app, "cubefs", cluster) },
      // Beside the releases that ask for them (kube-prometheus-stack's volumes): a class must exist no later
      // than its consumers' layer.
      {
        path: "infrastructure/storage-classes.yaml",
        chart: (app) => new StorageClassesChart(app, "storage-classes", cluster),
      },
    ],
  };
}

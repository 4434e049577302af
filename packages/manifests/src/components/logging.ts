// Logging: Loki as the log store (monolithic, filesystem on a CubeFS volume) and Grafana Alloy as the
// collector. Alloy tails pod logs through the Kubernetes API, so it needs no host mounts or root, and it
// is the collector Grafana maintains now that Promtail reached end of life (March 2026).
import { type Cluster, defaultStorageClass } from "@kubeforge/config";
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Component } from "./component.js";
import { addHelmRelease, type ContainerResources } from "./helm.js";
import { platformNamespace } from "./namespaces.js";
import { PLATFORM_PRIORITY_CLASS } from "./priority.js";
import type { PodBudget } from "./quota.js";
import { CHARTS } from "./versions.js";

export const LOGGING_NAMESPACE = "logging";
/** Loki's in-cluster address: Grafana reads from it, Alloy pushes to it. */
export const LOKI_URL = `http://loki.${LOGGING_NAMESPACE}.svc.cluster.local:3100`;

/** The subset of the Loki chart's values kubeforge sets. */
export interface LokiValues {
  readonly deploymentMode: "Monolithic";
  readonly loki: {
    readonly auth_enabled: false;
    readonly commonConfig: { readonly replication_factor: 1 };
    readonly storage: { readonly type: "filesystem" };
    readonly schemaConfig: {
      readonly configs: readonly {
        from: string;
        store: "tsdb";
        object_store: "filesystem";
        schema: "v13";
        index: { prefix: string; period: "24h" };
      }[];
    };
    readonly limits_config: { readonly retention_period: string };
    readonly compactor: { readonly retention_enabled: true; readonly delete_request_store: "filesystem" };
  };
  readonly singleBinary: {
    readonly replicas: 1;
    readonly priorityClassName: string;
    readonly persistence: { readonly enabled: true; readonly size: string; readonly storageClass: string };
    readonly resources: ContainerResources;
  };
  readonly read: { readonly replicas: 0 };
  readonly write: { readonly replicas: 0 };
  readonly backend: { readonly replicas: 0 };
  readonly gateway: { readonly enabled: false };
  readonly chunksCache: { readonly enabled: false };
  readonly resultsCache: { readonly enabled: false };
  readonly lokiCanary: { readonly enabled: false };
  readonly test: { readonly enabled: false };
}

/** The subset of the Alloy chart's values kubeforge sets. */
export interface AlloyValues {
  readonly controller: { readonly type: "daemonset"; readonly priorityClassName: string };
  readonly alloy: {
    readonly mounts: { readonly varlog: false };
    readonly configMap: { readonly create: true; readonly content: string };
    readonly resources: ContainerResources;
  };
}

export function lokiValues(cluster: Cluster): LokiValues {
  const storageClass = defaultStorageClass(cluster) ?? "";
  return {
    deploymentMode: "Monolithic",
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: {
        configs: [
          {
            from: "2024-04-01",
            store: "tsdb",
            object_store: "filesystem",
            schema: "v13",
            index: { prefix: "loki_index_", period: "24h" },
          },
        ],
      },
      limits_config: { retention_period: cluster.logging.retention },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
    },
    singleBinary: {
      replicas: 1,
      priorityClassName: PLATFORM_PRIORITY_CLASS,
      persistence: { enabled: true, size: cluster.logging.storage, storageClass },
      resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } },
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
  };
}

/** Alloy pipeline: each DaemonSet pod tails the pods of its own node through the API and pushes to Loki. */
export const ALLOY_CONFIG = `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    target_label  = "node"
  }
}

loki.source.kubernetes "pods" {
  targets    = discovery.relabel.pods.output
  forward_to = [loki.write.default.receiver]
}

loki.write "default" {
  endpoint {
    url = "${LOKI_URL}/loki/api/v1/push"
  }
}
`;

export function alloyValues(): AlloyValues {
  return {
    controller: { type: "daemonset", priorityClassName: PLATFORM_PRIORITY_CLASS },
    alloy: {
      mounts: { varlog: false },
      configMap: { create: true, content: ALLOY_CONFIG },
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
  };
}

export class LoggingChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    addHelmRelease(this, {
      name: "loki",
      namespace: LOGGING_NAMESPACE,
      chart: CHARTS.loki,
      values: lokiValues(cluster),
    });
    addHelmRelease(this, {
      name: "alloy",
      namespace: LOGGING_NAMESPACE,
      chart: CHARTS.alloy,
      values: alloyValues(),
      dependsOn: [{ name: "loki", namespace: LOGGING_NAMESPACE }],
    });
  }
}

/** The pods of Loki and Alloy, for the namespace's quota; unsized sidecars get the LimitRange defaults. */
export function loggingPods(cluster: Cluster): PodBudget[] {
  const unsized = {};
  return [
    // Loki and its rules sidecar.
    { name: "loki", count: 1, containers: [lokiValues(cluster).singleBinary.resources, unsized] },
    // One Alloy per node, with its config reloader.
    { name: "alloy", count: cluster.nodes.length, containers: [alloyValues().alloy.resources, unsized] },
  ];
}

export function loggingComponent(cluster: Cluster): Component {
  return {
    name: "logging",
    namespaces: [platformNamespace("logging", { pods: loggingPods(cluster), volumes: [cluster.logging.storage] })],
    sources: [CHARTS.loki.source, CHARTS.alloy.source],
    // Helm waits for Loki's StatefulSet, whose volume needs a StorageClass from the configs layer: in
    // infrastructure, the release would time out and hold back the layer that creates the class.
    files: [{ path: "apps/logging.yaml", chart: (app) => new LoggingChart(app, "logging", cluster) }],
  };
}

// kube-prometheus-stack (Prometheus, Alertmanager, Grafana with OIDC sign-in), monitors for the
// platform components, and the dashboards Grafana's sidecar loads from ConfigMaps.
import { type Cluster, defaultStorageClass, type NamespaceInput } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import { MONITORING_NAMESPACE } from "../charts/namespace-guardrails.js";
import { PodMonitor } from "../imports/monitoring-coreos-com.js";
import type { Component } from "./component.js";
import { renderDashboard } from "./dashboards/dashboard.js";
import { DASHBOARDS } from "./dashboards/library.js";
import { addHelmRelease, type ContainerResources, type RenderedPatch } from "./helm.js";
import { LOKI_URL } from "./logging.js";
import { platformNamespace } from "./namespaces.js";
import { PLATFORM_PRIORITY_CLASS } from "./priority.js";
import type { PodBudget } from "./quota.js";
import { CHARTS } from "./versions.js";

interface VolumeClaim {
  readonly volumeClaimTemplate: {
    readonly spec: {
      readonly storageClassName: string;
      readonly accessModes: readonly ["ReadWriteOnce"];
      readonly resources: { readonly requests: { readonly storage: string } };
    };
  };
}

/** The subset of kube-prometheus-stack's values kubeforge sets. */
export interface KubePrometheusStackValues {
  readonly prometheus: {
    readonly prometheusSpec: {
      readonly retention: string;
      readonly priorityClassName: string;
      readonly serviceMonitorSelectorNilUsesHelmValues: false;
      readonly podMonitorSelectorNilUsesHelmValues: false;
      readonly ruleSelectorNilUsesHelmValues: false;
      readonly probeSelectorNilUsesHelmValues: false;
      readonly storageSpec: VolumeClaim;
      readonly resources: ContainerResources;
    };
  };
  readonly alertmanager: {
    readonly alertmanagerSpec: { readonly priorityClassName: string; readonly storage: VolumeClaim };
  };
  readonly grafana: {
    /** A Role in monitoring instead of a ClusterRole over every namespace's Secrets. */
    readonly rbac: { readonly namespaced: true };
    /** The sidecars read ConfigMaps of monitoring only: never Secrets, never another namespace. */
    readonly sidecar: {
      readonly dashboards: {
        readonly enabled: true;
        readonly label: string;
        readonly labelValue: string;
        readonly searchNamespace: string;
        readonly resource: "configmap";
      };
      readonly datasources: { readonly resource: "configmap" };
    };
    /** Optional, so a cluster without the Secret yet still converges (sign-in fails until it exists). */
    readonly envFromSecrets: readonly { readonly name: string; readonly optional: true }[];
    readonly "grafana.ini": Record<string, Record<string, string | boolean>>;
    readonly additionalDataSources: readonly {
      name: string;
      type: string;
      uid: string;
      url: string;
      access: "proxy";
    }[];
    readonly priorityClassName: string;
  };
  /** Talos serves etcd, the scheduler and the controller manager on the host only; kube-proxy may be gone. */
  readonly prometheusOperator: {
    readonly priorityClassName: string;
    /** The Jobs that create and patch the admission webhook's certificate. */
    readonly admissionWebhooks: { readonly patch: { readonly priorityClassName: string } };
  };
  readonly "kube-state-metrics": { readonly priorityClassName: string };
  readonly "prometheus-node-exporter": { readonly priorityClassName: string };
  readonly kubeEtcd: { readonly enabled: boolean };
  readonly kubeScheduler: { readonly enabled: boolean };
  readonly kubeControllerManager: { readonly enabled: boolean };
  readonly kubeProxy: { readonly enabled: boolean };
}

function monitoringStorageClass(cluster: Cluster): string {
  // validateCluster guarantees one of the two.
  return cluster.monitoring.storageClass ?? defaultStorageClass(cluster) ?? "";
}

function volumeClaim(storageClassName: string, storage: string): VolumeClaim {
  return {
    volumeClaimTemplate: {
      spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
    },
  };
}

/** The groups that may sign in to Grafana, and the one that becomes Admin; every other one is Viewer. */
export function grafanaGroups(cluster: Cluster): { admin?: string; allowed: string[] } {
  const admin =
    cluster.monitoring.grafanaAdminGroup ??
    cluster.oidc.bindings.find((binding) => binding.clusterRole === "cluster-admin" && !binding.namespace)?.group;
  const allowed = [...new Set([...(admin ? [admin] : []), ...cluster.oidc.bindings.map((binding) => binding.group)])];
  return { ...(admin ? { admin } : {}), allowed };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A model string bound for grafana.ini: one line, or the rest of it would become ini keys. */
function iniSafe(value: string, what: string): string {
  if (CONTROL.test(value)) throw new Error(`${what} ${JSON.stringify(value)} holds a control character`);
  return value;
}

/** A JMESPath quoted identifier (a JSON string): any claim name, dots and colons included. */
export const jmespathIdentifier = (name: string) => JSON.stringify(iniSafe(name, "OIDC claim"));

/** A JMESPath raw string literal: `'` and `\` escaped, so a group name cannot end the literal. */
export const jmespathLiteral = (value: string) =>
  `'${iniSafe(value, "OIDC group").replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** Grafana's role from the groups claim; '' (no role) for anyone else, which strict mapping refuses. */
export function grafanaRolePath(cluster: Cluster): string {
  const { admin, allowed } = grafanaGroups(cluster);
  const claim = jmespathIdentifier(cluster.oidc.groupsClaim);
  const has = (group: string) => `contains(${claim}[*], ${jmespathLiteral(group)})`;
  const viewers = allowed.filter((group) => group !== admin);
  return [
    ...(admin ? [`${has(admin)} && 'Admin'`] : []),
    ...(viewers.length > 0 ? [`(${viewers.map(has).join(" || ")}) && 'Viewer'`] : []),
    "''",
  ].join(" || ");
}

/**
 * Grafana signs users in through the cluster's OIDC provider (Zitadel endpoints). Only the groups the
 * model names may sign in; the admin group is Admin, the others Viewer, and anyone else is refused
 * (role_attribute_strict). Zitadel emits a `groups` claim only with the Action in the package README.
 */
function grafanaIni(cluster: Cluster): Record<string, Record<string, string | boolean>> {
  const issuer = cluster.oidc.issuerUrl.replace(/\/$/, "");
  const claim = iniSafe(cluster.oidc.groupsClaim, "OIDC claim");
  if (/\s/.test(claim)) throw new Error(`OIDC claim ${JSON.stringify(claim)} holds whitespace: it would add scopes`);
  return {
    ...(cluster.monitoring.grafanaUrl ? { server: { root_url: cluster.monitoring.grafanaUrl } } : {}),
    "auth.generic_oauth": {
      enabled: true,
      name: "Zitadel",
      client_id: iniSafe(cluster.monitoring.grafanaClientId, "Grafana client id"),
      scopes: `openid profile email ${claim === "groups" ? "" : claim}`.trim(),
      auth_url: `${issuer}/oauth/v2/authorize`,
      token_url: `${issuer}/oauth/v2/token`,
      api_url: `${issuer}/oidc/v1/userinfo`,
      use_pkce: true,
      allow_sign_up: true,
      groups_attribute_path: jmespathIdentifier(claim),
      // A JSON array: Grafana splits a plain value on spaces and commas, which group names may hold.
      allowed_groups: JSON.stringify(grafanaGroups(cluster).allowed.map((group) => iniSafe(group, "OIDC group"))),
      role_attribute_path: grafanaRolePath(cluster),
      role_attribute_strict: true,
    },
  };
}

export function kubePrometheusStackValues(cluster: Cluster): KubePrometheusStackValues {
  const storageClass = monitoringStorageClass(cluster);
  return {
    prometheus: {
      prometheusSpec: {
        retention: cluster.monitoring.retention,
        priorityClassName: PLATFORM_PRIORITY_CLASS,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        storageSpec: volumeClaim(storageClass, cluster.monitoring.prometheusStorage),
        resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        priorityClassName: PLATFORM_PRIORITY_CLASS,
        storage: volumeClaim(storageClass, cluster.monitoring.alertmanagerStorage),
      },
    },
    grafana: {
      rbac: { namespaced: true },
      sidecar: {
        dashboards: {
          enabled: true,
          label: DASHBOARD_LABEL,
          labelValue: "1",
          searchNamespace: MONITORING_NAMESPACE,
          resource: "configmap",
        },
        datasources: { resource: "configmap" },
      },
      envFromSecrets: [{ name: cluster.monitoring.grafanaClientSecret, optional: true }],
      "grafana.ini": grafanaIni(cluster),
      additionalDataSources: [{ name: "Loki", type: "loki", uid: "loki", url: LOKI_URL, access: "proxy" }],
      priorityClassName: PLATFORM_PRIORITY_CLASS,
    },
    prometheusOperator: {
      priorityClassName: PLATFORM_PRIORITY_CLASS,
      admissionWebhooks: { patch: { priorityClassName: PLATFORM_PRIORITY_CLASS } },
    },
    "kube-state-metrics": { priorityClassName: PLATFORM_PRIORITY_CLASS },
    "prometheus-node-exporter": { priorityClassName: PLATFORM_PRIORITY_CLASS },
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeProxy: { enabled: !cluster.cilium.kubeProxyReplacement },
  };
}

const DASHBOARD_LABEL = "grafana_dashboard";

/** The Role the Grafana chart renders with rbac.namespaced (its name: `<release>-grafana`). */
export const GRAFANA_ROLE = "kube-prometheus-stack-grafana";

/**
 * The Grafana chart's Role grants configmaps and secrets whenever a sidecar is on (templates/role.yaml
 * in 12.11.1); its sidecars read ConfigMaps only, so the rendered Role keeps ConfigMaps only.
 */
export function grafanaRolePatch(): RenderedPatch {
  return {
    patch: JSON.stringify([
      {
        op: "replace",
        path: "/rules",
        value: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      },
    ]),
    target: { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", name: GRAFANA_ROLE },
  };
}

export class KubePrometheusStackChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    addHelmRelease(this, {
      name: "kube-prometheus-stack",
      namespace: MONITORING_NAMESPACE,
      chart: CHARTS.kubePrometheusStack,
      values: kubePrometheusStackValues(cluster),
      timeout: "15m",
      patches: [grafanaRolePatch()],
    });
  }
}

/** PodMonitors: Cilium's agents, operator and Hubble, and the Flux controllers, none of which have metrics Services by default. */
export class PlatformMonitorsChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    const monitor = (name: string, namespace: string, matchLabels: Record<string, string>, port: string) =>
      new PodMonitor(this, name, {
        metadata: { name, namespace: MONITORING_NAMESPACE, labels: { ...MANAGED_BY } },
        spec: {
          namespaceSelector: { matchNames: [namespace] },
          selector: { matchLabels },
          podMetricsEndpoints: [{ port, interval: "30s" }],
        },
      });
    monitor("cilium-agent", "kube-system", { "k8s-app": "cilium" }, "prometheus");
    monitor("cilium-operator", "kube-system", { "io.cilium/app": "operator" }, "prometheus");
    if (cluster.cilium.hubble) monitor("hubble", "kube-system", { "k8s-app": "cilium" }, "hubble-metrics");
    monitor("flux-controllers", "flux-system", { "app.kubernetes.io/part-of": "flux" }, "http-prom");
    if (cluster.api.provider === "kube-vip")
      monitor("kube-vip", "kube-system", { "app.kubernetes.io/name": "kube-vip" }, "metrics");
  }
}

export class DashboardsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const dashboard of DASHBOARDS) {
      new k8s.KubeConfigMap(this, dashboard.uid, {
        metadata: {
          name: `dashboard-${dashboard.uid}`,
          namespace: MONITORING_NAMESPACE,
          labels: { ...MANAGED_BY, [DASHBOARD_LABEL]: "1" },
        },
        data: { [`${dashboard.uid}.json`]: `${JSON.stringify(renderDashboard(dashboard), null, 2)}\n` },
      });
    }
  }
}

/**
 * The pods kube-prometheus-stack runs with our values, for the namespace's quota. Containers we do not
 * size are budgeted at the namespace's LimitRange defaults, which is what they get.
 */
export function kubePrometheusStackPods(cluster: Cluster): PodBudget[] {
  const values = kubePrometheusStackValues(cluster);
  const unsized = {};
  return [
    { name: "prometheus", count: 1, containers: [values.prometheus.prometheusSpec.resources, unsized] },
    { name: "alertmanager", count: 1, containers: [unsized, unsized] },
    // Grafana and its dashboard and datasource sidecars.
    { name: "grafana", count: 1, containers: [unsized, unsized, unsized] },
    { name: "prometheus-operator", count: 1, containers: [unsized] },
    { name: "kube-state-metrics", count: 1, containers: [unsized] },
    { name: "node-exporter", count: cluster.nodes.length, containers: [unsized] },
  ];
}

/**
 * The API server calls the operator's admission webhook (PrometheusRules) from the control-plane nodes'
 * host network; default-deny would time every such call out, and fail them once the webhook's policy is
 * Fail. Only the operator's pods, only its webhook port (the chart's tls.internalPort).
 */
function withWebhookIngress(namespace: NamespaceInput): NamespaceInput {
  const allow = namespace.allow ?? {};
  const webhook = {
    name: "prometheus-operator-webhook",
    podLabels: { app: "kube-prometheus-stack-operator" },
    ports: [{ port: 10250, protocol: "TCP" as const }],
  };
  return { ...namespace, allow: { ...allow, ingressFromKubeApi: [...(allow.ingressFromKubeApi ?? []), webhook] } };
}

export function monitoringComponent(cluster: Cluster): Component {
  const namespace = platformNamespace("monitoring", {
    pods: kubePrometheusStackPods(cluster),
    volumes: [cluster.monitoring.prometheusStorage, cluster.monitoring.alertmanagerStorage],
  });
  return {
    name: "monitoring",
    namespaces: [withWebhookIngress(namespace)],
    sources: [CHARTS.kubePrometheusStack.source],
    files: [
      {
        path: "infrastructure/kube-prometheus-stack.yaml",
        chart: (app) => new KubePrometheusStackChart(app, "kube-prometheus-stack", cluster),
      },
      { path: "configs/monitors.yaml", chart: (app) => new PlatformMonitorsChart(app, "monitors", cluster) },
      { path: "configs/dashboards.yaml", chart: (app) => new DashboardsChart(app, "dashboards") },
    ],
  };
}

// The dashboards kubeforge ships: the cluster at a glance, Flux reconciliation, Cilium, and logs.
import type { DashboardSpec } from "./dashboard.js";

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: "kubeforge-cluster",
    title: "Cluster overview",
    tags: ["cluster"],
    panels: [
      {
        title: "Node CPU usage",
        type: "timeseries",
        unit: "percentunit",
        queries: [
          { expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', legend: "{{instance}}" },
        ],
      },
      {
        title: "Node memory usage",
        type: "timeseries",
        unit: "percentunit",
        queries: [{ expr: "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", legend: "{{instance}}" }],
      },
      {
        title: "Pods not running",
        type: "stat",
        queries: [{ expr: 'sum(kube_pod_status_phase{phase!~"Running|Succeeded"})' }],
      },
      {
        title: "CPU requests vs quota by namespace",
        type: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: 'sum by (namespace) (kube_resourcequota{type="used",resource="requests.cpu"}) / sum by (namespace) (kube_resourcequota{type="hard",resource="requests.cpu"})',
            legend: "{{namespace}}",
          },
        ],
      },
    ],
  },
  {
    uid: "kubeforge-flux",
    title: "Flux reconciliation",
    tags: ["flux"],
    panels: [
      {
        title: "Reconcile errors by controller",
        type: "timeseries",
        queries: [
          {
            expr: 'sum by (controller) (rate(controller_runtime_reconcile_errors_total{namespace="flux-system"}[5m]))',
            legend: "{{controller}}",
          },
        ],
      },
      {
        title: "Reconcile duration (p95)",
        type: "timeseries",
        unit: "s",
        queries: [
          {
            expr: "histogram_quantile(0.95, sum by (kind, le) (rate(gotk_reconcile_duration_seconds_bucket[5m])))",
            legend: "{{kind}}",
          },
        ],
      },
    ],
  },
  {
    uid: "kubeforge-cilium",
    title: "Cilium",
    tags: ["network"],
    panels: [
      {
        title: "Dropped packets by reason",
        type: "timeseries",
        queries: [{ expr: "sum by (reason) (rate(cilium_drop_count_total[5m]))", legend: "{{reason}}" }],
      },
      {
        title: "Policy verdicts",
        type: "timeseries",
        queries: [{ expr: "sum by (action) (rate(cilium_policy_verdict_total[5m]))", legend: "{{action}}" }],
      },
    ],
  },
  {
    uid: "kubeforge-logs",
    title: "Logs",
    tags: ["logging"],
    panels: [
      {
        title: "Log lines by namespace",
        type: "timeseries",
        datasource: "loki",
        queries: [{ expr: 'sum by (namespace) (count_over_time({namespace=~".+"}[5m]))', legend: "{{namespace}}" }],
      },
      {
        title: "Errors",
        type: "logs",
        datasource: "loki",
        queries: [{ expr: '{namespace=~".+"} |~ "(?i)error"' }],
      },
    ],
  },
];

// Every chart and image the platform renders, pinned. Bump here; the README's component table lists them.

export interface HelmSource {
  /** Name of the HelmRepository in flux-system. */
  readonly name: string;
  readonly url: string;
}

export interface PinnedChart {
  readonly source: HelmSource;
  readonly chart: string;
  readonly version: string;
}

const SOURCES = {
  cilium: { name: "cilium", url: "https://helm.cilium.io/" },
  prometheusCommunity: { name: "prometheus-community", url: "https://prometheus-community.github.io/helm-charts" },
  grafana: { name: "grafana", url: "https://grafana.github.io/helm-charts" },
  // Loki's chart moved to the community repository in March 2026 (chart 12 renamed SingleBinary to Monolithic).
  grafanaCommunity: { name: "grafana-community", url: "https://grafana-community.github.io/helm-charts" },
  cubefs: { name: "cubefs", url: "https://cubefs.github.io/cubefs-helm" },
} as const satisfies Record<string, HelmSource>;

export const CHARTS = {
  cilium: { source: SOURCES.cilium, chart: "cilium", version: "1.19.5" },
  kubePrometheusStack: { source: SOURCES.prometheusCommunity, chart: "kube-prometheus-stack", version: "88.5.2" },
  // 12.0.1 was never released; 12.0.0 is the chart whose values kubeforge's are checked against.
  loki: { source: SOURCES.grafanaCommunity, chart: "loki", version: "12.0.0" },
  alloy: { source: SOURCES.grafana, chart: "alloy", version: "1.11.1" },
  // The only release in CubeFS' chart repository (its index.yaml is served from the cubefs-helm repo).
  cubefs: { source: SOURCES.cubefs, chart: "cubefs", version: "3.2.0" },
} as const satisfies Record<string, PinnedChart>;

export const IMAGES = {
  kubeVip: "ghcr.io/kube-vip/kube-vip:v1.2.2",
} as const;

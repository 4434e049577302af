// A small typed builder for Grafana dashboards (schemaVersion 39): enough for time series and stat
// panels over Prometheus or Loki queries. Panels flow left to right, two per row.

export interface PanelSpec {
  readonly title: string;
  readonly type: "timeseries" | "stat" | "logs";
  readonly queries: readonly { readonly expr: string; readonly legend?: string }[];
  readonly unit?: "percentunit" | "bytes" | "short" | "s" | "reqps";
  readonly datasource?: "prometheus" | "loki";
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly panels: readonly PanelSpec[];
}

const WIDTH = 12;
const HEIGHT = 8;

export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    tags: [...spec.tags, "kubeforge"],
    schemaVersion: 39,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    panels: spec.panels.map((panel, index) => ({
      id: index + 1,
      title: panel.title,
      type: panel.type,
      gridPos: { x: (index % 2) * WIDTH, y: Math.floor(index / 2) * HEIGHT, w: WIDTH, h: HEIGHT },
      datasource: { type: panel.datasource ?? "prometheus", uid: panel.datasource ?? "prometheus" },
      fieldConfig: { defaults: { unit: panel.unit ?? "short" }, overrides: [] },
      targets: panel.queries.map((query, queryIndex) => ({
        refId: String.fromCharCode(65 + queryIndex),
        expr: query.expr,
        ...(query.legend ? { legendFormat: query.legend } : {}),
      })),
    })),
  };
}

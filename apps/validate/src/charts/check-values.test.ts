import { beforeEach, describe, expect, it, vi } from "vitest";
import { sharedChart } from "../../test/charts/shared-charts.js";
import { type ChartFiles, chartFromFiles } from "./chart-files.js";
import { checkValueKeys, checkValues, checkValuesSchema, mergeValues } from "./check-values.js";
import { KEY_SEPARATOR, readTemplates } from "./template-refs.js";

function chart(files: Record<string, string>): ChartFiles {
  return chartFromFiles(new Map(Object.entries(files)));
}

// A fresh chart per use: what check-values caches per chart (template reads, compiled schemas) is then
// computed in every test that relies on it.
const demo = () =>
  chart({
    "Chart.yaml":
      "name: demo\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n  - name: gone\n    version: 1.0.0\n  - name: sub\n    alias: other\n    version: 0.1.0\n",
    "values.yaml": [
      "storage:",
      "  setToDefault: true",
      "  reclaimPolicy: Delete",
      "  otherParameters:",
      "nodeSelector: {}",
      "resources:",
      "  limits:",
      "    cpu: 1",
      "extra: []",
      "documented:",
      "  size: 1Gi",
      "  extra:",
      "# a placeholder for the subchart aliased other",
      "other: {}",
    ].join("\n"),
    "templates/sc.yaml": [
      "{{- if .Values.storage.setToDefault }}default{{ end }}",
      "{{- with .Values.storage.otherParameters }}{{ toYaml . }}{{ end }}",
      "{{ toYaml .Values.resources | nindent 2 }}",
      '{{ index .Values "feature-gates" "alpha" }}',
      "{{ .Values.onlyInTemplates.deep.key }}",
      "{{- toYaml .Values.pod | nindent 8 -}}",
    ].join("\n"),
    "charts/sub/Chart.yaml": "name: sub\nversion: 0.1.0\n",
    "charts/sub/values.yaml": "image:\n  tag: v1\n",
    "charts/sub/templates/d.yaml": "{{ .Values.image.tag }} {{ .Values.priorityClassName }}",
  });

const dotted = (paths: ReadonlySet<string>) => [...paths].map((path) => path.split(KEY_SEPARATOR).join(".")).sort();

describe("readTemplates", () => {
  it("finds exact reads and subtrees copied whole", () => {
    const reads = readTemplates([
      "{{ .Values.a.b }} {{ $.Values.c }} {{- range $k, $v := .Values.d }}{{ end }} {{ toYaml .Values.e.f | nindent 4 }}",
      '{{ index .Values.g "h-i" }}',
    ]);
    expect(dotted(reads.read)).toEqual(["a.b", "c", "d", "e.f", "g", "g.h-i"]);
    expect(dotted(reads.open)).toEqual(["d", "e.f"]);
  });

  it("reads actions over several lines and with runs of spaces", () => {
    const reads = readTemplates(['{{- index\n      .Values.tls\n      "ca-cert"   "pem" -}}', "{{\n  .Values.a.b\n}}"]);
    expect(dotted(reads.read)).toEqual(["a.b", "tls", "tls.ca-cert.pem"]);
  });

  it("a subtree is whole after toYaml, range, with, include, := and =, not after a comparison or a word that only contains one", () => {
    const reads = readTemplates([
      "{{ $x = .Values.assigned }}",
      '{{ if eq .Values.compared "x" }}{{ end }}',
      '{{ .Values.quoted | default "a!=b" }} {{ .Values.lessOrEqual | default "a<=b" }}',
      "{{ .Values.offset }} {{ .Values.settings.mode }} {{ .Values.withdrawn }}",
      "{{- with .Values.tolerations }}{{ toYaml . }}{{ end }}",
    ]);
    expect(dotted(reads.open)).toEqual(["assigned", "tolerations"]);
    expect(dotted(reads.read)).toEqual([
      "assigned",
      "compared",
      "lessOrEqual",
      "offset",
      "quoted",
      "settings.mode",
      "tolerations",
      "withdrawn",
    ]);
  });

  it("keeps a key with a dot that `index` reads as one key", () => {
    const reads = readTemplates([
      '{{- range $k, $v := index .Values "grafana.ini" }}{{ end }}',
      "{{ .Values.grafana.ini }}",
    ]);
    expect([...reads.read].sort()).toEqual([`grafana${KEY_SEPARATOR}ini`, "grafana.ini"]);
    expect([...reads.open]).toEqual(["grafana.ini"]);
  });

  it("reads index paths below a dotted path, and nothing from an empty index key or an action without .Values", () => {
    const reads = readTemplates([
      '{{- index .Values.tls.secrets "ca-cert" "pem" -}}',
      '{{ index .Values "" }} {{ include "chart.fullname" . }} {{ .Release.Name }}',
    ]);
    expect(dotted(reads.read)).toEqual(["tls.secrets", "tls.secrets.ca-cert.pem"]);
    expect([...reads.open]).toEqual([]);
  });
});

describe("checkValueKeys", () => {
  it("accepts defaults, template reads, maps copied whole, empty defaults and global", () => {
    expect(
      checkValueKeys(demo(), {
        global: { anything: 1 },
        storage: { setToDefault: false, otherParameters: { crossZone: "true" } },
        nodeSelector: { role: "storage" },
        resources: { limits: { memory: "1Gi" }, requests: { cpu: "1" } },
        "feature-gates": { alpha: true },
        onlyInTemplates: { deep: { key: 1 } },
        extra: [{ free: "form" }],
        pod: { anything: { below: true } },
        sub: { enabled: true, global: { x: 1 }, image: { tag: "v2" }, priorityClassName: "x" },
        gone: { whatever: true },
      }),
    ).toEqual([]);
  });

  it("names an unknown key and the closest existing one of the same kind", () => {
    expect(checkValueKeys(demo(), { storage: { enabled: false } })).toEqual([
      {
        path: "storage.enabled",
        keys: ["storage", "enabled"],
        message:
          "`storage.enabled` is not a value of chart demo 1.0.0: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "did you mean `storage.setToDefault`? Fix the key in the generator (or remove it)",
      },
    ]);
    expect(checkValueKeys(demo(), { onlyInTemplates: { deep: { kay: 1 } } })[0]?.hint).toContain(
      "`onlyInTemplates.deep.key`",
    );
    // A default no template reads is still a key of the chart, and a suggestion.
    expect(checkValueKeys(demo(), { storage: { reclaimPolicyy: "Retain" } })[0]?.hint).toContain(
      "`storage.reclaimPolicy`",
    );
  });

  it("checks below a map default even when no template reads below it", () => {
    expect(checkValueKeys(demo(), { documented: { size: "2Gi", sise: "3Gi" } })).toEqual([
      expect.objectContaining({ path: "documented.sise", hint: expect.stringContaining("`documented.size`") }),
    ]);
  });

  it("takes any scalar where the chart has a scalar or reads the key whole, and any map where a template reads the key", () => {
    expect(
      checkValueKeys(demo(), {
        storage: { reclaimPolicy: "RetainForeverAndEver", setToDefault: "a long string, not a map" },
        onlyInTemplates: { deep: { key: { a: { map: "the template prints" } } } },
      }),
    ).toEqual([]);
    // A null default no template reads takes anything.
    expect(checkValueKeys(demo(), { documented: { extra: { any: { map: 1 } } } })).toEqual([]);
    // A scalar where the chart has a map has no keys to check (the schema, if any, judges its type).
    expect(checkValueKeys(demo(), { storage: "fast-and-durable", documented: "big" })).toEqual([]);
  });

  it("a key written with dots (as for --set) is one key, which the chart does not read", () => {
    expect(checkValueKeys(demo(), { "storage.setToDefault": false, storage: { "otherParameters.x": 1 } })).toEqual([
      {
        path: "storage.setToDefault",
        keys: ["storage.setToDefault"],
        message:
          "`storage.setToDefault` is not a value of chart demo 1.0.0: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "Helm takes `storage.setToDefault` as one key (only --set splits at dots): write it as nested keys in the generator",
      },
      expect.objectContaining({ keys: ["storage", "otherParameters.x"] }),
    ]);
  });

  it("a subtree copied whole does not open keys that merely start with its name", () => {
    expect(checkValueKeys(demo(), { pod: { free: 1 }, podLabels: { a: "b" } })).toEqual([
      expect.objectContaining({ path: "podLabels" }),
    ]);
  });

  it("checks a subchart's values against the subchart, with the parent's key in the path", () => {
    expect(checkValueKeys(demo(), { sub: { image: { tga: "v2" } } })).toEqual([
      {
        path: "sub.image.tga",
        keys: ["sub", "image", "tga"],
        message:
          "`sub.image.tga` is not a value of subchart sub 0.1.0: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "did you mean `sub.image.tag`? Fix the key in the generator (or remove it)",
      },
    ]);
  });

  it("an aliased subchart under a placeholder of the parent: the subchart's keys", () => {
    expect(checkValueKeys(demo(), { other: { image: { tag: "v3" }, priorityClassName: "high" } })).toEqual([]);
    expect(checkValueKeys(demo(), { other: { image: { tga: "v3" } } })).toEqual([
      expect.objectContaining({ path: "other.image.tga", hint: expect.stringContaining("`other.image.tag`") }),
    ]);
  });

  it("global, a subchart's enabled and a subchart's key mean something only at the top of a chart", () => {
    expect(
      checkValueKeys(demo(), {
        enabled: true,
        storage: { global: {}, gone: {}, sub: { image: { tag: "v2" } } },
        sub: { image: { enabled: true } },
      }).map((issue) => issue.path),
    ).toEqual(["enabled", "storage.global", "storage.gone", "storage.sub", "sub.image.enabled"]);
  });

  it("says to remove a key when its level has no key at all", () => {
    const bare = chart({ "Chart.yaml": "name: bare\nversion: 0.1.0\n" });
    expect(checkValueKeys(bare, { replicas: 2 })).toEqual([
      {
        path: "replicas",
        keys: ["replicas"],
        message:
          "`replicas` is not a value of chart bare 0.1.0: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "remove the key; see the chart's values.yaml for what it takes",
      },
    ]);
  });
});

describe("did you mean: the closest key of the same kind", () => {
  const suggest = () =>
    chart({
      "Chart.yaml": "name: suggest\nversion: 1.0.0\n",
      "values.yaml": [
        "arrays:",
        "  label: x",
        "  labelsMap: {a: b}",
        "  labelsList: []",
        "numbers:",
        "  httpPorts: [80]",
        "  httpPortName: web",
        "nulls:",
        "  timeout: 30",
        "  timeoutsMap: {a: 1}",
        "templateOnly:",
        "  replicas: 1",
        "ties:",
        "  a1: 1",
        "  b1: 1",
        "tiesReversed:",
        "  b1: 1",
        "  a1: 1",
      ].join("\n"),
      "templates/t.yaml": "{{ .Values.templateOnly.priorityClassName }} {{ .Values.arrays.label }}",
    });
  const hint = (values: Record<string, unknown>) => checkValueKeys(suggest(), values).map((issue) => issue.hint);

  it("a list suggests a list, before closer keys of other kinds", () => {
    expect(hint({ arrays: { labels: ["a"] } })).toEqual([expect.stringContaining("`arrays.labelsList`")]);
  });

  it("a number suggests a string (charts quote numbers freely), before a closer list", () => {
    expect(hint({ numbers: { httpPort: 8080 } })).toEqual([expect.stringContaining("`numbers.httpPortName`")]);
  });

  it("null (deleting a default) and keys only templates read go with any kind: the fewest edits win", () => {
    expect(hint({ nulls: { timeoutt: null } })).toEqual([expect.stringContaining("`nulls.timeout`")]);
    expect(hint({ templateOnly: { priorityClassNam: "high" } })).toEqual([
      expect.stringContaining("`templateOnly.priorityClassName`"),
    ]);
  });

  it("ties go to the first name in alphabetical order", () => {
    expect(hint({ ties: { c1: 1 }, tiesReversed: { c1: 1 } })).toEqual([
      expect.stringContaining("`ties.a1`"),
      expect.stringContaining("`tiesReversed.a1`"),
    ]);
  });
});

describe("the real kube-prometheus-stack 88.5.2 and its subcharts", () => {
  // Read when a test of this block runs (not when the file is collected): the chart is large.
  let stack: ChartFiles;
  beforeEach(() => {
    stack = sharedChart("kube-prometheus-stack", "88.5.2");
  });

  it("accepts homelab's values: subchart keys, keys the parent reads under a subchart's key, globals", () => {
    expect(
      checkValues(stack, {
        grafana: {
          enabled: true,
          global: { imageRegistry: "mirror.local" },
          defaultDashboardsEnabled: false,
          forceDeployDatasources: true,
          adminUser: "root",
          envFromSecrets: [{ name: "grafana-oidc", optional: true }],
          "grafana.ini": {
            server: { root_url: "https://grafana.homelab.local" },
            "auth.generic_oauth": { enabled: true, use_pkce: true },
          },
          sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1" } },
          persistence: { enabled: true, size: "1Gi" },
        },
        "kube-state-metrics": { priorityClassName: "kubeforge-platform" },
        "prometheus-node-exporter": { priorityClassName: "kubeforge-platform" },
        kubeProxy: { enabled: false },
        prometheus: { prometheusSpec: { retention: "30d" } },
        // Subcharts the chart does not ship: their values cannot be checked.
        crds: { enabled: true, anything: 1 },
        "prometheus-windows-exporter": { whatever: { below: true } },
      }),
    ).toEqual([]);
  });

  it("a misspelt key the parent reads under a subchart's key: the parent's key is the suggestion", () => {
    expect(checkValueKeys(stack, { grafana: { defaultDashboardEnabled: false } })).toEqual([
      {
        path: "grafana.defaultDashboardEnabled",
        keys: ["grafana", "defaultDashboardEnabled"],
        message:
          "`grafana.defaultDashboardEnabled` is not a value of chart kube-prometheus-stack 88.5.2 nor of its subchart grafana 12.11.1: not in their defaults and read by none of their templates, so Helm ignores it",
        hint: "did you mean `grafana.defaultDashboardsEnabled`? Fix the key in the generator (or remove it)",
      },
    ]);
  });

  it("a misspelt key of a subchart only: named with its full path", () => {
    expect(checkValueKeys(stack, { grafana: { persistence: { enabled: true, sizee: "1Gi" } } })).toEqual([
      {
        path: "grafana.persistence.sizee",
        keys: ["grafana", "persistence", "sizee"],
        message:
          "`grafana.persistence.sizee` is not a value of subchart grafana 12.11.1: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "did you mean `grafana.persistence.size`? Fix the key in the generator (or remove it)",
      },
    ]);
    expect(checkValueKeys(stack, { grafana: { sidecar: { dashboards: { lable: "x" } } } })).toEqual([
      expect.objectContaining({
        path: "grafana.sidecar.dashboards.lable",
        hint: expect.stringContaining("`grafana.sidecar.dashboards.label`"),
      }),
    ]);
  });

  it("a key only the subchart's templates read (no default) is suggested for a value of any kind", () => {
    expect(checkValueKeys(stack, { "kube-state-metrics": { priorityClassNam: "kubeforge-platform" } })).toEqual([
      expect.objectContaining({
        path: "kube-state-metrics.priorityClassNam",
        hint: "did you mean `kube-state-metrics.priorityClassName`? Fix the key in the generator (or remove it)",
      }),
    ]);
  });

  it("reports each unknown key once, in the order of the values", () => {
    expect(
      checkValueKeys(stack, {
        grafanna: { enabled: true },
        grafana: { defaultDashboardsEnabled: true, bogusKey: 1 },
        kubeProxi: { enabled: false },
      }).map((issue) => [issue.path, issue.hint.split("?")[0]]),
    ).toEqual([
      ["grafanna", "did you mean `grafana`"],
      ["grafana.bogusKey", expect.stringMatching(/^did you mean `grafana\./)],
      ["kubeProxi", "did you mean `kubeProxy`"],
    ]);
  });
});

describe("the values schema", () => {
  const withSchema = () =>
    chart({
      "Chart.yaml": "name: s\nversion: 1.0.0\n",
      "values.yaml": "replicas: 1\nmode: a\n",
      "values.schema.json": JSON.stringify({
        $schema: "https://json-schema.org/draft-07/schema",
        type: "object",
        properties: { replicas: { type: "integer" }, mode: { enum: ["a", "b"] } },
      }),
    });
  const schemaChart = (schema: unknown, values = "") =>
    chart({
      "Chart.yaml": "name: s\nversion: 1.0.0\n",
      "values.yaml": values,
      "values.schema.json": JSON.stringify(schema),
    });

  it("validates the merged values as Helm does", () => {
    expect(checkValuesSchema(withSchema(), { replicas: 2 })).toEqual([]);
    expect(checkValuesSchema(withSchema(), { replicas: "two" })).toEqual([
      {
        path: "replicas",
        keys: ["replicas"],
        message: "`replicas` must be integer (values.schema.json of chart s 1.0.0)",
        hint: "change the value in the generator to what the chart's schema allows",
      },
    ]);
    expect(checkValues(withSchema(), { mode: "c" }).map((issue) => issue.path)).toEqual(["mode"]);
  });

  it("merges over defaults, null deleting a default", () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: 1 }, { a: { b: 3 }, d: null })).toEqual({ a: { b: 3, c: 2 } });
  });

  it("merges a scalar or a list over a map (and a map over a scalar) by replacing it", () => {
    expect(mergeValues({ a: { b: 1 }, l: [1, 2] }, { a: "off", l: [3] })).toEqual({ a: "off", l: [3] });
    expect(mergeValues({ a: "off" }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(mergeValues({ a: { b: 1 } }, undefined)).toEqual({ a: { b: 1 } });
  });

  it("the real cilium 1.19.5 schema: every violation, with nested paths; homelab's values pass", () => {
    const cilium = sharedChart("cilium", "1.19.5");
    expect(
      checkValues(cilium, {
        kubeProxyReplacement: true,
        k8sServiceHost: "localhost",
        k8sServicePort: 7445,
        ipam: { mode: "kubernetes" },
        hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
        operator: { replicas: 2, prometheus: { enabled: true } },
      }),
    ).toEqual([]);
    expect(checkValues(cilium, { operator: { replicas: "two" }, hubble: { relay: { enabled: "yes" } } })).toEqual([
      expect.objectContaining({
        path: "hubble.relay.enabled",
        message: expect.stringMatching(/^`hubble\.relay\.enabled` must be boolean/),
      }),
      expect.objectContaining({
        path: "operator.replicas",
        message: expect.stringMatching(/^`operator\.replicas` must be integer/),
      }),
    ]);
  });

  it("the real loki 12.0.0 schema, whose $schema URL ajv does not know, is used", () => {
    const loki = sharedChart("loki", "12.0.0");
    expect(checkValuesSchema(loki, { deploymentMode: "Nope" })).toEqual([
      expect.objectContaining({
        path: "deploymentMode",
        message:
          "`deploymentMode` must be equal to one of the allowed values (values.schema.json of chart loki 12.0.0)",
      }),
    ]);
  });

  it("names keys that hold a dot or a slash as they are (a JSON pointer decoded)", () => {
    const schema = {
      type: "object",
      properties: {
        "grafana.ini": { type: "object", properties: { server: { type: "object" } } },
        nodeSelector: { type: "object", additionalProperties: { type: "string" } },
      },
    };
    expect(
      checkValuesSchema(schemaChart(schema), {
        "grafana.ini": { server: "x" },
        nodeSelector: { "component.cubefs.io/csi": 1, "a~b": 2 },
      }).map((issue) => issue.keys),
    ).toEqual([
      ["grafana.ini", "server"],
      ["nodeSelector", "component.cubefs.io/csi"],
      ["nodeSelector", "a~b"],
    ]);
  });

  it("reports at most 10 violations", () => {
    const properties = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`p${index}`, { type: "integer" }]));
    const values = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`p${index}`, "x"]));
    const issues = checkValuesSchema(schemaChart({ type: "object", properties }), values);
    expect(issues.map((issue) => issue.path)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"]);
  });

  it("a violation of the whole values is named (values)", () => {
    expect(checkValuesSchema(schemaChart({ type: "object", required: ["mode"] }), {})).toEqual([
      expect.objectContaining({
        path: "",
        message: "`(values)` must have required property 'mode' (values.schema.json of chart s 1.0.0)",
      }),
    ]);
  });

  it("keywords and formats ajv does not know, and slips in the schema's own metadata, do not stop the check (nor print)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const schema = {
      type: "object",
      description: 5,
      "x-kubernetes-preserve-unknown-fields": true,
      properties: { cidr: { type: "string", format: "cidr" }, n: { type: "integer" } },
    };
    expect(checkValuesSchema(schemaChart(schema), { cidr: "10.0.0.0/8", n: "x" }).map((issue) => issue.path)).toEqual([
      "n",
    ]);
    expect([...warn.mock.calls, ...log.mock.calls]).toEqual([]);
    warn.mockRestore();
    log.mockRestore();
  });

  it("a schema ajv cannot compile, or none, leaves the keys check alone", () => {
    const broken = schemaChart({ type: "object", properties: { n: { type: "nosuchtype" } } }, "n: 1\n");
    expect(checkValues(broken, { n: "x" })).toEqual([]);
    expect(checkValues(broken, { n: "x" })).toEqual([]);
    expect(checkValues(broken, { m: 1 }).map((issue) => issue.path)).toEqual(["m"]);
    expect(checkValues(demo(), { storage: { setToDefault: "yes" } })).toEqual([]);
    expect(checkValuesSchema(schemaChart(true), { n: "x" })).toEqual([]);
  });
});

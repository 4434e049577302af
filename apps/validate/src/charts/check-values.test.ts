import { describe, expect, it } from "vitest";
import { type ChartFiles, chartFromFiles } from "./chart-files.js";
import { checkValueKeys, checkValues, checkValuesSchema, mergeValues } from "./check-values.js";
import { readTemplates } from "./template-refs.js";

function chart(files: Record<string, string>): ChartFiles {
  return chartFromFiles(new Map(Object.entries(files)));
}

const demo = chart({
  "Chart.yaml":
    "name: demo\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n  - name: gone\n    version: 1.0.0\n",
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
  ].join("\n"),
  "templates/sc.yaml": [
    "{{- if .Values.storage.setToDefault }}default{{ end }}",
    "{{- with .Values.storage.otherParameters }}{{ toYaml . }}{{ end }}",
    "{{ toYaml .Values.resources | nindent 2 }}",
    '{{ index .Values "feature-gates" "alpha" }}',
    "{{ .Values.onlyInTemplates.deep.key }}",
  ].join("\n"),
  "charts/sub/Chart.yaml": "name: sub\nversion: 0.1.0\n",
  "charts/sub/values.yaml": "image:\n  tag: v1\n",
  "charts/sub/templates/d.yaml": "{{ .Values.image.tag }} {{ .Values.priorityClassName }}",
});

describe("readTemplates", () => {
  it("finds exact reads and subtrees copied whole", () => {
    const reads = readTemplates([
      "{{ .Values.a.b }} {{ $.Values.c }} {{- range $k, $v := .Values.d }}{{ end }} {{ toYaml .Values.e.f | nindent 4 }}",
      '{{ index .Values.g "h-i" }}',
    ]);
    expect([...reads.read].sort()).toEqual(["a.b", "c", "d", "e.f", "g", "g.h-i"]);
    expect([...reads.open].sort()).toEqual(["d", "e.f"]);
  });
});

describe("checkValueKeys", () => {
  it("accepts defaults, template reads, maps copied whole, empty defaults and global", () => {
    expect(
      checkValueKeys(demo, {
        global: { anything: 1 },
        storage: { setToDefault: false, otherParameters: { crossZone: "true" } },
        nodeSelector: { role: "storage" },
        resources: { limits: { memory: "1Gi" }, requests: { cpu: "1" } },
        "feature-gates": { alpha: true },
        onlyInTemplates: { deep: { key: 1 } },
        extra: [{ free: "form" }],
        sub: { enabled: true, image: { tag: "v2" }, priorityClassName: "x" },
        gone: { whatever: true },
      }),
    ).toEqual([]);
  });

  it("names an unknown key and the closest existing one of the same kind", () => {
    expect(checkValueKeys(demo, { storage: { enabled: false } })).toEqual([
      {
        path: "storage.enabled",
        message: expect.stringContaining("`storage.enabled` is not a value of chart demo 1.0.0"),
        hint: "did you mean `storage.setToDefault`? Fix the key in the generator (or remove it)",
      },
    ]);
    expect(checkValueKeys(demo, { onlyInTemplates: { deep: { kay: 1 } } })[0]?.hint).toContain(
      "`onlyInTemplates.deep.key`",
    );
  });

  it("checks a subchart's values against the subchart, with the parent's key in the path", () => {
    expect(checkValueKeys(demo, { sub: { image: { tga: "v2" } } })).toEqual([
      expect.objectContaining({ path: "sub.image.tga", hint: expect.stringContaining("`sub.image.tag`") }),
    ]);
  });
});

describe("the values schema", () => {
  const withSchema = chart({
    "Chart.yaml": "name: s\nversion: 1.0.0\n",
    "values.yaml": "replicas: 1\nmode: a\n",
    "values.schema.json": JSON.stringify({
      $schema: "https://json-schema.org/draft-07/schema",
      type: "object",
      properties: { replicas: { type: "integer" }, mode: { enum: ["a", "b"] } },
    }),
  });

  it("validates the merged values as Helm does", () => {
    expect(checkValuesSchema(withSchema, { replicas: 2 })).toEqual([]);
    expect(checkValuesSchema(withSchema, { replicas: "two" })).toEqual([
      expect.objectContaining({ path: "replicas", message: expect.stringContaining("must be integer") }),
    ]);
    expect(checkValues(withSchema, { mode: "c" }).map((issue) => issue.path)).toEqual(["mode"]);
  });

  it("merges over defaults, null deleting a default", () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: 1 }, { a: { b: 3 }, d: null })).toEqual({ a: { b: 3, c: 2 } });
  });
});

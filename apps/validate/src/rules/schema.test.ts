import { describe, expect, it } from "vitest";
import {
  bundledCrdValidators,
  readBundledCrdSchemas,
  readKubernetesSchemas,
  readKubernetesValidators,
} from "../schemas/schema-files.js";
import { SchemaRegistry } from "../schemas/schema-registry.js";
import { parseManifestText } from "../tree/load-documents.js";
import type { RuleContext } from "./rule.js";
import { checkDocumentSchema } from "./schema.js";

async function check(text: string, { compileCrds = false } = {}) {
  const crds = await readBundledCrdSchemas();
  const precompiled = await readKubernetesValidators();
  const schemas = new SchemaRegistry({
    kubernetes: await readKubernetesSchemas(),
    crds,
    precompiled,
    ...(compileCrds ? {} : { precompiledCrds: bundledCrdValidators(precompiled, crds) }),
  });
  const context = { schemas } as unknown as RuleContext;
  const { documents } = parseManifestText(text, { file: "x.yaml", absolutePath: "/x.yaml" });
  return documents.flatMap((document) => checkDocumentSchema(document, context)).map((f) => `${f.path}: ${f.message}`);
}

describe("schema rule", () => {
  it("accepts Flux postBuild variables where a number is expected", async () => {
    const variable = ["$", "{PORT:=80}"].join(""); // a literal Flux variable, not a template placeholder
    const text = `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: ${variable}\n      protocol: TCP\n`;
    expect(await check(text)).toEqual([]);
    expect(await check(text.replace(variable, "eighty"))).toEqual(["spec.ports[0].port: must be integer"]);
  });

  it("names a wrong apiVersion of a known kind", async () => {
    expect(await check("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d}\n")).toEqual([
      "apiVersion: Deployment is not served as apps/v1beta1",
    ]);
  });

  it("accepts quantities written as numbers and checks label values are strings", async () => {
    const text =
      "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  labels: {tier: 1}\nspec:\n  hard: {pods: 10, requests.cpu: 2}\n";
    expect(await check(text)).toEqual(["metadata.labels.tier: must be string"]);
  });

  it("validates Flux objects against the bundled CRDs, strictly", async () => {
    const text =
      "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: g}\nspec:\n  interval: 1m\n  url: ssh://x\n  ref: {branch: main, brnch: x}\n";
    expect(await check(text)).toEqual(['spec.ref.brnch: unknown field "brnch"']);
    // The precompiled validator and one compiled at run time from the same CRD agree.
    expect(await check(text, { compileCrds: true })).toEqual(['spec.ref.brnch: unknown field "brnch"']);
  });

  it("reports required fields: a Deployment without selector (or template) fails", async () => {
    const template =
      "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - {name: web, image: nginx:1.27.3}\n";
    const selector = "  selector: {matchLabels: {app: web}}\n";
    const head = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n";
    expect(await check(head + selector + template)).toEqual([]);
    expect(await check(head + template)).toEqual(['spec: missing required field "selector"']);
    expect(await check(head + selector)).toEqual(['spec: missing required field "template"']);
    expect(await check(head + selector + template.replace("name: web, ", ""))).toEqual([
      'spec.template.spec.containers[0]: missing required field "name"',
    ]);
  });

  it("reports required fields of custom resources too", async () => {
    const text =
      "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: g}\nspec:\n  interval: 1m\n";
    expect(await check(text)).toEqual(['spec: missing required field "url"']);
    expect(await check(text, { compileCrds: true })).toEqual(['spec: missing required field "url"']);
  });

  it("does not stop on a Go-only regular expression in a bundled CRD (PrometheusRule)", async () => {
    const text =
      "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: A\n          expr: up == 0\n";
    expect(await check(text)).toEqual([]);
    expect(await check(text, { compileCrds: true })).toEqual([]);
  });
});

/** A registry of the bundled schemas plus a Widget CRD whose fields carry each kind of constraint. */
async function widgetErrors(spec: string): Promise<string[]> {
  const crds = await readBundledCrdSchemas();
  const precompiled = await readKubernetesValidators();
  const schemas = new SchemaRegistry({ kubernetes: await readKubernetesSchemas(), crds, precompiled });
  const string = { type: "string" };
  schemas.addCrd({
    apiVersion: "example.com/v1",
    kind: "Widget",
    schema: {
      type: "object",
      properties: {
        apiVersion: string,
        kind: string,
        metadata: { type: "object" },
        spec: {
          type: "object",
          properties: {
            url: { type: "string", format: "uri" },
            name: { type: "string", pattern: "^[a-z]+$" },
            level: { type: "string", enum: ["low", "high"] },
            short: { type: "string", maxLength: 3 },
            size: { type: "integer", minimum: 1, maximum: 10 },
            items: { type: "array", items: { type: "object", properties: { port: { type: "integer" } } } },
            labels: { type: "object", additionalProperties: { type: "string" } },
            required: { type: "object", required: ["a"], properties: { a: string } },
            either: { anyOf: [{ type: "integer" }, { type: "boolean" }] },
            twice: { oneOf: [{ type: "integer" }, { type: "integer", minimum: 0 }] },
            // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
            when: { type: "object", if: { required: ["a"] }, then: { required: ["b"] } },
          },
          additionalProperties: false,
        },
      },
    },
  });
  const context = { schemas } as unknown as RuleContext;
  const text = `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: ${spec}\n`;
  const { documents } = parseManifestText(text, { file: "w.yaml", absolutePath: "/w.yaml" });
  return documents
    .flatMap((document) => checkDocumentSchema(document, context))
    .map((f) => `${f.path}: ${f.message} (${f.hint})`);
}

describe("schema rule: messages and Flux variables", () => {
  const flux = (name: string, fallback?: string) =>
    ["$", `{${name}${fallback === undefined ? "" : `:=${fallback}`}}`].join("");

  it.each([
    ["url: 'not a uri'", ['spec.url: must match format "uri" (fix the value so it matches the schema)']],
    ["name: Web", ['spec.name: must match pattern "^[a-z]+$" (fix the value so it matches the schema)']],
    [
      "level: mid",
      [
        'spec.level: "mid" is not allowed: must be one of "low", "high" (use one of the allowed values; the API server rejects any other)',
      ],
    ],
    [
      "level: High",
      [
        'spec.level: "High" is not allowed: must be one of "low", "high" (write "high" (values are case-sensitive; the API server rejects "High"))',
      ],
    ],
    ["size: 0", ["spec.size: must be >= 1 (fix the value so it matches the schema)"]],
    ["size: 11", ["spec.size: must be <= 10 (fix the value so it matches the schema)"]],
    ["size: many", ["spec.size: must be integer (write a integer here)"]],
    ["short: abcd", ["spec.short: must NOT have more than 3 characters (fix the value so it matches the schema)"]],
    ["items: [{port: 1}, {port: x}]", ["spec.items[1].port: must be integer (write a integer here)"]],
    ["required: {}", ['spec.required: missing required field "a" (add the field)']],
    [
      "{sise: 1}",
      [
        'spec.sise: unknown field "sise" (remove it or fix its spelling/indentation; the API server would reject or drop it)',
      ],
    ],
  ])("%s is reported with its fix", async (spec, expected) => {
    const body = spec.startsWith("{") ? spec : `{${spec}}`;
    expect(await widgetErrors(body)).toEqual(expected);
  });

  it("the alternatives of anyOf, oneOf and if/then are reported, not the combinator, each message once", async () => {
    expect(await widgetErrors("{either: x, twice: y, when: {a: 1}}")).toEqual([
      "spec.either: must be integer (write a integer here)",
      "spec.either: must be boolean (write a boolean here)",
      "spec.twice: must be integer (write a integer here)",
      'spec.when: missing required field "b" (add the field)',
    ]);
  });

  it("a Flux variable passes where a format, pattern, enum, length or number is expected", async () => {
    const spec = `{url: "${flux("URL")}", name: "${flux("NAME", "web")}", level: "${flux("LEVEL")}", short: "${flux("SHORT")}", size: "${flux("SIZE", "3")}", items: [{port: "${flux("PORT")}"}]}`;
    expect(await widgetErrors(spec)).toEqual([]);
  });

  it("a Flux variable may stand for an object, but does not excuse a missing field; only a whole variable counts", async () => {
    expect(await widgetErrors(`{required: "${flux("X")}"}`)).toEqual([]);
    expect(await widgetErrors(`{required: {b: "${flux("X")}"}}`)).toEqual([
      'spec.required: missing required field "a" (add the field)',
    ]);
    expect(await widgetErrors(`{size: ["${flux("SIZE")}"]}`)).toEqual([
      "spec.size: must be integer (write a integer here)",
    ]);
    expect(await widgetErrors(`{size: "$SIZE"}`)).toEqual(["spec.size: must be integer (write a integer here)"]);
    expect(await widgetErrors(`{size: "${flux("1SIZE")}"}`)).toEqual([
      "spec.size: must be integer (write a integer here)",
    ]);
  });

  it("an unknown top-level field is located at its own line", async () => {
    const registry = new SchemaRegistry({
      kubernetes: await readKubernetesSchemas(),
      crds: [],
      precompiled: await readKubernetesValidators(),
    });
    const { documents } = parseManifestText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndatta: {}\n", {
      file: "x.yaml",
      absolutePath: "/x.yaml",
    });
    const findings = documents.flatMap((document) =>
      checkDocumentSchema(document, { schemas: registry } as unknown as RuleContext),
    );
    expect(findings).toMatchObject([{ path: "datta", line: 4, message: 'unknown field "datta"' }]);
  });

  it("keys with / and ~ are named as written", async () => {
    expect(await widgetErrors("{labels: {example.com/tier: 1, a~b: 2}}")).toEqual([
      "spec.labels.example.com/tier: must be string (write a string here)",
      "spec.labels.a~b: must be string (write a string here)",
    ]);
  });

  it("a list index is written [i]; a mapping key of digits is a key", async () => {
    const items = Array.from({ length: 11 }, () => "{port: 1}").join(", ");
    expect(await widgetErrors(`{items: [${items}, {port: x}], labels: {'10': 3, 1a: 4}}`)).toEqual([
      "spec.items[11].port: must be integer (write a integer here)",
      "spec.labels.10: must be string (write a string here)",
      "spec.labels.1a: must be string (write a string here)",
    ]);
  });
});

describe("schema rule: not a Kubernetes object", () => {
  it.each([
    ["apiVersion: ''\nkind: ConfigMap\n", "apiVersion"],
    ["apiVersion: 1\nkind: ConfigMap\n", "apiVersion"],
    ["apiVersion: v1\nkind: ''\n", "kind"],
    ["apiVersion: v1\nkind: [ConfigMap]\n", "kind"],
  ])("%j is reported at %s", async (text, at) => {
    expect(await check(text)).toEqual([`${at}: is not a Kubernetes object: apiVersion and kind are required`]);
  });

  it("says how to fix it, and an unknown kind is a warning that names the fix", async () => {
    const context = {
      schemas: new SchemaRegistry({ kubernetes: await readKubernetesSchemas(), crds: [] }),
    } as unknown as RuleContext;
    const documentsOf = (text: string) =>
      parseManifestText(text, { file: "x.yaml", absolutePath: "/x.yaml" }).documents;
    const [bare] = documentsOf("metadata: {name: x}\n").flatMap((document) => checkDocumentSchema(document, context));
    expect(bare).toMatchObject({
      rule: "schema",
      severity: "error",
      hint: "add apiVersion and kind, or move non-manifest YAML out of the Flux tree",
    });
    const [unknown] = documentsOf("apiVersion: example.com/v1\nkind: Widget\n").flatMap((document) =>
      checkDocumentSchema(document, context),
    );
    expect(unknown).toMatchObject({
      rule: "unknown-kind",
      severity: "warning",
      path: "kind",
      hint: "add its CustomResourceDefinition to the tree or list the CRD file under `crds` in validate.yaml",
    });
  });

  it("a kind served under several versions names them all", async () => {
    const context = {
      schemas: new SchemaRegistry({ kubernetes: await readKubernetesSchemas(), crds: [] }),
    } as unknown as RuleContext;
    const { documents } = parseManifestText("apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\n", {
      file: "x.yaml",
      absolutePath: "/x.yaml",
    });
    expect(documents.flatMap((document) => checkDocumentSchema(document, context))).toMatchObject([
      {
        rule: "schema",
        severity: "error",
        path: "apiVersion",
        message: "HorizontalPodAutoscaler is not served as autoscaling/v2beta1",
        hint: "use autoscaling/v1 or autoscaling/v2",
      },
    ]);
  });
});

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

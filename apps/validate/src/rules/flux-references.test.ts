// Flux references resolve like Flux resolves them: by kind, by name, and in the referring object's namespace
// unless the reference names one. Only Flux's own kinds (by API group) are appliers or targets.
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../tree/load-documents.js";
import { fluxObjects, isFluxKustomization, isFluxSource, isHelmRelease } from "./flux-objects.js";
import { fluxReferencesRule } from "./flux-references.js";
import type { RuleContext } from "./rule.js";

const documentsOf = (text: string) => parseManifestText(text, { file: "t.yaml", absolutePath: "/t.yaml" }).documents;

/** `path: message` of every finding on the YAML stream. */
async function references(text: string): Promise<string[]> {
  const context = { documents: documentsOf(text), files: [] } as unknown as RuleContext;
  return (await fluxReferencesRule.check(context)).map((finding) => `${finding.path}: ${finding.message}`);
}

const KS = "kustomize.toolkit.fluxcd.io/v1";
const HR = "helm.toolkit.fluxcd.io/v2";
const SRC = "source.toolkit.fluxcd.io/v1";

/** A Flux object; `namespace` "" leaves metadata.namespace out. */
function object(apiVersion: string, kind: string, name: string, namespace: string, spec = "{}"): string {
  const ns = namespace ? `, namespace: ${namespace}` : "";
  return `---\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}${ns}}\nspec: ${spec}\n`;
}
const git = (name: string, namespace = "flux-system") => object(SRC, "GitRepository", name, namespace);
const kustomization = (name: string, spec: string, namespace = "flux-system") =>
  object(KS, "Kustomization", name, namespace, spec);

describe("flux-references: dependsOn", () => {
  it.each([
    ["same namespace, namespace omitted", "{dependsOn: [{name: infra}]}", "flux-system", []],
    ["namespace named explicitly", "{dependsOn: [{name: infra, namespace: flux-system}]}", "apps", []],
    [
      "namespace omitted resolves to the referring object's namespace",
      "{dependsOn: [{name: infra}]}",
      "apps",
      ["spec.dependsOn[0].name: depends on Kustomization apps/infra, which the tree does not declare"],
    ],
    [
      "a wrong explicit namespace",
      "{dependsOn: [{name: infra, namespace: other}]}",
      "flux-system",
      ["spec.dependsOn[0].name: depends on Kustomization other/infra, which the tree does not declare"],
    ],
    [
      "each missing entry is reported at its own index",
      "{dependsOn: [{name: infra}, {name: nope}, {name: gone}]}",
      "flux-system",
      [
        "spec.dependsOn[1].name: depends on Kustomization flux-system/nope, which the tree does not declare",
        "spec.dependsOn[2].name: depends on Kustomization flux-system/gone, which the tree does not declare",
      ],
    ],
    ["entries without a string name are not references", "{dependsOn: [infra, {name: 3}, {}]}", "flux-system", []],
    ["a dependsOn that is not a list is ignored", "{dependsOn: {name: nope}}", "flux-system", []],
  ])("%s", async (_case, spec, namespace, expected) => {
    const text = kustomization("infra", "{}") + kustomization("apps", spec, namespace);
    expect(await references(text)).toEqual(expected);
  });

  it("a HelmRelease depends on HelmReleases: a Kustomization of that name does not satisfy it", async () => {
    const release = object(HR, "HelmRelease", "app", "apps", "{dependsOn: [{name: db}]}");
    expect(await references(release + object(HR, "HelmRelease", "db", "apps"))).toEqual([]);
    expect(await references(release + kustomization("db", "{}", "apps"))).toEqual([
      "spec.dependsOn[0].name: depends on HelmRelease apps/db, which the tree does not declare",
    ]);
  });

  it("an object without a namespace is in Flux's default namespace, and the message says so", async () => {
    const text = kustomization("infra", "{}", "") + kustomization("apps", "{dependsOn: [{name: nope}]}", "");
    expect(await references(text)).toEqual([
      "spec.dependsOn[0].name: depends on Kustomization default/nope, which the tree does not declare",
    ]);
    expect(
      await references(kustomization("infra", "{}", "") + kustomization("apps", "{dependsOn: [{name: infra}]}", "")),
    ).toEqual([]);
  });

  it("namespace default written out is the namespace an object without one is in", async () => {
    const text = kustomization("infra", "{}", "default") + kustomization("apps", "{dependsOn: [{name: infra}]}", "");
    expect(await references(text)).toEqual([]);
    expect(await references(kustomization("apps", "{sourceRef: {kind: GitRepository, name: nope}}", ""))).toEqual([
      "spec.sourceRef: source GitRepository default/nope is not declared in the tree",
    ]);
  });

  it("a plain kustomize Kustomization neither refers nor can be referred to", async () => {
    const plain =
      "---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: infra, namespace: flux-system}\n";
    expect(await references(plain + kustomization("apps", "{dependsOn: [{name: infra}]}"))).toEqual([
      "spec.dependsOn[0].name: depends on Kustomization flux-system/infra, which the tree does not declare",
    ]);
    const plainApplier = plain.replace(
      "metadata: {name: infra, namespace: flux-system}",
      "metadata: {name: x}\nspec: {dependsOn: [{name: nope}]}",
    );
    expect(await references(plainApplier)).toEqual([]);
  });

  it("the finding names the fix", async () => {
    const context = { documents: documentsOf(kustomization("apps", "{dependsOn: [{name: infra}]}")), files: [] };
    const [finding] = await fluxReferencesRule.check(context as unknown as RuleContext);
    expect(finding).toMatchObject({
      rule: "flux-references",
      severity: "error",
      file: "t.yaml",
      line: 5,
      object: "Kustomization flux-system/apps",
      hint: "fix the name, or add that Kustomization; Flux waits for it forever otherwise",
    });
  });
});

describe("flux-references: sources", () => {
  const sourceRef = (ref: string) => `{sourceRef: ${ref}, path: ./x}`;

  it.each([
    ["a declared GitRepository in the same namespace", sourceRef("{kind: GitRepository, name: repo}"), []],
    [
      "a source in another namespace needs its namespace",
      sourceRef("{kind: GitRepository, name: other}"),
      ["spec.sourceRef: source GitRepository flux-system/other is not declared in the tree"],
    ],
    ["the namespace named explicitly", sourceRef("{kind: GitRepository, name: other, namespace: infra}"), []],
    [
      "the kind must match too",
      sourceRef("{kind: OCIRepository, name: repo}"),
      ["spec.sourceRef: source OCIRepository flux-system/repo is not declared in the tree"],
    ],
    ["a sourceRef without kind is not checked", sourceRef("{name: nope}"), []],
    ["a sourceRef without name is not checked", sourceRef("{kind: GitRepository}"), []],
  ])("Kustomization: %s", async (_case, spec, expected) => {
    const text = git("repo") + git("other", "infra") + kustomization("apps", spec);
    expect(await references(text)).toEqual(expected);
  });

  it("a HelmRelease's chart sourceRef and chartRef are both checked, in its own namespace by default", async () => {
    const sources =
      object(SRC, "HelmRepository", "charts", "apps") +
      object(SRC, "OCIRepository", "oci", "apps") +
      object(SRC, "HelmChart", "chart", "flux-system");
    const release = (spec: string) => object(HR, "HelmRelease", "web", "apps", spec);
    expect(
      await references(
        sources + release("{chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}}"),
      ),
    ).toEqual([]);
    expect(await references(sources + release("{chartRef: {kind: OCIRepository, name: oci}}"))).toEqual([]);
    expect(
      await references(sources + release("{chartRef: {kind: HelmChart, name: chart, namespace: flux-system}}")),
    ).toEqual([]);
    expect(
      await references(
        sources +
          release(
            "{chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: nope}}}, chartRef: {kind: HelmChart, name: chart}}",
          ),
      ),
    ).toEqual([
      "spec.chart.spec.sourceRef: source HelmRepository apps/nope is not declared in the tree",
      "spec.chartRef: source HelmChart apps/chart is not declared in the tree",
    ]);
  });

  it("a Kustomization's chartRef and a HelmRelease's sourceRef are not Flux fields, so not checked", async () => {
    expect(await references(kustomization("apps", "{chartRef: {kind: OCIRepository, name: nope}}"))).toEqual([]);
    expect(
      await references(object(HR, "HelmRelease", "web", "apps", "{sourceRef: {kind: GitRepository, name: nope}}")),
    ).toEqual([]);
  });

  it("a HelmRelease whose chart has no spec has no chart source to check", async () => {
    expect(
      await references(
        object(HR, "HelmRelease", "web", "apps", "{chart: {sourceRef: {kind: HelmRepository, name: x}}}"),
      ),
    ).toEqual([]);
  });

  it("the hint says how to fix a missing source", async () => {
    const context = {
      documents: documentsOf(kustomization("apps", sourceRef("{kind: GitRepository, name: g}"))),
      files: [],
    };
    const [finding] = await fluxReferencesRule.check(context as unknown as RuleContext);
    expect(finding?.hint).toBe("add the GitRepository or point sourceRef at an existing source");
  });
});

describe("Flux sources", () => {
  it.each(["GitRepository", "OCIRepository", "Bucket", "HelmRepository", "HelmChart"])(
    "%s of source.toolkit.fluxcd.io is a source; of another group it is not",
    (kind) => {
      const [flux, other] = documentsOf(
        object(SRC, kind, "s", "flux-system") + object("example.com/v1", kind, "s", "flux-system"),
      );
      expect(flux && isFluxSource(flux)).toBe(true);
      expect(other && isFluxSource(other)).toBe(false);
      expect(fluxObjects(documentsOf(object(SRC, kind, "s", "flux-system"))).map((d) => d.object.kind)).toEqual([kind]);
    },
  );

  it.each([
    [KS, "Kustomization", "Kustomization"],
    [HR, "HelmRelease", "HelmRelease"],
    [KS, "HelmRelease", "neither"],
    [HR, "Kustomization", "neither"],
    ["kustomize.config.k8s.io/v1beta1", "Kustomization", "neither"],
  ])("%s %s is a Flux %s: kind and API group both count", (apiVersion, kind, expected) => {
    const [document] = documentsOf(object(apiVersion, kind, "x", "flux-system"));
    if (!document) throw new Error("no document");
    const found = isFluxKustomization(document) ? "Kustomization" : isHelmRelease(document) ? "HelmRelease" : "neither";
    expect(found).toBe(expected);
  });

  it("a Flux object with another kind, or without apiVersion, is not a source", () => {
    const [config, bare] = documentsOf(
      `${object(SRC, "ConfigMap", "s", "x")}---\nkind: GitRepository\nmetadata: {name: g}\n`,
    );
    expect(config && isFluxSource(config)).toBe(false);
    expect(bare && isFluxSource(bare)).toBe(false);
  });
});

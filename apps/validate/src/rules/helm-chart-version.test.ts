import { describe, expect, it } from "vitest";
import { parseManifestText } from "../tree/load-documents.js";
import { checkChartVersion, helmChartVersionRule } from "./helm-chart-version.js";
import type { RuleContext } from "./rule.js";

describe("checkChartVersion", () => {
  it.each(["1.16.5", "v0.93.0", "1.0.0-rc.1", "10.0.10", "2.1.0+build.5"])(
    "accepts the exact version %s",
    (version) => {
      expect(checkChartVersion(version)).toBeUndefined();
    },
  );
  it.each([">=1.16.0", "1.x", "*", "^1.2.3", "~1.2", "1.16", "1.2.3 - 2.0.0", "1.2.3-", "V1.2.3"])(
    "rejects the range %s",
    (version) => {
      expect(checkChartVersion(version)).toMatch(/is a range/);
    },
  );
  it("a list is not a version, even of one exact version", () => {
    expect(checkChartVersion(["1.2.3"])).toMatch(/is a range/);
  });
  it("rejects a missing version", () => {
    expect(checkChartVersion(undefined)).toMatch(/sets no chart version/);
  });
});

const documentsOf = (text: string) => parseManifestText(text, { file: "t.yaml", absolutePath: "/t.yaml" }).documents;

/** `object path: message` of every finding on the YAML stream. */
async function chartFindings(text: string): Promise<string[]> {
  const context = { documents: documentsOf(text), files: [] } as unknown as RuleContext;
  return (await helmChartVersionRule.check(context)).map((f) => `${f.object} ${f.path}: ${f.message}`);
}

const release = (spec: string, apiVersion = "helm.toolkit.fluxcd.io/v2") =>
  `---\napiVersion: ${apiVersion}\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\nspec: ${spec}\n`;
const source = (kind: string, spec: string, namespace = "apps") =>
  `---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata: {name: web, namespace: ${namespace}}\nspec: ${spec}\n`;
const chart = (version: string) =>
  release(`{chart: {spec: {chart: web, ${version} sourceRef: {kind: HelmRepository, name: r}}}}`);

describe("helm-chart-version: spec.chart.spec.version", () => {
  it.each([
    ["an exact version passes", chart("version: 1.16.5,"), []],
    [
      "a range is named, at the version",
      chart("version: '>=1.16.0',"),
      ['HelmRelease apps/web spec.chart.spec.version: chart version ">=1.16.0" is a range, not an exact version'],
    ],
    [
      "no version at all is reported at the chart name",
      chart(""),
      ["HelmRelease apps/web spec.chart.spec.chart: sets no chart version, so Flux installs the newest one"],
    ],
    [
      "an empty version is reported at the version",
      chart("version: '',"),
      ["HelmRelease apps/web spec.chart.spec.version: sets no chart version, so Flux installs the newest one"],
    ],
    [
      "a number is not an exact version",
      chart("version: 1.16,"),
      ['HelmRelease apps/web spec.chart.spec.version: chart version "1.16" is a range, not an exact version'],
    ],
    [
      "a HelmRelease of another API group is not Flux's",
      release("{chart: {spec: {chart: web}}}", "example.com/v1"),
      [],
    ],
  ])("%s", async (_case, text, expected) => {
    expect(await chartFindings(text)).toEqual(expected);
  });

  it("the hint shows an exact version", async () => {
    const [finding] = await helmChartVersionRule.check({ documents: documentsOf(chart("")), files: [] } as never);
    expect(finding).toMatchObject({ rule: "helm-chart-version", severity: "error", line: 5 });
    expect(finding?.hint).toBe("set spec.chart.spec.version to an exact released version, e.g. 1.16.5");
  });
});

describe("helm-chart-version: spec.chartRef", () => {
  const chartRef = (ref = "{kind: OCIRepository, name: web}") => release(`{chartRef: ${ref}}`);
  const oci = (ref: string) => source("OCIRepository", `{url: oci://r/web, ${ref}}`);
  const unpinned = [
    "OCIRepository apps/web spec.ref: OCIRepository used as a chart source is not pinned to a tag or digest",
  ];

  it.each([
    ["an OCIRepository pinned to a tag", oci("ref: {tag: 1.2.3}"), []],
    ["an OCIRepository pinned to a digest", oci(`ref: {digest: "sha256:${"a".repeat(64)}"}`), []],
    ["a digest pins even beside a semver range", oci(`ref: {digest: "sha256:${"a".repeat(64)}", semver: ">=1"}`), []],
    ["an OCIRepository following latest", oci("ref: {tag: latest}"), unpinned],
    ["an OCIRepository with a semver range beside its tag", oci("ref: {tag: 1.2.3, semver: '>=1.0.0'}"), unpinned],
    ["an OCIRepository with only a semver range", oci("ref: {semver: '>=1.0.0'}"), unpinned],
    ["an OCIRepository without ref", oci(""), unpinned],
    ["an OCIRepository with an empty tag (Flux then pulls latest)", oci("ref: {tag: ''}"), unpinned],
    ["an OCIRepository with an empty digest", oci("ref: {digest: ''}"), unpinned],
  ])("%s", async (_case, text, expected) => {
    expect(await chartFindings(chartRef() + text)).toEqual(expected);
  });

  it("a HelmChart source needs an exact spec.version", async () => {
    const ref = chartRef("{kind: HelmChart, name: web}");
    const helmChart = (version: string) =>
      source("HelmChart", `{chart: web, ${version} sourceRef: {kind: HelmRepository, name: r}}`);
    expect(await chartFindings(ref + helmChart("version: 1.2.3,"))).toEqual([]);
    expect(await chartFindings(ref + helmChart("version: '1.x',"))).toEqual([
      'HelmChart apps/web spec.version: chart version "1.x" is a range, not an exact version',
    ]);
    const [finding] = await helmChartVersionRule.check({
      documents: documentsOf(ref + helmChart("")),
      files: [],
    } as never);
    expect(finding).toMatchObject({
      object: "HelmChart apps/web",
      path: "spec.version",
      message: "sets no chart version, so Flux installs the newest one",
      hint: "set spec.version to an exact chart version",
    });
  });

  it("the source is looked up by kind, name and namespace (the release's own by default)", async () => {
    const latest = "ref: {tag: latest}";
    expect(await chartFindings(chartRef() + oci(latest))).toEqual(unpinned);
    expect(await chartFindings(chartRef("{kind: HelmChart, name: web}") + oci(latest))).toEqual([]);
    const elsewhere = source("OCIRepository", `{url: oci://r/web, ${latest}}`, "flux-system");
    expect(await chartFindings(chartRef() + elsewhere)).toEqual([]);
    expect(
      await chartFindings(chartRef("{kind: OCIRepository, name: web, namespace: flux-system}") + elsewhere),
    ).toEqual([
      "OCIRepository flux-system/web spec.ref: OCIRepository used as a chart source is not pinned to a tag or digest",
    ]);
  });

  it("the OCI finding says how to pin", async () => {
    const [finding] = await helmChartVersionRule.check({
      documents: documentsOf(chartRef() + oci("ref: {tag: latest}")),
      files: [],
    } as never);
    expect(finding?.hint).toBe("set spec.ref.tag to an exact version (or spec.ref.digest)");
  });

  it("a HelmRelease with neither chart nor chartRef has no version to check here (the schema rule reports it)", async () => {
    expect(await chartFindings(release("{interval: 1h}"))).toEqual([]);
  });

  it("the findings on sources are this rule's", async () => {
    const helmChart = source("HelmChart", "{chart: web, version: '1.x', sourceRef: {kind: HelmRepository, name: r}}");
    const findings = await helmChartVersionRule.check({
      documents: documentsOf(chartRef("{kind: HelmChart, name: web}") + helmChart + chartRef() + oci("")),
      files: [],
    } as never);
    expect(findings.map((finding) => `${finding.rule} ${finding.severity} ${finding.object}`)).toEqual([
      "helm-chart-version error HelmChart apps/web",
      "helm-chart-version error OCIRepository apps/web",
    ]);
  });

  it("a chart without spec falls back to chartRef", async () => {
    expect(await chartFindings(release("{chart: {}, chartRef: {kind: OCIRepository, name: web}}") + oci(""))).toEqual(
      unpinned,
    );
  });
});

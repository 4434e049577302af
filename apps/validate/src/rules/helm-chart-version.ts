// HelmReleases pin their chart: an exact version (no range, no wildcard), or a pinned OCI/HelmChart source.
import type { Finding } from "../finding.js";
import { objectRef } from "../tree/manifest-document.js";
import { isHelmRelease, keyOf, objectKey, spec } from "./flux-objects.js";
import { documentsOfKind, findingAt, isRecord, type Rule } from "./rule.js";

/** Why a chart version is not pinned, or undefined when it is an exact version. */
export function checkChartVersion(version: unknown): string | undefined {
  if (version === undefined || version === "") return "sets no chart version, so Flux installs the newest one";
  // The pattern is written here, not as a module constant, so that mutation testing exercises it per test.
  if (typeof version !== "string" || !/^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/.test(version))
    return `chart version "${String(version)}" is a range, not an exact version`;
  return undefined;
}

export const helmChartVersionRule: Rule = {
  id: "helm-chart-version",
  description: "HelmReleases pin an exact chart version (or reference a pinned OCIRepository/HelmChart).",
  check({ documents }) {
    const findings: Finding[] = [];
    const sources = new Map(documentsOfKind(documents, "OCIRepository", "HelmChart").map((d) => [keyOf(d), d]));
    for (const release of documents.filter(isHelmRelease)) {
      const body = spec(release);
      const chart = isRecord(body.chart) && isRecord(body.chart.spec) ? body.chart.spec : undefined;
      if (chart) {
        const problem = checkChartVersion(chart.version);
        if (problem) {
          findings.push(
            findingAt(release, {
              rule: "helm-chart-version",
              path: ["spec", "chart", "spec", chart.version === undefined ? "chart" : "version"],
              message: problem,
              hint: "set spec.chart.spec.version to an exact released version, e.g. 1.16.5",
            }),
          );
        }
        continue;
      }
      if (!isRecord(body.chartRef)) continue;
      const ref = body.chartRef;
      const source = sources.get(
        objectKey(
          String(ref.kind),
          typeof ref.namespace === "string" ? ref.namespace : objectRef(release).namespace,
          String(ref.name),
        ),
      );
      if (!source) continue;
      const sourceSpec = spec(source);
      if (source.object.kind === "HelmChart") {
        const problem = checkChartVersion(sourceSpec.version);
        if (problem) {
          findings.push(
            findingAt(source, {
              rule: "helm-chart-version",
              path: ["spec", "version"],
              message: problem,
              hint: "set spec.version to an exact chart version",
            }),
          );
        }
        continue;
      }
      const ociRef = isRecord(sourceSpec.ref) ? sourceSpec.ref : {};
      // An empty tag or digest is unset: Flux then pulls `latest`.
      const pinned =
        (typeof ociRef.digest === "string" && ociRef.digest !== "") ||
        (typeof ociRef.tag === "string" && ociRef.tag !== "" && ociRef.tag !== "latest" && !ociRef.semver);
      if (!pinned) {
        findings.push(
          findingAt(source, {
            rule: "helm-chart-version",
            path: ["spec", "ref"],
            message: "OCIRepository used as a chart source is not pinned to a tag or digest",
            hint: "set spec.ref.tag to an exact version (or spec.ref.digest)",
          }),
        );
      }
    }
    return findings;
  },
};

// The chart check: every HelmRelease's chart and version resolved in its HelmRepository, the archive
// downloaded (or read from the cache) and verified against the index digest, and its values checked
// against the real chart. Problems become findings; nothing here throws for bad input.
import { parse } from "yaml";
import type { Finding } from "../finding.js";
import { isHelmRelease, spec } from "../rules/flux-objects.js";
import { findingAt, isRecord, type Rule } from "../rules/rule.js";
import { type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { type ChartCache, openChartCache, sha256 } from "./chart-cache.js";
import { type ChartFiles, ChartReadError, readChartArchive } from "./chart-files.js";
import { checkValues, mergeValues } from "./check-values.js";
import {
  archiveUrl,
  type FetchOptions,
  fetchBytes,
  fetchIndex,
  nearestBelow,
  newestVersions,
  RepositoryError,
  type RepositoryIndex,
} from "./helm-repository.js";

export const CHART_RULE = "helm-chart";

export interface ChartCheckOptions {
  /** Use the cache only; charts not in it are reported as not checked. @default false */
  readonly offline?: boolean;
  /** @default openChartCache() ($XDG_CACHE_HOME/kubeforge/charts) */
  readonly cache?: ChartCache;
  readonly request?: FetchOptions;
}

/** A HelmRelease with its chart reference resolved to a HelmRepository of the tree. */
export interface ReleaseChart {
  readonly release: ManifestDocument;
  readonly chart: string;
  readonly version: string;
  readonly repository: ManifestDocument;
  readonly url: string;
  readonly oci: boolean;
}

function plainVersion(version: string): string {
  return version.replace(/^v/, "");
}

/** HelmReleases that name a chart and an exact version in a HelmRepository of the tree. */
export function releaseCharts(documents: readonly ManifestDocument[]): ReleaseChart[] {
  // In the function, not a module constant, so that mutation testing reaches it (see template-refs.ts).
  const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;
  const repositories = new Map<string, ManifestDocument>();
  for (const document of documents) {
    if (document.object.kind !== "HelmRepository") continue;
    const ref = objectRef(document);
    repositories.set(`${ref.namespace ?? ""}/${ref.name}`, document);
  }
  const result: ReleaseChart[] = [];
  for (const release of documents.filter(isHelmRelease)) {
    const body = spec(release);
    const chartSpec = isRecord(body.chart) && isRecord(body.chart.spec) ? body.chart.spec : undefined;
    if (!chartSpec || typeof chartSpec.chart !== "string" || typeof chartSpec.version !== "string") continue;
    if (!EXACT_VERSION.test(chartSpec.version)) continue; // helm-chart-version reports ranges
    const sourceRef = isRecord(chartSpec.sourceRef) ? chartSpec.sourceRef : {};
    if (sourceRef.kind !== "HelmRepository") continue;
    const namespace =
      typeof sourceRef.namespace === "string" ? sourceRef.namespace : (objectRef(release).namespace ?? "");
    const repository = repositories.get(`${namespace}/${String(sourceRef.name)}`);
    if (!repository) continue; // flux-references reports a missing source
    const url = String(spec(repository).url ?? "");
    result.push({
      release,
      chart: chartSpec.chart,
      version: chartSpec.version,
      repository,
      url,
      oci: url.startsWith("oci://") || spec(repository).type === "oci",
    });
  }
  return result;
}

type Resolved =
  | { chart: ChartFiles }
  | {
      finding: Omit<Finding, "rule" | "file" | "object" | "line" | "path"> & { at: "version" | "chart" | "repository" };
    };

interface Resolver {
  resolve(target: ReleaseChart): Promise<Resolved>;
}

function createResolver(options: ChartCheckOptions): Resolver {
  const cache = options.cache ?? openChartCache();
  const indexes = new Map<string, Promise<RepositoryIndex | RepositoryError>>();
  const index = (url: string) => {
    let pending = indexes.get(url);
    if (!pending) {
      pending = fetchIndex(url, options.request).catch((error: unknown) =>
        error instanceof RepositoryError ? error : new RepositoryError(String((error as Error)?.message ?? error)),
      );
      indexes.set(url, pending);
    }
    return pending;
  };
  const problem = (
    at: "version" | "chart" | "repository",
    message: string,
    hint: string,
    severity: "error" | "warning" = "error",
  ): Resolved => ({
    finding: { at, severity, message, hint },
  });
  const open = (bytes: Uint8Array, target: ReleaseChart): Resolved => {
    try {
      return { chart: readChartArchive(bytes) };
    } catch (error) {
      if (!(error instanceof ChartReadError)) throw error;
      return problem(
        "version",
        `chart ${target.chart} ${target.version}: ${error.message}`,
        "the repository serves a broken archive: retry later or pin another version",
      );
    }
  };
  return {
    async resolve(target) {
      const name = `${target.chart} ${target.version}`;
      if (target.oci)
        return problem(
          "repository",
          `chart ${name} comes from an OCI registry (${target.url}), which the chart check cannot read yet`,
          "check this chart by hand, or serve it from an HTTP Helm repository",
          "warning",
        );
      const known = cache.readDigest(target.url, target.chart, target.version);
      const cached = known ? cache.readArchive(known) : undefined;
      if (cached) return open(cached, target);
      if (options.offline)
        return problem(
          "version",
          `chart ${name} was not checked: it is not in the chart cache (${cache.dir}) and --offline forbids downloading it`,
          "run once without --offline to fill the cache",
          "warning",
        );
      const repository = await index(target.url);
      if (repository instanceof RepositoryError)
        return problem(
          "repository",
          `cannot read the Helm repository of chart ${name}: ${repository.message}`,
          "check spec.url of the HelmRepository and the network; rerun with --offline to skip charts not in the cache",
        );
      const entries = repository.get(target.chart);
      if (!entries || entries.length === 0)
        return problem(
          "chart",
          `the repository ${target.url} has no chart named ${target.chart}`,
          `fix spec.chart.spec.chart or the HelmRepository (charts there: ${[...repository.keys()].slice(0, 8).join(", ") || "none"})`,
        );
      // Helm takes the pin as a semver constraint: `3.2.0` and `v3.2.0` name the same version.
      const entry = entries.find((candidate) => plainVersion(candidate.version) === plainVersion(target.version));
      if (!entry) {
        const newest = newestVersions(entries);
        const nearest = nearestBelow(entries, target.version);
        const choices = [
          ...(nearest ? [`${nearest} (the nearest below)`] : []),
          ...(newest[0] && newest[0] !== nearest ? [`${newest[0]} (the newest)`] : []),
        ];
        return problem(
          "version",
          `chart ${target.chart} has no version ${target.version} in ${target.url} (newest: ${newest.join(", ")})`,
          `pin an existing version: ${choices.join(" or ") || "one listed in the index"}; kubeforge pins its charts in packages/manifests/src/components/versions.ts`,
        );
      }
      const url = archiveUrl(target.url, entry);
      if (!url)
        return problem(
          "version",
          `the index lists chart ${name} without a download URL`,
          "report it to the chart's maintainers or pin another version",
        );
      let bytes: Uint8Array;
      try {
        bytes = await fetchBytes(url, options.request);
      } catch (error) {
        const message = error instanceof RepositoryError ? error.message : String(error);
        return problem(
          "version",
          `cannot download chart ${name}: ${message}`,
          "check the network and rerun; the repository may be down",
        );
      }
      const digest = sha256(bytes);
      if (entry.digest && entry.digest !== digest)
        return problem(
          "version",
          `chart ${name} from ${url} does not match the index digest (sha256 ${digest}, index says ${entry.digest})`,
          "do not install it: the archive was changed or cut off in transit; retry, and report it if it persists",
        );
      const opened = open(bytes, target);
      if ("chart" in opened) {
        try {
          cache.writeArchive(digest, bytes);
          cache.writeDigest(target.url, target.chart, target.version, digest);
        } catch {
          // The cache is best effort: an unwritable cache dir costs a download next time, not the check.
        }
      }
      return opened;
    },
  };
}

/**
 * Values a HelmRelease takes from ConfigMaps of the tree (`spec.valuesFrom`, in order); a values file
 * that is not YAML is a finding. Secrets (SOPS-encrypted) and `targetPath` entries are not read.
 */
function valuesFromConfigMaps(
  release: ManifestDocument,
  documents: readonly ManifestDocument[],
): { values: Record<string, unknown>; findings: Finding[] } {
  const list = spec(release).valuesFrom;
  let values: Record<string, unknown> = {};
  const findings: Finding[] = [];
  if (!Array.isArray(list)) return { values, findings };
  const namespace = objectRef(release).namespace ?? "";
  list.forEach((entry, index) => {
    if (!isRecord(entry) || entry.kind !== "ConfigMap" || entry.targetPath !== undefined) return;
    const configMap = documents.find(
      (document) =>
        document.object.kind === "ConfigMap" &&
        objectRef(document).name === entry.name &&
        (objectRef(document).namespace ?? "") === namespace,
    );
    const key = typeof entry.valuesKey === "string" ? entry.valuesKey : "values.yaml";
    const data = configMap && isRecord(configMap.object.data) ? configMap.object.data[key] : undefined;
    if (typeof data !== "string") return;
    try {
      const parsed = parse(data);
      if (isRecord(parsed)) values = mergeValues(values, parsed) as Record<string, unknown>;
    } catch (error) {
      findings.push(
        findingAt(release, {
          rule: CHART_RULE,
          path: ["spec", "valuesFrom", index],
          message: `the values file ${key} of ConfigMap ${namespace}/${String(entry.name)} (${configMap?.file}) is not YAML: ${(error as Error).message.split("\n")[0]}`,
          hint: `fix the YAML under data.${key} in ${configMap?.file}; Helm would refuse the release`,
        }),
      );
    }
  });
  return { values, findings };
}

/** Findings for every HelmRelease of `documents` (see the module comment). */
export async function checkCharts(
  documents: readonly ManifestDocument[],
  options: ChartCheckOptions = {},
): Promise<Finding[]> {
  const resolver = createResolver(options);
  const findings: Finding[] = [];
  for (const target of releaseCharts(documents)) {
    const resolved = await resolver.resolve(target);
    if ("finding" in resolved) {
      const { at, ...rest } = resolved.finding;
      const path = at === "repository" ? ["spec", "chart", "spec", "sourceRef"] : ["spec", "chart", "spec", at];
      findings.push(findingAt(target.release, { rule: CHART_RULE, ...rest, path }));
      continue;
    }
    const inline = isRecord(spec(target.release).values)
      ? (spec(target.release).values as Record<string, unknown>)
      : {};
    const fromConfigMaps = valuesFromConfigMaps(target.release, documents);
    findings.push(...fromConfigMaps.findings);
    const values = mergeValues(fromConfigMaps.values, inline) as Record<string, unknown>;
    for (const issue of checkValues(resolved.chart, values)) {
      findings.push(
        findingAt(target.release, {
          rule: CHART_RULE,
          path: ["spec", "values", ...issue.keys],
          message: issue.message,
          hint: issue.hint,
        }),
      );
    }
  }
  return findings;
}

/** The chart check as a rule, for `validateTree({ rules: [...RULES, chartRule()] })`. */
export function chartRule(options: ChartCheckOptions = {}): Rule {
  return {
    id: CHART_RULE,
    description:
      "HelmReleases pin a chart version that exists, whose archive matches the index digest, with values the chart reads.",
    check: ({ documents }) => checkCharts(documents, options),
  };
}

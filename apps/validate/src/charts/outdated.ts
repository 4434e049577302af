// `kubeforge-validate --outdated`: what Renovate would tell a cluster-template user, without a bot —
// per HelmRelease the newer chart versions its repository lists, and the newer Talos and Kubernetes
// releases the project's release table knows.
import {
  type Cluster,
  compareVersions as compareReleases,
  parseVersion,
  RELEASES,
  type ReleaseTable,
} from "@kubeforge/config";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { objectRef } from "../tree/manifest-document.js";
import { releaseCharts } from "./check-charts.js";
import {
  compareVersions,
  type FetchOptions,
  fetchIndex,
  RepositoryError,
  type RepositoryIndex,
} from "./helm-repository.js";

export interface OutdatedEntry {
  /** `HelmRelease logging/loki`, `Talos` or `Kubernetes`. */
  readonly component: string;
  readonly current: string;
  /** Newer releases, newest first (empty: up to date). */
  readonly newer: readonly string[];
  /** Where the list comes from, or why it could not be made. */
  readonly note?: string;
}

/** Newer Talos patches of the cluster's line, newer Talos lines, and newer Kubernetes releases its Talos line supports. */
export function outdatedReleases(cluster: Cluster, table: ReleaseTable = RELEASES): OutdatedEntry[] {
  const entries: OutdatedEntry[] = [];
  const talos = parseVersion(cluster.talos.version);
  if (talos) {
    const newer = table.talos
      .map((release) => release.version)
      .filter((version) => {
        const parsed = parseVersion(version);
        return parsed !== undefined && compareReleases(parsed, talos) > 0;
      })
      .reverse();
    entries.push({
      component: "Talos",
      current: cluster.talos.version,
      newer,
      note: "newest known patch per line (RELEASES in @kubeforge/config)",
    });
  }
  const kubernetes = parseVersion(cluster.kubernetes.version);
  const line = table.talos.find((release) => {
    const parsed = parseVersion(release.version);
    return parsed && talos && parsed.major === talos.major && parsed.minor === talos.minor;
  });
  if (kubernetes) {
    const maxMinor = line ? Number(line.kubernetes.max.split(".")[1]) : kubernetes.minor;
    const newer = table.kubernetes
      .filter((version) => {
        const parsed = parseVersion(version);
        return parsed !== undefined && compareReleases(parsed, kubernetes) > 0 && parsed.minor <= maxMinor;
      })
      .reverse();
    entries.push({
      component: "Kubernetes",
      current: cluster.kubernetes.version,
      newer,
      note: `newest known patch per minor that Talos ${talos ? `${talos.major}.${talos.minor}` : cluster.talos.version} supports`,
    });
  }
  return entries;
}

/** Newer chart versions (released ones) for every HelmRelease of the tree, from its repository's index. */
export async function outdatedCharts(
  documents: readonly ManifestDocument[],
  options: { request?: FetchOptions } = {},
): Promise<OutdatedEntry[]> {
  const indexes = new Map<string, Promise<RepositoryIndex | RepositoryError>>();
  const entries: OutdatedEntry[] = [];
  for (const target of releaseCharts(documents)) {
    const ref = objectRef(target.release);
    const component = `HelmRelease ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} (chart ${target.chart})`;
    if (target.oci) {
      entries.push({ component, current: target.version, newer: [], note: "OCI source: not listed" });
      continue;
    }
    let pending = indexes.get(target.url);
    if (!pending) {
      pending = fetchIndex(target.url, options.request).catch((error: unknown) =>
        error instanceof RepositoryError ? error : new RepositoryError(String((error as Error)?.message ?? error)),
      );
      indexes.set(target.url, pending);
    }
    const index = await pending;
    if (index instanceof RepositoryError) {
      entries.push({ component, current: target.version, newer: [], note: `not listed: ${index.message}` });
      continue;
    }
    const newer = (index.get(target.chart) ?? [])
      .map((entry) => entry.version)
      .filter((version) => !version.includes("-") && compareVersions(version, target.version) > 0)
      .sort((a, b) => compareVersions(b, a));
    entries.push({ component, current: target.version, newer, note: target.url });
  }
  return entries;
}

/** Text for a terminal: one line per component. */
export function formatOutdated(title: string, entries: readonly OutdatedEntry[]): string {
  const width = Math.max(0, ...entries.map((entry) => entry.component.length));
  const lines = entries.map((entry) => {
    const status =
      entry.newer.length === 0
        ? entry.note?.startsWith("not listed") || entry.note?.startsWith("OCI")
          ? entry.note
          : "up to date"
        : `→ ${entry.newer.slice(0, 5).join(", ")}${entry.newer.length > 5 ? ` (+${entry.newer.length - 5} more)` : ""}`;
    return `  ${entry.component.padEnd(width)}  ${entry.current.padEnd(8)}  ${status}`;
  });
  return `${title}\n${lines.join("\n")}\n`;
}

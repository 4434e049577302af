// Flux sources (GitRepository, HelmRepository, OCIRepository, HelmChart) and appliers (Kustomization,
// HelmRelease): not Ready, suspended, or not reconciled since their last change (stale observedGeneration).
// Each kind is read in the first API version the cluster serves, newest first.
import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { Finding } from "../../finding.js";
import { findCondition } from "../conditions.js";
import { optional } from "./deadline.js";

export interface FluxKind {
  readonly group: string;
  readonly versions: readonly string[];
  readonly plural: string;
  readonly kind: string;
  /** Appliers must exist (Flux is installed); a missing source kind is fine. */
  readonly required: boolean;
}

export const FLUX_KINDS: readonly FluxKind[] = [
  {
    group: "source.toolkit.fluxcd.io",
    versions: ["v1", "v1beta2"],
    plural: "gitrepositories",
    kind: "GitRepository",
    required: false,
  },
  {
    group: "source.toolkit.fluxcd.io",
    versions: ["v1", "v1beta2"],
    plural: "helmrepositories",
    kind: "HelmRepository",
    required: false,
  },
  {
    group: "source.toolkit.fluxcd.io",
    versions: ["v1", "v1beta2"],
    plural: "ocirepositories",
    kind: "OCIRepository",
    required: false,
  },
  {
    group: "source.toolkit.fluxcd.io",
    versions: ["v1", "v1beta2"],
    plural: "helmcharts",
    kind: "HelmChart",
    required: false,
  },
  {
    group: "kustomize.toolkit.fluxcd.io",
    versions: ["v1", "v1beta2"],
    plural: "kustomizations",
    kind: "Kustomization",
    required: true,
  },
  {
    group: "helm.toolkit.fluxcd.io",
    versions: ["v2", "v2beta2", "v2beta1"],
    plural: "helmreleases",
    kind: "HelmRelease",
    required: true,
  },
];

export interface FluxObject {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: { suspend?: boolean };
  status?: { observedGeneration?: number; conditions?: unknown[] };
}

export function checkFluxObjects(kind: FluxKind, items: readonly FluxObject[]): Finding[] {
  const findings: Finding[] = [];
  const command = `flux get ${kind.kind === "HelmRelease" ? "helmreleases" : kind.plural.replace("repositories", "") || kind.plural} -A`;
  for (const item of items) {
    const namespace = item.metadata?.namespace ?? "";
    const name = item.metadata?.name ?? "";
    const object = `${kind.kind} ${namespace}/${name}`;
    const base = { rule: "flux-health", file: "live: flux", object };
    if (item.spec?.suspend) {
      findings.push({
        ...base,
        severity: "warning",
        path: "spec.suspend",
        message: "is suspended: Flux does not reconcile it",
        hint: `flux resume ${kind.kind.toLowerCase()} -n ${namespace} ${name}`,
      });
      continue;
    }
    const ready = findCondition(item, "Ready");
    if (ready?.status !== "True") {
      findings.push({
        ...base,
        severity: "error",
        path: "status.conditions[Ready]",
        message: ready
          ? `not Ready (${ready.reason ?? ready.status}): ${ready.message ?? ""}`.trim()
          : "has no Ready condition yet",
        hint: `${command}; flux logs --kind=${kind.kind} --name=${name} -n ${namespace}`,
      });
      continue;
    }
    const generation = item.metadata?.generation;
    const observed = item.status?.observedGeneration;
    if (generation !== undefined && observed !== undefined && observed < generation) {
      findings.push({
        ...base,
        severity: "warning",
        path: "status.observedGeneration",
        message: `Ready, but for generation ${observed}: the change to generation ${generation} is not reconciled yet`,
        hint: `flux reconcile ${kind.kind.toLowerCase()} -n ${namespace} ${name}; if it stays, ${command}`,
      });
    }
  }
  return findings;
}

export async function checkFlux(api: CustomObjectsApi, timeoutMs: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const kind of FLUX_KINDS) {
    let items: FluxObject[] | undefined;
    for (const version of kind.versions) {
      const list = await optional(
        `listing ${kind.plural}.${kind.group}/${version}`,
        () => api.listClusterCustomObject({ group: kind.group, version, plural: kind.plural }),
        timeoutMs,
      );
      if (list) {
        items = ((list as { items?: FluxObject[] }).items ?? []) as FluxObject[];
        break;
      }
    }
    if (!items) {
      if (kind.required) {
        findings.push({
          rule: "flux-health",
          severity: "error",
          file: "live: flux",
          path: "",
          object: kind.kind,
          message: `the cluster serves no ${kind.plural}.${kind.group} (${kind.versions.join(", ")})`,
          hint: "Flux is not installed (or too old): bootstrap Flux",
        });
      }
      continue;
    }
    findings.push(...checkFluxObjects(kind, items));
  }
  return findings.sort((a, b) => (a.object ?? "").localeCompare(b.object ?? ""));
}

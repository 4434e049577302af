// Flux Kustomizations and HelmReleases in the cluster that are not Ready (or are suspended).
import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { findCondition } from "./conditions.js";
import { apiStatus, toApiError } from "./kube-client.js";

const FLUX_KINDS = [
  { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations", kind: "Kustomization" },
  { group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases", kind: "HelmRelease" },
] as const;

interface FluxObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { suspend?: boolean };
  status?: unknown;
}

export async function checkFluxReady(api: CustomObjectsApi): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const kind of FLUX_KINDS) {
    let items: FluxObject[];
    try {
      const list = (await api.listClusterCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
      })) as {
        items?: FluxObject[];
      };
      items = list.items ?? [];
    } catch (error) {
      if (apiStatus(error) === 404) {
        findings.push({
          rule: "flux-ready",
          severity: "error",
          file: "live: flux",
          path: "",
          object: `${kind.kind}`,
          message: `the cluster does not serve ${kind.group}/${kind.version} ${kind.plural}`,
          hint: "Flux is not installed (or is an older release): bootstrap Flux",
        });
        continue;
      }
      throw toApiError(error, `listing ${kind.plural}`);
    }
    for (const item of items) {
      const object = `${kind.kind} ${item.metadata?.namespace ?? ""}/${item.metadata?.name ?? ""}`;
      if (item.spec?.suspend) {
        findings.push({
          rule: "flux-ready",
          severity: "warning",
          file: "live: flux",
          path: "spec.suspend",
          object,
          message: "is suspended",
          hint: `resume it: flux resume ${kind.kind.toLowerCase()} -n ${item.metadata?.namespace} ${item.metadata?.name}`,
        });
        continue;
      }
      const ready = findCondition(item, "Ready");
      if (ready?.status === "True") continue;
      findings.push({
        rule: "flux-ready",
        severity: "error",
        file: "live: flux",
        path: "status.conditions[Ready]",
        object,
        message: ready
          ? `not Ready (${ready.reason ?? ready.status}): ${ready.message ?? ""}`.trim()
          : "has no Ready condition yet",
        hint: `inspect it: flux get ${kind.kind === "HelmRelease" ? "helmreleases" : "kustomizations"} -A, then flux logs`,
      });
    }
  }
  return findings.sort((a, b) => (a.object ?? "").localeCompare(b.object ?? ""));
}

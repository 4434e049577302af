// Workloads with unavailable replicas (and the quota that blocks them), and PersistentVolumeClaims Pending.
import type {
  V1DaemonSet,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1ResourceQuota,
  V1StatefulSet,
} from "@kubernetes/client-node";
import type { Finding } from "../../finding.js";

interface Workload {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly namespace: string;
  readonly name: string;
  readonly wanted: number;
  readonly available: number;
  /** Why replicas are missing, from the ReplicaFailure condition (FailedCreate: exceeded quota …). */
  readonly failure?: string;
}

function failureOf(conditions: readonly { type: string; status: string; message?: string }[] | undefined) {
  return conditions?.find((condition) => condition.type === "ReplicaFailure" && condition.status === "True")?.message;
}

export function workloadsOf(
  deployments: readonly V1Deployment[],
  statefulSets: readonly V1StatefulSet[],
  daemonSets: readonly V1DaemonSet[],
): Workload[] {
  const meta = (object: { metadata?: { namespace?: string; name?: string } }) => ({
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
  });
  return [
    ...deployments.map((item) => {
      const failure = failureOf(item.status?.conditions);
      return {
        kind: "Deployment" as const,
        ...meta(item),
        wanted: item.spec?.replicas ?? 1,
        available: item.status?.availableReplicas ?? 0,
        ...(failure ? { failure } : {}),
      };
    }),
    ...statefulSets.map((item) => ({
      kind: "StatefulSet" as const,
      ...meta(item),
      wanted: item.spec?.replicas ?? 1,
      available: item.status?.availableReplicas ?? item.status?.readyReplicas ?? 0,
    })),
    ...daemonSets.map((item) => ({
      kind: "DaemonSet" as const,
      ...meta(item),
      wanted: item.status?.desiredNumberScheduled ?? 0,
      available: item.status?.numberAvailable ?? 0,
    })),
  ];
}

/** Quotas of a namespace that are used up (used ≥ hard), as `name: pods 10/10`. */
function exhausted(quotas: readonly V1ResourceQuota[], namespace: string): string[] {
  return quotas
    .filter((quota) => quota.metadata?.namespace === namespace)
    .flatMap((quota) =>
      Object.entries(quota.status?.hard ?? {}).flatMap(([resource, hard]) => {
        const used = quota.status?.used?.[resource];
        return used !== undefined && used === hard ? [`${quota.metadata?.name}: ${resource} ${used}/${hard}`] : [];
      }),
    );
}

export function checkWorkloads(workloads: readonly Workload[], quotas: readonly V1ResourceQuota[]): Finding[] {
  return workloads
    .filter((workload) => workload.available < workload.wanted)
    .map((workload) => {
      const full = exhausted(quotas, workload.namespace);
      const why = workload.failure ?? (full.length > 0 ? `quota used up: ${full.join(", ")}` : undefined);
      return {
        rule: "workload-available",
        severity: "error" as const,
        file: "live: workloads",
        path: "status.availableReplicas",
        object: `${workload.kind} ${workload.namespace}/${workload.name}`,
        message: `${workload.available}/${workload.wanted} replicas available${why ? ` — ${why}` : ""}`,
        hint: why?.includes("quota")
          ? `raise the ResourceQuota in ${workload.namespace} (kubectl -n ${workload.namespace} describe quota) or lower the requests`
          : `kubectl -n ${workload.namespace} describe ${workload.kind.toLowerCase()} ${workload.name}; look at its pods above`,
      };
    })
    .sort((a, b) => a.object.localeCompare(b.object));
}

export function checkClaims(claims: readonly V1PersistentVolumeClaim[]): Finding[] {
  return claims
    .filter((claim) => claim.status?.phase === "Pending")
    .map((claim) => ({
      rule: "pvc-bound",
      severity: "error" as const,
      file: "live: storage",
      path: "status.phase",
      object: `PersistentVolumeClaim ${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`,
      message: `Pending (storage class ${claim.spec?.storageClassName ?? "default"})`,
      hint: `kubectl -n ${claim.metadata?.namespace} describe pvc ${claim.metadata?.name}: is the provisioner running and the class right?`,
    }));
}

// cluster-admin is granted cluster-wide only to the OIDC groups the cluster model binds to it.
import type { Cluster } from "@kubeforge/config";
import type { Finding } from "../finding.js";
import { documentsOfKind, findingAt, isRecord, type Rule } from "./rule.js";

/** RBAC group names (with the OIDC groups prefix) the model allows to hold cluster-admin. */
export function allowedClusterAdminGroups(cluster: Cluster | undefined): Set<string> {
  const oidc = cluster?.oidc;
  if (!oidc) return new Set();
  return new Set(
    oidc.bindings
      .filter((binding) => binding.clusterRole === "cluster-admin" && !binding.namespace)
      .map((binding) => `${oidc.groupsPrefix}${binding.group}`),
  );
}

export const clusterAdminBindingRule: Rule = {
  id: "cluster-admin-binding",
  description: "No ClusterRoleBinding to cluster-admin except for groups the cluster model allows.",
  check({ documents, cluster }) {
    const allowed = allowedClusterAdminGroups(cluster);
    const findings: Finding[] = [];
    for (const binding of documentsOfKind(documents, "ClusterRoleBinding")) {
      const roleRef = isRecord(binding.object.roleRef) ? binding.object.roleRef : {};
      if (roleRef.kind !== "ClusterRole" || roleRef.name !== "cluster-admin") continue;
      const subjects = Array.isArray(binding.object.subjects) ? binding.object.subjects : [];
      subjects.forEach((subject, index) => {
        const kind = isRecord(subject) ? String(subject.kind) : "";
        const name = isRecord(subject) ? String(subject.name) : "";
        if (kind === "Group" && allowed.has(name)) return;
        findings.push(
          findingAt(binding, {
            rule: "cluster-admin-binding",
            path: ["subjects", index],
            message: `${kind} "${name}" is bound to cluster-admin cluster-wide`,
            hint:
              allowed.size > 0
                ? `only ${[...allowed].join(", ")} may hold cluster-admin: bind a narrower ClusterRole, or add the group to oidc.bindings in the cluster model`
                : "bind a narrower ClusterRole, or declare the group in oidc.bindings of the cluster model",
          }),
        );
      });
    }
    return findings;
  },
};

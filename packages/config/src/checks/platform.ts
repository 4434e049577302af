// Cross-field checks of versions, namespaces, RBAC bindings and storage classes.
import type { ConfigIssue } from "../errors.js";
import { checkKubernetesVersion, checkTalosVersion } from "../releases/check.js";
import type { Cluster } from "../schema/cluster.js";

/** Namespaces that exist on every Talos + Flux cluster without being declared. */
export const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease", "flux-system"]);

/** The version gate of the release table: a known Talos line and patch, and a Kubernetes version it runs. */
export function checkVersions(cluster: Cluster): ConfigIssue[] {
  const talos = checkTalosVersion(cluster.talos.version);
  if (talos.errors.length > 0) return talos.errors;
  return checkKubernetesVersion(cluster.kubernetes.version, cluster.talos.version).errors;
}

export function warnVersions(cluster: Cluster): ConfigIssue[] {
  return checkTalosVersion(cluster.talos.version).warnings;
}

export function checkNamespaces(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  cluster.namespaces.forEach((namespace, index) => {
    if (seen.has(namespace.name) || BUILTIN_NAMESPACES.has(namespace.name)) {
      issues.push({
        path: `namespaces[${index}].name`,
        message: `${namespace.name} is declared twice or is a built-in namespace`,
        hint: "declare each namespace once, and not the built-in ones",
      });
    }
    seen.add(namespace.name);
  });
  cluster.oidc.bindings.forEach((binding, index) => {
    if (binding.namespace && !seen.has(binding.namespace) && !BUILTIN_NAMESPACES.has(binding.namespace)) {
      issues.push({
        path: `oidc.bindings[${index}].namespace`,
        message: `${binding.namespace} is not a declared namespace`,
        hint: "add it under namespaces or fix the name",
      });
    }
  });
  return issues;
}

export function checkStorageClasses(cluster: Cluster): ConfigIssue[] {
  const defaults = cluster.storageClasses.filter((storageClass) => storageClass.default);
  if (defaults.length <= 1) return [];
  return [
    {
      path: "storageClasses",
      message: `${defaults.length} StorageClasses are marked default (${defaults.map((s) => s.name).join(", ")})`,
      hint: "mark exactly one default: true",
    },
  ];
}

export function checkPriorityClasses(cluster: Cluster): ConfigIssue[] {
  const defaults = cluster.priorityClasses.filter((priorityClass) => priorityClass.globalDefault);
  if (defaults.length <= 1) return [];
  return [
    {
      path: "priorityClasses",
      message: `${defaults.length} PriorityClasses are globalDefault`,
      hint: "mark at most one globalDefault: true",
    },
  ];
}

/** Weaker Pod Security levels are allowed, but we want the reason written down. */
export function warnPodSecurity(cluster: Cluster): ConfigIssue[] {
  return cluster.namespaces.flatMap((namespace, index) =>
    namespace.podSecurity !== "restricted" && !namespace.podSecurityReason
      ? [
          {
            path: `namespaces[${index}].podSecurityReason`,
            message: `${namespace.name} runs at Pod Security level ${namespace.podSecurity} without a reason`,
            hint: "say why in podSecurityReason",
          },
        ]
      : [],
  );
}

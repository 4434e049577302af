// RBAC for OIDC groups: the API server prefixes group names (oidc.groupsPrefix), so subjects carry the prefix.
import type { Cluster, GroupBinding } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY, slugify } from "./labels.js";

export function bindingName(binding: GroupBinding): string {
  return slugify(`oidc-${binding.group}-${binding.clusterRole}`);
}

export class OidcRbacChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const binding of cluster.oidc.bindings) {
      const name = bindingName(binding);
      const subjects = [
        { kind: "Group", name: `${cluster.oidc.groupsPrefix}${binding.group}`, apiGroup: "rbac.authorization.k8s.io" },
      ];
      const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: binding.clusterRole };
      const labels = { ...MANAGED_BY, "kubeforge.dev/oidc-group": slugify(binding.group) };
      if (binding.namespace) {
        new k8s.KubeRoleBinding(this, `${binding.namespace}-${name}`, {
          metadata: { name, namespace: binding.namespace, labels },
          roleRef,
          subjects,
        });
      } else {
        new k8s.KubeClusterRoleBinding(this, name, { metadata: { name, labels }, roleRef, subjects });
      }
    }
  }
}

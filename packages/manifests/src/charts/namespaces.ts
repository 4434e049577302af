// Namespaces with Pod Security Standards labels: enforce the model's level, audit and warn at restricted.
import type { Cluster, Namespace } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { kubernetesMinor, MANAGED_BY } from "./labels.js";

export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string, props: { cluster: Cluster; namespaces: readonly Namespace[] }) {
    super(scope, id, { disableResourceNameHashes: true });
    const version = kubernetesMinor(props.cluster.kubernetes.version);
    for (const namespace of props.namespaces) {
      new k8s.KubeNamespace(this, namespace.name, {
        metadata: {
          name: namespace.name,
          labels: {
            ...namespace.labels,
            ...MANAGED_BY,
            "pod-security.kubernetes.io/enforce": namespace.podSecurity,
            "pod-security.kubernetes.io/enforce-version": version,
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": version,
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": version,
          },
          ...(namespace.podSecurityReason
            ? { annotations: { "kubeforge.dev/pod-security-reason": namespace.podSecurityReason } }
            : {}),
        },
      });
    }
  }
}

// Namespaces the platform components run in. Each states the Pod Security level it needs and why; a
// namespace of the same name in the model replaces the component's default entirely.
import { type NamespaceInput, namespaceSchema } from "@kubeforge/config";
import { fitQuota, type PodBudget } from "./quota.js";

export const PLATFORM_NAMESPACE_DEFAULTS = {
  cubefs: {
    name: "cubefs",
    podSecurity: "privileged",
    podSecurityReason:
      "the CubeFS CSI node plugin mounts volumes into pods on the host (privileged, hostPath, mount propagation)",
    quota: {
      requestsCpu: "4",
      requestsMemory: "8Gi",
      limitsCpu: "12",
      limitsMemory: "24Gi",
      pods: 40,
      persistentVolumeClaims: 0,
    },
    allow: { egressToKubeApi: true, egressToNodes: true, ingressFromCidrs: [] },
  },
  monitoring: {
    name: "monitoring",
    podSecurity: "privileged",
    podSecurityReason: "node-exporter uses the host network, host PID namespace and hostPath mounts",
    quota: {
      requestsCpu: "4",
      requestsMemory: "8Gi",
      limitsCpu: "8",
      limitsMemory: "16Gi",
      requestsStorage: "200Gi",
      persistentVolumeClaims: 10,
    },
    allow: { egressToKubeApi: true, egressToCluster: true, egressToNodes: true, egressToInternet: true },
  },
  logging: {
    name: "logging",
    podSecurity: "baseline",
    podSecurityReason:
      "the Loki and Alloy charts do not set every field restricted requires (seccompProfile, capabilities drop)",
    quota: { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", requestsStorage: "100Gi" },
    allow: { egressToKubeApi: true, ingressFromNamespaces: ["monitoring"] },
  },
} satisfies Record<string, NamespaceInput>;

/** A platform namespace whose quota fits the pods its component runs (see quota.ts). */
export function platformNamespace(
  name: keyof typeof PLATFORM_NAMESPACE_DEFAULTS,
  workloads: { readonly pods: readonly PodBudget[]; readonly volumes?: readonly string[] },
): NamespaceInput {
  const namespace = namespaceSchema.parse(PLATFORM_NAMESPACE_DEFAULTS[name]);
  return { ...namespace, quota: fitQuota(namespace.quota, { ...workloads, defaults: namespace.limits }) };
}

// Per-namespace guardrails: ResourceQuota, LimitRange and default-deny NetworkPolicies with the model's allowances.
import type { Cluster, Namespace } from "@kubeforge/config";
import { ApiObject, Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { internetEgressBlocks } from "./internet-egress.js";
import { MANAGED_BY } from "./labels.js";

export const MONITORING_NAMESPACE = "monitoring";

const hostCidr = (address: string) => `${address}/${address.includes(":") ? 128 : 32}`;
const q = (value: string) => k8s.Quantity.fromString(value);
const namespaceSelector = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });
const networkPort = (port: { port: number; protocol: string }) => ({
  protocol: port.protocol,
  port: k8s.IntOrString.fromNumber(port.port),
});

/**
 * Cilium installs its CRDs itself (none is committed), so validate has no schema for cilium.io kinds;
 * this annotation records why its unknown-kind warning is expected.
 */
export const CILIUM_VALIDATE_IGNORE = {
  "kubeforge.dev/validate-ignore": "unknown-kind: Cilium CRDs are installed by the Cilium chart, not committed",
};

/** Where the API server's calls come from under Cilium: its own identity, and the nodes' host network. */
export const KUBE_APISERVER_ENTITIES = ["kube-apiserver", "remote-node", "host"];

export interface NamespaceGuardrailsProps {
  readonly cluster: Cluster;
  readonly namespace: Namespace;
}

export class NamespaceGuardrailsChart extends Chart {
  constructor(scope: Construct, id: string, { cluster, namespace }: NamespaceGuardrailsProps) {
    super(scope, id, { disableResourceNameHashes: true, namespace: namespace.name });
    const metadata = (name: string) => ({ name, namespace: namespace.name, labels: { ...MANAGED_BY } });
    const { quota, limits } = namespace;

    new k8s.KubeResourceQuota(this, "quota", {
      metadata: metadata("default-quota"),
      spec: {
        hard: {
          "requests.cpu": q(quota.requestsCpu),
          "requests.memory": q(quota.requestsMemory),
          "limits.cpu": q(quota.limitsCpu),
          "limits.memory": q(quota.limitsMemory),
          pods: q(String(quota.pods)),
          persistentvolumeclaims: q(String(quota.persistentVolumeClaims)),
          "requests.storage": q(quota.requestsStorage),
        },
      },
    });

    new k8s.KubeLimitRange(this, "limits", {
      metadata: metadata("default-limits"),
      spec: {
        limits: [
          {
            type: "Container",
            defaultRequest: { cpu: q(limits.defaultRequestCpu), memory: q(limits.defaultRequestMemory) },
            default: { cpu: q(limits.defaultLimitCpu), memory: q(limits.defaultLimitMemory) },
            ...(limits.maxCpu || limits.maxMemory
              ? {
                  max: {
                    ...(limits.maxCpu ? { cpu: q(limits.maxCpu) } : {}),
                    ...(limits.maxMemory ? { memory: q(limits.maxMemory) } : {}),
                  },
                }
              : {}),
          },
        ],
      },
    });

    new k8s.KubeNetworkPolicy(this, "default-deny", {
      metadata: metadata("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });

    new k8s.KubeNetworkPolicy(this, "allow-dns", {
      metadata: metadata("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: namespaceSelector("kube-system"),
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: k8s.IntOrString.fromNumber(53) },
              { protocol: "TCP", port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });

    new k8s.KubeNetworkPolicy(this, "allow-same-namespace", {
      metadata: metadata("allow-same-namespace"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    });

    // Prometheus scrapes every namespace; this is the one ingress every namespace accepts.
    new k8s.KubeNetworkPolicy(this, "allow-monitoring", {
      metadata: metadata("allow-prometheus-scrape"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: namespaceSelector(MONITORING_NAMESPACE),
                podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
              },
            ],
          },
        ],
      },
    });

    this.renderAllowances(cluster, namespace, metadata);
  }

  private renderAllowances(cluster: Cluster, namespace: Namespace, metadata: (name: string) => k8s.ObjectMeta): void {
    const { allow } = namespace;
    const ingress = [
      ...allow.ingressFromNamespaces.map((name) => ({ from: [{ namespaceSelector: namespaceSelector(name) }] })),
      ...allow.ingressFromCidrs.map((cidr) => ({ from: [{ ipBlock: { cidr } }] })),
    ];
    const egress = [
      ...allow.egressToNamespaces.map((name) => ({ to: [{ namespaceSelector: namespaceSelector(name) }] })),
      ...(allow.egressToCluster ? [{ to: [{ namespaceSelector: {} }] }] : []),
      ...(allow.egressToNodes
        ? [{ to: cluster.nodes.map((node) => ({ ipBlock: { cidr: hostCidr(node.address) } })) }]
        : []),
      // Public addresses only: the nodes, the VIP, the cluster networks and the LAN are excepted.
      ...(allow.egressToInternet ? [{ to: internetEgressBlocks(cluster).map((ipBlock) => ({ ipBlock })) }] : []),
      ...allow.egressToLan.map((destination) => ({
        to: [{ ipBlock: { cidr: destination.cidr } }],
        ports: destination.ports.map(networkPort),
      })),
      // The API server runs on the host network of every control-plane node and behind the VIP; Cilium
      // matches these ipBlocks only with policyCIDRMatchMode=nodes, which the Cilium values set.
      ...(allow.egressToKubeApi
        ? [
            {
              to: [...cluster.nodes.map((node) => node.address), cluster.api.vip].map((address) => ({
                ipBlock: { cidr: hostCidr(address) },
              })),
              ports: [{ protocol: "TCP", port: k8s.IntOrString.fromNumber(cluster.api.port) }],
            },
          ]
        : []),
    ];
    if (ingress.length > 0) {
      new k8s.KubeNetworkPolicy(this, "allow-ingress", {
        metadata: metadata("allow-declared-ingress"),
        spec: { podSelector: {}, policyTypes: ["Ingress"], ingress },
      });
    }
    if (egress.length > 0) {
      new k8s.KubeNetworkPolicy(this, "allow-egress", {
        metadata: metadata("allow-declared-egress"),
        spec: { podSelector: {}, policyTypes: ["Egress"], egress },
      });
    }
    // The API server calls webhooks from the host network (or as its own Cilium identity); an ipBlock of
    // node addresses misses it whenever Cilium tags the traffic by identity, so Cilium's entities are used.
    for (const target of allow.ingressFromKubeApi) {
      new ApiObject(this, `allow-kube-apiserver-${target.name}`, {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { ...metadata(`allow-kube-apiserver-${target.name}`), annotations: { ...CILIUM_VALIDATE_IGNORE } },
        spec: {
          endpointSelector: { matchLabels: { ...target.podLabels } },
          ingress: [
            {
              fromEntities: [...KUBE_APISERVER_ENTITIES],
              toPorts: [{ ports: target.ports.map((port) => ({ port: String(port.port), protocol: port.protocol })) }],
            },
          ],
        },
      });
    }
  }
}

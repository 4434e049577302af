// kube-vip holds the API VIP in ARP mode with leader election, one pod per control-plane node. Rendered
// only when the model picks kube-vip; with `api.provider: talos` Talos' own Layer2VIPConfig does the job.
import { type Cluster, nodeLinks } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import { KUBE_PRISM_PORT } from "./cilium.js";
import type { Component } from "./component.js";
import { IMAGES } from "./versions.js";

const NAME = "kube-vip";
const NAMESPACE = "kube-system";
/** The Lease the kube-vip pods elect their VIP holder with. */
export const LEASE_NAME = "plndr-cp-lock";

/**
 * The VIP link's kernel name every node shares, if the model fixes one (bond, bridge, VLAN or a named NIC);
 * a NIC picked by MAC has no fixed name, and kube-vip then uses the default-route interface.
 */
function sharedInterface(cluster: Cluster): string | undefined {
  const names = new Set(cluster.nodes.map((node) => nodeLinks(node).kernelVip));
  const [only] = names;
  return names.size === 1 ? only : undefined;
}

export class KubeVipChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    const labels = { ...MANAGED_BY, "app.kubernetes.io/name": NAME };
    new k8s.KubeServiceAccount(this, "sa", { metadata: { name: NAME, namespace: NAMESPACE, labels } });
    // Least privilege for what is switched on below: control-plane VIP with leader election, no Services
    // (svc_enable false), no node labelling. That needs the leader lease in kube-system and nothing else.
    new k8s.KubeRole(this, "role", {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      rules: [
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          resourceNames: [LEASE_NAME],
          verbs: ["get", "update"],
        },
        // client-go's leader election gets, creates and updates its Lease; create cannot be limited by name.
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "binding", {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
    });

    const vipInterface = sharedInterface(cluster);
    const env: Record<string, string> = {
      vip_arp: "true",
      port: String(cluster.api.port),
      ...(vipInterface ? { vip_interface: vipInterface } : {}),
      // kube-vip 1.x reads vip_subnet (vip_cidr was its old name and is ignored).
      vip_subnet: cluster.api.vip.includes(":") ? "128" : "32",
      cp_enable: "true",
      cp_namespace: NAMESPACE,
      svc_enable: "false",
      vip_leaderelection: "true",
      vip_leasename: LEASE_NAME,
      vip_leaseduration: "5",
      vip_renewdeadline: "3",
      vip_retryperiod: "1",
      address: cluster.api.vip,
      prometheus_server: ":2112",
      // Reach the API through KubePrism, which works before the VIP is up and without kube-proxy.
      KUBERNETES_SERVICE_HOST: "localhost",
      KUBERNETES_SERVICE_PORT: String(KUBE_PRISM_PORT),
    };
    new k8s.KubeDaemonSet(this, "daemonset", {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": NAME } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            hostNetwork: true,
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
            tolerations: [
              { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
              { operator: "Exists", effect: "NoExecute" },
            ],
            containers: [
              {
                name: NAME,
                image: IMAGES.kubeVip,
                args: ["manager"],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                ports: [{ name: "metrics", containerPort: 2112 }],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString("20m"), memory: k8s.Quantity.fromString("32Mi") },
                  limits: { cpu: k8s.Quantity.fromString("200m"), memory: k8s.Quantity.fromString("128Mi") },
                },
                securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    });
  }
}

export function kubeVipComponent(cluster: Cluster): Component | undefined {
  if (cluster.api.provider !== "kube-vip") return undefined;
  return {
    name: NAME,
    files: [{ path: "infrastructure/kube-vip.yaml", chart: (app) => new KubeVipChart(app, NAME, cluster) }],
  };
}

import { z } from "zod";
import { cidr, dns1123Label, quantity } from "./primitives.js";

const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"]);

export const quotaSchema = z
  .strictObject({
    requestsCpu: quantity.default("2"),
    requestsMemory: quantity.default("4Gi"),
    limitsCpu: quantity.default("4"),
    limitsMemory: quantity.default("8Gi"),
    pods: z.number().int().positive().default(50),
    persistentVolumeClaims: z.number().int().nonnegative().default(10),
    requestsStorage: quantity.default("100Gi"),
  })
  .describe("ResourceQuota of the namespace.");

export const limitRangeSchema = z
  .strictObject({
    defaultRequestCpu: quantity.default("100m"),
    defaultRequestMemory: quantity.default("128Mi"),
    defaultLimitCpu: quantity.default("500m"),
    defaultLimitMemory: quantity.default("512Mi"),
    maxCpu: quantity.optional(),
    maxMemory: quantity.optional(),
  })
  .describe("LimitRange defaults applied to containers that set no resources.");

const networkPortSchema = z
  .strictObject({
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP"),
  })
  .describe("A destination port.");

const labelMap = z
  .record(z.string().min(1), z.string())
  .refine((labels) => Object.keys(labels).length > 0, { message: "must name at least one label" });

export const lanDestinationSchema = z
  .strictObject({
    cidr: cidr.describe("The LAN address or network, e.g. 192.168.1.20/32 for a NAS."),
    ports: z.array(networkPortSchema).min(1).describe("Ports allowed to it; every other port stays closed."),
    description: z.string().optional().describe("What lives there (for the reader)."),
  })
  .describe("A private destination (LAN, node network) pods may reach despite egressToInternet excluding it.");

export const kubeApiIngressSchema = z
  .strictObject({
    name: dns1123Label.describe("Names the policy: allow-kube-apiserver-<name>."),
    podLabels: labelMap.describe("Labels of the pods the API server calls (an admission webhook's pods)."),
    ports: z.array(networkPortSchema).min(1).describe("Ports the webhook listens on."),
  })
  .describe("Pods the Kubernetes API server calls, e.g. an admission webhook.");

export const networkAllowancesSchema = z
  .strictObject({
    ingressFromNamespaces: z
      .array(dns1123Label)
      .default([])
      .describe("Namespaces whose pods may connect to pods here."),
    egressToNamespaces: z.array(dns1123Label).default([]).describe("Namespaces pods here may connect to."),
    egressToInternet: z
      .boolean()
      .default(false)
      .describe(
        "Allow egress to public addresses: everything except the node network, the API VIP, the pod and service networks and the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16; fc00::/7, fe80::/10). Reach LAN hosts with egressToLan.",
      ),
    egressToLan: z
      .array(lanDestinationSchema)
      .default([])
      .describe("Private destinations (LAN hosts, the node network) allowed on the given ports."),
    ingressFromKubeApi: z
      .array(kubeApiIngressSchema)
      .default([])
      .describe("Pods here the API server calls (admission webhooks), as a CiliumNetworkPolicy from its entities."),
    egressToKubeApi: z
      .boolean()
      .default(false)
      .describe("Allow egress to the Kubernetes API (operators, controllers)."),
    egressToCluster: z
      .boolean()
      .default(false)
      .describe("Allow egress to pods in every namespace (e.g. Prometheus scraping)."),
    egressToNodes: z
      .boolean()
      .default(false)
      .describe("Allow egress to the nodes on any port (kubelet, node exporters)."),
    ingressFromCidrs: z
      .array(z.string())
      .default([])
      .describe("Outside networks allowed in (e.g. the LAN for a LoadBalancer)."),
  })
  .describe("Exceptions to the namespace's default-deny NetworkPolicy.");

export const namespaceSchema = z
  .strictObject({
    name: dns1123Label,
    podSecurity: podSecurityLevel.default("restricted").describe("Pod Security Standards level enforced."),
    podSecurityReason: z
      .string()
      .optional()
      .describe("Why a level weaker than restricted is needed; written as an annotation."),
    quota: quotaSchema.prefault({}),
    limits: limitRangeSchema.prefault({}),
    allow: networkAllowancesSchema.prefault({}),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .describe("A namespace with its Pod Security level, quota, limits and network allowances.");

export type Namespace = z.infer<typeof namespaceSchema>;
export type NamespaceInput = z.input<typeof namespaceSchema>;
export type PodSecurityLevel = z.infer<typeof podSecurityLevel>;

import { z } from "zod";
import { dns1123Label, quantity } from "./primitives.js";

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

export const networkAllowancesSchema = z
  .strictObject({
    ingressFromNamespaces: z
      .array(dns1123Label)
      .default([])
      .describe("Namespaces whose pods may connect to pods here."),
    egressToNamespaces: z.array(dns1123Label).default([]).describe("Namespaces pods here may connect to."),
    egressToInternet: z.boolean().default(false).describe("Allow egress to addresses outside the cluster networks."),
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

// Settings of the platform components rendered into the Flux tree (CoreDNS, CubeFS, monitoring,
// logging) and of users' own applications.
import { z } from "zod";
import { dns1123Label, dns1123Subdomain, duration, ipAddress, oidcGroupName, quantity } from "./primitives.js";

export const corednsSchema = z
  .strictObject({
    forwarders: z
      .array(ipAddress)
      .default([])
      .describe("Upstream resolvers CoreDNS forwards to; empty keeps Talos' default (the host's resolvers)."),
  })
  .describe("CoreDNS overrides (Talos manages CoreDNS itself).");

export const cubefsSchema = z
  .strictObject({
    masterNodes: z
      .array(dns1123Label)
      .optional()
      .describe("Nodes running CubeFS masters (default: control-plane nodes)."),
    metaNodes: z.array(dns1123Label).optional().describe("Nodes running metanodes (default: every node)."),
    dataNodes: z.array(dns1123Label).optional().describe("Nodes running datanodes (default: every node)."),
    dataPath: z
      .string()
      .startsWith("/var/")
      .default("/var/lib/cubefs")
      .describe("Host path for CubeFS data (Talos: under /var)."),
  })
  .describe("CubeFS distributed storage.");

export const monitoringSchema = z
  .strictObject({
    retention: duration
      .or(z.string().regex(/^\d+[dwy]$/))
      .default("15d")
      .describe("How long Prometheus keeps metrics."),
    prometheusStorage: quantity.default("50Gi"),
    alertmanagerStorage: quantity.default("2Gi"),
    storageClass: dns1123Subdomain
      .optional()
      .describe("StorageClass for Prometheus and Alertmanager (default: the default class)."),
    grafanaAdminGroup: oidcGroupName
      .optional()
      .describe("OIDC group that becomes Grafana Admin (default: the cluster-admin group)."),
    grafanaUrl: z.url().optional().describe("External URL of Grafana, for the OIDC redirect."),
    grafanaClientId: z.string().default("grafana").describe("OIDC client id of Grafana at the provider."),
    grafanaClientSecret: z
      .string()
      .default("grafana-oidc")
      .describe("Secret in monitoring with GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET (keep it as a SOPS file in secrets/)."),
  })
  .describe("kube-prometheus-stack: Prometheus, Alertmanager, Grafana.");

export const loggingSchema = z
  .strictObject({
    retention: duration.default("168h").describe("How long Loki keeps logs."),
    storage: quantity.default("20Gi"),
  })
  .describe("Loki (log store) and Grafana Alloy (collector).");

export const appSchema = z
  .strictObject({
    name: dns1123Label.describe("App name; also its namespace."),
    image: z
      .string()
      .regex(/^[^\s:@]+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/, { message: "must be an image reference" })
      .refine((image) => /:[\w][\w.-]*$|@sha256:/.test(image) && !image.endsWith(":latest"), {
        message: "must be pinned to a tag or digest (not latest)",
      })
      .describe("Container image, pinned by tag or digest."),
    port: z.number().int().min(1).max(65535).describe("Port the container serves HTTP on."),
    replicas: z.number().int().min(0).default(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    requests: z.strictObject({ cpu: quantity.default("50m"), memory: quantity.default("64Mi") }).prefault({}),
    limits: z.strictObject({ cpu: quantity.default("500m"), memory: quantity.default("256Mi") }).prefault({}),
    storage: z
      .strictObject({
        size: quantity,
        mountPath: z.string().startsWith("/"),
        storageClass: dns1123Subdomain.optional(),
      })
      .optional()
      .describe("A PersistentVolumeClaim mounted into the app."),
    metrics: z
      .strictObject({ path: z.string().startsWith("/").default("/metrics"), port: z.number().int().optional() })
      .optional()
      .describe("Scrape the app with a ServiceMonitor."),
    healthPath: z.string().startsWith("/").optional().describe("HTTP path for liveness and readiness probes."),
    allowFrom: z.array(dns1123Label).default([]).describe("Namespaces allowed to reach the app."),
    egressToInternet: z.boolean().default(false),
    priorityClassName: dns1123Subdomain.optional().describe("Default: kubeforge-apps."),
    runAsUser: z
      .number()
      .int()
      .min(1)
      .default(65532)
      .describe("Numeric user (and group) the container runs as; never root."),
  })
  .describe("An application of yours: a Deployment with its namespace, guardrails, Service, storage and monitoring.");

export type Coredns = z.infer<typeof corednsSchema>;
export type Cubefs = z.infer<typeof cubefsSchema>;
export type Monitoring = z.infer<typeof monitoringSchema>;
export type Logging = z.infer<typeof loggingSchema>;
export type App = z.infer<typeof appSchema>;

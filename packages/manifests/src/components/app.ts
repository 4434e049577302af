// Users' applications: a Deployment that passes Pod Security "restricted", its Service, an optional
// PVC and ServiceMonitor. Each app gets a namespace of its own name with the usual guardrails.
import { type App as AppSpec, type Cluster, type NamespaceInput, namespaceSchema } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import { ServiceMonitor } from "../imports/monitoring-coreos-com.js";
import type { Component } from "./component.js";
import { APPS_PRIORITY_CLASS } from "./priority.js";
import { fitQuota } from "./quota.js";

const q = (value: string) => k8s.Quantity.fromString(value);

export class AppChart extends Chart {
  constructor(scope: Construct, id: string, props: { cluster: Cluster; app: AppSpec }) {
    super(scope, id, { disableResourceNameHashes: true, namespace: props.app.name });
    const { app } = props;
    const selector = { "app.kubernetes.io/name": app.name };
    const labels = { ...MANAGED_BY, ...selector };
    const metadata = { name: app.name, namespace: app.name, labels };

    if (app.storage) {
      new k8s.KubePersistentVolumeClaim(this, "data", {
        metadata: { ...metadata, name: `${app.name}-data` },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: q(app.storage.size) } },
          ...(app.storage.storageClass ? { storageClassName: app.storage.storageClass } : {}),
        },
      });
    }

    const probe = app.healthPath
      ? { httpGet: { path: app.healthPath, port: k8s.IntOrString.fromString("http") } }
      : undefined;
    new k8s.KubeDeployment(this, "deployment", {
      metadata,
      spec: {
        replicas: app.replicas,
        selector: { matchLabels: selector },
        // A ReadWriteOnce volume cannot be shared by an old and a new pod on different nodes.
        ...(app.storage ? { strategy: { type: "Recreate" } } : {}),
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: app.priorityClassName ?? APPS_PRIORITY_CLASS,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: app.runAsUser,
              runAsGroup: app.runAsUser,
              fsGroup: app.runAsUser,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: app.name,
                image: app.image,
                ...(app.args.length > 0 ? { args: [...app.args] } : {}),
                ...(Object.keys(app.env).length > 0
                  ? { env: Object.entries(app.env).map(([name, value]) => ({ name, value })) }
                  : {}),
                ports: [{ name: "http", containerPort: app.port }],
                resources: {
                  requests: { cpu: q(app.requests.cpu), memory: q(app.requests.memory) },
                  limits: { cpu: q(app.limits.cpu), memory: q(app.limits.memory) },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                ...(probe ? { livenessProbe: probe, readinessProbe: probe } : {}),
                // The root filesystem is read-only; /tmp is scratch space.
                volumeMounts: [
                  { name: "tmp", mountPath: "/tmp" },
                  ...(app.storage ? [{ name: "data", mountPath: app.storage.mountPath }] : []),
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: { sizeLimit: q("64Mi") } },
              ...(app.storage ? [{ name: "data", persistentVolumeClaim: { claimName: `${app.name}-data` } }] : []),
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, "service", {
      metadata,
      spec: { selector, ports: [{ name: "http", port: app.port, targetPort: k8s.IntOrString.fromString("http") }] },
    });

    if (app.metrics) {
      new ServiceMonitor(this, "monitor", {
        metadata,
        spec: {
          selector: { matchLabels: selector },
          endpoints: [{ port: "http", path: app.metrics.path, interval: "30s" }],
        },
      });
    }
  }
}

/** The app's namespace, its quota raised to fit the app's replicas (plus one surge pod) and volume. */
function appNamespace(app: AppSpec): NamespaceInput {
  const namespace = namespaceSchema.parse({
    name: app.name,
    podSecurity: "restricted",
    quota: {
      requestsCpu: "2",
      requestsMemory: "2Gi",
      limitsCpu: "4",
      limitsMemory: "4Gi",
      persistentVolumeClaims: app.storage ? 2 : 0,
    },
    allow: { ingressFromNamespaces: [...app.allowFrom], egressToInternet: app.egressToInternet },
  });
  const pods = [{ name: app.name, count: app.replicas, containers: [{ requests: app.requests, limits: app.limits }] }];
  const volumes = app.storage ? [app.storage.size] : [];
  return { ...namespace, quota: fitQuota(namespace.quota, { pods, volumes, defaults: namespace.limits }) };
}

export function appsComponent(cluster: Cluster): Component | undefined {
  if (cluster.apps.length === 0) return undefined;
  return {
    name: "apps",
    namespaces: cluster.apps.map(appNamespace),
    files: cluster.apps.map((app) => ({
      path: `apps/${app.name}.yaml`,
      chart: (scope) => new AppChart(scope, `app-${app.name}`, { cluster, app }),
    })),
  };
}

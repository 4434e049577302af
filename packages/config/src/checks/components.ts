// Cross-field checks of platform components and apps: references to nodes, classes and namespaces.
import { defaultStorageClass } from "../derive.js";
import type { ConfigIssue } from "../errors.js";
import type { Cluster } from "../schema/cluster.js";
import { BUILTIN_NAMESPACES } from "./platform.js";

export function checkCubefsNodes(cluster: Cluster): ConfigIssue[] {
  const hostnames = new Set(cluster.nodes.map((node) => node.hostname));
  return (["masterNodes", "metaNodes", "dataNodes"] as const).flatMap((role) =>
    (cluster.cubefs[role] ?? []).flatMap((hostname, index) =>
      hostnames.has(hostname)
        ? []
        : [
            {
              path: `cubefs.${role}[${index}]`,
              message: `${hostname} is not a node of this cluster`,
              hint: "use a hostname from nodes",
            },
          ],
    ),
  );
}

/** CubeFS places each replica of a volume's data on a different datanode: too few and no volume can be created. */
export function checkCubefsReplicas(cluster: Cluster): ConfigIssue[] {
  const listed = cluster.cubefs.dataNodes;
  const datanodes = listed?.length ?? cluster.nodes.length;
  const where = listed ? `cubefs.dataNodes lists ${datanodes}` : `the cluster has ${datanodes} nodes`;
  return cluster.storageClasses.flatMap((storageClass, index) =>
    storageClass.replicas > datanodes
      ? [
          {
            path: `storageClasses[${index}].replicas`,
            message: `${storageClass.replicas} replicas need ${storageClass.replicas} CubeFS datanodes; ${where}`,
            hint: listed ? "lower replicas or add nodes to cubefs.dataNodes" : "lower replicas or add nodes",
          },
        ]
      : [],
  );
}

export function checkStorageReferences(cluster: Cluster): ConfigIssue[] {
  const classes = new Set(cluster.storageClasses.map((storageClass) => storageClass.name));
  const hasDefault = defaultStorageClass(cluster) !== undefined;
  const issues: ConfigIssue[] = [];
  const check = (path: string, name: string | undefined) => {
    if (name !== undefined && !classes.has(name)) {
      issues.push({
        path,
        message: `${name} is not a declared StorageClass`,
        hint: "add it under storageClasses or fix the name",
      });
    } else if (name === undefined && !hasDefault) {
      issues.push({
        path,
        message: "no StorageClass given and none is the default",
        hint: "set one, or mark a StorageClass default: true",
      });
    }
  };
  check("monitoring.storageClass", cluster.monitoring.storageClass);
  cluster.apps.forEach((app, index) => {
    if (app.storage) check(`apps[${index}].storage.storageClass`, app.storage.storageClass);
  });
  return issues;
}

export function checkApps(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const namespaces = new Set(cluster.namespaces.map((namespace) => namespace.name));
  const apps = new Set<string>();
  cluster.apps.forEach((app, index) => {
    // A platform namespace would get a second set of guardrails (and the render would clash on its file).
    if (
      apps.has(app.name) ||
      namespaces.has(app.name) ||
      BUILTIN_NAMESPACES.has(app.name) ||
      PLATFORM_NAMESPACES.has(app.name)
    ) {
      issues.push({
        path: `apps[${index}].name`,
        message: `${app.name} is already an app or a namespace`,
        hint: "every app gets a namespace of its own name: pick another name",
      });
    }
    apps.add(app.name);
  });
  cluster.apps.forEach((app, index) => {
    app.allowFrom.forEach((source, sourceIndex) => {
      if (
        !namespaces.has(source) &&
        !apps.has(source) &&
        !BUILTIN_NAMESPACES.has(source) &&
        !PLATFORM_NAMESPACES.has(source)
      ) {
        issues.push({
          path: `apps[${index}].allowFrom[${sourceIndex}]`,
          message: `${source} is not a namespace of this cluster`,
          hint: "name a declared namespace or app",
        });
      }
    });
  });
  return issues;
}

/** Namespaces the platform components create. */
export const PLATFORM_NAMESPACES = new Set(["cubefs", "monitoring", "logging"]);

/** A declared PriorityClass that no app names and that is not the global default changes nothing. */
export function warnUnusedPriorityClasses(cluster: Cluster): ConfigIssue[] {
  const used = new Set(cluster.apps.flatMap((app) => (app.priorityClassName ? [app.priorityClassName] : [])));
  return cluster.priorityClasses.flatMap((priorityClass, index) =>
    priorityClass.globalDefault || used.has(priorityClass.name)
      ? []
      : [
          {
            path: `priorityClasses[${index}]`,
            message: `${priorityClass.name} is used by nothing: no app names it and it is not the global default`,
            hint: "set apps[].priorityClassName to it, or remove it (platform components use kubeforge-storage and kubeforge-platform)",
          },
        ],
  );
}

// Finds the pod templates and containers of workload kinds, with their paths inside the document.
import type { ManifestDocument } from "../tree/manifest-document.js";
import { isRecord } from "./rule.js";

/** Path from the document root to the PodSpec, per workload kind. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  PodTemplate: ["template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export interface ContainerAt {
  readonly path: (string | number)[];
  readonly container: Record<string, unknown>;
}

function getIn(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

// Several rules walk the same containers; each document's list is found once.
const cache = new WeakMap<ManifestDocument, ContainerAt[]>();

/** Every container, init container and ephemeral container of a workload (none for other kinds). */
export function containersOf(document: ManifestDocument): ContainerAt[] {
  const cached = cache.get(document);
  if (cached) return cached;
  const out = findContainers(document);
  cache.set(document, out);
  return out;
}

function findContainers(document: ManifestDocument): ContainerAt[] {
  const specPath = POD_SPEC_PATHS[String(document.object.kind)];
  if (!specPath) return [];
  const podSpec = getIn(document.object, specPath);
  if (!isRecord(podSpec)) return [];
  const out: ContainerAt[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    const list = podSpec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (isRecord(container)) out.push({ path: [...specPath, field, index], container });
    });
  }
  return out;
}

// Applies the model's machine-config patches like talosctl --config-patch: strategic merge or RFC 6902.
import type { TalosPatch } from "@kubeforge/config";
import fastJsonPatch from "fast-json-patch";
import { TalosError } from "../errors.js";
import { type ConfigDocument, documentId, isV1Alpha1 } from "./documents.js";

/** A patch and the model path it came from, e.g. `nodes[1].patches[0]`. */
export interface LocatedPatch {
  readonly patch: TalosPatch;
  readonly path: string;
}

const DELETE = "$patch";

// Lists Talos replaces instead of appending (fields tagged merge:"replace" in the v1alpha1 types).
const REPLACED_LISTS = new Set([
  "cluster.network.podSubnets",
  "cluster.network.serviceSubnets",
  "cluster.etcd.advertisedSubnets",
  "cluster.etcd.listenSubnets",
  "machine.kubelet.nodeIP.validSubnets",
]);

// Values Talos replaces as a whole (the audit policy is one Kubernetes object, not a set of fields).
const REPLACED_VALUES = new Set(["cluster.apiServer.auditPolicy"]);

// Lists of named entries Talos merges entry by entry (its patching guide exempts a namespace from
// PodSecurity with a one-entry patch); appending would leave two PodSecurity plugins.
const MERGED_BY_NAME = new Set(["cluster.apiServer.admissionControl"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Merges patch entries into base entries with the same `name`; new names are appended. */
function mergeByName(base: unknown[], patch: unknown[], path: string): unknown[] {
  let out = [...base];
  for (const entry of patch) {
    const name = isPlainObject(entry) ? entry.name : undefined;
    const index = out.findIndex((existing) => isPlainObject(existing) && existing.name === name);
    if (name === undefined || index === -1) {
      if (!(isPlainObject(entry) && entry[DELETE] === "delete")) out.push(structuredClone(entry));
      continue;
    }
    const merged = mergeValue(out[index], entry, `${path}[]`);
    out = merged === undefined ? out.filter((_, position) => position !== index) : out.with(index, merged);
  }
  return out;
}

/** Deep merge: maps merge, lists append (or replace or merge by name, see above), `$patch: delete` removes a key. */
function mergeValue(base: unknown, patch: unknown, path: string): unknown {
  if (REPLACED_VALUES.has(path))
    return isPlainObject(patch) && patch[DELETE] === "delete" ? undefined : structuredClone(patch);
  if (MERGED_BY_NAME.has(path) && Array.isArray(patch) && Array.isArray(base)) return mergeByName(base, patch, path);
  if (isPlainObject(patch)) {
    if (patch[DELETE] === "delete") return undefined;
    const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
    for (const [key, value] of Object.entries(patch)) {
      const merged = mergeValue(out[key], value, path ? `${path}.${key}` : key);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(base) && !REPLACED_LISTS.has(path)) return [...base, ...patch];
  return structuredClone(patch);
}

function applyStrategicMerge(documents: ConfigDocument[], located: LocatedPatch): ConfigDocument[] {
  const patch = located.patch as Record<string, unknown>;
  const target = typeof patch.kind === "string" ? documentId(patch) : "v1alpha1";
  const index = documents.findIndex((document) => documentId(document) === target);
  if (patch[DELETE] === "delete") {
    // Without it the node has no machine type, token or CA; Talos refuses such a patch too.
    if (target === "v1alpha1") {
      throw new TalosError("E_PATCH_INVALID", [
        {
          path: located.path,
          message: "cannot delete the v1alpha1 document",
          hint: "delete keys inside it (`machine: {kubelet: {$patch: delete}}`) or a typed document by its kind and name",
        },
      ]);
    }
    return documents.filter((_, position) => position !== index);
  }
  if (index === -1) return [...documents, structuredClone(patch)];
  const merged = mergeValue(documents[index], patch, "") as ConfigDocument;
  return documents.map((document, position) => (position === index ? merged : document));
}

function applyJsonPatch(documents: ConfigDocument[], located: LocatedPatch, operations: unknown[]): ConfigDocument[] {
  const index = documents.findIndex(isV1Alpha1);
  let document = structuredClone(documents[index]) as ConfigDocument;
  // One operation at a time, so an error names the operation that failed.
  operations.forEach((operation, position) => {
    try {
      document = fastJsonPatch.applyPatch(document, [operation as fastJsonPatch.Operation], true, true)
        .newDocument as ConfigDocument;
    } catch (cause) {
      throw new TalosError(
        "E_PATCH_INVALID",
        [
          {
            path: `${located.path}[${position}]`,
            message: `cannot be applied: ${((cause as Error).message ?? String(cause)).split("\n")[0]}`,
            hint: "RFC 6902 patches apply to the v1alpha1 document; check the JSON pointer against the generated config",
          },
        ],
        { cause },
      );
    }
  });
  return documents.map((original, position) => (position === index ? document : original));
}

/** Applies patches in order; returns new documents and leaves the input untouched. */
export function applyPatches(documents: readonly ConfigDocument[], patches: readonly LocatedPatch[]): ConfigDocument[] {
  let out = [...documents];
  for (const located of patches) {
    out = Array.isArray(located.patch)
      ? applyJsonPatch(out, located, located.patch)
      : applyStrategicMerge(out, located);
  }
  return out;
}

// The namespaces a tree declares (Namespace objects), minus the built-in ones every cluster has.
import { BUILTIN_NAMESPACES } from "@kubeforge/config";
import { type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { indexTree } from "../tree/tree-index.js";
import { documentsOfKind, isRecord } from "./rule.js";
import { containersOf } from "./workloads.js";

export function declaredNamespaces(documents: readonly ManifestDocument[]): ManifestDocument[] {
  return documentsOfKind(documents, "Namespace").filter((document) => {
    const name = objectRef(document).name;
    return name !== "" && !BUILTIN_NAMESPACES.has(name) && String(document.object.apiVersion) === "v1";
  });
}

/** A namespace the policies apply to, and where to report what it lacks. */
export interface NamespaceToCheck {
  readonly name: string;
  /** The Namespace object, or (when the tree never declares it) the first workload that runs in it. */
  readonly document: ManifestDocument;
  readonly path: string[];
  readonly declared: boolean;
}

// Four rules ask for the same list; it is computed once per tree.
const namespacesCache = new WeakMap<readonly ManifestDocument[], NamespaceToCheck[]>();

/**
 * Declared namespaces, plus every other non-built-in namespace a workload runs in: a workload in a namespace
 * the tree never declares has no Pod Security labels, quota, LimitRange or default-deny policy either, and
 * must not slip past the namespace policies because nobody wrote its Namespace object.
 */
export function namespacesToCheck(documents: readonly ManifestDocument[]): NamespaceToCheck[] {
  const cached = namespacesCache.get(documents);
  if (cached) return cached;
  const declared = declaredNamespaces(documents);
  const out: NamespaceToCheck[] = declared.map((document) => ({
    name: objectRef(document).name,
    document,
    path: ["metadata", "name"],
    declared: true,
  }));
  const seen = new Set([...documentsOfKind(documents, "Namespace").map((document) => objectRef(document).name)]);
  for (const document of documents) {
    const namespace = objectRef(document).namespace;
    if (!namespace || seen.has(namespace) || BUILTIN_NAMESPACES.has(namespace)) continue;
    if (containersOf(document).length === 0) continue;
    seen.add(namespace);
    out.push({ name: namespace, document, path: ["metadata", "namespace"], declared: false });
  }
  namespacesCache.set(documents, out);
  return out;
}

/** Hint suffix for a namespace only known from a workload. */
export function undeclaredHint(namespace: NamespaceToCheck): string {
  return namespace.declared ? "" : `; and declare Namespace ${namespace.name} in the tree (nothing declares it)`;
}

/** Namespaced objects of `kind` grouped by namespace (from the tree's index). */
export function objectsByNamespace(
  documents: readonly ManifestDocument[],
  kind: string,
): ReadonlyMap<string, readonly ManifestDocument[]> {
  return indexTree(documents).byKindAndNamespace.get(kind) ?? new Map();
}

export function labelsOf(document: ManifestDocument): Record<string, unknown> {
  const metadata = isRecord(document.object.metadata) ? document.object.metadata : {};
  return isRecord(metadata.labels) ? metadata.labels : {};
}

// One pass over a tree's documents that every rule shares: by kind, by file, by kind and namespace.
// Built once per documents array (memoized), so rules look objects up instead of rescanning the tree.
import { type ManifestDocument, objectRef } from "./manifest-document.js";

export interface TreeIndex {
  /** Documents by `kind`, in tree order. */
  readonly byKind: ReadonlyMap<string, readonly ManifestDocument[]>;
  /** Documents by report path (`file`), in document order. */
  readonly byFile: ReadonlyMap<string, readonly ManifestDocument[]>;
  /** Position of each document in the tree. */
  readonly order: ReadonlyMap<ManifestDocument, number>;
  /** Namespaced documents by `kind` then namespace. */
  readonly byKindAndNamespace: ReadonlyMap<string, ReadonlyMap<string, readonly ManifestDocument[]>>;
}

const cache = new WeakMap<readonly ManifestDocument[], TreeIndex>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The index of `documents` (computed on first use, then reused). */
export function indexTree(documents: readonly ManifestDocument[]): TreeIndex {
  const cached = cache.get(documents);
  if (cached) return cached;
  const byKind = new Map<string, ManifestDocument[]>();
  const byFile = new Map<string, ManifestDocument[]>();
  const byKindAndNamespace = new Map<string, Map<string, ManifestDocument[]>>();
  const order = new Map<ManifestDocument, number>();
  for (const document of documents) {
    order.set(document, order.size);
    const ref = objectRef(document);
    push(byKind, ref.kind, document);
    push(byFile, document.file, document);
    if (!ref.namespace) continue;
    let namespaces = byKindAndNamespace.get(ref.kind);
    if (!namespaces) {
      namespaces = new Map();
      byKindAndNamespace.set(ref.kind, namespaces);
    }
    push(namespaces, ref.namespace, document);
  }
  const index: TreeIndex = { byKind, byFile, order, byKindAndNamespace };
  cache.set(documents, index);
  return index;
}

/** Documents whose kind is one of `kinds`, in tree order. */
export function documentsOfKinds(documents: readonly ManifestDocument[], kinds: readonly string[]): ManifestDocument[] {
  const index = indexTree(documents);
  if (kinds.length === 1) return [...(index.byKind.get(kinds[0] ?? "") ?? [])];
  // Several kinds: merge their lists back into tree order.
  return [...new Set(kinds)]
    .flatMap((kind) => index.byKind.get(kind) ?? [])
    .sort((a, b) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0));
}

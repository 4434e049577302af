// The namespaces a tree declares (Namespace objects), minus the built-in ones every cluster has.
import { BUILTIN_NAMESPACES } from "@kubeforge/config";
import { type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { documentsOfKind, isRecord } from "./rule.js";

export function declaredNamespaces(documents: readonly ManifestDocument[]): ManifestDocument[] {
  return documentsOfKind(documents, "Namespace").filter((document) => {
    const name = objectRef(document).name;
    return name !== "" && !BUILTIN_NAMESPACES.has(name) && String(document.object.apiVersion) === "v1";
  });
}

/** Namespaced objects of `kind` grouped by namespace. */
export function objectsByNamespace(
  documents: readonly ManifestDocument[],
  kind: string,
): Map<string, ManifestDocument[]> {
  const out = new Map<string, ManifestDocument[]>();
  for (const document of documentsOfKind(documents, kind)) {
    const namespace = objectRef(document).namespace;
    if (!namespace) continue;
    out.set(namespace, [...(out.get(namespace) ?? []), document]);
  }
  return out;
}

export function labelsOf(document: ManifestDocument): Record<string, unknown> {
  const metadata = isRecord(document.object.metadata) ? document.object.metadata : {};
  return isRecord(metadata.labels) ? metadata.labels : {};
}

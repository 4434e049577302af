// A machine config is a stream of YAML documents: the v1alpha1 one (no kind) and typed ones (kind, maybe name).

export type ConfigDocument = Record<string, unknown>;

/** `v1alpha1` for the legacy document, otherwise `Kind` or `Kind/name`. */
export function documentId(document: ConfigDocument): string {
  if (isV1Alpha1(document)) return "v1alpha1";
  const kind = String(document.kind ?? "?");
  return typeof document.name === "string" ? `${kind}/${document.name}` : kind;
}

/** The decoder treats a document as v1alpha1 when it has `version` or a top-level machine/cluster/debug/persist. */
export function isV1Alpha1(document: ConfigDocument): boolean {
  if (typeof document.kind === "string") return false;
  return ["version", "machine", "cluster", "debug", "persist"].some((key) => key in document);
}

export function typedDocument(kind: string, fields: Record<string, unknown>): ConfigDocument {
  return { apiVersion: "v1alpha1", kind, ...fields };
}

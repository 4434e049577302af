// One YAML document of the tree: the plain object rules read, plus the parsed node tree for line numbers.
import { type Document, isCollection, type LineCounter } from "yaml";

export interface ManifestDocument {
  /** Path shown in reports (relative to the directory the run was started from). */
  readonly file: string;
  readonly absolutePath: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** The document as plain data (`sops` metadata still present on encrypted files). */
  readonly object: Record<string, unknown>;
  readonly source: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** apiVersion, kind, name and namespace of a manifest ("" for missing fields). */
export function objectRef(document: ManifestDocument): ObjectRef {
  const metadata = (document.object.metadata ?? {}) as Record<string, unknown>;
  const namespace = asString(metadata.namespace);
  return {
    apiVersion: asString(document.object.apiVersion),
    kind: asString(document.object.kind),
    name: asString(metadata.name),
    ...(namespace ? { namespace } : {}),
  };
}

/** `Kind namespace/name` or `Kind name`, for messages. */
export function describeObject(document: ManifestDocument): string {
  const ref = objectRef(document);
  return `${ref.kind || "object"} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name || "(unnamed)"}`;
}

/** 1-based line of the node at `path`, or of its nearest existing ancestor. */
export function lineOf(document: ManifestDocument, path: readonly (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.source.contents : document.source.getIn(path.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      // For a collection, point at its key's line rather than the first child when possible.
      if (length > 0 && isCollection(node)) {
        const parent = length === 1 ? document.source.contents : document.source.getIn(path.slice(0, length - 1), true);
        const pair = (
          parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] }
        )?.items?.find((item) => item.key?.value === path[length - 1]);
        if (pair?.key?.range) return document.lineCounter.linePos(pair.key.range[0]).line;
      }
      return document.lineCounter.linePos(range[0]).line;
    }
  }
  return undefined;
}

// The first difference between two parsed YAML document streams, for `gen config --check`. Pure.
// Hand-written: the comparison must name a Talos-style path (`machine.install.disk`) and never print key
// material, which generic diff libraries neither do nor promise.

export interface DocumentDifference {
  /** Path inside the stream, e.g. `machine.install.disk` or `HostnameConfig.hostname`. */
  readonly path: string;
  /** The committed value, described for humans (secrets hidden). */
  readonly committed: string;
  /** The freshly rendered value, described the same way. */
  readonly fresh: string;
}

/** Keys whose values are key material or tokens (or long certificates): their values are never printed. */
const HIDDEN_KEY = /key|token|secret|crt|cert$|ca$|cas$|password|aescbc|^data$/i;

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown, hidden: boolean): string {
  if (value === undefined) return "absent";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (isMap(value)) return "a map";
  if (hidden) return "(a secret or certificate value, not shown)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function join(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  const segment = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  return base === "" ? segment : `${base}.${segment}`;
}

function first(committed: unknown, fresh: unknown, at: string, hidden: boolean): DocumentDifference | undefined {
  if (Array.isArray(committed) && Array.isArray(fresh)) {
    for (let index = 0; index < Math.max(committed.length, fresh.length); index++) {
      const found = first(committed[index], fresh[index], join(at, index), hidden);
      if (found) return found;
    }
    return undefined;
  }
  if (isMap(committed) && isMap(fresh)) {
    const keys = [...new Set([...Object.keys(fresh), ...Object.keys(committed)])];
    for (const key of keys) {
      const found = first(committed[key], fresh[key], join(at, key), hidden || HIDDEN_KEY.test(key));
      if (found) return found;
    }
    return undefined;
  }
  if (Object.is(committed, fresh)) return undefined;
  return { path: at || "(document)", committed: describe(committed, hidden), fresh: describe(fresh, hidden) };
}

/** How a document of a multi-document Talos config is named in a path: the v1alpha1 config has no prefix. */
function documentLabel(document: unknown, index: number): string {
  if (!isMap(document) || document.kind === undefined) return index === 0 ? "" : `[${index}]`;
  const name = typeof document.name === "string" ? `(${document.name})` : "";
  return `${String(document.kind)}${name}`;
}

/**
 * The first difference between the committed and the fresh document streams, or undefined when they are equal.
 * Documents are matched by position; key order is ignored.
 */
export function firstDocumentDifference(
  committed: readonly unknown[],
  fresh: readonly unknown[],
): DocumentDifference | undefined {
  for (let index = 0; index < Math.max(committed.length, fresh.length); index++) {
    const label = documentLabel(fresh[index] ?? committed[index], index);
    if (committed[index] === undefined || fresh[index] === undefined) {
      return {
        path: label || `[${index}]`,
        committed: committed[index] === undefined ? "absent" : "a document",
        fresh: fresh[index] === undefined ? "absent" : "a document",
      };
    }
    const found = first(committed[index], fresh[index], label, false);
    if (found) return found;
  }
  return undefined;
}

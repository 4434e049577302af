// A finding is one problem in one document: the unit every rule returns and every report prints.

export type Severity = "error" | "warning";

export interface Finding {
  /** Rule id, e.g. `image-pinned`; the id exceptions refer to. */
  readonly rule: string;
  readonly severity: Severity;
  /** File relative to the validated directory's parent (e.g. `homelab/flux/apps/web.yaml`), or as given. */
  readonly file: string;
  /** Dot-path inside the document, e.g. `spec.template.spec.containers[0].image`; empty for the document. */
  readonly path: string;
  /** 1-based line of `path` in the file, when known. */
  readonly line?: number;
  /** `Kind namespace/name` of the object, when the finding is about one. */
  readonly object?: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

/** A finding that an exception (inline annotation or validate.yaml) turned off, with the reason given. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

/** Orders findings by file, line, path, rule so that output is deterministic. */
export function sortFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.path.localeCompare(b.path) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

/** Formats a path of keys and indexes (`["spec", "containers", 0]`) as `spec.containers[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

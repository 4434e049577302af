// Typed errors of the config package. Only an app's entry point turns them into output and exit codes.

/** One problem found in a cluster definition. */
export interface ConfigIssue {
  /** Dot-path inside the document, e.g. `nodes[2].address`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
}

/** Renders an issue as one line: `nodes[2].address: … — move the node or widen the CIDR`. */
export function formatIssue(issue: ConfigIssue, file?: string): string {
  const where = [file, issue.path].filter(Boolean).join(": ");
  const text = issue.hint ? `${issue.message} — ${issue.hint}` : issue.message;
  return where ? `${where}: ${text}` : text;
}

export type ConfigErrorCode = "E_CONFIG_INVALID" | "E_CONFIG_READ" | "E_CONFIG_PARSE";

/** A cluster definition could not be read, parsed or validated. Carries every issue found. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly code: ConfigErrorCode,
    readonly issues: readonly ConfigIssue[],
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    const lines = issues.map((issue) => `  ${formatIssue(issue, file)}`);
    const head = file ? `${file} is not a valid cluster definition:` : "invalid cluster definition:";
    super([head, ...lines].join("\n"), options);
  }
}

/** Formats a zod-style path (`["nodes", 2, "address"]`) as `nodes[2].address`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

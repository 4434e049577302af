// Typed errors of the talos package. Only the CLI entry turns them into output and exit codes.

export type TalosErrorCode =
  | "E_BUNDLE_MISSING"
  | "E_BUNDLE_EXISTS"
  | "E_BUNDLE_INVALID"
  | "E_BUNDLE_DECRYPT"
  | "E_CONFIG_INVALID"
  | "E_PATCH_INVALID"
  | "E_SCHEMA_INVALID"
  | "E_SOPS_FAILED"
  | "E_TALOSCTL_FAILED"
  | "E_WRITE_FAILED"
  | "E_PKI_MISMATCH"
  | "E_GENERATED_EXISTS"
  | "E_UNSAFE_PATH"
  | "E_TALOSCTL_MISSING";

/** One problem, located by file and by a path inside the document. */
export interface TalosIssue {
  readonly file?: string;
  /** Path inside the document, e.g. `certs.os.key` or `[2].machine.install`. */
  readonly path: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
}

export function formatTalosIssue(issue: TalosIssue): string {
  const where = [issue.file, issue.path].filter(Boolean).join(": ");
  const text = issue.hint ? `${issue.message} — ${issue.hint}` : issue.message;
  return where ? `${where}: ${text}` : text;
}

/** Everything that goes wrong with bad input: a code, the issues found, and the file concerned. */
export class TalosError extends Error {
  override readonly name = "TalosError";
  constructor(
    readonly code: TalosErrorCode,
    readonly issues: readonly TalosIssue[],
    options?: { cause?: unknown; summary?: string },
  ) {
    const lines = issues.map((issue) => formatTalosIssue(issue));
    const text = options?.summary ? [options.summary, ...lines.map((line) => `  ${line}`)] : lines;
    super(text.join("\n"), options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

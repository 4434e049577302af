// The error every kubeforge command raises for a problem the user can fix, and how known errors are recognised.

/** A failure the user can fix: the message names what is wrong, the hint how to fix it. */
export class CliError extends Error {
  override readonly name = "CliError";
  /** Exit code runMain uses: 2 for usage errors, else 1 unless given. */
  readonly exitCode: number;
  constructor(
    /** A string code such as `E_USAGE` or `E_EXISTS`. */
    readonly code: string,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? (code === "E_USAGE" ? 2 : 1);
  }
}

/** Errors of kubeforge packages carry a string `code` starting with E_ and a message that names file and fix. */
export function isKnownError(error: unknown): error is Error & { code: string; hint?: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as unknown as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("E_");
}

// Typed errors of the kubeforge CLI. Only runMain turns errors into output and exit codes.

export type CliErrorCode =
  | "E_USAGE" // bad flags or arguments
  | "E_EXISTS" // init: the cluster folder already exists
  | "E_INPUT" // a value given to init is invalid
  | "E_KEY" // no age key found or created
  | "E_RECIPIENTS" // encrypted files are not encrypted to the cluster's recipients
  | "E_TOOL_MISSING" // an external tool is not installed
  | "E_TOOL_FAILED" // an external tool exited non-zero
  | "E_TIMEOUT" // a wait did not finish in time
  | "E_NOT_READY"; // Flux objects stayed not Ready

/** A failure the user can fix: the message names what is wrong, the hint how to fix it. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? (code === "E_USAGE" ? 2 : 1);
  }
  readonly exitCode: number;
}

/** Errors of our packages carry a string `code` starting with E_ and a message that names file and fix. */
export function isKnownError(error: unknown): error is Error & { code: string; hint?: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === "string" &&
    /^E_/.test((error as unknown as { code: string }).code)
  );
}

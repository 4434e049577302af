// Typed errors for problems that stop a run (bad usage, unreadable input, no kubeconfig). Findings are not errors.

export type ValidateErrorCode =
  | "E_USAGE"
  | "E_READ"
  | "E_CONFIG"
  | "E_SCHEMAS_MISSING"
  | "E_KUSTOMIZE_MISSING"
  | "E_KUBECONFIG"
  | "E_API";

export class ValidateError extends Error {
  override readonly name = "ValidateError";
  constructor(
    readonly code: ValidateErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// The CLI's error codes; the error class and runMain live in @kubeforge/cli-kit so every package's bin can share them.
import { CliError as KitError } from "@kubeforge/cli-kit";

export type CliErrorCode =
  | "E_USAGE" // bad flags or arguments
  | "E_EXISTS" // init: the cluster folder already exists
  | "E_INPUT" // a value given to a command is invalid
  | "E_KEY" // no age key found or created
  | "E_RECIPIENTS" // encrypted files are not encrypted to the cluster's recipients
  | "E_TOOL_MISSING" // an external tool is not installed
  | "E_TOOL_FAILED" // an external tool exited non-zero
  | "E_TIMEOUT" // a wait did not finish in time
  | "E_NOT_READY"; // Flux objects stayed not Ready

/** A CliError whose code is one of kubeforge's. */
export class CliError extends KitError {
  constructor(code: CliErrorCode, message: string, hint?: string, options?: { cause?: unknown; exitCode?: number }) {
    super(code, message, hint, options);
  }
}

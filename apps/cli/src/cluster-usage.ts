// A <cluster> argument that names no cluster is a usage error (exit 2), as the help of the commands that hand over to
// a package CLI (`doctor`, `validate`) and those CLIs themselves say. findDefinition's error is a config error (exit 1
// by default), so its code, message and fix are kept and only the exit code changes.
import { isKnownError, CliError as KitError } from "@kubeforge/cli-kit";

/** The definition file of `target`; an unknown cluster fails with exit 2. */
export async function findClusterArgument(target: string): Promise<string> {
  const { findDefinition } = await import("@kubeforge/config");
  try {
    return findDefinition(target);
  } catch (error) {
    if (!isKnownError(error)) throw error;
    // as runMain prints a known error: the fix once, not again when the message already holds it
    const hint = error.hint && !error.message.includes(error.hint) ? error.hint : undefined;
    throw new KitError(error.code, error.message, hint, { cause: error, exitCode: 2 });
  }
}

// Runs `kubectl kustomize` (kustomize v5 built into kubectl) the way Flux's kustomize-controller builds a path.
import { execa } from "execa";
import { ValidateError } from "../errors.js";

export type KustomizeResult =
  | { readonly ok: true; readonly output: string }
  | { readonly ok: false; readonly message: string };

/** Builds the kustomization in `dir`. */
export type KustomizeBuild = (dir: string) => Promise<KustomizeResult>;

export interface KubectlKustomizeOptions {
  /** kubectl binary. @default "kubectl" */
  readonly kubectl?: string;
}

/** The useful part of kubectl's error output: the `err="…"` text of its structured log line, shortened. */
export function summarizeKustomizeError(output: string): string {
  const first = output.trim().split("\n")[0] ?? "";
  const structured = /err="(.*)"\s*$/.exec(first)?.[1];
  const message = (structured ?? first)
    .replace(/^Error: /, "")
    .replace(/\\"/g, '"')
    .replace(/^accumulating resources: accumulation err='(.*?)': must build at directory.*$/, "$1");
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

/** A KustomizeBuild that shells out to `kubectl kustomize --load-restrictor LoadRestrictionsNone` (as Flux does). */
export function kubectlKustomize(options: KubectlKustomizeOptions = {}): KustomizeBuild {
  const kubectl = options.kubectl ?? "kubectl";
  return async (dir) => {
    try {
      const result = await execa(kubectl, ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], {
        reject: false,
        stripFinalNewline: true,
      });
      if (result.failed && result.exitCode === undefined) throw result;
      if (result.exitCode === 0) return { ok: true, output: result.stdout };
      return { ok: false, message: summarizeKustomizeError(result.stderr || result.stdout) };
    } catch (cause) {
      throw new ValidateError(
        "E_KUSTOMIZE_MISSING",
        `cannot run \`${kubectl} kustomize\`: ${(cause as Error).message}`,
        "install kubectl (it includes kustomize), or pass --no-kustomize to skip the build check",
        { cause },
      );
    }
  };
}

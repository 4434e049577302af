// Exit codes of kubeforge-validate: 0 clean, 1 findings, 2 usage or internal error.
import type { Finding } from "../finding.js";

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** 1 when any error (or, with `strict`, any warning) stands; 0 otherwise. */
export function exitCodeFor(findings: readonly Finding[], options: { strict?: boolean } = {}): number {
  const failing = findings.filter((finding) => finding.severity === "error" || options.strict);
  return failing.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

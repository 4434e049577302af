// No plaintext Secret anywhere in the cluster folder: every Secret must be SOPS-encrypted. Detection is
// @kubeforge/sops's findPlaintextSecrets (the same check its CLI uses); this rule only locates each result.
import { findPlaintextSecrets } from "@kubeforge/sops";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, type Rule } from "./rule.js";

/** Splits `documents[1].data` into the document index and the keys inside it. */
export function parseSecretPath(path: string): { index?: number; keys: (string | number)[] } {
  const match = /^documents\[(\d+)\]\.?(.*)$/.exec(path);
  const rest = match ? (match[2] ?? "") : path;
  const keys = rest
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return { ...(match ? { index: Number(match[1]) } : {}), keys };
}

export const noPlaintextSecretsRule: Rule = {
  id: "no-plaintext-secrets",
  description: "No plaintext Secret anywhere in the cluster folder (SOPS-encrypted only).",
  check({ files, documents }) {
    const byFile = new Map<string, ManifestDocument[]>();
    for (const document of documents) byFile.set(document.file, [...(byFile.get(document.file) ?? []), document]);
    const findings: Finding[] = [];
    for (const found of findPlaintextSecrets(files)) {
      const { index, keys } = parseSecretPath(found.path);
      const candidates = byFile.get(found.file) ?? [];
      const document =
        index !== undefined
          ? candidates.find((candidate) => candidate.index === index)
          : candidates.find((candidate) => candidate.object.kind === "Secret");
      const input = { rule: "no-plaintext-secrets", path: keys, message: found.message, hint: found.hint };
      findings.push(document ? findingAt(document, input) : { ...input, severity: "error", file: found.file, path: keys.join(".") });
    }
    return findings;
  },
};

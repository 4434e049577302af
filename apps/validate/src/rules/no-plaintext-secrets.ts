// No plaintext Secret anywhere in the cluster folder: every Secret must be SOPS-encrypted. Detection is
// @kubeforge/sops's findPlaintextSecrets (the same check its CLI uses); this rule only locates each result.
import { findPlaintextSecrets } from "@kubeforge/sops";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, type Rule } from "./rule.js";
import { checkSecretGenerators } from "./secret-generators.js";

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
  async check({ files, documents, displayBase }) {
    const byFile = new Map<string, ManifestDocument[]>();
    for (const document of documents) byFile.set(document.file, [...(byFile.get(document.file) ?? []), document]);
    const findings: Finding[] = [];
    // Only files that mention a Secret need the full parse findPlaintextSecrets does.
    const candidates = files.filter((file) => /\bkind:\s*["']?Secret\b|"kind"\s*:\s*"Secret"/.test(file.content));
    for (const found of findPlaintextSecrets(candidates)) {
      const { index, keys } = parseSecretPath(found.path);
      const inFile = byFile.get(found.file) ?? [];
      const document =
        index !== undefined
          ? inFile.find((candidate) => candidate.index === index)
          : inFile.find((candidate) => candidate.object.kind === "Secret");
      const input = { rule: "no-plaintext-secrets", path: keys, message: found.message, hint: found.hint };
      findings.push(
        document ? findingAt(document, input) : { ...input, severity: "error", file: found.file, path: keys.join(".") },
      );
    }
    findings.push(...(await checkSecretGenerators(files, displayBase)));
    return findings;
  },
};

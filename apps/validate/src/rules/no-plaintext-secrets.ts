// No plaintext Secret anywhere in the tree: every Secret must be SOPS-encrypted (top-level `sops` key).
// `findPlaintextSecrets` is a stand-in with the signature @kubeforge/sops exports (see the package
// contract); when that package is merged, this file imports it instead and the rest stays as is.
import { parseAllDocuments } from "yaml";
import type { Finding } from "../finding.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, isRecord, type Rule } from "./rule.js";

export interface PlaintextSecret {
  readonly file: string;
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** Stand-in for `findPlaintextSecrets` of @kubeforge/sops: Secrets without SOPS metadata. */
export function findPlaintextSecrets(files: readonly { path: string; content: string }[]): PlaintextSecret[] {
  const out: PlaintextSecret[] = [];
  for (const file of files) {
    if (!/\bkind:\s*["']?Secret\b/.test(file.content)) continue;
    for (const document of parseAllDocuments(file.content)) {
      if (!("toJS" in document) || document.errors.length > 0) continue;
      const object = document.toJS() as unknown;
      if (!isRecord(object) || object.kind !== "Secret" || "sops" in object) continue;
      const field = ["stringData", "data"].find((key) => isRecord(object[key]) && Object.keys(object[key]).length > 0);
      if (!field) continue;
      out.push({
        file: file.path,
        path: field,
        message: "Secret is not SOPS-encrypted: its values are committed in plaintext",
        hint: "encrypt it with `sops --encrypt --in-place` (kubeforge-sops) and rotate the exposed values",
      });
    }
  }
  return out;
}

function pathKeys(path: string): (string | number)[] {
  return path
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== "")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export const noPlaintextSecretsRule: Rule = {
  id: "no-plaintext-secrets",
  description: "No plaintext Secret anywhere in the tree (SOPS-encrypted only).",
  check({ files, documents }) {
    const byFile = new Map<string, ManifestDocument[]>();
    for (const document of documents) byFile.set(document.file, [...(byFile.get(document.file) ?? []), document]);
    const findings: Finding[] = [];
    const used = new Set<ManifestDocument>();
    for (const found of findPlaintextSecrets(files)) {
      const keys = pathKeys(found.path);
      const document = (byFile.get(found.file) ?? []).find(
        (candidate) =>
          !used.has(candidate) &&
          candidate.object.kind === "Secret" &&
          !("sops" in candidate.object) &&
          keys.length > 0 &&
          candidate.source.hasIn(keys),
      );
      if (document) used.add(document);
      const input = { rule: "no-plaintext-secrets", path: keys, message: found.message, hint: found.hint };
      findings.push(
        document
          ? findingAt(document, input)
          : { ...input, severity: "error", file: found.file, path: found.path },
      );
    }
    return findings;
  },
};

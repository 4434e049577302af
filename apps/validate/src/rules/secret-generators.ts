// Plaintext that a kustomization.yaml's secretGenerator turns into a Secret: inline `literals`, and `files` or
// `envs` that are not SOPS-encrypted. No `kind: Secret` appears in the tree, yet the value sits in Git.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Finding } from "../finding.js";
import { sopsFilePlaintext } from "../sops/sops-file.js";
import { plaintextInSopsFileHint } from "../sops/sops-fix.js";
import { parseManifestText } from "../tree/load-documents.js";
import { findingAt, isRecord } from "./rule.js";

const KUSTOMIZATION_FILES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);

/** SOPS metadata in any of its formats: YAML `sops:` key, JSON `"sops":`, dotenv/ini `sops_version=`. */
export function isSopsEncrypted(content: string): boolean {
  return /^sops:\s*$/m.test(content) || /"sops"\s*:/.test(content) || /^sops_(version|mac)\s*=/m.test(content);
}

/** `key=path` or `path` (secretGenerator `files` entries). */
function sourcePath(entry: string): string {
  const index = entry.indexOf("=");
  return index >= 0 ? entry.slice(index + 1) : entry;
}

const HINT =
  "keep secret values out of Git in plaintext: commit a SOPS-encrypted Secret manifest (kubeforge-sops encrypt) or SOPS-encrypt the generator's file";

export async function checkSecretGenerators(
  files: readonly { readonly path: string; readonly content: string }[],
  displayBase: string,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    if (!KUSTOMIZATION_FILES.has(path.basename(file.path)) || !file.content.includes("secretGenerator")) continue;
    const absolutePath = path.resolve(displayBase, file.path);
    const { documents } = parseManifestText(file.content, { file: file.path, absolutePath });
    for (const document of documents) {
      const generators = document.object.secretGenerator;
      if (!Array.isArray(generators)) continue;
      for (const [index, generator] of generators.entries()) {
        if (!isRecord(generator)) continue;
        const name = String(generator.name ?? "(unnamed)");
        const literals = Array.isArray(generator.literals) ? generator.literals : [];
        if (literals.length > 0) {
          findings.push(
            findingAt(document, {
              rule: "no-plaintext-secrets",
              path: ["secretGenerator", index, "literals"],
              message: `secretGenerator ${name} has ${literals.length} plaintext literal value(s)`,
              hint: HINT,
            }),
          );
        }
        for (const field of ["files", "envs"] as const) {
          const entries = Array.isArray(generator[field]) ? (generator[field] as unknown[]) : [];
          for (const [entryIndex, entry] of entries.entries()) {
            if (typeof entry !== "string") continue;
            const source = path.resolve(path.dirname(absolutePath), sourcePath(entry));
            let content: string;
            try {
              content = await readFile(source, "utf8");
            } catch {
              continue; // a missing file is the kustomize build's finding, not this one
            }
            if (isSopsEncrypted(content)) {
              // Encrypted, but a value may have been added by hand in plaintext.
              const plain = sopsFilePlaintext(content, source);
              if (plain.length === 0) continue;
              findings.push(
                findingAt(document, {
                  rule: "no-plaintext-secrets",
                  path: ["secretGenerator", index, field, entryIndex],
                  message: `secretGenerator ${name} reads ${sourcePath(entry)}, a SOPS file with plaintext value(s) its rules encrypt: ${plain.join(", ")}`,
                  hint: plaintextInSopsFileHint({ file: source, displayBase, keys: plain }),
                }),
              );
              continue;
            }
            findings.push(
              findingAt(document, {
                rule: "no-plaintext-secrets",
                path: ["secretGenerator", index, field, entryIndex],
                message: `secretGenerator ${name} reads ${sourcePath(entry)}, which is not SOPS-encrypted`,
                hint: HINT,
              }),
            );
          }
        }
      }
    }
  }
  return findings;
}

// Finds Kubernetes Secrets committed in plaintext: a Secret with data/stringData but no sops metadata.
import type { parseAllDocuments } from "yaml";
import { yamlLibrary } from "./lazy.js";

export interface PlaintextSecretFinding {
  readonly file: string;
  /** Where in the file: `documents[1].data.password` style. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function hasSopsMac(doc: Record<string, unknown>): boolean {
  const sops = doc.sops;
  return isRecord(sops) && typeof sops.mac === "string" && sops.mac.startsWith("ENC[");
}

function plainValueKeys(section: unknown): string[] {
  if (!isRecord(section)) return [];
  return Object.entries(section)
    .filter(([, value]) => !(typeof value === "string" && (value === "" || value.startsWith("ENC[AES256_GCM,"))))
    .map(([key]) => key);
}

/**
 * Reports every Kubernetes Secret whose `data`/`stringData` values are not sops-encrypted. Files that are
 * not YAML/JSON manifests are skipped; sops-encrypted Secrets (with a `sops.mac`) pass.
 */
export function findPlaintextSecrets(
  files: ReadonlyArray<{ path: string; content: string }>,
): PlaintextSecretFinding[] {
  const findings: PlaintextSecretFinding[] = [];
  for (const file of files) {
    if (!/\.(ya?ml|json)$/i.test(file.path)) continue;
    let docs: ReturnType<typeof parseAllDocuments>;
    try {
      docs = yamlLibrary().parseAllDocuments(file.content);
    } catch {
      continue;
    }
    if (!Array.isArray(docs)) continue;
    docs.forEach((parsed, index) => {
      if (parsed.errors.length) return;
      const doc = parsed.toJS() as unknown;
      if (!isRecord(doc) || doc.kind !== "Secret" || hasSopsMac(doc)) return;
      const name = isRecord(doc.metadata) ? String(doc.metadata.name ?? "?") : "?";
      const prefix = docs.length > 1 ? `documents[${index}].` : "";
      for (const section of ["data", "stringData"]) {
        const keys = plainValueKeys(doc[section]);
        if (keys.length === 0) continue;
        findings.push({
          file: file.path,
          path: `${prefix}${section}`,
          message: `Secret ${name} has ${keys.length} plaintext ${section} value(s): ${keys.join(", ")}`,
          hint: `encrypt it: kubeforge-sops encrypt -i ${file.path} (with a .sops.yaml rule using encrypted_regex '^(data|stringData)$')`,
        });
      }
    });
  }
  return findings;
}

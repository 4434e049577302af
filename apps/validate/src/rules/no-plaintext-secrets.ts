// No plaintext secret anywhere in the cluster folder: every value of a Secret's data/stringData is
// SOPS-encrypted, whether or not the file carries sops metadata, and a SOPS file holds no plaintext value its
// own sops rules say is encrypted (a hand-added `stringData.db-password: hunter2` in an encrypted file).
import path from "node:path";
import type { Finding } from "../finding.js";
import { formatPath } from "../finding.js";
import { isEncryptedValue, plaintextValues, selectionOf, sopsMetadataOf } from "../sops/sops-coverage.js";
import { plaintextInSopsFileHint, plaintextSecretHint } from "../sops/sops-fix.js";
import { parseManifestText } from "../tree/load-documents.js";
import type { ManifestDocument } from "../tree/manifest-document.js";
import { findingAt, isRecord, type Rule, type RuleContext } from "./rule.js";
import { checkSecretGenerators, isSopsEncrypted } from "./secret-generators.js";

const RULE = "no-plaintext-secrets";
/** Findings per document past which the rest are summed up (a whole file in plaintext is one problem). */
const MAX_PER_DOCUMENT = 10;

function isSecret(object: Record<string, unknown>): boolean {
  return object.kind === "Secret" && (object.apiVersion === "v1" || object.apiVersion === undefined);
}

function plaintextKeys(section: unknown): string[] {
  if (!isRecord(section)) return [];
  return Object.entries(section)
    .filter(([, value]) => value !== null && value !== "" && !isEncryptedValue(value))
    .map(([key]) => key);
}

function secretName(object: Record<string, unknown>): string {
  return isRecord(object.metadata) && typeof object.metadata.name === "string" ? object.metadata.name : "(unnamed)";
}

function checkDocument(
  document: ManifestDocument,
  fileHasSops: boolean,
  context: Pick<RuleContext, "displayBase" | "clusterDir">,
): Finding[] {
  const object = document.object;
  const metadata = sopsMetadataOf(object);
  const findings: Finding[] = [];
  const secret = isSecret(object);
  if (secret && !metadata) {
    // A Secret nobody encrypted: one finding per section, with the command that encrypts it as printed
    // (a file that holds a SOPS document as well cannot be encrypted again: edit it instead).
    const hint = fileHasSops
      ? plaintextInSopsFileHint({
          file: document.absolutePath,
          displayBase: context.displayBase,
          keys: ["data", "stringData"],
          ...(context.clusterDir ? { clusterDir: context.clusterDir } : {}),
        })
      : plaintextSecretHint({
          file: document.absolutePath,
          displayBase: context.displayBase,
          secretName: secretName(object),
          ...(context.clusterDir ? { clusterDir: context.clusterDir } : {}),
        });
    for (const section of ["data", "stringData"]) {
      const keys = plaintextKeys(object[section]);
      if (keys.length === 0) continue;
      findings.push(
        findingAt(document, {
          rule: RULE,
          path: [section],
          message: `Secret ${secretName(object)} has ${keys.length} plaintext ${section} value(s): ${keys.join(", ")}`,
          hint,
        }),
      );
    }
    return findings;
  }
  if (!secret && !metadata) return findings;
  // Inside a SOPS file: a Secret's data/stringData always; anything else the file's own rules encrypt.
  const paths: (string | number)[][] = [];
  if (secret) {
    for (const section of ["data", "stringData"])
      for (const key of plaintextKeys(object[section])) paths.push([section, key]);
  }
  const selection = metadata ? selectionOf(metadata) : undefined;
  if (selection) {
    const seen = new Set(paths.map((entry) => formatPath(entry)));
    for (const entry of plaintextValues(object, selection)) if (!seen.has(formatPath(entry))) paths.push(entry);
  }
  const keys = paths.map((entry) => formatPath(entry));
  const hint = plaintextInSopsFileHint({
    file: document.absolutePath,
    displayBase: context.displayBase,
    keys,
    ...(context.clusterDir ? { clusterDir: context.clusterDir } : {}),
  });
  for (const entry of paths.slice(0, MAX_PER_DOCUMENT)) {
    findings.push(
      findingAt(document, {
        rule: RULE,
        path: entry,
        message: `${formatPath(entry)} is in plaintext in a SOPS-encrypted file${secret ? ` (Secret ${secretName(object)})` : ""}: sops rules say it must be encrypted`,
        hint,
      }),
    );
  }
  if (paths.length > MAX_PER_DOCUMENT) {
    findings.push(
      findingAt(document, {
        rule: RULE,
        message: `${paths.length - MAX_PER_DOCUMENT} more plaintext value(s) in this SOPS-encrypted document`,
        hint,
      }),
    );
  }
  return findings;
}

/**
 * Files worth parsing: those that mention the word Secret anywhere or carry sops metadata (YAML, or JSON as
 * sops writes it). Deliberately loose: `"kind": Secret`, `'kind': Secret` and `kind: !!str Secret` are Secrets too.
 */
function mayHoldSecrets(content: string): boolean {
  return /\bSecret\b/.test(content) || isSopsEncrypted(content);
}

export const noPlaintextSecretsRule: Rule = {
  id: RULE,
  description:
    "No plaintext Secret value anywhere in the cluster folder, and no plaintext value a SOPS file's rules encrypt.",
  async check(context) {
    const { files, displayBase } = context;
    const findings: Finding[] = [];
    for (const file of files) {
      if (!/\.(ya?ml|json)$/i.test(file.path) || !mayHoldSecrets(file.content)) continue;
      const absolutePath = path.resolve(displayBase, file.path);
      const { documents } = parseManifestText(file.content, { file: file.path, absolutePath });
      const fileHasSops = documents.some((document) => sopsMetadataOf(document.object) !== undefined);
      for (const document of documents) findings.push(...checkDocument(document, fileHasSops, context));
    }
    findings.push(...(await checkSecretGenerators(files, displayBase)));
    return findings;
  },
};

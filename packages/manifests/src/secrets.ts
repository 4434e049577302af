// Users' SOPS-encrypted Secrets (clusters/<name>/secrets/*.sops.yaml) go into the tree unchanged, in
// the infrastructure layer so a Secret exists before the HelmRelease that reads it waits on its pods.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { findPlaintextValues } from "@kubeforge/config";
import { isSopsEncrypted } from "@kubeforge/sops";
import { parseAllDocuments } from "yaml";
import type { ExtraFile } from "./render/tree.js";

export const SECRETS_FOLDER = "infrastructure/secrets";

/** A file in secrets/ is not SOPS-encrypted. Nothing was written. */
export class PlaintextSecretError extends Error {
  override readonly name = "PlaintextSecretError";
  readonly code = "E_PLAINTEXT_SECRET";
  constructor(readonly files: readonly { file: string; path: string; message: string; hint?: string }[]) {
    super(
      `refusing to publish unencrypted secrets:\n${files
        .map(
          (entry) =>
            `  ${entry.file}${entry.path ? `: ${entry.path}` : ""}: ${entry.message} — ${entry.hint ?? `encrypt it: pnpm exec kubeforge secrets encrypt -i ${entry.file}`}`,
        )
        .join("\n")}`,
    );
  }
}

export interface UserSecrets {
  readonly files: ExtraFile[];
  /** Files in secrets/ that are not copied (not named *.sops.yaml). */
  readonly skipped: string[];
}

/**
 * Values left in plaintext inside a SOPS file (e.g. `stringData.db-password: hunter2` added after
 * encryption): sops metadata alone does not make every value encrypted.
 */
function findPlaintextInDocuments(
  file: string,
  content: string,
): { file: string; path: string; message: string; hint?: string }[] {
  const documents = parseAllDocuments(content);
  const list = Array.isArray(documents) ? documents : [documents];
  return list.flatMap((document, index) =>
    document.errors.length > 0
      ? [{ file, path: "", message: `is not valid YAML (${document.errors[0]?.message.split("\n")[0]})` }]
      : findPlaintextValues(document.toJS()).map((value) => ({
          file,
          path: `${list.length > 1 ? `documents[${index}].` : ""}${value.path.join(".")}`,
          message: `is plaintext but must be encrypted (${value.reason})`,
          // `kubeforge secrets` (not kubeforge-sops) finds the cluster's saved age key. An edit encrypts by the
          // file's own sops rules: when they do not select the value (an encrypted_regex that misses it), only
          // re-encrypting the file with a rule that does helps.
          hint: `remove it and set it with pnpm exec kubeforge secrets edit ${file}, which encrypts it; if the file's own sops.encrypted_regex does not select it (the edit would leave it in plaintext), fix the .sops.yaml rule, then run pnpm exec kubeforge secrets decrypt -i ${file} and pnpm exec kubeforge secrets encrypt -i ${file}`,
        })),
  );
}

/** Reads `<clusterDir>/secrets/*.sops.yaml`; every one must be SOPS-encrypted. */
export async function readUserSecrets(clusterDir: string): Promise<UserSecrets> {
  const folder = path.join(clusterDir, "secrets");
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { files: [], skipped: [] };
    throw error;
  }
  const files: ExtraFile[] = [];
  const skipped: string[] = [];
  const problems: { file: string; path: string; message: string; hint?: string }[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    if (!name.endsWith(".sops.yaml")) {
      skipped.push(file);
      continue;
    }
    // A symlink could publish any file on the machine; secrets/ holds the files themselves.
    if (!(await lstat(file)).isFile()) {
      problems.push({ file, path: "", message: "is a symlink or not a regular file" });
      continue;
    }
    const content = await readFile(file, "utf8");
    if (!isSopsEncrypted(content, "yaml")) {
      problems.push({ file, path: "", message: "has no sops metadata" });
      continue;
    }
    // findPlaintextValues covers what @kubeforge/sops's findPlaintextSecrets does (a Secret's plaintext
    // data/stringData) and also checks files that carry sops metadata, which that check skips.
    const plaintext = findPlaintextInDocuments(file, content);
    problems.push(...plaintext);
    if (plaintext.length === 0) files.push({ path: `${SECRETS_FOLDER}/${name}`, content });
  }
  if (problems.length > 0) throw new PlaintextSecretError(problems);
  return { files, skipped };
}

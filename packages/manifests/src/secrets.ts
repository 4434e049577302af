// Users' SOPS-encrypted Secrets (clusters/<name>/secrets/*.sops.yaml) go into the tree unchanged, in
// the infrastructure layer so a Secret exists before the HelmRelease that reads it waits on its pods.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { findPlaintextValues } from "@kubeforge/config";
import { findPlaintextSecrets, isSopsEncrypted } from "@kubeforge/sops";
import { parseAllDocuments } from "yaml";
import type { ExtraFile } from "./render/tree.js";

export const SECRETS_FOLDER = "infrastructure/secrets";

/** A file in secrets/ is not SOPS-encrypted. Nothing was written. */
export class PlaintextSecretError extends Error {
  override readonly name = "PlaintextSecretError";
  readonly code = "E_PLAINTEXT_SECRET";
  constructor(readonly files: readonly { file: string; path: string; message: string }[]) {
    super(
      `refusing to publish unencrypted secrets:\n${files
        .map(
          (entry) =>
            `  ${entry.file}${entry.path ? `: ${entry.path}` : ""}: ${entry.message} — encrypt it: kubeforge-sops encrypt -i ${entry.file}`,
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
function findPlaintextInDocuments(file: string, content: string): { file: string; path: string; message: string }[] {
  const documents = parseAllDocuments(content);
  const list = Array.isArray(documents) ? documents : [documents];
  return list.flatMap((document, index) =>
    findPlaintextValues(document.toJS()).map((value) => ({
      file,
      path: `${list.length > 1 ? `documents[${index}].` : ""}${value.path.join(".")}`,
      message: `is plaintext but must be encrypted (${value.reason})`,
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
  const problems: { file: string; path: string; message: string }[] = [];
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
    const before = problems.length;
    for (const finding of findPlaintextSecrets([{ path: file, content }]))
      problems.push({ file, path: finding.path, message: finding.message });
    problems.push(...findPlaintextInDocuments(file, content));
    if (problems.length === before) files.push({ path: `${SECRETS_FOLDER}/${name}`, content });
  }
  if (problems.length > 0) throw new PlaintextSecretError(problems);
  return { files, skipped };
}

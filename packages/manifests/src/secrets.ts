// Users' SOPS-encrypted Secrets (clusters/<name>/secrets/*.sops.yaml) go into the tree unchanged, in
// the infrastructure layer so a Secret exists before the HelmRelease that reads it waits on its pods.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { findPlaintextSecrets, isSopsEncrypted } from "@kubeforge/sops";
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
    const content = await readFile(file, "utf8");
    if (!isSopsEncrypted(content, "yaml")) {
      problems.push({ file, path: "", message: "has no sops metadata" });
      continue;
    }
    for (const finding of findPlaintextSecrets([{ path: file, content }]))
      problems.push({ file, path: finding.path, message: finding.message });
    files.push({ path: `${SECRETS_FOLDER}/${name}`, content });
  }
  if (problems.length > 0) throw new PlaintextSecretError(problems);
  return { files, skipped };
}

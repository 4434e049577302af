// `decrypt a b c` / `decrypt --recursive dir`: many files in one process (key sources read once), each
// decrypted in place or under --output-dir at its relative path. One failing file does not stop the rest.
import { mkdirSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { SopsError } from "../errors.js";
import { writeFileAtomic } from "../io.js";
import { keySourceFromEnv } from "../keys/sources.js";
import { configOf, type FileCommandOptions } from "./context.js";
import { decryptFile } from "./decrypt.js";

export interface DecryptManyOptions {
  readonly files: readonly string[];
  readonly recursive?: string;
  /** Write each file under this folder (relative path kept); default: in place. */
  readonly outputDir?: string;
  readonly common: Omit<FileCommandOptions, "file">;
  readonly onError: (error: unknown) => void;
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
    throw new SopsError("E_SOPS_NOT_FOUND", `cannot read the folder (${(error as NodeJS.ErrnoException).code})`, {
      file: dir,
    });
  });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** Not a sops file: no metadata, or unparsable text that holds no sops value either (a corrupt sops file is reported). */
function isNotSops(error: SopsError, file: string): boolean {
  if (error.code === "E_SOPS_NOT_ENCRYPTED") return true;
  if (error.code !== "E_SOPS_PARSE") return false;
  try {
    return !readFileSync(file, "latin1").includes("ENC[AES256_GCM,");
  } catch {
    return false;
  }
}

/** Decrypts every file; returns the errors (empty when all succeeded). */
export async function decryptMany(options: DecryptManyOptions): Promise<unknown[]> {
  const keySource = keySourceFromEnv(options.common.env ?? process.env);
  // every file shares the working directory's .sops.yaml (stores.indent): find it once
  const config = (await configOf({ ...options.common, file: "" }).catch(() => undefined)) ?? null;
  const made = new Set<string>();
  const jobs: Array<{ file: string; base: string; found?: boolean }> = options.files.map((file) => ({
    file,
    base: process.cwd(),
  }));
  if (options.recursive) {
    for (const file of await listFiles(options.recursive)) jobs.push({ file, base: options.recursive, found: true });
  }
  const failures: unknown[] = [];
  for (const job of jobs) {
    const { file, base } = job;
    try {
      const plain = await decryptFile({ ...options.common, file, readPath: file, keySource, config });
      let target = file;
      if (options.outputDir) {
        const relative = path.relative(base, path.resolve(file));
        if (relative.startsWith("..") || path.isAbsolute(relative)) {
          throw new SopsError("E_SOPS_IO", "cannot write the file outside the --output-dir tree", {
            file,
            hint: "run from a folder that contains the files, or use -i",
          });
        }
        target = path.join(options.outputDir, relative);
        if (!made.has(path.dirname(target))) mkdirSync(path.dirname(target), { recursive: true });
        made.add(path.dirname(target));
      }
      await writeFileAtomic(target, plain, { secret: true });
    } catch (error) {
      // a recursive run skips what is not a sops file (READMEs, plaintext next to the secrets)
      if (job.found && error instanceof SopsError && isNotSops(error, file)) continue;
      failures.push(error);
      options.onError(error);
    }
  }
  return failures;
}

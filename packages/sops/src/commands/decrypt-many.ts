// `decrypt a b c` / `decrypt --recursive dir`: many files in one process (key sources read once), each
// decrypted in place or under --output-dir at its relative path. One failing file does not stop the rest.
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { SopsError } from "../errors.js";
import { formatFromPath } from "../formats/index.js";
import { readInputFile, writeFileAtomic } from "../io.js";
import { keySourceFromEnv } from "../keys/sources.js";
import { isSopsEncrypted } from "../operations/filestatus.js";
import type { FileCommandOptions } from "./context.js";
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

/** Decrypts every file; returns the errors (empty when all succeeded). */
export async function decryptMany(options: DecryptManyOptions): Promise<unknown[]> {
  const keySource = keySourceFromEnv(options.common.env ?? process.env);
  const jobs: Array<{ file: string; base: string }> = options.files.map((file) => ({ file, base: process.cwd() }));
  if (options.recursive) {
    for (const file of await listFiles(options.recursive)) {
      const format = options.common.inputType ?? formatFromPath(file);
      const text = (await readInputFile(file)).toString("utf8");
      // only sops files: a recursive run must not trip over READMEs or plaintext next to them
      if (isSopsEncrypted(text, format)) jobs.push({ file, base: options.recursive });
    }
  }
  const failures: unknown[] = [];
  for (const { file, base } of jobs) {
    try {
      const plain = await decryptFile({ ...options.common, file, readPath: file, keySource });
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
        await mkdir(path.dirname(target), { recursive: true });
      }
      await writeFileAtomic(target, plain, { secret: true });
    } catch (error) {
      failures.push(error);
      options.onError(error);
    }
  }
  return failures;
}

// File IO for the commands: reads that name the file on failure, and atomic writes (temp file + rename).
import { randomBytes } from "node:crypto";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { SopsError } from "./errors.js";

export async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SopsError(
      code === "ENOENT" ? "E_SOPS_NOT_FOUND" : "E_SOPS_IO",
      code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? "error"})`,
      {
        file,
        cause: error,
      },
    );
  }
}

export async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Writes atomically, keeping the mode of an existing file. `secret` (decrypted plaintext) writes 0600 and
 * narrows an existing file's mode to its owner bits, so plaintext never stays readable by others.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { secret?: boolean } = {},
): Promise<void> {
  const mode = await stat(file).then(
    (s) => (options.secret ? s.mode & 0o600 : s.mode & 0o777),
    () => (options.secret ? 0o600 : 0o644),
  );
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data, { mode });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new SopsError("E_SOPS_IO", `cannot write the file (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      file,
      cause: error,
    });
  }
}

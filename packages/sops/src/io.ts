// File IO for the commands: reads that name the file on failure, and atomic writes (temp file + rename).
import { randomBytes } from "node:crypto";
import { chmod, readFile, realpath, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { SopsError } from "./errors.js";

/** Reads an input file (`-` is stdin), naming it in errors. */
export async function readInputFile(file: string): Promise<Buffer> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
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
 * narrows an existing file's mode to its owner bits, so plaintext never stays readable by others. A
 * symlink is written through: its target gets the new content and the link stays. The temp file is
 * created exclusively with mode 0600 and only widened to the final mode once its content is complete.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { secret?: boolean } = {},
): Promise<void> {
  const target = await realpath(file).catch(() => file);
  const mode = await stat(target).then(
    (s) => (options.secret ? s.mode & 0o600 : s.mode & 0o777),
    () => (options.secret ? 0o600 : 0o644),
  );
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data, { mode: 0o600, flag: "wx" });
    if (mode !== 0o600) await chmod(temp, mode);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new SopsError("E_SOPS_IO", `cannot write the file (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      file,
      cause: error,
    });
  }
}

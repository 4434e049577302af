// File IO for the commands: reads that name the file on failure, and atomic writes (temp file + rename).
// Synchronous on purpose: a CLI has nothing to overlap, and on a loaded machine every async fs call
// waits for a libuv thread (batch decrypt of 1,000 files spent 9 of 12 s idle that way).
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
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
    return readFileSync(file);
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
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

// Temp names: a random tag per process and a counter, not 6 fresh random bytes per file (a CSPRNG call
// each cost a batch decrypt ~10 µs a file). Unpredictability is not what keeps them safe: the file is
// created with O_EXCL and mode 0600, so a name someone else made first fails the write instead of
// writing into their file.
let tempTag: string | undefined;
let tempCount = 0;
function tempSuffix(): string {
  tempTag ??= `${process.pid.toString(36)}${randomBytes(4).toString("hex")}`;
  tempCount += 1;
  return `${tempTag}${tempCount.toString(36)}`;
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
  let target = file;
  let mode = options.secret ? 0o600 : 0o644;
  try {
    // one lstat for the common cases (a new file, a regular file); realpath only for a symlink. A new
    // file is not an exception: building one per missing file cost a batch decrypt 15 µs a file.
    let info = lstatSync(file, { throwIfNoEntry: false });
    if (info?.isSymbolicLink()) {
      target = realpathSync(file);
      info = statSync(target);
    }
    if (info) mode = options.secret ? info.mode & 0o600 : info.mode & 0o777;
  } catch {
    // a dangling link, which the rename below replaces (or a path we cannot stat: the write reports it)
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${tempSuffix()}.tmp`);
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: "wx" });
    if (mode !== 0o600) chmodSync(temp, mode);
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw new SopsError("E_SOPS_IO", `cannot write the file (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      file,
      cause: error,
    });
  }
}

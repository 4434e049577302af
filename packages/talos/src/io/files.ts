// Atomic file writes: a temp file beside the target, then rename (or link, when the target must not exist).
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { TalosError } from "../errors.js";

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw cause;
  }
}

export interface WriteOptions {
  /** @default 0o644 */
  readonly mode?: number;
  /** Fail instead of replacing an existing file (checked atomically). */
  readonly exclusive?: boolean;
}

/** Writes `content` to `file` atomically; with `exclusive` an existing file is never replaced. */
export async function writeFileAtomic(file: string, content: string, options: WriteOptions = {}): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempPath(file);
  // "wx": a file or symlink planted at the temp name makes the write fail instead of being followed.
  await writeFile(temp, content, { mode: options.mode ?? 0o644, flag: "wx" });
  try {
    if (options.exclusive) {
      // link() fails with EEXIST instead of replacing, so no check-then-write race.
      await link(temp, file);
    } else {
      await rename(temp, file);
    }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST") {
      throw new TalosError("E_BUNDLE_EXISTS", [
        {
          file,
          path: "",
          message: "already exists",
          hint: "kubeforge never overwrites a secrets bundle; delete it yourself only if you mean to re-key the cluster",
        },
      ]);
    }
    throw new TalosError(
      "E_WRITE_FAILED",
      [{ file, path: "", message: `cannot be written: ${(cause as Error).message}` }],
      { cause },
    );
  } finally {
    await rm(temp, { force: true });
  }
}

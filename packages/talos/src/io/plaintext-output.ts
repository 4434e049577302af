// Writes decrypted machine configs to `talos/out/` without ever following a symlink out of it: a committed
// `talos/out -> ../somewhere` would otherwise land the cluster's keys where git does not ignore them. The
// folder gets its own `.gitignore` of `*`, and "gitignored" is only claimed once `git check-ignore` agrees.
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { TalosError } from "../errors.js";
import { childEnv } from "./child-env.js";

export interface PlaintextFile {
  readonly name: string;
  readonly text: string;
}

export interface WritePlaintextOptions {
  /** `talos/out/` */
  readonly directory: string;
  readonly files: readonly PlaintextFile[];
  /** Where symlink checks stop (the repository root); default: the nearest folder holding `.git`, else the cluster folder. */
  readonly root?: string;
  /** @default "git" */
  readonly git?: string;
}

export interface PlaintextOutputResult {
  readonly directory: string;
  readonly files: readonly string[];
  /** Whether `git check-ignore` confirmed every written file is ignored. */
  readonly gitignored: boolean;
}

/**
 * The repository root: the nearest folder above `start` holding `.git`, found by walking the path as written
 * (asking git from inside a symlinked folder would answer for wherever the link points).
 */
async function repositoryRoot(start: string): Promise<string | undefined> {
  let directory = path.dirname(start);
  for (;;) {
    if (await lstat(path.join(directory, ".git")).catch(() => undefined)) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Ensures every folder from below `root` down to `directory` is a real folder, creating missing ones. */
async function ensureRealDirectories(root: string, directory: string): Promise<void> {
  const relative = path.relative(root, directory);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new TalosError("E_UNSAFE_PATH", [
      {
        file: directory,
        path: "",
        message: `is outside ${root}`,
        hint: "keep the cluster definition in its repository",
      },
    ]);
  }
  let current = root;
  for (const part of relative.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const stats = await lstat(current).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === "ENOENT") return undefined;
      throw cause;
    });
    if (stats === undefined) {
      await mkdir(current, { mode: current === directory ? 0o700 : 0o755 });
      continue;
    }
    if (stats.isSymbolicLink() || !stats.isDirectory()) {
      throw new TalosError("E_UNSAFE_PATH", [
        {
          file: current,
          path: "",
          message: stats.isSymbolicLink()
            ? "is a symlink: decrypted machine configs are never written through one"
            : "is not a folder",
          hint: "remove it (and the commit that added it) so talos/out is a plain, gitignored folder",
        },
      ]);
    }
  }
}

/** Creates `file` with exclusive open (a planted file or symlink at the temp name fails) and renames it in place. */
async function writeExclusive(file: string, text: string, mode: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(text);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
  try {
    // rename replaces a symlink at `file` itself instead of writing through it.
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true });
    throw cause;
  }
}

async function allIgnored(root: string, files: readonly string[], git: string): Promise<boolean> {
  const result = await execa(git, ["check-ignore", "--", ...files], {
    cwd: root,
    reject: false,
    env: childEnv(),
    extendEnv: false,
  }).catch(() => undefined);
  if (result?.exitCode !== 0) return false;
  const ignored = new Set(result.stdout.split("\n").map((line) => path.resolve(root, line.trim())));
  return files.every((file) => ignored.has(path.resolve(root, file)));
}

export async function writePlaintextOutput(options: WritePlaintextOptions): Promise<PlaintextOutputResult> {
  const git = options.git ?? "git";
  const directory = path.resolve(options.directory);
  const repository = options.root ?? (await repositoryRoot(directory));
  // Outside a repository the checks start at the cluster folder (two levels above talos/out).
  const root = repository ?? path.dirname(path.dirname(directory));
  await ensureRealDirectories(root, directory);
  await writeExclusive(path.join(directory, ".gitignore"), "# decrypted Talos output: never commit\n*\n", 0o644);
  const written: string[] = [];
  for (const { name, text } of options.files) {
    if (name.includes("/") || name.startsWith(".")) throw new Error(`internal: bad output name ${name}`);
    const file = path.join(directory, name);
    await writeExclusive(file, text, 0o600);
    written.push(file);
  }
  const gitignored = repository !== undefined && (await allIgnored(repository, written, git));
  return { directory, files: written, gitignored };
}

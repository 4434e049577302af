// Finding or creating the user's age key: SOPS_AGE_KEY_FILE, else ~/.config/sops/age/keys.txt, else age-keygen
// into that file (0600). The key never lives inside the repository.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CliError } from "../errors.js";

export interface AgeKey {
  readonly file: string;
  /** age1… of the first identity in the file. */
  readonly recipient: string;
  readonly created: boolean;
  /** Where the file came from, for the summary. */
  readonly source: "--age-key-file" | "SOPS_AGE_KEY_FILE" | "default path";
}

export interface FindAgeKeyOptions {
  readonly keyFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** The repository root: a key inside it is refused. */
  readonly repoRoot: string;
}

/** sops' default key file: $XDG_CONFIG_HOME/sops/age/keys.txt, else ~/.config/sops/age/keys.txt. */
export function defaultAgeKeyFile(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return path.join(config, "sops", "age", "keys.txt");
}

async function recipientOfFile(file: string): Promise<string> {
  const text = await readFile(file, "utf8");
  const identity = text.split("\n").find((line) => line.startsWith("AGE-SECRET-KEY-1"));
  if (!identity) {
    throw new CliError(
      "E_KEY",
      `${file} holds no age identity (AGE-SECRET-KEY-1…)`,
      "pass an age key file made by age-keygen, or a new path for kubeforge to create",
    );
  }
  const { recipientOf } = await import("@kubeforge/sops");
  return recipientOf(identity.trim());
}

export async function findOrCreateAgeKey(options: FindAgeKeyOptions): Promise<AgeKey> {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  const [file, source]: [string, AgeKey["source"]] = options.keyFile
    ? [path.resolve(options.keyFile), "--age-key-file"]
    : env.SOPS_AGE_KEY_FILE
      ? [path.resolve(env.SOPS_AGE_KEY_FILE), "SOPS_AGE_KEY_FILE"]
      : [defaultAgeKeyFile(env, home), "default path"];
  const relative = path.relative(options.repoRoot, file);
  if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
    throw new CliError(
      "E_KEY",
      `${file} is inside the repository: a private key there ends up in git`,
      `keep it outside, e.g. ${defaultAgeKeyFile(env, home)} (the default)`,
    );
  }
  if (existsSync(file)) return { file, recipient: await recipientOfFile(file), created: false, source };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await promisify(execFile)("age-keygen", ["-o", file]);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new CliError(
      "E_KEY",
      missing
        ? "age-keygen is not installed, and no age key exists yet"
        : `age-keygen failed: ${(cause as Error).message}`,
      missing
        ? "install age (apt-get install age, brew install age) or pass --age-key-file <existing key>"
        : "check that the folder is writable",
      { cause },
    );
  }
  await chmod(file, 0o600);
  return { file, recipient: await recipientOfFile(file), created: true, source };
}

// Finding or creating the user's age key: SOPS_AGE_KEY_FILE, else ~/.config/sops/age/keys.txt, else age-keygen
// into that file (0600). The key never lives inside the repository.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { DEMO_AGE_RECIPIENT } from "@kubeforge/config";
import { CliError } from "../errors.js";

export interface AgeKey {
  readonly file: string;
  /** age1… of the identity the cluster uses (the only one, or the one picked with --age-recipient). */
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
  /** `--age-recipient`: which identity of a key file with several to use. */
  readonly recipient?: string;
  /** Asks the user to pick one of several recipients (a terminal); undefined when it cannot ask. */
  readonly choose?: (recipients: readonly string[]) => Promise<string | undefined>;
}

/** sops' default key file: $XDG_CONFIG_HOME/sops/age/keys.txt, else ~/.config/sops/age/keys.txt. */
export function defaultAgeKeyFile(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME || path.join(home, ".config");
  return path.join(config, "sops", "age", "keys.txt");
}

/** Picks the cluster's key in a key file: the only one, else the one `--age-recipient` names, else the user's choice. */
async function recipientOfFile(
  file: string,
  wanted: string | undefined,
  choose: FindAgeKeyOptions["choose"],
): Promise<string> {
  const { parseIdentities, recipientOf } = await import("@kubeforge/sops");
  const identities = parseIdentities(await readFile(file, "utf8"));
  if (identities.length === 0) {
    throw new CliError(
      "E_KEY",
      `${file} holds no age identity (AGE-SECRET-KEY-1…)`,
      "pass an age key file made by age-keygen, or a new path for kubeforge to create",
    );
  }
  const recipients = await Promise.all(identities.map((identity) => recipientOf(identity)));
  if (wanted) {
    if (!recipients.includes(wanted)) {
      throw new CliError(
        "E_KEY",
        `--age-recipient ${wanted} is not the public key of any identity in ${file}`,
        `pick one of: ${recipients.join(", ")}`,
      );
    }
    return wanted;
  }
  if (recipients.length === 1) return recipients[0]!;
  const chosen = choose ? await choose(recipients) : undefined;
  if (chosen && recipients.includes(chosen)) return chosen;
  throw new CliError(
    "E_KEY",
    `${file} holds ${recipients.length} age keys; init will not guess which one this cluster uses`,
    `pass --age-recipient <one of: ${recipients.join(", ")}>, or --age-key-file <a file with one key>`,
  );
}

function refuseDemo(recipient: string, file: string): void {
  if (recipient === DEMO_AGE_RECIPIENT) {
    throw new CliError(
      "E_KEY",
      `${recipient} (from ${file}) is the public demo key in demo-keys/: anyone can decrypt what is encrypted to it`,
      "use your own key: pass --age-key-file <new path> (kubeforge creates it) or run `age-keygen -o <file>`",
    );
  }
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
  if (options.recipient) refuseDemo(options.recipient, "--age-recipient");
  if (existsSync(file)) {
    const recipient = await recipientOfFile(file, options.recipient, options.choose);
    refuseDemo(recipient, file);
    return { file, recipient, created: false, source };
  }
  if (options.recipient) {
    throw new CliError(
      "E_KEY",
      `--age-recipient ${options.recipient} was given but ${file} does not exist`,
      "pass --age-key-file <the file holding that key>",
    );
  }
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
  return { file, recipient: await recipientOfFile(file, undefined, undefined), created: true, source };
}

// Where age identities come from, in sops 3.13's order, with its error collection: SSH keys
// (SOPS_AGE_SSH_PRIVATE_KEY_FILE, SOPS_AGE_SSH_PRIVATE_KEY_CMD, ~/.ssh/id_ed25519, ~/.ssh/id_rsa), then
// SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default keys.txt. A source that fails is
// noted and skipped; only when no identity opens the data key does the error name every source tried.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { shlexLibrary } from "../lazy.js";
import { sshIdentity } from "./ssh.js";

/** Identities to try, per recipient (SOPS_AGE_KEY_CMD gets SOPS_AGE_RECIPIENT), and what was tried. */
export interface KeySource {
  identitiesFor(recipient: string): Promise<readonly string[]>;
  /** One line naming every source tried and what it gave, e.g. `SOPS_AGE_KEY_FILE=/k (not found)`. */
  describe(): string;
  /** Warnings for the user (plugin identities skipped); the CLI prints them. */
  readonly warnings: readonly string[];
  /** Sources the user set that failed (a missing SOPS_AGE_KEY_FILE, a failing command, an unknown line). */
  readonly failures?: readonly string[];
}

export type Identities = readonly string[] | KeySource;

export function isKeySource(value: Identities | undefined): value is KeySource {
  return value !== undefined && !Array.isArray(value);
}

/** A fixed list of identities as a KeySource. */
export function staticKeySource(identities: readonly string[], label = "the given identities"): KeySource {
  return {
    identitiesFor: async () => identities,
    describe: () => `${label} (${identities.length} ${identities.length === 1 ? "key" : "keys"})`,
    warnings: [],
  };
}

/** Where sops looks for keys.txt: $XDG_CONFIG_HOME, then the OS config dir. */
export function defaultKeysFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, "sops", "age", "keys.txt");
  const home = env.HOME ?? os.homedir();
  if (process.platform === "darwin")
    return path.join(home, "Library", "Application Support", "sops", "age", "keys.txt");
  if (process.platform === "win32") return path.join(env.AppData ?? home, "sops", "age", "keys.txt");
  return path.join(home, ".config", "sops", "age", "keys.txt");
}

interface Parsed {
  identities: string[];
  plugins: string[];
  error?: string;
}

/**
 * Parses age identities as sops does: one per line (SOPS_AGE_KEY also allows several per line), `#`
 * comments and blank lines skipped. Plugin identities are set apart (we cannot run plugins); any other
 * unknown line makes the whole source unusable, as in sops.
 */
export function parseIdentityText(text: string, options: { manyPerLine?: boolean } = {}): Parsed {
  const parsed: Parsed = { identities: [], plugins: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    for (const word of options.manyPerLine ? line.split(/\s+/) : [line]) {
      if (word.startsWith("AGE-PLUGIN-")) parsed.plugins.push(word);
      else if (/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(word)) parsed.identities.push(word);
      else return { identities: [], plugins: [], error: "unknown identity type" };
    }
  }
  return parsed;
}

type Run = (command: string, env: NodeJS.ProcessEnv) => Promise<string>;

/** Runs a command split like a shell (shlex) without a shell, as sops' getOutputFromCmd does. */
const runCommand: Run = (command, env) =>
  new Promise((resolve, reject) => {
    let args: string[];
    try {
      args = shlexLibrary().split(command);
    } catch (error) {
      reject(new Error(`failed to parse command: ${(error as Error).message}`));
      return;
    }
    if (!args.length) {
      reject(new Error("empty command"));
      return;
    }
    execFile(args[0]!, args.slice(1), { env, maxBuffer: 1 << 20 }, (error, stdout) =>
      error ? reject(new Error(`failed to execute command: ${error.message.split("\n")[0]}`)) : resolve(stdout),
    );
  });

async function readOptional(file: string): Promise<{ text?: string; error?: string }> {
  try {
    return { text: await readFile(file, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? "not found" : `cannot read (${code ?? "error"})` };
  }
}

/** The key sources sops reads, from `env` (default process.env). Files are read once; commands per recipient. */
export function keySourceFromEnv(env: NodeJS.ProcessEnv = process.env, run: Run = runCommand): KeySource {
  const notes: string[] = [];
  const warnings: string[] = [];
  const failures: string[] = [];
  const fail = (label: string, what: string) => {
    note(label, what);
    failures.push(`${label} (${what})`);
  };
  let fixed: Promise<string[]> | undefined;
  const perRecipient = new Map<string, Promise<string[]>>();
  const home = env.HOME ?? os.homedir();

  const note = (label: string, what: string) => notes.push(`${label} (${what})`);
  const count = (n: number) => `${n} ${n === 1 ? "key" : "keys"}`;
  const take = (label: string, parsed: Parsed, out: string[]) => {
    if (parsed.plugins.length) {
      warnings.push(
        `${label}: skipped age plugin identit${parsed.plugins.length === 1 ? "y" : "ies"} ${parsed.plugins
          .map((p) => `${p.slice(0, 32)}…`)
          .join(", ")} (plugins are not supported)`,
      );
    }
    if (parsed.error) fail(label, parsed.error);
    else
      note(
        label,
        count(parsed.identities.length) + (parsed.plugins.length ? `, ${parsed.plugins.length} plugin skipped` : ""),
      );
    out.push(...parsed.identities);
  };
  const sshFile = async (label: string, file: string, out: string[], optional: boolean) => {
    const { text, error } = await readOptional(file);
    if (text === undefined) {
      if (!optional) fail(label, error!);
      else note(label, error!);
      return;
    }
    try {
      sshIdentity(text);
      out.push(text);
      note(label, "1 key");
    } catch (e) {
      (optional ? note : fail)(label, (e as Error).message);
    }
  };

  async function loadFixed(): Promise<string[]> {
    const out: string[] = [];
    if (!env.SOPS_AGE_SSH_PRIVATE_KEY_FILE) note("SOPS_AGE_SSH_PRIVATE_KEY_FILE", "not set");
    else {
      await sshFile(
        `SOPS_AGE_SSH_PRIVATE_KEY_FILE=${env.SOPS_AGE_SSH_PRIVATE_KEY_FILE}`,
        env.SOPS_AGE_SSH_PRIVATE_KEY_FILE,
        out,
        false,
      );
    }
    await sshFile(path.join(home, ".ssh", "id_ed25519"), path.join(home, ".ssh", "id_ed25519"), out, true);
    await sshFile(path.join(home, ".ssh", "id_rsa"), path.join(home, ".ssh", "id_rsa"), out, true);
    if (env.SOPS_AGE_KEY !== undefined)
      take("SOPS_AGE_KEY", parseIdentityText(env.SOPS_AGE_KEY, { manyPerLine: true }), out);
    else note("SOPS_AGE_KEY", "not set");
    if (env.SOPS_AGE_KEY_FILE !== undefined) {
      const label = `SOPS_AGE_KEY_FILE=${env.SOPS_AGE_KEY_FILE}`;
      const { text, error } = await readOptional(env.SOPS_AGE_KEY_FILE);
      if (text === undefined) fail(label, error!);
      else take(label, parseIdentityText(text), out);
    } else note("SOPS_AGE_KEY_FILE", "not set");
    if (!env.SOPS_AGE_KEY_CMD) note("SOPS_AGE_KEY_CMD", "not set");
    const keys = defaultKeysFile(env);
    const { text, error } = await readOptional(keys);
    if (text === undefined) note(keys, error!);
    else take(keys, parseIdentityText(text), out);
    return out;
  }

  async function loadCommands(recipient: string): Promise<string[]> {
    const out: string[] = [];
    const childEnv = { ...env, SOPS_AGE_RECIPIENT: recipient };
    if (env.SOPS_AGE_SSH_PRIVATE_KEY_CMD) {
      const label = "SOPS_AGE_SSH_PRIVATE_KEY_CMD";
      try {
        const pem = await run(env.SOPS_AGE_SSH_PRIVATE_KEY_CMD, childEnv);
        sshIdentity(pem);
        out.push(pem);
        note(label, "1 key");
      } catch (error) {
        fail(label, (error as Error).message);
      }
    }
    if (env.SOPS_AGE_KEY_CMD) {
      try {
        take("SOPS_AGE_KEY_CMD", parseIdentityText(await run(env.SOPS_AGE_KEY_CMD, childEnv)), out);
      } catch (error) {
        fail("SOPS_AGE_KEY_CMD", (error as Error).message);
      }
    }
    return out;
  }

  return {
    warnings,
    failures,
    async identitiesFor(recipient) {
      fixed ??= loadFixed();
      const hasCommand = Boolean(env.SOPS_AGE_KEY_CMD || env.SOPS_AGE_SSH_PRIVATE_KEY_CMD);
      if (!hasCommand) return fixed;
      let commands = perRecipient.get(recipient);
      if (!commands) {
        commands = loadCommands(recipient);
        perRecipient.set(recipient, commands);
      }
      return [...new Set([...(await fixed), ...(await commands)])];
    },
    describe() {
      const seen = new Set<string>();
      return notes.filter((n) => !seen.has(n) && seen.add(n)).join(", ") || "no key source";
    },
  };
}

// age master keys: one armored age file per recipient wrapping the raw 32-byte data key, and the
// identity lookup sops does (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD, keys.txt).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { armor, Decrypter, Encrypter, identityToRecipient } from "age-encryption";
import { SopsError } from "../errors.js";
import { nodeX25519Identity, nodeX25519Recipient } from "./x25519.js";

// Encrypters and decrypters are reusable; parsing keys (and deriving public keys) is the costly part.
const encrypters = new Map<string, Encrypter>();
const decrypters = new Map<string, Decrypter>();
const CACHE_LIMIT = 64;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** Wraps the data key for one age recipient, armored with a trailing newline (as sops stores it). */
export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  const key = recipient.trim();
  let encrypter = encrypters.get(key);
  if (!encrypter) {
    const fresh = new Encrypter();
    try {
      fresh.addRecipient(nodeX25519Recipient(key) ?? key);
    } catch (error) {
      throw new SopsError("E_SOPS_RECIPIENT", `invalid age recipient ${JSON.stringify(recipient)}`, {
        hint: "age recipients look like age1…",
        cause: error,
      });
    }
    encrypter = remember(encrypters, key, fresh);
  }
  return armor.encode(await encrypter.encrypt(dataKey));
}

function decrypterFor(identities: readonly string[]): Decrypter {
  const key = identities.join("\n");
  const cached = decrypters.get(key);
  if (cached) return cached;
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(nodeX25519Identity(identity) ?? identity);
  return remember(decrypters, key, decrypter);
}

/** Tries every identity on one armored `enc`; undefined when none opens it. */
export async function unwrapDataKey(enc: string, identities: readonly string[]): Promise<Uint8Array | undefined> {
  if (!identities.length) return undefined;
  let file: Uint8Array;
  try {
    file = armor.decode(enc.trim());
  } catch {
    return undefined;
  }
  let decrypter: Decrypter;
  try {
    decrypter = decrypterFor(identities);
  } catch (error) {
    throw new SopsError("E_SOPS_NO_IDENTITY", "an age identity is malformed", {
      hint: "identities look like AGE-SECRET-KEY-1…; check SOPS_AGE_KEY / SOPS_AGE_KEY_FILE",
      cause: error,
    });
  }
  try {
    return await decrypter.decrypt(file, "uint8array");
  } catch {
    return undefined;
  }
}

/** Parses an age identity file: one identity per line, `#` comments and blank lines skipped. */
export function parseIdentities(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .flatMap((line) => line.split(/\s+/))
    .filter((token) => /^AGE-(SECRET-KEY-|PLUGIN-)/i.test(token));
}

/** The public key of an identity (`age1…`). */
export async function recipientOf(identity: string): Promise<string> {
  return identityToRecipient(identity);
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

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Loads age identities the way sops does: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the default
 * keys.txt are all read and combined (duplicates removed).
 */
export async function loadAgeIdentities(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const found: string[] = [];
  if (env.SOPS_AGE_KEY) found.push(...parseIdentities(env.SOPS_AGE_KEY));
  if (env.SOPS_AGE_KEY_FILE) {
    const text = await readOptional(env.SOPS_AGE_KEY_FILE);
    if (text === undefined) {
      throw new SopsError("E_SOPS_NO_IDENTITY", `SOPS_AGE_KEY_FILE points to a missing file`, {
        file: env.SOPS_AGE_KEY_FILE,
        hint: "fix or unset SOPS_AGE_KEY_FILE",
      });
    }
    found.push(...parseIdentities(text));
  }
  if (env.SOPS_AGE_KEY_CMD) {
    try {
      const { stdout } = await promisify(execFile)("sh", ["-c", env.SOPS_AGE_KEY_CMD], { env });
      found.push(...parseIdentities(stdout));
    } catch (error) {
      throw new SopsError("E_SOPS_NO_IDENTITY", `SOPS_AGE_KEY_CMD failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const defaults = await readOptional(defaultKeysFile(env));
  if (defaults !== undefined) found.push(...parseIdentities(defaults));
  return [...new Set(found)];
}

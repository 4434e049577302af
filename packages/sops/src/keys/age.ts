// age master keys: one armored age file per recipient wrapping the raw 32-byte data key (X25519,
// age1pq1 hybrid, ssh-ed25519 and ssh-rsa); identities are strings (age keys, or an SSH private key PEM).
import type { Decrypter, Encrypter, Identity } from "age-encryption";
import { SopsError } from "../errors.js";
import { openSmallAgeFile } from "./age-file.js";
import { decodeArmor } from "./armor.js";
import { keySourceFromEnv, parseIdentityText } from "./sources.js";
import { sshIdentity, sshRecipient } from "./ssh.js";
import { nodeX25519Identity, nodeX25519Recipient } from "./x25519.js";

export { defaultKeysFile } from "./sources.js";

/** age-encryption, loaded on first use: decrypting X25519 and SSH keys never needs it (see stanza.ts). */
const ageLibrary = () => import("age-encryption");

/** `age1…1…` with a second `1` after the HRP is a plugin recipient (sops' parseRecipient). */
function isPluginRecipient(key: string): boolean {
  return key.startsWith("age1") && !key.startsWith("age1pq1") && key.slice(4).includes("1");
}

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
  const { armor, Encrypter } = await ageLibrary();
  let encrypter = encrypters.get(key);
  if (!encrypter) {
    const fresh = new Encrypter();
    if (isPluginRecipient(key)) {
      throw new SopsError("E_SOPS_RECIPIENT", `age plugin recipient ${JSON.stringify(key)} is not supported`, {
        hint: "use an X25519 (age1…), age1pq1…, ssh-ed25519 or ssh-rsa recipient",
      });
    }
    try {
      fresh.addRecipient(key.startsWith("ssh-") ? sshRecipient(key)! : (nodeX25519Recipient(key) ?? key));
    } catch (error) {
      throw new SopsError("E_SOPS_RECIPIENT", `invalid age recipient ${JSON.stringify(recipient)}`, {
        hint: "age recipients look like age1…, age1pq1…, ssh-ed25519 AAAA… or ssh-rsa AAAA…",
        cause: error,
      });
    }
    encrypter = remember(encrypters, key, fresh);
  }
  return armor.encode(await encrypter.encrypt(dataKey));
}

const fastIdentities = new Map<string, Identity[] | null>();

/** Our node:crypto identities for X25519 and SSH keys; null when any identity needs age-encryption. */
function nativeIdentitiesFor(identities: readonly string[]): Identity[] | null {
  const key = identities.join("\n");
  let found = fastIdentities.get(key);
  if (found === undefined) {
    try {
      const parsed = identities.map((identity) =>
        identity.startsWith("-----BEGIN") ? sshIdentity(identity) : nodeX25519Identity(identity),
      );
      found = parsed.every(Boolean) ? (parsed as Identity[]) : null;
    } catch {
      found = null;
    }
    if (fastIdentities.size >= CACHE_LIMIT) fastIdentities.clear();
    fastIdentities.set(key, found);
  }
  return found;
}

async function decrypterFor(identities: readonly string[]): Promise<Decrypter> {
  const key = identities.join("\n");
  const cached = decrypters.get(key);
  if (cached) return cached;
  const { Decrypter } = await ageLibrary();
  const decrypter = new Decrypter();
  for (const identity of identities) {
    decrypter.addIdentity(
      identity.startsWith("-----BEGIN") ? sshIdentity(identity) : (nodeX25519Identity(identity) ?? identity),
    );
  }
  return remember(decrypters, key, decrypter);
}

/** Tries every identity on one armored `enc`; undefined when none opens it. */
export async function unwrapDataKey(enc: string, identities: readonly string[]): Promise<Uint8Array | undefined> {
  if (!identities.length) return undefined;
  let file: Uint8Array;
  try {
    file = decodeArmor(enc);
  } catch {
    return undefined;
  }
  const native = nativeIdentitiesFor(identities);
  if (native) {
    const opened = openSmallAgeFile(file, native);
    if (opened !== "fallback") return opened;
  }
  let decrypter: Decrypter;
  try {
    decrypter = await decrypterFor(identities);
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

/** Parses an age identity file: one identity per line, `#` comments and blank lines skipped (plugins dropped). */
export function parseIdentities(text: string): string[] {
  return parseIdentityText(text, { manyPerLine: true }).identities;
}

/** The public key of an identity (`age1…`). */
export async function recipientOf(identity: string): Promise<string> {
  const { identityToRecipient } = await ageLibrary();
  return identityToRecipient(identity);
}

/**
 * Loads age identities the way sops does (see sources.ts): SSH keys, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
 * SOPS_AGE_KEY_CMD and the default keys.txt, combined; a source that fails is skipped.
 */
export async function loadAgeIdentities(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const source = keySourceFromEnv(env);
  const found = [...(await source.identitiesFor(""))];
  // a broken source only matters when nothing else gave a key (sops collects, it does not abort)
  if (found.length === 0 && source.failures?.length) {
    throw new SopsError("E_SOPS_NO_IDENTITY", `no age identity loaded; ${source.failures.join(", ")}`, {
      hint: "fix or unset the variable",
    });
  }
  return found;
}

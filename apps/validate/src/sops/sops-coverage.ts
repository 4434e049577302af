// Which values of a SOPS document are in plaintext although its own sops metadata says they are encrypted.
// Pure: reads the document's `sops` block (encrypted_regex, unencrypted_regex, encrypted_suffix,
// unencrypted_suffix) and applies sops' shouldBeEncrypted to every leaf, as `sops encrypt` did.
import { isRecord } from "../rules/rule.js";

/** A value sops wrote: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`. */
const ENCRYPTED_VALUE =
  /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:(str|int|float|bool|bytes|comment)\]$/;

export function isEncryptedValue(value: unknown): boolean {
  return typeof value === "string" && ENCRYPTED_VALUE.test(value);
}

/** The `sops` metadata block of a document, when it has one (sops writes `mac` and `version`). */
export function sopsMetadataOf(document: Record<string, unknown>): Record<string, unknown> | undefined {
  const sops = document.sops;
  return isRecord(sops) && (typeof sops.mac === "string" || typeof sops.version === "string") ? sops : undefined;
}

export interface SopsSelection {
  readonly unencryptedSuffix?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedRegex?: RegExp;
  readonly encryptedRegex?: RegExp;
}

/** A Go (RE2) regex as JavaScript; Go's leading `(?i)` becomes the `i` flag. Undefined if it does not compile. */
function goRegex(source: string): RegExp | undefined {
  const insensitive = source.startsWith("(?i)");
  try {
    return new RegExp(insensitive ? source.slice(4) : source, insensitive ? "i" : "");
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * What the metadata says is encrypted, or undefined when this check cannot tell: comment-based rules
 * (`*_comment_regex` depend on YAML comments) or a regex JavaScript cannot compile.
 */
export function selectionOf(metadata: Record<string, unknown>): SopsSelection | undefined {
  if (text(metadata.encrypted_comment_regex) || text(metadata.unencrypted_comment_regex)) return undefined;
  const encryptedRegex = text(metadata.encrypted_regex);
  const unencryptedRegex = text(metadata.unencrypted_regex);
  const encryptedSuffix = text(metadata.encrypted_suffix);
  let unencryptedSuffix = text(metadata.unencrypted_suffix);
  // sops' default when a file names no rule at all.
  if (!encryptedRegex && !unencryptedRegex && !encryptedSuffix && !unencryptedSuffix)
    unencryptedSuffix = "_unencrypted";
  const compiledEncrypted = encryptedRegex ? goRegex(encryptedRegex) : undefined;
  const compiledUnencrypted = unencryptedRegex ? goRegex(unencryptedRegex) : undefined;
  if ((encryptedRegex && !compiledEncrypted) || (unencryptedRegex && !compiledUnencrypted)) return undefined;
  return {
    ...(unencryptedSuffix ? { unencryptedSuffix } : {}),
    ...(encryptedSuffix ? { encryptedSuffix } : {}),
    ...(compiledUnencrypted ? { unencryptedRegex: compiledUnencrypted } : {}),
    ...(compiledEncrypted ? { encryptedRegex: compiledEncrypted } : {}),
  };
}

/** sops' shouldBeEncrypted: `keys` are the mapping keys from the document root to the value. */
export function shouldBeEncrypted(keys: readonly string[], selection: SopsSelection): boolean {
  let encrypted = true;
  const { unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex } = selection;
  if (unencryptedSuffix && keys.some((key) => key.endsWith(unencryptedSuffix))) encrypted = false;
  if (encryptedSuffix) encrypted = keys.some((key) => key.endsWith(encryptedSuffix));
  if (unencryptedRegex && keys.some((key) => unencryptedRegex.test(key))) encrypted = false;
  if (encryptedRegex) encrypted = keys.some((key) => encryptedRegex.test(key));
  return encrypted;
}

/**
 * Paths of the values that should be encrypted under `selection` but are not (the top-level `sops` block
 * excluded; nulls are never encrypted by sops; an empty string holds nothing to leak).
 */
export function plaintextValues(document: Record<string, unknown>, selection: SopsSelection): (string | number)[][] {
  const found: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[], keys: string[]) => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...path, index], keys);
      return;
    }
    if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (path.length === 0 && key === "sops") continue;
        walk(child, [...path, key], [...keys, key]);
      }
      return;
    }
    if (value === null || value === undefined || value === "" || isEncryptedValue(value)) return;
    if (shouldBeEncrypted(keys, selection)) found.push(path);
  };
  walk(document, [], []);
  return found;
}

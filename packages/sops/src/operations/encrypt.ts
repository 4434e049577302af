// encryptText: plaintext → sops document; keeps an existing ciphertext when nothing changed.
import { randomBytes } from "node:crypto";
import { ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import { emitPlainDocument, parseDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { type Identities, keySourceFromEnv } from "../keys/sources.js";
import { ageRecipients } from "../metadata.js";
import { checkRules, type EncryptionRules } from "../rules-match.js";
import type { TreeMap } from "../tree.js";
import { openDocument } from "./open.js";
import { effectiveRules, sealDocument, wrapForGroups } from "./seal.js";

export interface EncryptTextOptions extends StoreOptions {
  readonly format: SopsFormat;
  /** age1… public keys (one key group). */
  readonly recipients: readonly string[];
  readonly encryptedRegex?: string;
  readonly unencryptedRegex?: string;
  readonly encryptedSuffix?: string;
  readonly unencryptedSuffix?: string;
  readonly macOnlyEncrypted?: boolean;
  /** Existing ciphertext: returned byte for byte if its plaintext and settings are unchanged. */
  readonly previous?: string;
  /** AGE-SECRET-KEY-1… used to open `previous`; default: loadAgeIdentities(). */
  readonly identities?: Identities;
  /** Names the file in errors. */
  readonly file?: string;
  /** Clock for `lastmodified` (tests). */
  readonly now?: Date;
}

export function rulesOf(options: EncryptionRules): EncryptionRules {
  const rules: Record<string, string | boolean> = {};
  for (const key of ["encryptedRegex", "unencryptedRegex", "encryptedSuffix", "unencryptedSuffix"] as const) {
    if (options[key]) rules[key] = options[key];
  }
  if (options.macOnlyEncrypted) rules.macOnlyEncrypted = true;
  return rules;
}

/** Parses plaintext, refusing files that already carry sops metadata. */
export function parsePlaintext(plaintext: string | Uint8Array, format: SopsFormat, file?: string): TreeMap[] {
  try {
    const parsed = parseDocument(plaintext, format, { encrypted: false });
    if (parsed.metadata) {
      throw new SopsError("E_SOPS_ALREADY_ENCRYPTED", "the file already has sops metadata: it is already encrypted", {
        // kubeforge secrets shows this as `kubeforge secrets edit <file>`, which finds the cluster's saved key
        hint: `to change it, run \`kubeforge-sops edit ${file ?? "<file>"}\` (or decrypt it first)`,
      });
    }
    return parsed.branches;
  } catch (error) {
    throw error instanceof SopsError ? error.withFile(file) : error;
  }
}

function sameRules(a: EncryptionRules, b: EncryptionRules): boolean {
  const keys = [
    "encryptedRegex",
    "unencryptedRegex",
    "encryptedSuffix",
    "unencryptedSuffix",
    "macOnlyEncrypted",
  ] as const;
  return keys.every((key) => (a[key] || undefined) === (b[key] || undefined));
}

function samePlaintext(a: readonly TreeMap[], b: readonly TreeMap[], format: SopsFormat): boolean {
  const left = emitPlainDocument(a, format);
  const right = emitPlainDocument(b, format);
  return Buffer.from(left).equals(Buffer.from(right));
}

export interface SealNewOptions extends StoreOptions {
  readonly format: SopsFormat;
  /** Recipients per key group; several groups split the data key with Shamir. */
  readonly recipientGroups: ReadonlyArray<readonly string[]>;
  readonly shamirThreshold?: number;
  readonly rules: EncryptionRules;
  readonly previous?: string | Uint8Array;
  /**
   * With `previous` and a changed plaintext: keep its data key (the library default, for small diffs).
   * `false` returns `previous` only when nothing changed and otherwise starts over with a fresh data key,
   * as the CLI does for `--output <existing file>`, which may be an unrelated file.
   */
  readonly keepDataKey?: boolean;
  readonly identities?: Identities;
  readonly file?: string;
  readonly now?: Date;
}

/**
 * Encrypts parsed plaintext. With `previous` (an existing encryption of the same document) it returns
 * `previous` unchanged when the plaintext, recipients and rules are the same, and otherwise keeps its
 * data key and the IVs of unchanged values so only changed values get new ciphertext.
 */
export async function sealNewDocument(branches: readonly TreeMap[], options: SealNewOptions): Promise<string> {
  const { format } = options;
  const rules = effectiveRules(format, options.rules);
  checkRules(rules, "the encryption options");
  const groups = options.recipientGroups
    .map((g) => [...new Set(g.map((r) => r.trim()).filter(Boolean))])
    .filter((g) => g.length);
  if (options.previous !== undefined && groups.length === 1) {
    const recipients = groups[0]!;
    const identities = options.identities ?? keySourceFromEnv();
    const previous = await openDocument(options.previous, { format, identities, file: options.file }).catch(
      () => undefined,
    );
    if (previous && previous.metadata.keyGroups.length === 1) {
      const old = new Set(ageRecipients(previous.metadata));
      const sameKeys = old.size === recipients.length && recipients.every((r) => old.has(r));
      const hasOthers = Object.keys(previous.metadata.keyGroups[0]!.others).length > 0;
      if (sameKeys && !hasOthers && sameRules(effectiveRules(format, previous.metadata), rules)) {
        if (samePlaintext(previous.branches, branches, format)) return Buffer.from(options.previous).toString("utf8");
        if (options.keepDataKey !== false)
          return sealDocument(branches, {
            ...options,
            rules,
            keyGroups: previous.metadata.keyGroups,
            cipher: previous.cipher,
          });
      }
    }
  }
  const dataKey = randomBytes(32);
  const keyGroups = await wrapForGroups(dataKey, groups, { shamirThreshold: options.shamirThreshold });
  return sealDocument(branches, {
    ...options,
    rules,
    keyGroups,
    useKeyGroups: groups.length > 1,
    cipher: new ValueCipher(dataKey),
  });
}

/** Encrypts a plaintext document to age recipients, as sops 3.13 writes it. */
export async function encryptText(plaintext: string | Uint8Array, options: EncryptTextOptions): Promise<string> {
  const branches = parsePlaintext(plaintext, options.format, options.file);
  return sealNewDocument(branches, { ...options, recipientGroups: [options.recipients], rules: rulesOf(options) });
}

// Encrypts branches with a data key and writes the document with fresh metadata (lastmodified, MAC).
import { ProducedValues, type ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import { emitEncryptedDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { wrapDataKey } from "../keys/age.js";
import { type AgeKeyEntry, type KeyGroup, SOPS_VERSION, type SopsMetadata, writeMetadata } from "../metadata.js";
import { checkRules, type EncryptionRules } from "../rules-match.js";
import { splitSecret } from "../shamir.js";
import { formatLastModified } from "../timestamp.js";
import type { TreeMap } from "../tree.js";
import { encryptBranches } from "../walk.js";
import { verifySealed } from "./verify.js";

export interface SealOptions extends StoreOptions {
  readonly format: SopsFormat;
  readonly rules: EncryptionRules;
  readonly keyGroups: readonly KeyGroup[];
  readonly useKeyGroups?: boolean;
  readonly shamirThreshold?: number;
  readonly cipher: ValueCipher;
  readonly now?: Date;
  readonly file?: string;
}

/** The rules a new file gets: binary files set none; otherwise `_unencrypted` unless a rule is given. */
export function effectiveRules(format: SopsFormat, rules: EncryptionRules): EncryptionRules {
  if (format === "binary") return {};
  const { macOnlyEncrypted, ...selection } = rules;
  const chosen = Object.fromEntries(Object.entries(selection).filter(([, v]) => v));
  if (Object.keys(chosen).length === 0) chosen.unencryptedSuffix = "_unencrypted";
  return macOnlyEncrypted ? { ...chosen, macOnlyEncrypted } : chosen;
}

/** Encrypts and writes a document; key groups must already hold the wrapped data key. */
export function sealDocument(branches: readonly TreeMap[], options: SealOptions): string {
  const rules = effectiveRules(options.format, options.rules);
  try {
    checkRules(rules, "the encryption options");
    const produced = new ProducedValues();
    const stop = options.cipher.record(produced);
    let walked: ReturnType<typeof encryptBranches>;
    try {
      walked = encryptBranches(branches, options.cipher, rules);
    } finally {
      stop(); // the MAC is encrypted outside the record, so verification always decrypts it
    }
    const { branches: encrypted, mac } = walked;
    const lastModified = formatLastModified(options.now ?? new Date());
    const metadata: SopsMetadata = {
      ...rules,
      keyGroups: options.keyGroups,
      useKeyGroups: options.useKeyGroups ?? false,
      ...(options.shamirThreshold ? { shamirThreshold: options.shamirThreshold } : {}),
      lastModified,
      mac: options.cipher.encrypt(mac, lastModified),
      version: SOPS_VERSION,
    };
    const text = emitEncryptedDocument(encrypted, writeMetadata(metadata), options.format, options);
    verifySealed(text, branches, {
      format: options.format,
      dataKey: options.cipher.dataKey,
      file: options.file,
      produced,
    });
    return text;
  } catch (error) {
    throw error instanceof SopsError ? error.withFile(options.file) : error;
  }
}

/** Wraps a data key for age recipient groups (Shamir-split when there are several groups). */
export async function wrapForGroups(
  dataKey: Uint8Array,
  groups: ReadonlyArray<readonly string[]>,
  options: { shamirThreshold?: number; reuse?: ReadonlyMap<string, string> } = {},
): Promise<KeyGroup[]> {
  const cleaned = groups.map((g) => [...new Set(g.map((r) => r.trim()).filter(Boolean))]).filter((g) => g.length);
  if (cleaned.length === 0) {
    throw new SopsError("E_SOPS_NO_RECIPIENTS", "no age recipients to encrypt to", {
      hint: "pass --age age1… or add a creation rule with age recipients to .sops.yaml",
    });
  }
  const secrets =
    cleaned.length === 1
      ? [dataKey]
      : await splitSecret(dataKey, cleaned.length, options.shamirThreshold || cleaned.length);
  return Promise.all(
    cleaned.map(async (recipients, i) => {
      const age: AgeKeyEntry[] = await Promise.all(
        recipients.map(async (recipient) => ({
          recipient,
          enc: (cleaned.length === 1 && options.reuse?.get(recipient)) || (await wrapDataKey(secrets[i]!, recipient)),
        })),
      );
      return { age, others: {} };
    }),
  );
}

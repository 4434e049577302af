// updatekeys: re-wrap the existing data key for the recipients a creation rule now names. Values,
// lastmodified and MAC stay as they are (as in sops). Unlike sops, it refuses to re-wrap a file so that none of the
// identities that opened it can open it again (a pasted-over key would otherwise lose the file for good).
import { SopsError } from "../errors.js";
import { emitEncryptedDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { type Identities, keySourceFromEnv } from "../keys/sources.js";
import { ageRecipients, type SopsMetadata, writeMetadata } from "../metadata.js";
import { openDataKey } from "./data-key.js";
import { readEncryptedDocument } from "./open.js";
import { wrapForGroups } from "./seal.js";

export interface UpdateKeysOptions extends StoreOptions {
  readonly format: SopsFormat;
  /** The recipients per key group the file should have. */
  readonly recipientGroups: ReadonlyArray<readonly string[]>;
  readonly shamirThreshold?: number;
  readonly identities?: Identities;
  readonly file?: string;
  /**
   * Re-wrap even when none of the identities that opened the data key is a recipient afterwards (someone else
   * holds the new key). Without it such an update throws E_SOPS_LOCKOUT.
   * @default false
   */
  readonly allowLockout?: boolean;
}

export interface UpdateKeysResult {
  readonly changed: boolean;
  readonly added: string[];
  readonly removed: string[];
  readonly text: string;
  /** The age recipients the file has after the update (all groups). */
  readonly recipients: string[];
  /** The recipients whose entries the identities opened (empty when nothing had to be opened). */
  readonly openedBy: readonly string[];
  /** True when the identities at hand cannot open the updated file (only returned with allowLockout). */
  readonly locksOut: boolean;
}

/** A file updatekeys would lock the user out of: where, what it would be encrypted to, who opened it. */
export interface LockoutCase {
  readonly file?: string;
  readonly recipients: readonly string[];
  readonly openedBy: readonly string[];
}

const LOCKOUT_HINT =
  "nothing was written. Fix: add your own key to the .sops.yaml rule next to the new one, or add the new key's identity to SOPS_AGE_KEY_FILE first, or pass --allow-lockout if someone else holds the new key (you will no longer be able to decrypt these files)";

/** E_SOPS_LOCKOUT for one or several files: each with the recipients it would have and the identity that opened it. */
export function lockoutError(cases: readonly LockoutCase[]): SopsError {
  const line = (c: LockoutCase) =>
    `would be encrypted only to ${c.recipients.join(", ")}, but it was opened with ${c.openedBy.join(", ") || "an identity"}, which is not among them`;
  if (cases.length === 1) {
    const only = cases[0]!;
    return new SopsError("E_SOPS_LOCKOUT", `updatekeys would lock you out: the file ${line(only)}`, {
      file: only.file,
      hint: LOCKOUT_HINT,
    });
  }
  return new SopsError(
    "E_SOPS_LOCKOUT",
    // ends in "\n " so the hint (" — nothing was written. Fix: …") starts its own indented line
    `updatekeys would lock you out of ${cases.length} files:\n${cases.map((c) => `  ${c.file ?? "<input>"}: ${line(c)}`).join("\n")}\n `,
    { hint: LOCKOUT_HINT },
  );
}

const sameGroups = (a: ReadonlyArray<readonly string[]>, b: ReadonlyArray<readonly string[]>) =>
  a.length === b.length && a.every((g, i) => g.length === b[i]!.length && g.every((r) => b[i]!.includes(r)));

/** Rewrites the key groups of a document; returns the input unchanged when they already match. */
export async function updateKeysText(
  ciphertext: string | Uint8Array,
  options: UpdateKeysOptions,
): Promise<UpdateKeysResult> {
  const { file } = options;
  const { branches, metadata } = readEncryptedDocument(ciphertext, options);
  const wanted = options.recipientGroups
    .map((g) => [...new Set(g.map((r) => r.trim()).filter(Boolean))])
    .filter((g) => g.length);
  if (wanted.length === 0) {
    throw new SopsError("E_SOPS_NO_RECIPIENTS", "the matching creation rule names no age recipients", { file });
  }
  const current = metadata.keyGroups.map((g) => g.age.map((e) => e.recipient));
  const hasOthers = metadata.keyGroups.some((g) => Object.keys(g.others).length > 0);
  const before = new Set(ageRecipients(metadata));
  const after = new Set(wanted.flat());
  const added = [...after].filter((r) => !before.has(r));
  const removed = [...before].filter((r) => !after.has(r));
  const text = Buffer.from(ciphertext).toString("utf8");
  const recipients = [...after];
  if (!hasOthers && sameGroups(current, wanted) && (metadata.shamirThreshold ?? 0) === (options.shamirThreshold ?? 0)) {
    return { changed: false, added, removed, text, recipients, openedBy: [], locksOut: false };
  }
  const identities = options.identities ?? keySourceFromEnv();
  const { key: dataKey, openedBy } = await openDataKey(metadata, { identities, file });
  const reuse = new Map<string, string>();
  if (metadata.keyGroups.length === 1)
    for (const entry of metadata.keyGroups[0]!.age) reuse.set(entry.recipient, entry.enc);
  const keyGroups = await wrapForGroups(dataKey, wanted, { shamirThreshold: options.shamirThreshold, reuse });
  const updated: SopsMetadata = {
    ...metadata,
    keyGroups,
    useKeyGroups: wanted.length > 1,
    ...(wanted.length > 1 && options.shamirThreshold
      ? { shamirThreshold: options.shamirThreshold }
      : { shamirThreshold: undefined }),
  };
  const locksOut = !(await opens(updated, identities));
  if (locksOut && !options.allowLockout) throw lockoutError([{ file, recipients, openedBy }]);
  // decryption added the default suffix to rule-less binary metadata; do not write it back
  const raw = writeMetadata(
    options.format === "binary" && updated.unencryptedSuffix === "_unencrypted" && !text.includes("unencrypted_suffix")
      ? { ...updated, unencryptedSuffix: undefined }
      : updated,
  );
  const updatedText = emitEncryptedDocument(branches, raw, options.format, options);
  return { changed: true, added, removed, text: updatedText, recipients, openedBy, locksOut };
}

/** Whether the identities open the re-wrapped key groups (the exact test: Shamir thresholds and SSH keys included). */
async function opens(metadata: SopsMetadata, identities: Identities): Promise<boolean> {
  try {
    await openDataKey(metadata, { identities });
    return true;
  } catch (error) {
    if (error instanceof SopsError && error.code === "E_SOPS_NO_KEY") return false;
    throw error;
  }
}

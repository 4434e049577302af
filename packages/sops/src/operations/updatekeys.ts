// updatekeys: re-wrap the existing data key for the recipients a creation rule now names. Values,
// lastmodified and MAC stay as they are (as in sops).
import { SopsError } from "../errors.js";
import { type Identities, keySourceFromEnv } from "../keys/sources.js";
import { emitEncryptedDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { ageRecipients, type SopsMetadata, writeMetadata } from "../metadata.js";
import { obtainDataKey } from "./data-key.js";
import { readEncryptedDocument } from "./open.js";
import { wrapForGroups } from "./seal.js";

export interface UpdateKeysOptions extends StoreOptions {
  readonly format: SopsFormat;
  /** The recipients per key group the file should have. */
  readonly recipientGroups: ReadonlyArray<readonly string[]>;
  readonly shamirThreshold?: number;
  readonly identities?: Identities;
  readonly file?: string;
}

export interface UpdateKeysResult {
  readonly changed: boolean;
  readonly added: string[];
  readonly removed: string[];
  readonly text: string;
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
  if (!hasOthers && sameGroups(current, wanted) && (metadata.shamirThreshold ?? 0) === (options.shamirThreshold ?? 0)) {
    return { changed: false, added, removed, text };
  }
  const identities = options.identities ?? keySourceFromEnv();
  const dataKey = await obtainDataKey(metadata, { identities, file });
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
  // decryption added the default suffix to rule-less binary metadata; do not write it back
  const raw = writeMetadata(
    options.format === "binary" && updated.unencryptedSuffix === "_unencrypted" && !text.includes("unencrypted_suffix")
      ? { ...updated, unencryptedSuffix: undefined }
      : updated,
  );
  return { changed: true, added, removed, text: emitEncryptedDocument(branches, raw, options.format, options) };
}

// Opens an encrypted document: metadata, data key, decrypted branches and the MAC check.
import { ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import { parseDocument, type SopsFormat } from "../formats/index.js";
import { type Identities, keySourceFromEnv } from "../keys/sources.js";
import { readMetadata, type SopsMetadata } from "../metadata.js";
import { lastModifiedAad } from "../timestamp.js";
import type { TreeMap } from "../tree.js";
import { decryptBranches } from "../walk.js";
import { obtainDataKey } from "./data-key.js";

export interface OpenOptions {
  readonly format: SopsFormat;
  /** AGE-SECRET-KEY-1… identities; default: loadAgeIdentities(). */
  readonly identities?: Identities;
  /** Names the file in errors. */
  readonly file?: string;
  /** Skip the MAC check (sops --ignore-mac; Flux always checks it). */
  readonly ignoreMac?: boolean;
  /** Keep the IVs for stable re-encryption (default true; a plain decrypt does not need them). */
  readonly rememberIvs?: boolean;
}

export interface OpenedDocument {
  readonly branches: TreeMap[];
  readonly metadata: SopsMetadata;
  /** Holds the data key and the IVs of every value read, for stable re-encryption. */
  readonly cipher: ValueCipher;
  readonly macMatches: boolean;
}

/** Parses metadata only (no keys needed). */
export function readEncryptedDocument(input: string | Uint8Array, options: { format: SopsFormat; file?: string }) {
  let parsed: ReturnType<typeof parseDocument>;
  try {
    parsed = parseDocument(input, options.format, { encrypted: true });
  } catch (error) {
    throw error instanceof SopsError ? error.withFile(options.file) : error;
  }
  if (!parsed.metadata) {
    throw new SopsError("E_SOPS_NOT_ENCRYPTED", "not a sops file: it has no sops metadata", {
      file: options.file,
      hint: `encrypt it first, or check --input-type (read as ${options.format})`,
    });
  }
  return { branches: parsed.branches, metadata: readMetadata(parsed.metadata, options.file) };
}

/** Decrypts a document and verifies its MAC (unless ignoreMac). */
export async function openDocument(input: string | Uint8Array, options: OpenOptions): Promise<OpenedDocument> {
  const { file } = options;
  const { branches, metadata } = readEncryptedDocument(input, options);
  const identities = options.identities ?? keySourceFromEnv();
  const cipher = new ValueCipher(await obtainDataKey(metadata, { identities, file }), {
    rememberIvs: options.rememberIvs,
  });
  return openWithCipher(branches, metadata, cipher, options);
}

/** Decrypts parsed branches with a known data key and checks the MAC (unless ignoreMac). */
export function openWithCipher(
  branches: readonly TreeMap[],
  metadata: SopsMetadata,
  cipher: ValueCipher,
  options: { file?: string; ignoreMac?: boolean },
): OpenedDocument {
  const { file } = options;
  let result: ReturnType<typeof decryptBranches>;
  try {
    result = decryptBranches(branches, cipher, metadata);
  } catch (error) {
    throw error instanceof SopsError ? error.withFile(file) : error;
  }
  let stored = "";
  if (metadata.mac) {
    try {
      const mac = cipher.decrypt(metadata.mac, lastModifiedAad(metadata.lastModified));
      stored = typeof mac === "string" ? mac : "";
    } catch (error) {
      if (!options.ignoreMac) {
        throw new SopsError(
          "E_SOPS_MAC_MISMATCH",
          "MAC mismatch: the stored MAC does not authenticate (lastmodified or mac was changed)",
          {
            file,
            path: "sops.mac",
            hint: "the file was tampered with; restore it from version control",
            cause: error,
          },
        );
      }
    }
  }
  const macMatches = stored !== "" && stored === result.mac;
  if (!macMatches && !options.ignoreMac) {
    throw new SopsError(
      "E_SOPS_MAC_MISMATCH",
      stored === ""
        ? "MAC mismatch. File has no MAC"
        : `MAC mismatch: computed ${result.mac.slice(0, 16)}…, stored ${stored.slice(0, 16)}…`,
      {
        file,
        hint: "the file was tampered with (a value, or the order of values, changed); restore it from version control",
      },
    );
  }
  return { branches: result.branches, metadata, cipher, macMatches };
}

// decryptText / decryptToBytes: sops document → plaintext in the same or another format.

import { emitPlainDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import type { Identities } from "../keys/sources.js";
import type { TreeMap } from "../tree.js";
import { extractPath } from "./extract.js";
import { openDocument } from "./open.js";

export interface DecryptTextOptions extends StoreOptions {
  readonly format: SopsFormat;
  /** Output format (default: the input format). */
  readonly outputFormat?: SopsFormat;
  readonly identities?: Identities;
  /** Names the file in errors. */
  readonly file?: string;
  /** Do not verify the MAC (Flux does not). */
  readonly ignoreMac?: boolean;
  /** sops --extract path, e.g. `["data"]["password"]`. */
  readonly extract?: string;
}

/** Decrypts a document and returns the output bytes (exact bytes for the binary format). */
export async function decryptToBytes(
  ciphertext: string | Uint8Array,
  options: DecryptTextOptions,
): Promise<Uint8Array> {
  const opened = await openDocument(ciphertext, { ...options, rememberIvs: false });
  const output = options.outputFormat ?? options.format;
  if (options.extract !== undefined)
    return extractPath(opened.branches[0] as TreeMap, options.extract, { ...options, output });
  const out = emitPlainDocument(opened.branches, output, options);
  return typeof out === "string" ? Buffer.from(out, "utf8") : out;
}

/** Decrypts a document to text (UTF-8). */
export async function decryptText(ciphertext: string, options: DecryptTextOptions): Promise<string> {
  return Buffer.from(await decryptToBytes(ciphertext, options)).toString("utf8");
}

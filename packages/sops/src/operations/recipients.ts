// readRecipients: the age recipients a sops file is encrypted to, read from its metadata (no keys needed).
import type { SopsFormat } from "../formats/index.js";
import { readEncryptedDocument } from "./open.js";

/**
 * The age recipients (`age1…`, `age1pq1…`, `ssh-ed25519 …`, `ssh-rsa …`) in a file's sops metadata,
 * every key group, first appearance order, duplicates removed. Pure: parses the text, decrypts nothing.
 * Throws a SopsError (`E_SOPS_NOT_ENCRYPTED`, `E_SOPS_PARSE`, `E_SOPS_METADATA`) for a file that is not
 * a readable sops document.
 */
export function readRecipients(
  fileText: string | Uint8Array,
  format: SopsFormat,
  options: { file?: string } = {},
): string[] {
  const { metadata } = readEncryptedDocument(fileText, { format, file: options.file });
  return [...new Set(metadata.keyGroups.flatMap((group) => group.age.map((entry) => entry.recipient.trim())))];
}

// filestatus: is a document sops-encrypted? (metadata with a MAC or master keys present)
import { parseDocument, type SopsFormat } from "../formats/index.js";

/** True when the text parses as a sops document of the format (has a `sops` block with keys or a MAC). */
export function isSopsEncrypted(text: string, format: SopsFormat): boolean {
  try {
    const { metadata } = parseDocument(text, format, { encrypted: true });
    if (!metadata) return false;
    return ["mac", "age", "pgp", "kms", "key_groups", "lastmodified"].some((key) => metadata[key] !== undefined);
  } catch {
    return false;
  }
}

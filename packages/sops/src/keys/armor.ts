// age's ASCII armor (C2SP age spec, "ASCII armor"): a strict PEM subset — the BEGIN and END lines around
// padded standard base64 in 64-column lines, the last one shorter or equal and whole 4-character groups;
// whitespace around the armor and CRLF line ends are tolerated (as the Go and TypeScript age both do).
// Ours so that the decrypt path does not load age-encryption (see stanza.ts); armor.test.ts checks that
// it accepts and refuses exactly what age-encryption's decoder does, and reads what the age CLI writes.
import { base64 } from "@scure/base";

// one pass over the whole armor: full 64-column lines, then a last line of 4–64 columns (or no line at all)
const ARMOR =
  /^-----BEGIN AGE ENCRYPTED FILE-----\n((?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n)?-----END AGE ENCRYPTED FILE-----$/;

export function decodeArmor(text: string): Uint8Array {
  const match = ARMOR.exec(text.trim().replaceAll("\r\n", "\n"));
  if (!match) throw new Error("not an age armored file (BEGIN/END lines, 64-column base64 lines)");
  // padded base64 in whole 4-character groups: @scure/base refuses a partial group, misplaced padding and
  // non-zero stray bits, as Go's decoder does
  return base64.decode((match[1] ?? "").replaceAll("\n", ""));
}

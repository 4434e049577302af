// age's ASCII armor (age-encryption.org/v1, "ASCII armor"), decoded exactly as age-encryption's
// `armor.decode` does: surrounding whitespace and CRLF tolerated, otherwise strict — the BEGIN and END
// lines, 64-column lines of padded standard base64, a last line of 1–64 columns and a multiple of 4.
// Here rather than imported so the decrypt path does not load age-encryption (see stanza.ts);
// armor.test.ts checks it against age-encryption's decoder.
import { base64 } from "@scure/base";

const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;

export function decodeArmor(text: string): Uint8Array {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n");
  if (lines.shift() !== BEGIN) throw new Error("invalid header");
  if (lines.pop() !== END) throw new Error("invalid footer");
  const last = lines.length - 1;
  for (const [i, line] of lines.entries()) {
    const valid = i === last ? line.length > 0 && line.length <= 64 && line.length % 4 === 0 : line.length === 64;
    if (!valid) throw new Error("invalid line length");
  }
  if (!lines.every((line) => BASE64_LINE.test(line))) throw new Error("invalid base64");
  return base64.decode(lines.join(""));
}

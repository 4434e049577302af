// Opens the small age files sops stores (one armored file per recipient wrapping a 32-byte data key)
// on node:crypto, without age-encryption's web-stream pipeline, which cost about 1 ms per file and
// made batch decrypts slower than one `age -d` process per file. Format: age-encryption.org/v1
// (https://age-encryption.org/v1): a header of stanzas, `--- <HMAC-SHA256>`, a 16-byte nonce, then
// ChaCha20-Poly1305 chunks under HKDF-SHA256(file key, nonce, "payload"). Only the single-chunk case
// is handled here; anything else returns "fallback" and the caller uses age-encryption.
import { createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import type { Identity } from "age-encryption";
import { hkdfSha256 } from "./hkdf.js";
import { Stanza } from "./stanza.js";

const INTRO = "age-encryption.org/v1\n";
const CHUNK = 64 * 1024;

interface Header {
  readonly stanzas: Stanza[];
  /** The header bytes the MAC covers: up to and including "---". */
  readonly macInput: Uint8Array;
  readonly mac: Buffer;
  readonly payload: Uint8Array;
}

const fromB64 = (text: string): Buffer | undefined =>
  /^[A-Za-z0-9+/]*$/.test(text) ? Buffer.from(text, "base64") : undefined;

function parseHeader(file: Uint8Array): Header | undefined {
  const text = Buffer.from(file.buffer, file.byteOffset, Math.min(file.length, 64 * 1024)).toString("latin1");
  if (!text.startsWith(INTRO)) return undefined;
  let pos = INTRO.length;
  const stanzas: Stanza[] = [];
  const line = () => {
    const end = text.indexOf("\n", pos);
    if (end < 0) return undefined;
    const value = text.slice(pos, end);
    pos = end + 1;
    return value;
  };
  for (;;) {
    const start = pos;
    const head = line();
    if (head === undefined) return undefined;
    if (head.startsWith("--- ")) {
      const mac = fromB64(head.slice(4));
      if (mac?.length !== 32) return undefined;
      return { stanzas, macInput: file.subarray(0, start + 3), mac, payload: file.subarray(pos) };
    }
    if (!head.startsWith("-> ")) return undefined;
    const args = head.slice(3).split(" ");
    const chunks: Buffer[] = [];
    for (;;) {
      const body = line();
      if (body === undefined || body.length > 64) return undefined;
      const bytes = fromB64(body);
      if (!bytes) return undefined;
      chunks.push(bytes);
      if (body.length < 64) break;
    }
    stanzas.push(new Stanza(args, new Uint8Array(Buffer.concat(chunks))));
  }
}

/**
 * The plaintext of a small age file, undefined when no identity opens it, or "fallback" when the file
 * is outside what this reader handles (several chunks, an unusual header).
 */
export function openSmallAgeFile(
  file: Uint8Array,
  identities: readonly Identity[],
): Uint8Array | undefined | "fallback" {
  const header = parseHeader(file);
  if (!header) return "fallback";
  let fileKey: Uint8Array | null = null;
  try {
    for (const identity of identities) {
      const result = identity.unwrapFileKey(header.stanzas);
      if (result instanceof Promise) return "fallback";
      fileKey = result;
      if (fileKey) break;
    }
  } catch {
    return "fallback"; // a malformed stanza: let age-encryption judge it
  }
  if (!fileKey) return undefined;
  const hmacKey = hkdfSha256(fileKey, Buffer.alloc(0), "header");
  const mac = createHmac("sha256", hmacKey).update(header.macInput).digest();
  if (!timingSafeEqual(mac, header.mac)) return undefined;
  const { payload } = header;
  if (payload.length < 16 + 16 || payload.length > 16 + CHUNK + 16) return "fallback";
  const streamKey = hkdfSha256(fileKey, payload.subarray(0, 16), "payload");
  const sealed = payload.subarray(16);
  const nonce = Buffer.alloc(12);
  nonce[11] = 1; // counter 0, last chunk
  try {
    const decipher = createDecipheriv("chacha20-poly1305", streamKey, nonce, { authTagLength: 16 });
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]));
  } catch {
    return undefined;
  }
}

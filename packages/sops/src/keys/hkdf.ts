// HKDF-SHA256 with a 32-byte output (RFC 5869): extract PRK = HMAC(salt, ikm), expand T(1) = HMAC(PRK,
// info || 0x01). age derives three such keys per file; node:crypto's hkdfSync does the same in about
// twice the time (it builds key objects per call), which showed in batch decrypts of many small files.
// hkdf.test.ts checks it against hkdfSync.
import { createHmac } from "node:crypto";

const ONE = Buffer.from([1]);

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array): Buffer {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  return createHmac("sha256", prk).update(info).update(ONE).digest();
}

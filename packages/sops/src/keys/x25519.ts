// age's X25519 stanza (age-encryption.org/v1/X25519) on node:crypto. age-encryption's own version goes
// through WebCrypto key import (OpenSSL decoders) on every use, which dominates sops-sized files.
// Spec: wrap key = HKDF-SHA256(X25519(e, R), salt = E || R, "age-encryption.org/v1/X25519"),
// body = ChaCha20-Poly1305(wrap key, zero nonce, file key).
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { bech32 } from "@scure/base";
import type { Identity, Recipient } from "age-encryption";
import { hkdfSha256 } from "./hkdf.js";
import { Stanza } from "./stanza.js";

const LABEL = "age-encryption.org/v1/X25519";
const ZERO_NONCE = Buffer.alloc(12);

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const b64raw = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

function decodeBech32(text: string, prefix: string): Uint8Array | undefined {
  try {
    const decoded = bech32.decodeToBytes(text as `${string}1${string}`);
    return decoded.prefix.toLowerCase() === prefix.toLowerCase() && decoded.bytes.length === 32
      ? decoded.bytes
      : undefined;
  } catch {
    return undefined;
  }
}

/** An X25519 public key from its 32 raw bytes. */
export function x25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64url(raw) }, format: "jwk" });
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "jwk" }).x as string, "base64url");
}

/** An X25519 private key from its 32 raw bytes (Node derives the public half from `d` alone; the `x` its
 * JWK import requires is not used). */
export function x25519PrivateKey(raw: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: "OKP", crv: "X25519", d: b64url(raw), x: b64url(new Uint8Array(32)) },
    format: "jwk",
  });
}

/**
 * A fresh ephemeral X25519 key and its raw public share, from 32 random bytes (as age does). Not
 * generateKeyPairSync: on Node 20, exporting a just-generated key deadlocks the thread when a garbage
 * collection lands inside the export and finalises the key-generation job, which takes the same lock
 * (gdb: ExportJWKEdKey → GC → ~KeyGenJob → uv_mutex_lock). The process then sleeps forever at 0 % CPU;
 * it hung a CI run. keygen.int.test.ts runs thousands of encryptions under GC pressure to keep it out.
 */
export function ephemeralX25519(): { privateKey: KeyObject; share: Buffer } {
  const privateKey = x25519PrivateKey(randomBytes(32));
  return { privateKey, share: rawPublic(createPublicKey(privateKey)) };
}

function wrapKey(shared: Buffer, ephemeral: Uint8Array, recipient: Uint8Array): Buffer {
  return hkdfSha256(shared, Buffer.concat([ephemeral, recipient]), LABEL);
}

/** An `age1…` X25519 recipient; undefined for other recipient types. */
export function nodeX25519Recipient(text: string): Recipient | undefined {
  if (!text.startsWith("age1") || text.startsWith("age1pq1") || text.startsWith("age1tag")) return undefined;
  const raw = decodeBech32(text, "age");
  if (!raw) return undefined;
  const recipientKey = x25519PublicKey(raw);
  return {
    wrapFileKey(fileKey: Uint8Array): Stanza[] {
      const { privateKey, share } = ephemeralX25519();
      const key = wrapKey(diffieHellman({ privateKey, publicKey: recipientKey }), share, raw);
      const cipher = createCipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
      const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
      return [new Stanza(["X25519", b64raw(share)], body)];
    },
  };
}

/** An `AGE-SECRET-KEY-1…` identity; undefined for other identity types. */
export function nodeX25519Identity(text: string): Identity | undefined {
  if (!text.startsWith("AGE-SECRET-KEY-1")) return undefined;
  const raw = decodeBech32(text, "AGE-SECRET-KEY-");
  if (!raw) return undefined;
  const privateKey = x25519PrivateKey(raw);
  const ownPublic = rawPublic(createPublicKey(privateKey));
  return {
    unwrapFileKey(stanzas: Stanza[]): Uint8Array | null {
      for (const stanza of stanzas) {
        if (stanza.args[0] !== "X25519") continue;
        if (stanza.args.length !== 2 || stanza.body.length !== 32) throw new Error("invalid X25519 stanza");
        const share = Buffer.from(stanza.args[1]!, "base64");
        if (share.length !== 32) throw new Error("invalid X25519 stanza");
        const key = wrapKey(diffieHellman({ privateKey, publicKey: x25519PublicKey(share) }), share, ownPublic);
        try {
          const decipher = createDecipheriv("chacha20-poly1305", key, ZERO_NONCE, { authTagLength: 16 });
          decipher.setAuthTag(stanza.body.subarray(16));
          return new Uint8Array(Buffer.concat([decipher.update(stanza.body.subarray(0, 16)), decipher.final()]));
        } catch {
          // not for this identity
        }
      }
      return null;
    },
  };
}
